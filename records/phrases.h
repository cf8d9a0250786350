// Sentences kept in English in records and events, with named placeholders ("{why}"), so that a
// reader can render them in another language (docs/TRANSLATING.md, "Records"): fill a pattern with
// values, and recognise which pattern a stored sentence was made from and with which values. The
// patterns themselves live beside what writes them (erasure_phrases.h, daemon_reasons.h) and are
// marked record_phrase() for the translation catalogue.
//
// Contract: pure (no I/O, no translation, no locale), thread-safe; recognising is one pass over the
// text (an agent's reason may be megabytes). A value is never re-read: braces
// in it come out as written. Placeholder names are [a-z_]+.
#pragma once

#include "base/message.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::records {

// A pattern as written, marked for the translation catalogue (xgettext keyword record_phrase:1).
constexpr const char* record_phrase(const char* english) {
  return english;
}

using PhraseValues = base::MessageValues; // name, value

// `pattern` with each "{name}" replaced by its value ("{{" and "}}" are single braces; a
// placeholder without a value is left as written): base::format_message.
std::string fill_phrase(std::string_view pattern, const PhraseValues& values);

// The values of `text` when it is `pattern` filled (each placeholder matched by the shortest text
// that lets the whole match), in the order the placeholders appear; nullopt when it is not.
std::optional<PhraseValues> match_phrase(std::string_view pattern, std::string_view text);

} // namespace atelier::records
