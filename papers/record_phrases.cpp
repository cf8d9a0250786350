#include "papers/record_phrases.h"

#include "base/i18n.h"
#include "records/erasure_phrases.h"

#include <regex>
#include <utility>
#include <vector>

namespace atelier::papers {
namespace {

// One pattern of records/erasure_phrases.h as a regular expression: the text between its
// placeholders literally, each placeholder any text (the shortest that lets the whole match).
struct Phrase {
  const char* pattern;
  std::regex regex;
  std::vector<std::string> names; // the placeholders, in the order they appear
};

std::vector<Phrase> compile_phrases() {
  static const std::regex placeholder(R"(\{([a-z_]+)\})");
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  std::vector<Phrase> phrases;
  for (const char* pattern : records::k_erasure_phrases) {
    const std::string text(pattern);
    std::string expression;
    std::vector<std::string> names;
    auto at = text.cbegin();
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
      expression += std::regex_replace(std::string(at, (*it)[0].first), special, R"(\$&)");
      expression += "(.+?)";
      names.push_back((*it)[1].str());
      at = (*it)[0].second;
    }
    expression += std::regex_replace(std::string(at, text.cend()), special, R"(\$&)");
    phrases.push_back({pattern, std::regex(expression), std::move(names)});
  }
  return phrases;
}

// base::format_message for a list known at run time: "{name}" by its value (never re-read), "{{"
// and "}}" by single braces, anything else as written.
std::string fill(std::string_view pattern, const std::vector<std::string>& names,
                 const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if ((pattern[i] == '{' || pattern[i] == '}') && i + 1 < pattern.size() &&
        pattern[i + 1] == pattern[i]) {
      out += pattern[i++];
      continue;
    }
    if (pattern[i] == '{') {
      if (const std::size_t close = pattern.find('}', i); close != std::string_view::npos) {
        const std::string_view name = pattern.substr(i + 1, close - i - 1);
        for (std::size_t n = 0; n < names.size(); ++n) {
          if (names[n] == name) {
            out += values[n];
            i = close;
            break;
          }
        }
        if (i == close) {
          continue;
        }
      }
    }
    out += pattern[i];
  }
  return out;
}

std::string render(std::string_view text, base::Language language, int depth) {
  static const std::vector<Phrase> phrases = compile_phrases();
  if (language == base::Language::en || depth > 4) {
    return std::string(text);
  }
  const std::string whole(text);
  std::smatch match;
  for (const Phrase& p : phrases) {
    if (!std::regex_match(whole, match, p.regex)) {
      continue;
    }
    // The values, each rendered in turn; MessageArg keeps views of the names and copies values.
    std::vector<std::string> values;
    values.reserve(p.names.size());
    for (std::size_t i = 0; i < p.names.size(); ++i) {
      values.push_back(render(match[i + 1].str(), language, depth + 1));
    }
    return fill(base::tr(language, p.pattern), p.names, values);
  }
  return whole;
}

} // namespace

std::string record_text(std::string_view text, base::Language language) {
  return render(text, language, 0);
}

} // namespace atelier::papers
