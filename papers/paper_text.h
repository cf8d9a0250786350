// The words several papers share (labels, spec sheets, `atelier label`'s notes), in the program
// file's `language` or `--lang` (docs/PAPER.md). Every word comes from the translation catalogue
// (base/i18n.h, docs/TRANSLATING.md); numbers use the language's decimal mark.
#pragma once

#include "profiles/program.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::papers {

// "Not inventoried yet": what a label carries in place of the specifications before the agent has
// inventoried the unit.
std::string not_inventoried_words(profiles::Language);

// "8 GB" / "8 Go": memory in binary units rounded to a whole number (as sold: 8 GiB is "8 GB").
std::string format_memory(std::uint64_t bytes, profiles::Language);
// "256 GB" / "1.5 TB" / "1,5 To": disk capacity in decimal units, as disk makers print it.
std::string format_capacity(std::uint64_t bytes, profiles::Language);
// "2027-05-31" (en) / "31/05/2027" (fr).
std::string format_date(std::chrono::sys_seconds, profiles::Language);

// "fr" / "en" to a language; nullopt for anything else.
std::optional<profiles::Language> parse_language(std::string_view);

} // namespace atelier::papers
