// What a DHCP request says about the machine that sent it: the one summary the server's policy
// (boot_choice.h) and its log lines work from. Pure: derived from the packet alone.
#pragma once

#include "base/mac_address.h"
#include "pxe/dhcp_packet.h"
#include "pxe/net_types.h"
#include "pxe/pxe_options.h"
#include "pxe/quirks.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe {

enum class FirmwareFamily : std::uint8_t {
  not_pxe,   // no PXEClient/HTTPClient vendor class and not iPXE: an ordinary DHCP client
  bios_pxe,  // vendor PXE ROM on BIOS (arch 0)
  uefi_pxe,  // UEFI PXE (arch 6, 7, 9, 10, 11, ...)
  uefi_http, // UEFI HTTP boot (vendor class HTTPClient, or arch 15-20)
  ipxe,      // iPXE, ours or a NIC ROM (user class "iPXE" or option 175)
};

std::string_view firmware_family_name(FirmwareFamily family); // "bios-pxe", "uefi-pxe", ...

struct ClientInfo {
  std::optional<MessageType> message_type;
  std::optional<base::MacAddress> mac;
  // The architecture to boot: first entry of option 93, else the Arch field of option 60.
  std::optional<std::uint16_t> arch;
  std::vector<std::uint16_t> archs; // option 93 as sent
  FirmwareFamily firmware = FirmwareFamily::not_pxe;
  bool is_ipxe = false;
  std::string vendor_class; // option 60 text, "" when absent
  VendorClass vendor;       // option 60 decoded
  std::vector<std::string> user_classes;
  std::vector<std::uint8_t> ipxe_features;
  std::optional<ClientNdi> ndi;
  // Option 97 formatted 8-4-4-4-12 (see format_guid); absent when missing, zero or of unknown type.
  // Never an identity on its own (PXE-NOTES: iPXE may send zeros), only a hint next to the MAC.
  std::optional<std::string> guid;
  QuirkSet quirks; // decode quirks passed in, plus the ones classify applied
};

// Total: every packet yields a ClientInfo; what cannot be used is absent and counted as a quirk.
// `decode_quirks` (from parse_packet) are carried into the result so one set travels to the
// counters.
ClientInfo classify(const Packet& packet, const QuirkSet& decode_quirks = {});

} // namespace atelier::pxe
