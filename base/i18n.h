// Translated text: every sentence a person reads goes through here (docs/TRANSLATING.md). The
// messages are written in English in the sources, marked with the functions below, extracted by
// xgettext into po/atelier.pot and translated in po/<code>.po; the build compiles those into
// gettext .mo catalogues (message domain "atelier") that Boost.Locale's gettext backend reads.
//
// Contract:
// - The language is an argument of every call: no process locale, no installed system locale, no
//   global state a thread could change (atelierd may render a French paper and an English one at
//   once). Everything here is safe to call from any thread.
// - Message ids are string literals (xgettext reads them from the call; the keywords are
//   tr:2, tr_ctx:2c,3, trf:2 and tr_n:2,3). A message without an entry comes out as written.
// - Placeholders are named, "{grade}", never positional, so a translation may reorder them and
//   scripts/check-catalogue can check that msgid and msgstr carry the same names. "{{" and "}}"
//   are literal braces.
// - French text comes out with French typography applied to the translated pattern (typography.h:
//   a no-break space before ; : ! ? and inside « »), never to the values put into it.
#pragma once

#include "base/language.h"
#include "base/message.h" // MessageArg(s), format_message: the filler trf uses

#include <cstdint>
#include <expected>
#include <filesystem>
#include <locale>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::base {

// The "atelier" catalogues of every language, loaded once; immutable afterwards.
class Catalogues {
public:
  // The catalogues in `locale_dir` (<dir>/<code>/LC_MESSAGES/atelier.mo); an error naming the
  // missing or unreadable file when a language other than English has none.
  static std::expected<Catalogues, std::string> load(const std::filesystem::path& locale_dir);
  // No catalogue: every language comes out as the source's English.
  static Catalogues source_only();

  std::string get(Language, const char* context, const char* msgid) const; // context may be null
  std::string get_plural(Language, const char* context, const char* singular, const char* plural,
                         std::uint64_t n) const;
  // Where the catalogues were read from (empty for source_only()).
  const std::filesystem::path& dir() const { return m_dir; }

private:
  Catalogues() = default;
  std::string finish(Language, std::string text) const;

  std::filesystem::path m_dir;
  std::vector<std::locale> m_locales; // indexed by Language; empty for source_only()
};

// Where programs look for the catalogues, in order: $ATELIER_LOCALEDIR; <program
// dir>/../share/locale (an installed program, and build/cli/atelier in the build tree); the build
// tree's share/locale (the test executables).
std::vector<std::filesystem::path> catalogue_search_path();

// The process's catalogues, loaded on first use from the first directory of
// catalogue_search_path() that holds them. When none does, French comes out in English and one
// warning line naming the directories goes to stderr: an installation error, shown, not silent.
const Catalogues& catalogues();

// The translation functions (xgettext keywords: tr:2, tr_ctx:2c,3, trf:2, tr_n:2,3).
std::string tr(Language, const char* msgid);
// `context` tells apart two messages with the same English ("passed" of a verification and of
// SMART); translators see it, readers do not.
std::string tr_ctx(Language, const char* context, const char* msgid);
// tr, then format_message.
std::string trf(Language, const char* msgid, MessageArgs args);
// The form for `n` of the language (French: singular for 0 and 1), then format_message; the
// count is not passed implicitly: name it in `args` when the text shows it.
std::string tr_n(Language, const char* singular, const char* plural, std::uint64_t n,
                 MessageArgs args);

} // namespace atelier::base
