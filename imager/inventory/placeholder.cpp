#include "imager/inventory/placeholder.h"

#include <array>
#include <cctype>
#include <string>

namespace atelier::imager {
namespace {

std::string lower_trimmed(std::string_view value) {
  std::string out;
  for (const char c : value) {
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())) != 0) {
    out.pop_back();
  }
  std::size_t first = 0;
  while (first < out.size() && std::isspace(static_cast<unsigned char>(out[first])) != 0) {
    ++first;
  }
  return out.substr(first);
}

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
  const std::string text = lower_trimmed(value);
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
