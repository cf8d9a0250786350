// The signed chain's disk for UEFI HTTP boot (docs/PXE.md, "Secure Boot"; pxe/grub_config.h,
// k_http_disk_file). Debian 12's signed GRUB has no HTTP module: loaded over HTTP it finds neither
// its prefix nor its configuration. So HTTP-boot machines download a small FAT image instead,
// which the firmware mounts as a RAM disk and boots like a USB stick: Debian's signed shim at the
// removable path EFI/BOOT/BOOTX64.EFI, Debian's signed network GRUB beside it as grubx64.efi (the
// name shim loads), and grub/grub.cfg (pxe::grub_http_disk_config) naming this server. From there
// the chain is the PXE one: GRUB takes an address and fetches the machine's entry, kernel and
// initrd over TFTP.
//
// atelierd makes the disk at start, once (its grub.cfg holds the server's address), with mtools
// (mformat, mmd, mcopy: no mount, no loop device, no root needed) in a private temporary directory,
// and keeps it in an anonymous memory file that lives as long as the HttpBootDisk.
#pragma once

#include "base/unique_fd.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace atelier::daemon {

struct HttpBootDisk {
  base::UniqueFd fd;      // a memfd holding the image; served while open
  std::uint64_t size = 0; // bytes
  // "/proc/self/fd/N": a path the HTTP server's file table opens like any file (each open is its
  // own read position; the memfd is read-only for everyone but us).
  std::filesystem::path path() const;
};

// The disk for `server` (our address, as the machines reach TFTP), from shimx64.efi and
// grubx64.efi in `bootenv_dir`. Errors name the missing file or the mtools command that failed.
std::expected<HttpBootDisk, std::string>
make_http_boot_disk(const std::filesystem::path& bootenv_dir, std::string_view server);

} // namespace atelier::daemon
