#include "imager/inventory/placeholder.h"

#include "base/text.h"

#include <array>
#include <string>

namespace atelier::imager {
namespace {

// Compared after lower-casing and trimming. Collected from real boards (dmidecode's list, Free
// Geek's notes); extend here with a comment naming the vendor when a new one turns up.
constexpr std::array<std::string_view, 26> k_fillers{"to be filled by o.e.m.",
                                                     "to be filled by oem",
                                                     "system serial number",
                                                     "system product name",
                                                     "system manufacturer",
                                                     "system version",
                                                     "base board serial number",
                                                     "chassis serial number",
                                                     "default string",
                                                     "not specified",
                                                     "not applicable",
                                                     "not available",
                                                     "none",
                                                     "n/a",
                                                     "na",
                                                     "oem",
                                                     "o.e.m.",
                                                     "unknown",
                                                     "invalid",
                                                     "0123456789",
                                                     "123456789",
                                                     "1234567890",
                                                     "serial",
                                                     "empty",
                                                     "type2 - board serial number",
                                                     "sys. serial number"};

} // namespace

bool is_placeholder(std::string_view value) {
  const std::string text = base::to_lower(base::trim(value));
  if (text.empty()) {
    return true;
  }
  for (const auto filler : k_fillers) {
    if (text == filler) {
      return true;
    }
  }
  bool repeated = text.size() >= 2;
  for (const char c : text) {
    if (c != text.front()) {
      repeated = false;
      break;
    }
  }
  return repeated;
}

} // namespace atelier::imager
