// The signed network boot chain for UEFI machines, Secure Boot on or off (docs/PXE.md, "Secure
// Boot"): the firmware loads Debian's Microsoft-signed shim (`shimx64.efi`) over TFTP, shim loads
// Debian's signed network GRUB (`grubx64.efi`) from the same place, GRUB reads `grub/grub.cfg`
// below its prefix, and that file sources the machine's own entry, made on request with a fresh
// boot token: `grub/atelier/<mac>.cfg`. The entry loads the boot environment's kernel (Debian's,
// signed) and Atelier's initramfs over TFTP with the same command line as the iPXE script.
//
// Pure functions, no I/O: the TFTP server serves their text (TftpServerConfig::generated).
#pragma once

#include "base/mac_address.h"
#include "pxe/boot_script.h"

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::pxe {

// TFTP names of the chain (the firmware's boot file, and what shim asks for next).
inline constexpr std::string_view k_shim_file = "shimx64.efi";
inline constexpr std::string_view k_grub_file = "grubx64.efi";
// UEFI HTTP boot (docs/PXE.md, "Secure Boot"): Debian 12's signed GRUB has no HTTP module, so a
// GRUB loaded over HTTP finds neither its configuration nor its prefix. HTTP-boot machines get a
// small FAT disk image instead (URL /boot/<k_http_disk_file>), which the firmware downloads into
// a RAM disk and boots like a USB stick: shim at EFI/BOOT/BOOTX64.EFI, GRUB beside it, and
// grub/grub.cfg (grub_http_disk_config) that takes an address with GRUB's own DHCP and sources the
// machine's entry over TFTP, as the PXE chain's grub.cfg does.
inline constexpr std::string_view k_http_disk_file = "uefi-http-x64.img";
// Where the entry's `linux` and `initrd` find the boot environment on the TFTP server.
inline constexpr std::string_view k_grub_kernel_path = "/boot/vmlinuz";
inline constexpr std::string_view k_grub_initrd_path = "/boot/initrd.img";

// What a TFTP name asks GRUB's side for. Names are compared without leading slashes.
struct GrubRequest {
  enum class Kind : std::uint8_t { main_config, machine_entry };
  Kind kind = Kind::main_config;
  base::MacAddress mac; // machine_entry only
};
// nullopt: not a name of the GRUB chain's generated files (a miss GRUB can live with, such as
// grub/x86_64-efi/command.lst, is left to the table and the jail).
std::optional<GrubRequest> parse_grub_request(std::string_view tftp_name);

// grub/grub.cfg: the same for every machine. It sources the machine's entry from `server` (our
// address, so that it works whatever GRUB's root is) and, when the entry is refused (a machine
// that boots from its disk, or the server is down), returns to the firmware, which tries its next
// boot device.
std::string grub_main_config(std::string_view server);

// grub/grub.cfg inside the HTTP-boot disk: GRUB asks for an address (`net_bootp`: the firmware's
// own DHCP exchange is not visible from a RAM disk), then each of the first four network cards
// that got one asks `server` for its entry, in order, until one is admitted.
std::string grub_http_disk_config(std::string_view server);

// grub/atelier/<mac>.cfg: the boot environment with `token` on its command line.
std::expected<std::string, std::string> grub_machine_entry(const BootScriptConfig& config,
                                                           std::string_view server,
                                                           const base::MacAddress& mac,
                                                           std::string_view token);

} // namespace atelier::pxe
