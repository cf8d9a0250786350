#include "records/phrases.h"

#include <cstddef>

namespace atelier::records {
namespace {

// A pattern cut at its placeholders: literal[0] {names[0]} literal[1] ... {names[n-1]} literal[n].
// "{{" and "}}" are single braces in the literals, as fill_phrase writes them.
struct Segments {
  std::vector<std::string> literals{std::string()};
  std::vector<std::string> names;
};

Segments segments_of(std::string_view pattern) {
  Segments s;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
      s.literals.back() += c;
      ++i;
      continue;
    }
    if (c == '{') {
      const std::size_t close = pattern.find('}', i + 1);
      if (close != std::string_view::npos) {
        s.names.emplace_back(pattern.substr(i + 1, close - i - 1));
        s.literals.emplace_back();
        i = close;
        continue;
      }
    }
    s.literals.back() += c;
  }
  return s;
}

} // namespace

std::string fill_phrase(std::string_view pattern, const PhraseValues& values) {
  return base::format_message(pattern, values);
}

// No regular expression: the text may be megabytes an agent sent (a step's reason), and
// libstdc++'s std::regex recurses per character. Each placeholder takes the text up to the
// earliest next occurrence of the literal after it (at least one character); the last one takes
// everything up to the pattern's closing literal. Taking the earliest occurrence never loses a
// match: what follows starts with a placeholder, which can take any longer remainder too. So this
// is the shortest-first match, in one pass.
std::optional<PhraseValues> match_phrase(std::string_view pattern, std::string_view text) {
  const Segments s = segments_of(pattern);
  const std::string& first = s.literals.front();
  const std::string& last = s.literals.back();
  if (s.names.empty()) {
    return text == first ? std::optional<PhraseValues>(PhraseValues{}) : std::nullopt;
  }
  if (!text.starts_with(first) || text.size() < first.size() + last.size() + s.names.size() ||
      !text.ends_with(last)) {
    return std::nullopt;
  }
  const std::size_t end = text.size() - last.size(); // where the last placeholder's value ends
  PhraseValues values;
  std::size_t at = first.size();
  for (std::size_t i = 0; i + 1 < s.names.size(); ++i) {
    const std::string& next = s.literals[i + 1];
    const std::size_t found = text.find(next, at + 1);
    if (found == std::string_view::npos || found + next.size() >= end) {
      return std::nullopt;
    }
    values.emplace_back(s.names[i], std::string(text.substr(at, found - at)));
    at = found + next.size();
  }
  values.emplace_back(s.names.back(), std::string(text.substr(at, end - at)));
  return values;
}

} // namespace atelier::records
