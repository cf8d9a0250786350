#include "base/mac_address.h"

#include "base/text.h"

#include <cstddef>

namespace atelier::base {
namespace {

constexpr std::string_view k_hex_digits = "0123456789abcdef";

} // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  constexpr std::size_t k_bare_length = 12;      // six hex pairs
  constexpr std::size_t k_separated_length = 17; // six hex pairs and five separators
  std::size_t stride = 0;
  char separator = '\0';
  if (text.size() == k_bare_length) {
    stride = 2;
  } else if (text.size() == k_separated_length && (text[2] == ':' || text[2] == '-')) {
    stride = 3;
    separator = text[2];
  } else {
    return std::nullopt;
  }
  MacAddress mac;
  for (std::size_t i = 0; i < mac.octets.size(); ++i) {
    const std::size_t at = i * stride;
    if (separator != '\0' && i > 0 && text[at - 1] != separator) {
      return std::nullopt;
    }
    const auto high = hex_digit(text[at]);
    const auto low = hex_digit(text[at + 1]);
    if (!high || !low) {
      return std::nullopt;
    }
    mac.octets[i] = static_cast<std::uint8_t>((*high << 4) | *low);
  }
  return mac;
}

std::string MacAddress::str(char separator) const {
  std::string out;
  out.reserve(3 * octets.size());
  for (std::size_t i = 0; i < octets.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    out += k_hex_digits[octets[i] >> 4];
    out += k_hex_digits[octets[i] & 0x0f];
  }
  return out;
}

} // namespace atelier::base
