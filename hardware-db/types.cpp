#include "hardware-db/types.h"

#include <array>
#include <charconv>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::hwdb {

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
