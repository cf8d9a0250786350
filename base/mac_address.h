// The one MAC address type: the DHCP codec reads it off the wire, the boot server routes by it,
// the hardware database keys machines by it, and a batch plan lists it. One type so that a MAC
// passes between those layers without being copied byte by byte or printed and parsed again.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::base {

// A plain aggregate: wire codecs fill `octets` directly and tests spell a MAC as
// MacAddress{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}}.
struct MacAddress {
  std::array<std::uint8_t, 6> octets{};

  // 52:54:00:a7:e1:01, 52-54-00-A7-E1-01 or 525400a7e101: what iPXE, Windows and people type.
  // Exactly two hex digits per octet, either case, one separator style throughout; nullopt
  // otherwise (no error text: each caller knows best what to say about the field it read).
  static std::optional<MacAddress> parse(std::string_view text);

  // Lower-case hex pairs joined by `separator`: "52:54:00:a7:e1:01", the form iPXE's ${mac} prints
  // and the hardware database stores.
  std::string str(char separator = ':') const;

  bool is_zero() const { return octets == std::array<std::uint8_t, 6>{}; }
  // The I/G bit of the first octet; broadcast is multicast too.
  bool is_multicast() const { return (octets[0] & 0x01) != 0; }
  // A MAC usable as a machine's identity: not zero, not multicast/broadcast. Locally administered
  // addresses are accepted: virtual NICs (QEMU's 52:54:00) carry them and still name one machine.
  bool is_usable_identity() const { return !is_zero() && !is_multicast(); }

  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;
};

} // namespace atelier::base
