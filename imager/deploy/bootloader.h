// Installing GRUB from the deployed image's own packages, inside a ChrootSession.
//
// BIOS: `grub-install --target=i386-pc DISK` (the MBR gap or the BIOS boot partition holds the
// core image). UEFI: the ESP is mounted on /boot/efi and GRUB installed twice with --no-nvram: once
// to \EFI\debian (where the distribution's updates expect it) and once with --removable to
// \EFI\BOOT\BOOTX64.EFI, the path firmware boots when it has no NVRAM entry, which is what donated
// machines whose NVRAM is reset or full end up doing. debconf is told to keep the removable copy
// updated (grub2/force_efi_extra_removable). Then grub-mkconfig writes /boot/grub/grub.cfg, which
// must name the root by UUID: a device path of the imaging machine (/dev/loop0p2, /dev/sda2) in it
// is an error.
//
// When the running kernel cannot mount FAT (seen on minimal build hosts, never in the boot
// environment), the EFI image is built with the image's grub-mkimage and copied onto the ESP with
// mtools instead; the result is the same files, without Secure Boot's shim. docs/DEPLOY.md.
#pragma once

#include "base/process_runner.h"
#include "imager/deploy/chroot.h"
#include "imager/deploy/target_root.h"
#include "profiles/machine_facts.h"

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

struct BootloaderInput {
  profiles::Firmware firmware = profiles::Firmware::bios;
  std::string disk;       // e.g. "/dev/loop0"; must also exist inside the chroot
  std::string esp_device; // UEFI only
  std::string root_uuid;
  std::vector<std::string> device_paths; // the disk and its partitions: must not appear in grub.cfg
};

struct BootloaderReport {
  std::vector<std::string> notes;
};

// What the image lacks to boot with this firmware, naming the Debian package; nullopt if nothing.
std::optional<std::string> missing_boot_packages(const TargetRoot& root,
                                                 profiles::Firmware firmware);
// /etc/default/grub with GRUB_DISABLE_LINUX_UUID=true (or any value) commented out, so
// grub-mkconfig uses root=UUID=...; other lines kept.
std::string render_default_grub(std::string_view existing);
// The first of `device_paths` (or any /dev/loop path) that `text` mentions as a whole word.
std::optional<std::string> find_device_leak(std::string_view text,
                                            const std::vector<std::string>& device_paths);

std::expected<BootloaderReport, std::string> install_bootloader(TargetRoot& root,
                                                                ChrootSession& chroot,
                                                                base::ProcessRunner& runner,
                                                                const BootloaderInput& input);

} // namespace atelier::imager
