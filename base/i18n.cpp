#include "base/i18n.h"

#include "base/typography.h"

#include <boost/locale/generator.hpp>
#include <boost/locale/message.hpp>
#include <cstdlib>
#include <iostream>
#include <system_error>

namespace atelier::base {
namespace {

constexpr const char* k_domain = "atelier";
constexpr Language k_languages[] = {Language::fr, Language::en};

// The Boost.Locale name of a language: the country only picks the catalogue's sub-directory
// (<code>_<CC> is tried before <code>), the codeset says the .mo and the output are UTF-8.
const char* locale_name(Language language) {
  return language == Language::fr ? "fr_FR.UTF-8" : "en_US.UTF-8";
}

std::filesystem::path catalogue_file(const std::filesystem::path& dir, Language language) {
  return dir / language_code(language) / "LC_MESSAGES" / (std::string(k_domain) + ".mo");
}

// Boost.Locale counts in int; plural rules look at the last digits and at "more than one", which
// this keeps for any count.
int plural_count(std::uint64_t n) {
  constexpr std::uint64_t k_wrap = 1'000'000;
  return static_cast<int>(n < k_wrap ? n : k_wrap + n % k_wrap);
}

} // namespace

std::expected<Catalogues, std::string> Catalogues::load(const std::filesystem::path& locale_dir) {
  Catalogues c;
  c.m_dir = locale_dir;
  boost::locale::generator generator;
  // Messages and the locale's identity only: no collation, formatting or conversion facets, so
  // nothing depends on which system locales are installed.
  generator.categories(boost::locale::message_facet | boost::locale::information_facet);
  generator.add_messages_path(locale_dir.string());
  generator.add_messages_domain(k_domain);
  for (const Language language : k_languages) {
    if (language != Language::en) {
      const std::filesystem::path file = catalogue_file(locale_dir, language);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec)) {
        return std::unexpected("no catalogue " + file.string());
      }
    }
    try {
      c.m_locales.push_back(generator.generate(locale_name(language)));
    } catch (const std::exception& e) { // Boost.Locale throws on an unreadable catalogue
      return std::unexpected("cannot read the " + std::string(language_code(language)) +
                             " catalogue in " + locale_dir.string() + ": " + e.what());
    }
  }
  return c;
}

Catalogues Catalogues::source_only() {
  return Catalogues();
}

std::string Catalogues::finish(Language language, std::string text) const {
  return language == Language::fr ? french_spacing(text) : text;
}

std::string Catalogues::get(Language language, const char* context, const char* msgid) const {
  if (m_locales.empty()) {
    return msgid;
  }
  const std::locale& locale = m_locales[static_cast<std::size_t>(language)];
  return finish(language, context == nullptr ? boost::locale::gettext(msgid, locale)
                                             : boost::locale::pgettext(context, msgid, locale));
}

std::string Catalogues::get_plural(Language language, const char* context, const char* singular,
                                   const char* plural, std::uint64_t n) const {
  if (m_locales.empty()) {
    return n == 1 ? singular : plural;
  }
  const std::locale& locale = m_locales[static_cast<std::size_t>(language)];
  const int count = plural_count(n);
  return finish(language, context == nullptr
                              ? boost::locale::ngettext(singular, plural, count, locale)
                              : boost::locale::npgettext(context, singular, plural, count, locale));
}

std::vector<std::filesystem::path> catalogue_search_path() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("ATELIER_LOCALEDIR"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  std::error_code ec;
  if (const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec); !ec) {
    dirs.push_back(exe.parent_path().parent_path() / "share" / "locale");
  }
#ifdef ATELIER_BUILD_LOCALEDIR
  dirs.emplace_back(ATELIER_BUILD_LOCALEDIR);
#endif
  return dirs;
}

const Catalogues& catalogues() {
  static const Catalogues loaded = [] {
    std::string tried;
    for (const std::filesystem::path& dir : catalogue_search_path()) {
      auto c = Catalogues::load(dir);
      if (c) {
        return std::move(*c);
      }
      tried += "\n  " + c.error();
    }
    std::cerr << "atelier: warning: no translation catalogue found, French text comes out in "
                 "English (set ATELIER_LOCALEDIR or reinstall):"
              << tried << '\n';
    return Catalogues::source_only();
  }();
  return loaded;
}

std::string tr(Language language, const char* msgid) {
  return catalogues().get(language, nullptr, msgid);
}

std::string tr_ctx(Language language, const char* context, const char* msgid) {
  return catalogues().get(language, context, msgid);
}

std::string trf(Language language, const char* msgid, MessageArgs args) {
  return format_message(tr(language, msgid), args);
}

std::string tr_n(Language language, const char* singular, const char* plural, std::uint64_t n,
                 MessageArgs args) {
  return format_message(catalogues().get_plural(language, nullptr, singular, plural, n), args);
}

} // namespace atelier::base
