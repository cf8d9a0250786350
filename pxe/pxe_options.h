// Decoders for the options that identify a network-booting client: vendor class (60), client system
// architecture (93), network device interface (94), machine UUID (97), user class (77), and the
// encapsulated PXE (43) and iPXE (175) sub-options. Pure functions over bytes or a Packet.
#pragma once

#include "pxe/dhcp_packet.h"
#include "pxe/net_types.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe {

// IANA "Processor Architecture Types" (RFC 4578 §2.1, registry updated by RFC 5970 and later).
// Only the ones Atelier acts on are named; any u16 can arrive.
namespace arch {
inline constexpr std::uint16_t k_bios = 0;
inline constexpr std::uint16_t k_efi_ia32 = 6;
// RFC 4578 listed 7 as "EFI BC" and 9 as "EFI x86-64"; the errata and IANA swapped them. Real x64
// firmware sends 7 (seen from OVMF), some old firmware sends 9: both mean x86-64 in practice.
inline constexpr std::uint16_t k_efi_x64 = 7;
inline constexpr std::uint16_t k_efi_bc = 9;
inline constexpr std::uint16_t k_efi_arm32 = 10;
inline constexpr std::uint16_t k_efi_arm64 = 11;
inline constexpr std::uint16_t k_efi_ia32_http = 15;
inline constexpr std::uint16_t k_efi_x64_http = 16;
inline constexpr std::uint16_t k_efi_arm32_http = 18;
inline constexpr std::uint16_t k_efi_arm64_http = 19;
} // namespace arch

std::string_view arch_name(std::uint16_t arch); // "x64 UEFI", or "unknown" for unnamed values
// 15-19 (and 20, BIOS HTTP): firmware that wants an http:// URL rather than a TFTP file name.
bool is_http_boot_arch(std::uint16_t arch);

// Option 60 as PXE clients fill it (PXE 2.1 §2.3): "PXEClient:Arch:00007:UNDI:003000", where Arch
// is the decimal architecture type and UNDI the decimal major (3 digits) and minor (3 digits)
// version. UEFI HTTP boot uses the same shape with "HTTPClient" (UEFI 2.x §24.7.2). Servers send
// the bare word.
struct VendorClass {
  enum class Kind : std::uint8_t { other, pxe_client, http_client };
  Kind kind = Kind::other;
  std::optional<std::uint16_t> arch;
  std::optional<std::uint16_t> undi_major;
  std::optional<std::uint16_t> undi_minor;

  friend bool operator==(const VendorClass&, const VendorClass&) = default;
};
// Total: malformed fields are left empty; the kind comes from the prefix alone, as in firmware.
VendorClass parse_vendor_class(std::string_view text);

// Option 94 (RFC 4578 §2.2): interface type (1 = UNDI) and its version.
struct ClientNdi {
  std::uint8_t type = 0;
  std::uint8_t major = 0;
  std::uint8_t minor = 0;

  friend bool operator==(const ClientNdi&, const ClientNdi&) = default;
};
std::optional<ClientNdi> client_ndi(const Packet& packet);

using Guid = std::array<std::uint8_t, 16>;

// Option 97 (RFC 4578 §2.3): type byte then 16 bytes. nullopt unless the option is 17 bytes with
// type 0.
std::optional<Guid> client_guid(const Packet& packet);
// PXE and EFI store a GUID with its first three fields little-endian (EFI_GUID layout); printing
// those fields byte-swapped gives the SMBIOS UUID that dmidecode, QEMU's -uuid and iPXE's ${uuid}
// show, e.g. bytes 2e 4a 1f 8c 5d 3b 6f 4e 9a 0b ... -> "8c1f4a2e-3b5d-4e6f-9a0b-...". Lower case.
std::string format_guid(const Guid& guid);
bool is_zero_guid(const Guid& guid);

// Option 77. RFC 3004 frames it as length-prefixed items; iPXE sends its name unframed ("iPXE").
// Rule: if the bytes split exactly into non-empty length-prefixed items, they are framed; otherwise
// the whole value is one class. Printable names cannot be mistaken for framing unless their first
// character, read as a length, happens to cover the rest exactly.
struct UserClass {
  std::vector<std::string> classes;
  bool framed = false;
};
std::optional<UserClass> user_class(const Packet& packet);

// Option 43 sub-options, when option 60 says PXEClient/HTTPClient; nullopt when absent or
// malformed.
std::optional<OptionMap> pxe_suboptions(const Packet& packet);
// Sub-option 71 (PXE 2.1 §2.4.7): boot server type and layer the client asks for or the server
// names.
struct BootItem {
  std::uint16_t type = 0;
  std::uint16_t layer = 0;

  friend bool operator==(const BootItem&, const BootItem&) = default;
};
std::optional<BootItem> pxe_boot_item(const Packet& packet);

// Option 175 sub-option codes present, in wire order (iPXE's features.h: 0x13 HTTP, 0x18 bzImage,
// 0x24 EFI, 0xb1 bus id, 0xeb version ...). Empty when the option is absent or malformed.
std::vector<std::uint8_t> ipxe_features(const Packet& packet);
std::string_view ipxe_feature_name(std::uint8_t code); // "HTTP", or "unknown"

} // namespace atelier::pxe
