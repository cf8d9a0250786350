#include "base/time_text.h"

#include <charconv>

#include <fmt/format.h>

namespace atelier::base {

std::string format_rfc3339(std::chrono::sys_seconds at) {
  // By fields, not fmt's chrono formatting: that goes through nanoseconds, which overflow after
  // the year 2262 (a mistyped date such as 2999-01-01 must still be printed in its error message).
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{at - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string format_rfc3339(std::chrono::system_clock::time_point at) {
  return format_rfc3339(std::chrono::floor<std::chrono::seconds>(at));
}

std::string format_date(std::chrono::sys_seconds at) {
  return format_rfc3339(at).substr(0, 10);
}

namespace {

std::optional<int> number_at(std::string_view s, std::size_t pos, std::size_t len) {
  int value = 0;
  const auto* begin = s.data() + pos;
  const auto [ptr, ec] = std::from_chars(begin, begin + len, value);
  if (ec != std::errc{} || ptr != begin + len || *begin == '-' || *begin == '+') {
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::sys_days> date_at_front(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') {
    return std::nullopt;
  }
  const auto y = number_at(s, 0, 4), mo = number_at(s, 5, 2), d = number_at(s, 8, 2);
  if (!y || !mo || !d) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                        std::chrono::month{static_cast<unsigned>(*mo)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{ymd};
}

} // namespace

std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view s) {
  // Exactly YYYY-MM-DDTHH:MM:SSZ: what format_rfc3339 writes.
  if (s.size() != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') {
    return std::nullopt;
  }
  const auto day = date_at_front(s);
  const auto h = number_at(s, 11, 2), mi = number_at(s, 14, 2), sec = number_at(s, 17, 2);
  if (!day || !h || !mi || !sec || *h > 23 || *mi > 59 || *sec > 60) {
    return std::nullopt;
  }
  return std::chrono::sys_seconds{*day} + std::chrono::hours{*h} + std::chrono::minutes{*mi} +
         std::chrono::seconds{*sec};
}

std::optional<std::chrono::sys_seconds> parse_date(std::string_view s) {
  if (s.size() != 10) {
    return std::nullopt;
  }
  const auto day = date_at_front(s);
  if (!day) {
    return std::nullopt;
  }
  return std::chrono::sys_seconds{*day};
}

} // namespace atelier::base
