// Timestamps as text, one way for every layer: RFC 3339 in UTC with whole seconds,
// "2026-11-23T09:15:00Z", the form the erasure and imaging records, the database, the APIs and the
// logs write. It sorts correctly as text. Dates alone are "2026-11-23".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::base {

// "2026-11-23T09:15:00Z". Any year from 0 to 9999 prints (computed by fields, so a mistyped
// 2999-01-01 does not overflow nanoseconds on its way into an error message).
std::string format_rfc3339(std::chrono::sys_seconds at);
// The same, the fraction of a second dropped (floored).
std::string format_rfc3339(std::chrono::system_clock::time_point at);

// Exactly YYYY-MM-DDTHH:MM:SSZ, a real calendar date, hours 0-23, minutes 0-59, seconds 0-60;
// anything else (offsets, fractions, lower-case 't'/'z', spaces) is nullopt.
std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);

// "2026-11-23": the date part of format_rfc3339.
std::string format_date(std::chrono::sys_seconds at);
// Exactly YYYY-MM-DD, a real calendar date: that day's midnight UTC.
std::optional<std::chrono::sys_seconds> parse_date(std::string_view text);

} // namespace atelier::base
