#include "pxe/net_types.h"

#include "pxe/parse_error.h"

#include <charconv>

namespace atelier::pxe {

std::unexpected<ParseError> parse_error(std::string field, std::size_t offset,
                                        std::string_view detail) {
  std::string message = field + " at offset " + std::to_string(offset) + ": " + std::string(detail);
  return std::unexpected(ParseError{std::move(field), offset, std::move(message)});
}

std::unexpected<EncodeError> encode_error(std::string message) {
  return std::unexpected(EncodeError{std::move(message)});
}

Ipv4Address Ipv4Address::from_u32(std::uint32_t host_order) {
  return Ipv4Address{
      {static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
       static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)}};
}

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) {
  Ipv4Address address;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i > 0) {
      if (text.empty() || text.front() != '.') {
        return std::nullopt;
      }
      text.remove_prefix(1);
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    const auto digits = static_cast<std::size_t>(end - text.data());
    if (ec != std::errc{} || digits == 0 || digits > 3 || value > 255) {
      return std::nullopt;
    }
    address.octets[i] = static_cast<std::uint8_t>(value);
    text.remove_prefix(digits);
  }
  if (!text.empty()) {
    return std::nullopt;
  }
  return address;
}

std::uint32_t Ipv4Address::to_u32() const {
  return load_be32(octets.data());
}

std::string Ipv4Address::str() const {
  std::string out;
  for (std::size_t i = 0; i < octets.size(); ++i) {
    if (i > 0) {
      out += '.';
    }
    out += std::to_string(octets[i]);
  }
  return out;
}

namespace {
constexpr std::string_view k_hex_digits = "0123456789abcdef";

void append_hex(std::string& out, std::uint8_t byte) {
  out += k_hex_digits[byte >> 4];
  out += k_hex_digits[byte & 0x0f];
}
} // namespace

std::string hex_bytes(ByteView bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) {
      out += ' ';
    }
    append_hex(out, bytes[i]);
  }
  return out;
}

} // namespace atelier::pxe
