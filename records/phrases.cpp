#include "records/phrases.h"

#include <map>
#include <mutex>
#include <regex>

namespace atelier::records {
namespace {

struct Compiled {
  std::regex regex;
  std::vector<std::string> names;
};

Compiled compile(std::string_view pattern) {
  static const std::regex placeholder(R"(\{([a-z_]+)\})");
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  const std::string text(pattern);
  Compiled c;
  std::string expression;
  auto at = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) {
    expression += std::regex_replace(std::string(at, (*it)[0].first), special, R"(\$&)");
    expression += "(.+?)";
    c.names.push_back((*it)[1].str());
    at = (*it)[0].second;
  }
  expression += std::regex_replace(std::string(at, text.cend()), special, R"(\$&)");
  c.regex = std::regex(expression);
  return c;
}

// Patterns are compiled once; a regex is safe to use from several threads once built.
const Compiled& compiled(std::string_view pattern) {
  static std::mutex mutex;
  static std::map<std::string, Compiled, std::less<>> cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    it = cache.emplace(std::string(pattern), compile(pattern)).first;
  }
  return it->second;
}

} // namespace

std::string fill_phrase(std::string_view pattern, const PhraseValues& values) {
  return base::format_message(pattern, values);
}

std::optional<PhraseValues> match_phrase(std::string_view pattern, std::string_view text) {
  const Compiled& c = compiled(pattern);
  const std::string whole(text);
  std::smatch match;
  if (!std::regex_match(whole, match, c.regex)) {
    return std::nullopt;
  }
  PhraseValues values;
  for (std::size_t i = 0; i < c.names.size(); ++i) {
    values.emplace_back(c.names[i], match[i + 1].str());
  }
  return values;
}

} // namespace atelier::records
