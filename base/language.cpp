#include "base/language.h"

#include <algorithm>

namespace atelier::base {

std::string_view language_code(Language language) {
  return language == Language::fr ? "fr" : "en";
}

std::optional<Language> parse_language(std::string_view code) {
  if (code == "fr") {
    return Language::fr;
  }
  if (code == "en") {
    return Language::en;
  }
  return std::nullopt;
}

std::optional<Language> language_of_locale(std::string_view locale_name) {
  // "C" and "POSIX" (with or without a codeset) are the untranslated locale: English.
  const std::string_view bare = locale_name.substr(0, locale_name.find_first_of(".@"));
  if (bare == "C" || bare == "POSIX") {
    return Language::en;
  }
  // ll[_CC][.codeset][@modifier]: the language is what comes before the first '_', '.' or '@'.
  return parse_language(locale_name.substr(0, locale_name.find_first_of("_.@")));
}

std::optional<Language>
language_from_environment(const std::function<const char*(const char*)>& getenv) {
  const auto value = [&](const char* name) {
    const char* v = getenv(name);
    return v == nullptr ? std::string_view() : std::string_view(v);
  };
  // The locale that setlocale(LC_MESSAGES, "") would pick: the first of these that is set.
  std::string_view locale;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    if (locale = value(name); !locale.empty()) {
      break;
    }
  }
  const std::optional<Language> of_locale = language_of_locale(locale);
  // LANGUAGE is a priority list, ignored when the locale is C (gettext's rule).
  const std::string_view bare = locale.substr(0, locale.find_first_of(".@"));
  if (const std::string_view list = value("LANGUAGE");
      !list.empty() && !locale.empty() && bare != "C" && bare != "POSIX") {
    for (std::size_t start = 0; start <= list.size();) {
      const std::size_t end = std::min(list.find(':', start), list.size());
      if (const auto language = language_of_locale(list.substr(start, end - start)); language) {
        return language;
      }
      start = end + 1;
    }
  }
  return of_locale;
}

} // namespace atelier::base
