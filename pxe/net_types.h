// Small value types shared by the DHCP and TFTP codecs: byte buffers, IPv4 addresses, and
// the big-endian ("network order", RFC 1700) loads and stores every wire format here uses.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

struct Ipv4Address {
  std::array<std::uint8_t, 4> octets{};

  static Ipv4Address from_u32(std::uint32_t host_order);
  // Dotted quad, exactly four decimal parts 0-255; nullopt otherwise.
  static std::optional<Ipv4Address> parse(std::string_view text);

  std::uint32_t to_u32() const;
  bool is_zero() const { return octets == std::array<std::uint8_t, 4>{}; }
  std::string str() const; // "198.18.0.1"

  friend auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

// Big-endian helpers. Loads: precondition `bytes` holds enough bytes (callers check lengths first).
inline std::uint16_t load_be16(const std::uint8_t* bytes) {
  return static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}
inline void append_be16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xff));
}
inline void append_be32(Bytes& out, std::uint32_t value) {
  append_be16(out, static_cast<std::uint16_t>(value >> 16));
  append_be16(out, static_cast<std::uint16_t>(value & 0xffff));
}
inline void append_text(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

// "0a 1b ..." for error messages.
std::string hex_bytes(ByteView bytes);

} // namespace atelier::pxe
