// How numbers, dates and punctuation are written in each language (docs/TRANSLATING.md). French:
// a no-break space before ; : ! ? and inside « », a decimal comma, dates as "6 décembre 2026".
// The no-break space is U+00A0 everywhere: the PDF font (DejaVu Sans) and the Linux console font
// of the machines' screen both have it, where U+202F (the narrow one) is missing from the
// console's.
#pragma once

#include "base/language.h"

#include <chrono>
#include <string>
#include <string_view>

namespace atelier::base {

// U+00A0 in UTF-8.
inline constexpr std::string_view k_no_break_space = "\u00a0";

// French spacing: an ASCII space before ; : ! ? and after « / before » becomes a no-break space,
// and « » without a space get one. Nothing else changes: "12:30", "https://x" and "a;b" have no
// space before the sign and stay as they are. Applied to every French message pattern (i18n.h).
std::string french_spacing(std::string_view text);

// `value` with `decimals` digits after the mark (rounded): "1.5" / "1,5".
std::string format_decimal(double value, int decimals, Language);

// "6 December 2026" / "6 décembre 2026", "1er décembre 2026" (French writes the first of the
// month as an ordinal). Month names come from the catalogue.
std::string format_long_date(std::chrono::year_month_day date, Language);

} // namespace atelier::base
