// DHCPv4 options: the codes Atelier uses, their definitions as data, and OptionMap, the ordered
// code -> value store of a packet (and of the sub-options inside options 43 and 175).
//
// Definitions follow the shape of ISC Kea's std_option_defs.h: one row per option with its wire
// type; length checks are derived from the type, so adding an option is adding a row.
#pragma once

#include "pxe/net_types.h"
#include "pxe/parse_error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::pxe {

// Option codes (RFC 2132 unless noted). Unscoped so they convert to the std::uint8_t keys of
// OptionMap.
namespace opt {
enum : std::uint8_t {
  pad = 0,
  subnet_mask = 1,
  time_offset = 2,
  routers = 3,
  dns_servers = 6,
  host_name = 12,
  domain_name = 15,
  root_path = 17,
  broadcast_address = 28,
  ntp_servers = 42,
  vendor_specific = 43, // PXE: encapsulated sub-options (PXE 2.1 spec §2.4; RFC 2132 §8.4)
  requested_address = 50,
  lease_time = 51,
  overload = 52, // RFC 2132 §9.3: options continue in file (1), sname (2) or both (3)
  message_type = 53,
  server_id = 54,
  parameter_request_list = 55,
  message = 56,
  max_message_size = 57,
  renewal_time = 58,
  rebinding_time = 59,
  vendor_class = 60,
  client_id = 61,
  tftp_server_name = 66,
  bootfile_name = 67,
  user_class = 77,           // RFC 3004 (iPXE sends it unframed, see Quirk::unframed_user_class)
  relay_agent_info = 82,     // RFC 3046: the server echoes it
  client_arch = 93,          // RFC 4578 §2.1: list of u16 processor architecture types
  client_ndi = 94,           // RFC 4578 §2.2: type, major, minor
  client_uuid = 97,          // RFC 4578 §2.3: type 0 + 16-byte GUID
  tftp_server_address = 150, // RFC 5859
  ipxe_encap = 175,          // iPXE's encapsulated options (feature flags, bus id, version)
  end = 255,
};
} // namespace opt

// PXE 2.1 spec §2.4 sub-options of option 43 (when option 60 starts with "PXEClient").
namespace pxe_subopt {
enum : std::uint8_t {
  discovery_control = 6, // bit 3 (value 8): boot the file in the reply, skip boot-server discovery
  boot_servers = 8,
  boot_menu = 9,
  menu_prompt = 10,
  boot_item = 71, // type (u16) + layer (u16), echoed by the boot server
};
inline constexpr std::uint8_t k_discovery_use_boot_file = 8;
} // namespace pxe_subopt

// How a value is laid out on the wire; the length rules follow from it (see check_option_length).
enum class OptionType : std::uint8_t {
  empty,        // length 0
  u8,           // length 1
  u16,          // length 2
  u32,          // length 4
  ipv4,         // length 4
  ipv4_list,    // length >= 4, multiple of 4
  u8_list,      // length >= 1
  u16_list,     // length >= 2, multiple of 2
  text,         // length >= 1, NVT ASCII (RFC 2132 §2: no trailing NUL, receivers drop one)
  bytes,        // length >= min_length
  client_ndi,   // length 3
  client_uuid,  // length 17
  user_class,   // length >= 1; RFC 3004 items or one raw string
  encapsulated, // length >= 0, a sequence of sub-options (code, length, value)
};

struct OptionDef {
  std::uint8_t code;
  std::string_view name; // Kea-style name, for messages
  OptionType type;
  std::uint8_t min_length = 0; // only for OptionType::bytes
};

// nullptr for codes without a row: such options are kept as opaque bytes, never refused.
const OptionDef* find_option_def(std::uint8_t code);

// Why `length` is wrong for `def` ("length 1, expected 2"), or nullopt when it is fine.
std::optional<std::string> check_option_length(const OptionDef& def, std::size_t length);

// Options by code, in the order first seen (or first set). Insertion order is kept so that a parsed
// packet serializes back in its own order and builders can put option 53 first as most servers do.
// Each code appears once: RFC 3396 instances of one code are concatenated into one value.
class OptionMap {
public:
  using Entry = std::pair<std::uint8_t, Bytes>;

  const Bytes* find(std::uint8_t code) const;
  bool contains(std::uint8_t code) const { return find(code) != nullptr; }
  // Replace the value in place, or append a new entry.
  void set(std::uint8_t code, Bytes value);
  // Concatenate to the value (RFC 3396), or append a new entry.
  void append(std::uint8_t code, ByteView more);
  bool erase(std::uint8_t code);

  void set_u8(std::uint8_t code, std::uint8_t value) { set(code, Bytes{value}); }
  void set_u16(std::uint8_t code, std::uint16_t value);
  void set_u32(std::uint8_t code, std::uint32_t value);
  void set_ipv4(std::uint8_t code, Ipv4Address value);
  void set_ipv4_list(std::uint8_t code, const std::vector<Ipv4Address>& values);
  void set_text(std::uint8_t code, std::string_view value);

  // Typed reads: nullopt when absent or of the wrong length (a hand-built map is not validated).
  std::optional<std::uint8_t> u8(std::uint8_t code) const;
  std::optional<std::uint16_t> u16(std::uint8_t code) const;
  std::optional<std::uint32_t> u32(std::uint8_t code) const;
  std::optional<Ipv4Address> ipv4(std::uint8_t code) const;
  std::vector<Ipv4Address> ipv4_list(std::uint8_t code) const;
  // Text with trailing NULs removed (RFC 2132 §2).
  std::optional<std::string> text(std::uint8_t code) const;

  std::size_t size() const { return m_entries.size(); }
  bool empty() const { return m_entries.empty(); }
  auto begin() const { return m_entries.begin(); }
  auto end() const { return m_entries.end(); }

  friend bool operator==(const OptionMap&, const OptionMap&) = default;

private:
  std::vector<Entry> m_entries;
};

// Sub-options inside an encapsulating option (43 for PXE, 175 for iPXE): code, length, value, with
// pad (0) skipped and end (255) closing the list. `base_offset` is where `value` starts in the
// packet and `field` names the parent ("option 43"), both for error messages.
ParseResult<OptionMap> parse_suboptions(ByteView value, std::size_t base_offset,
                                        std::string_view field);
// Each value must be at most 255 bytes (sub-options have no RFC 3396 splitting). PXE clients expect
// option 43 closed by an end sub-option (PXE 2.1 §2.4), so `with_end` appends 255.
EncodeResult<Bytes> serialize_suboptions(const OptionMap& suboptions, bool with_end);

} // namespace atelier::pxe
