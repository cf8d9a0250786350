// Which first-stage file a network-booting machine gets, as a pure function of what it said
// (ClientInfo) and the site's configuration. The table follows PXE-NOTES "Boot file by option 93"
// and is written out in docs/PXE-PROTOCOL.md.
#pragma once

#include "pxe/client_info.h"
#include "pxe/net_types.h"

#include <cstdint>
#include <expected>
#include <string>

namespace atelier::pxe {

struct BootConfig {
  Ipv4Address server; // our address, substituted for {server}
  std::uint16_t http_port = 80;
  // TFTP file names under the TFTP root (the Debian `ipxe` package's names). Empty = not offered.
  std::string bios_file = "undionly.kpxe"; // vendor PXE ROM on BIOS: chain into iPXE over UNDI
  std::string efi_ia32_file = "ipxe-i386.efi";
  std::string efi_x64_file = "ipxe.efi"; // "snponly.efi" uses the firmware's NIC driver instead
  // x86-64 UEFI PXE machines get Debian's signed chain instead of iPXE: shim, which loads the
  // signed GRUB, which loads the signed kernel (grub_config.h). Boots with Secure Boot on or off.
  bool efi_x64_signed = false;
  std::string efi_x64_signed_file = "shimx64.efi";
  // x86-64 UEFI HTTP boot machines get the same chain in a disk image (grub_config.h,
  // k_http_disk_file) from this URL (placeholders as below), in proxy mode too. Empty = the chain
  // is off for them, or the disk could not be made: they get iPXE over HTTP.
  std::string efi_x64_signed_http_url;
  std::string efi_arm32_file;
  std::string efi_arm64_file;
  // Where iPXE fetches its script. Placeholders: {server}, {port}, {mac} (52:54:00:a7:e1:01),
  // {mac_hyphens} (52-54-00-a7-e1-01), {arch} (decimal). iPXE's own ${...} settings are left for
  // iPXE to expand. Without a MAC, {mac} becomes ${mac} so iPXE fills it in.
  std::string ipxe_script_url = "http://{server}:{port}/boot/{mac}.ipxe";
  // UEFI HTTP boot gets this prefix + the EFI file name of its architecture.
  std::string http_boot_base = "http://{server}:{port}/ipxe/";
};

enum class BootTransport : std::uint8_t { tftp, http };

struct BootChoice {
  BootTransport transport = BootTransport::tftp;
  std::string file; // TFTP: path under the TFTP root; HTTP: absolute URL
  std::string rule; // the table row that matched, for the server's log line

  friend bool operator==(const BootChoice&, const BootChoice&) = default;
};

// No reply at all: not a PXE client, or an architecture we have nothing for. `reason` is a sentence
// for the operator ("client architecture 2 (unknown) is not supported").
struct BootRefusal {
  std::string reason;
};

std::expected<BootChoice, BootRefusal> choose_boot(const ClientInfo& client,
                                                   const BootConfig& config);

// {placeholder} substitution used for the URLs above (exposed for tests and for the HTTP side).
std::string expand_boot_template(std::string_view text, const ClientInfo& client,
                                 const BootConfig& config);

} // namespace atelier::pxe
