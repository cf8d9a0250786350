// DHCPv4 message codec (RFC 2131 §2 header, RFC 2132 options, RFC 3396 long options, RFC 2132 §9.3
// sname/file overload). Pure: bytes in, structs out; no sockets, no logging, no globals.
//
// Wire layout (RFC 2131 §2, offsets in bytes):
//   0 op | 1 htype | 2 hlen | 3 hops | 4 xid(4) | 8 secs(2) | 10 flags(2) | 12 ciaddr | 16 yiaddr
//   20 siaddr | 24 giaddr | 28 chaddr(16) | 44 sname(64) | 108 file(128) | 236 magic cookie 63 82
//   53 63 240 options ... END(255) [pad]
#pragma once

#include "base/mac_address.h"
#include "pxe/dhcp_options.h"
#include "pxe/net_types.h"
#include "pxe/parse_error.h"
#include "pxe/quirks.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe {

inline constexpr std::uint8_t k_boot_request = 1; // op: client to server
inline constexpr std::uint8_t k_boot_reply = 2;   // op: server to client
inline constexpr std::uint8_t k_htype_ethernet = 1;
inline constexpr std::uint16_t k_broadcast_flag = 0x8000; // RFC 2131 §2, figure 2
inline constexpr std::size_t k_header_size = 236;
inline constexpr std::size_t k_options_offset = 240; // after the magic cookie
inline constexpr std::size_t k_sname_offset = 44;
inline constexpr std::size_t k_sname_size = 64;
inline constexpr std::size_t k_file_offset = 108;
inline constexpr std::size_t k_file_size = 128;
inline constexpr std::array<std::uint8_t, 4> k_magic_cookie = {99, 130, 83, 99}; // RFC 2131 §3
// RFC 2131 §2: every client accepts 576-byte IP datagrams, i.e. 576 - 20 (IP) - 8 (UDP) of DHCP.
inline constexpr std::size_t k_min_dhcp_payload = 548;
// RFC 1542 §3.3 / BOOTP: some PXE ROMs drop messages shorter than a BOOTP message (300 bytes).
inline constexpr std::size_t k_bootp_min_size = 300;

// Option 53 values (RFC 2132 §9.6). Any byte can arrive; only these have a name.
enum class MessageType : std::uint8_t {
  discover = 1,
  offer = 2,
  request = 3,
  decline = 4,
  ack = 5,
  nak = 6,
  release = 7,
  inform = 8,
};

std::string_view message_type_name(MessageType type); // "DHCPDISCOVER", or "DHCP type N" if unnamed

// One DHCP message. sname and file are the text of those fields (up to the first NUL); when option
// 52 says a field carries options, the field is empty here and its options are merged into
// `options`.
struct Packet {
  std::uint8_t op = k_boot_request;
  std::uint8_t htype = k_htype_ethernet;
  std::uint8_t hlen = 6;
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  Ipv4Address ciaddr;
  Ipv4Address yiaddr;
  Ipv4Address siaddr;
  Ipv4Address giaddr;
  std::array<std::uint8_t, 16> chaddr{};
  std::string sname; // at most 64 bytes; written NUL-padded
  std::string file;  // at most 128 bytes; written NUL-padded
  // Options in wire order, RFC 3396 instances concatenated. Option 52 (overload) is framing and
  // never appears here: serialize_packet decides on overload itself.
  OptionMap options;

  // The client hardware address when it is an Ethernet MAC (htype 1, hlen 6).
  std::optional<base::MacAddress> mac() const;
  std::optional<MessageType> message_type() const;
  bool broadcast() const { return (flags & k_broadcast_flag) != 0; }
  std::optional<Ipv4Address> server_id() const { return options.ipv4(opt::server_id); }
  std::optional<Ipv4Address> requested_address() const {
    return options.ipv4(opt::requested_address);
  }
  std::optional<std::string> vendor_class() const { return options.text(opt::vendor_class); }
  std::vector<std::uint8_t> parameter_request_list() const;
  // Option 57 as sent; see max_reply_size for what to honour.
  std::optional<std::uint16_t> max_message_size() const {
    return options.u16(opt::max_message_size);
  }
  // Option 93: every architecture listed, in order (RFC 4578 §2.1).
  std::vector<std::uint16_t> client_architectures() const;

  friend bool operator==(const Packet&, const Packet&) = default;
};

struct DecodedPacket {
  Packet packet;
  QuirkSet quirks; // every leniency applied while decoding (see quirks.h)
};

// Decodes one UDP payload. Refuses: fewer than 240 bytes, op not 1/2, hlen > 16 (or != 6 for
// Ethernet), a wrong magic cookie, an option running past its area, option 52 outside the options
// field or not 1-3, and options whose (concatenated) length breaks their definition in the option
// table, including malformed PXE sub-options in option 43 of a PXE message and in option 175.
ParseResult<DecodedPacket> parse_packet(ByteView wire);

struct EncodeOptions {
  // Largest message the peer accepts (UDP payload). Never below k_bootp_min_size.
  std::size_t max_size = k_min_dhcp_payload;
  // Allow RFC 2132 §9.3 overload into empty sname/file when options do not fit.
  bool allow_overload = true;
};

// Encodes `packet`: values longer than 255 bytes become several instances (RFC 3396 §4), options go
// in OptionMap order, END closes each area, and the message is zero-padded to 300 bytes. Fails when
// sname/file are too long or the options do not fit in `max_size` even with overload.
EncodeResult<Bytes> serialize_packet(const Packet& packet, const EncodeOptions& options = {});

// The largest reply `request` lets us send: option 57 minus IP and UDP headers (RFC 2132 §9.10
// counts the whole datagram), never below 548 (RFC 2131 §2) nor above `ceiling` (the interface MTU
// budget).
std::size_t max_reply_size(const Packet& request, std::size_t ceiling = 1472);

} // namespace atelier::pxe
