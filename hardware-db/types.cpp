#include "hardware-db/types.h"

#include <array>
#include <charconv>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::hwdb {

std::string format_timestamp(Timestamp t) {
  // By fields, not fmt's chrono formatting: that goes through nanoseconds, which overflow after
  // the year 2262 (a mistyped date such as 2999-01-01 must still be printed in its error message).
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::optional<Timestamp> parse_timestamp(std::string_view s) {
  // Exactly YYYY-MM-DDTHH:MM:SSZ: what format_timestamp writes, and sorts correctly as text.
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z') {
    return std::nullopt;
  }
  const auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int value = 0;
    const auto* begin = s.data() + pos;
    const auto [ptr, ec] = std::from_chars(begin, begin + len, value);
    if (ec != std::errc{} || ptr != begin + len) {
      return std::nullopt;
    }
    return value;
  };
  const auto y = number(0, 4), mo = number(5, 2), d = number(8, 2);
  const auto h = number(11, 2), mi = number(14, 2), sec = number(17, 2);
  if (!y || !mo || !d || !h || !mi || !sec || *h > 23 || *mi > 59 || *sec > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                        std::chrono::month{static_cast<unsigned>(*mo)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return std::chrono::sys_days{ymd} + std::chrono::hours{*h} + std::chrono::minutes{*mi} +
         std::chrono::seconds{*sec};
}

namespace {
constexpr std::array<std::pair<Chassis, std::string_view>, 8> k_chassis_names = {{
    {Chassis::unknown, "unknown"},
    {Chassis::desktop, "desktop"},
    {Chassis::laptop, "laptop"},
    {Chassis::all_in_one, "all-in-one"},
    {Chassis::mini, "mini"},
    {Chassis::server, "server"},
    {Chassis::tablet, "tablet"},
    {Chassis::other, "other"},
}};
} // namespace

std::string_view to_string(Chassis c) {
  for (const auto& [value, name] : k_chassis_names) {
    if (value == c) {
      return name;
    }
  }
  return "unknown";
}

std::optional<Chassis> parse_chassis(std::string_view s) {
  for (const auto& [value, name] : k_chassis_names) {
    if (name == s) {
      return value;
    }
  }
  return std::nullopt;
}

std::string household_subject(RowId id) {
  return fmt::format("household#{}", id);
}

} // namespace atelier::hwdb
