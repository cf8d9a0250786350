// The languages Atelier speaks to people (docs/TRANSLATING.md). English is the source language of
// every message; French has a complete catalogue (po/fr.po). A language is always chosen
// explicitly (the program file's `language`, `--lang`, the user's locale for the CLI) and handed to
// each call that renders text: nothing here depends on the process locale.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace atelier::base {

enum class Language { fr, en };

// "fr" / "en": the code the program file and `--lang` use, and the catalogue's directory name.
std::string_view language_code(Language);

// "fr" / "en" to a language; nullopt for anything else (exact codes only).
std::optional<Language> parse_language(std::string_view code);

// The language of a POSIX locale name as LANG, LC_ALL, LC_MESSAGES or LANGUAGE carry it:
// "fr_FR.UTF-8", "fr_BE@euro", "fr" give French, "en_GB.UTF-8" and "C.UTF-8" English; nullopt when
// the name is empty or names a language Atelier has no catalogue for (the caller looks further).
std::optional<Language> language_of_locale(std::string_view locale_name);

// The user's language as gettext finds it: the first language of LANGUAGE (a colon-separated
// list) Atelier has, unless the locale is C/POSIX; else LC_ALL, else LC_MESSAGES, else LANG (the
// first one set decides, as in setlocale). nullopt when none is set or it names a language Atelier
// lacks: the caller picks its default. `getenv` is the lookup (std::getenv in programs, a map in
// tests); it returns null for an unset variable.
std::optional<Language>
language_from_environment(const std::function<const char*(const char*)>& getenv);

} // namespace atelier::base
