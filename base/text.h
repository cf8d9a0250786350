// Small string helpers every layer used to write again: trimming, joining, splitting, ASCII case,
// the last line of a tool's output, and the text of an errno value. ASCII only on purpose:
// firmware strings, config keys and hex digits, never prose in a locale.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::base {

// ASCII white space: space, \t, \n, \v, \f, \r.
constexpr std::string_view k_ascii_space = " \t\n\v\f\r";

// `text` without leading and trailing ASCII white space (a view into `text`).
std::string_view trim(std::string_view text);

// The parts with `separator` between each two (also around empty parts); "" for none.
std::string join(std::span<const std::string> parts, std::string_view separator);
std::string join(std::span<const std::string_view> parts, std::string_view separator);

// `text` cut at every `separator`: "a,,b" gives {"a", "", "b"}, "" gives {""}.
std::vector<std::string_view> split(std::string_view text, char separator);

// ASCII letters lower-cased, every other byte unchanged.
std::string to_lower(std::string_view text);
// The value of one hexadecimal digit (either case), or nullopt for any other character.
std::optional<std::uint8_t> hex_digit(char c);

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);

// The last line of `text` that is not blank, without its trailing white space (a view into
// `text`; "" when there is none): what a failed tool's output is quoted by in an error message.
// "x\ny  \n\n" gives "y"; leading white space of that line is kept.
std::string_view last_line(std::string_view text);

// strerror(3) text with the errno name: "No such file or directory (ENOENT)". Thread-safe, unlike
// strerror: use it for every errno in a message.
std::string errno_text(int error);

} // namespace atelier::base
