#include "imager/deploy/bootloader.h"

#include <cctype>
#include <chrono>
#include <fstream>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;
using profiles::Firmware;

constexpr auto k_grub_timeout = 10min;

bool any_kernel(const TargetRoot& root) {
  for (const auto& name : root.list("/boot")) {
    if (name.starts_with("vmlinuz-")) {
      return true;
    }
  }
  return false;
}

bool kernel_has_vfat() {
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line)) {
    if (line.ends_with("\tvfat")) {
      return true;
    }
  }
  return false;
}

std::expected<void, std::string> host_tool(base::ProcessRunner& runner,
                                           const std::vector<std::string>& argv) {
  auto result = runner.run(argv, 2min);
  if (!result) {
    return std::unexpected(result.error());
  }
  if (result->exit_code != 0 || result->timed_out) {
    return std::unexpected(fmt::format("{} failed (exit {}): {}", fmt::join(argv, " "),
                                       result->exit_code, last_output_line(*result)));
  }
  return {};
}

constexpr std::string_view k_signed_shim = "/usr/lib/shim/shimx64.efi.signed";
constexpr std::string_view k_signed_grub = "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed";

// Debian's signed shim (shim-signed) and signed GRUB (grub-efi-amd64-signed) are in the image.
bool has_signed_chain(const TargetRoot& root) {
  return root.exists(k_signed_shim) && root.exists(k_signed_grub);
}

// The ESP without a kernel FAT driver: the image's grub-mkimage builds the same EFI image
// grub-install would (root found by UUID, modules read from /boot/grub), mtools copies it.
std::expected<void, std::string> install_efi_with_mtools(TargetRoot& root, ChrootSession& chroot,
                                                         base::ProcessRunner& runner,
                                                         const BootloaderInput& in,
                                                         BootloaderReport& report) {
  const std::string load_cfg = "/boot/grub/atelier-load.cfg";
  const std::string image = "/boot/grub/atelier-grubx64.efi";
  if (auto done = root.write(
          load_cfg,
          fmt::format("search.fs_uuid {} root\nset prefix=($root)'/boot/grub'\n", in.root_uuid),
          0644);
      !done) {
    return done;
  }
  const std::vector<std::vector<std::string>> steps = {
      {"cp", "-r", "/usr/lib/grub/x86_64-efi", "/boot/grub/"},
      {"grub-editenv", "/boot/grub/grubenv", "create"},
      {"grub-mkimage",   "-O",       "x86_64-efi", "-o",    image,  "-c",   load_cfg,    "-p",
       "/boot/grub",     "part_gpt", "part_msdos", "fat",   "ext2", "xfs",  "btrfs",     "search",
       "search_fs_uuid", "normal",   "configfile", "linux", "echo", "test", "all_video", "gzio"},
  };
  for (const auto& argv : steps) {
    if (auto done = chroot.check(argv, k_grub_timeout); !done) {
      return std::unexpected(done.error());
    }
  }
  const std::string host_image = (root.host_path() / image.substr(1)).string();
  const std::string esp = in.esp_device;
  const auto mcopy = [&](const std::string& from, const std::string& to) {
    return std::vector<std::string>{"env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-o", "-i", esp, from,
                                    to};
  };
  std::vector<std::vector<std::string>> copies = {{"env", "MTOOLS_SKIP_CHECK=1", "mmd", "-D", "s",
                                                   "-i", esp, "::/EFI", "::/EFI/BOOT",
                                                   "::/EFI/debian"}};
  const bool signed_chain = has_signed_chain(root);
  const std::string signed_cfg = "/boot/grub/atelier-signed.cfg";
  if (signed_chain) {
    // What grub-install --uefi-secure-boot lays out: shim first, Debian's signed GRUB beside it,
    // and beside that the grub.cfg the signed GRUB reads from its own directory (it cannot take an
    // embedded one: its image is signed as built), which finds the root by UUID.
    if (auto done =
            root.write(signed_cfg,
                       fmt::format("search.fs_uuid {} root\nset prefix=($root)'/boot/grub'\n"
                                   "configfile $prefix/grub.cfg\n",
                                   in.root_uuid),
                       0644);
        !done) {
      return done;
    }
    const auto host = [&](std::string_view path) {
      return (root.host_path() / path.substr(1)).string();
    };
    for (const char* dir : {"::/EFI/BOOT/", "::/EFI/debian/"}) {
      const std::string d(dir);
      copies.push_back(
          mcopy(host(k_signed_shim), d + (d == "::/EFI/BOOT/" ? "BOOTX64.EFI" : "shimx64.efi")));
      copies.push_back(mcopy(host(k_signed_grub), d + "grubx64.efi"));
      copies.push_back(mcopy(host(signed_cfg), d + "grub.cfg"));
    }
  } else {
    copies.push_back(mcopy(host_image, "::/EFI/BOOT/BOOTX64.EFI"));
    copies.push_back(mcopy(host_image, "::/EFI/debian/grubx64.efi"));
  }
  for (const auto& argv : copies) {
    if (auto done = host_tool(runner, argv); !done) {
      return done;
    }
  }
  (void)root.remove(image);
  (void)root.remove(load_cfg);
  (void)root.remove(signed_cfg);
  report.notes.emplace_back(
      signed_chain
          ? "this kernel cannot mount FAT: Debian's signed shim and GRUB, with a grub.cfg that "
            "finds the root by UUID, were copied to \\EFI\\BOOT and \\EFI\\debian with mtools; "
            "Secure Boot: the machine starts with it on or off"
          : "this kernel cannot mount FAT: the EFI image was built with the image's grub-mkimage "
            "and copied to the ESP with mtools (no Secure Boot shim)");
  return {};
}

std::expected<void, std::string> install_efi(TargetRoot& root, ChrootSession& chroot,
                                             base::ProcessRunner& runner, const BootloaderInput& in,
                                             BootloaderReport& report) {
  if (auto mounted = chroot.mount(in.esp_device, "/boot/efi", "vfat"); !mounted) {
    if (kernel_has_vfat()) {
      return mounted;
    }
    return install_efi_with_mtools(root, chroot, runner, in, report);
  }
  std::vector<std::string> base{"grub-install", "--target=x86_64-efi", "--efi-directory=/boot/efi",
                                "--bootloader-id=debian", "--no-nvram"};
  // Secure Boot: with Debian's signed shim and GRUB in the image, grub-install puts shim (signed by
  // Microsoft's UEFI CA) first, at the removable path and in EFI/debian, with the signed GRUB
  // beside it and shim's fallback, which makes the firmware's boot entry at the first start. The
  // machine then boots with Secure Boot on or off.
  const bool signed_chain = has_signed_chain(root);
  if (signed_chain) {
    base.emplace_back("--uefi-secure-boot");
  }
  for (const bool removable : {false, true}) {
    auto argv = base;
    if (removable) {
      argv.emplace_back("--removable");
    }
    if (auto done = chroot.check(argv, k_grub_timeout); !done) {
      return std::unexpected(done.error());
    }
  }
  if (!root.exists("/boot/efi/EFI/BOOT/BOOTX64.EFI")) {
    return std::unexpected(
        std::string("grub-install --removable left no \\EFI\\BOOT\\BOOTX64.EFI on the ESP"));
  }
  if (signed_chain) {
    const auto removable = root.read("/boot/efi/EFI/BOOT/BOOTX64.EFI");
    const auto shim = root.read(k_signed_shim);
    if (!removable || !shim || *removable != *shim) {
      return std::unexpected(
          std::string("grub-install --uefi-secure-boot did not put Debian's signed shim at "
                      "\\EFI\\BOOT\\BOOTX64.EFI: the machine would not start with Secure Boot on"));
    }
    report.notes.emplace_back("Secure Boot: Debian's signed shim and GRUB at \\EFI\\BOOT and "
                              "\\EFI\\debian; the machine starts with Secure Boot on or off");
  } else {
    report.notes.emplace_back(
        "Secure Boot: the image has no shim-signed and grub-efi-amd64-signed, so the installed "
        "system starts only with Secure Boot off; add both packages to the profile's image");
  }
  // Debian's grub-efi-amd64 updates the removable copy too when this is set.
  if (root.exists("/usr/bin/debconf-set-selections")) {
    const std::string answers = "/run/atelier-debconf";
    if (auto done = root.write(
            answers, "grub-efi-amd64 grub2/force_efi_extra_removable boolean true\n", 0600);
        !done) {
      return done;
    }
    auto done = chroot.check({"debconf-set-selections", answers}, 2min);
    (void)root.remove(answers);
    if (!done) {
      report.notes.push_back("debconf: " + done.error());
    }
  }
  return {};
}

} // namespace

std::optional<std::string> missing_boot_packages(const TargetRoot& root, Firmware firmware) {
  if (!any_kernel(root)) {
    return "the image has no kernel in /boot (package linux-image-amd64)";
  }
  if (firmware == Firmware::uefi && !root.is_directory("/usr/lib/grub/x86_64-efi")) {
    return "the image has no GRUB for UEFI (/usr/lib/grub/x86_64-efi): add grub-efi-amd64-bin (or "
           "grub-efi-amd64) "
           "to the image";
  }
  if (firmware != Firmware::uefi && !root.is_directory("/usr/lib/grub/i386-pc")) {
    return "the image has no GRUB for BIOS (/usr/lib/grub/i386-pc): add grub-pc-bin (or grub-pc) "
           "to the image";
  }
  if (!root.exists("/usr/sbin/grub-install") || !root.exists("/usr/sbin/grub-mkconfig")) {
    return "the image has no grub-install/grub-mkconfig: add grub2-common to the image";
  }
  return std::nullopt;
}

std::string render_default_grub(std::string_view existing) {
  std::string out;
  std::size_t at = 0;
  while (at < existing.size()) {
    const auto nl = existing.find('\n', at);
    std::string_view line =
        existing.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    std::string_view body = line;
    while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) {
      body.remove_prefix(1);
    }
    if (body.starts_with("GRUB_DISABLE_LINUX_UUID=")) {
      out += "# disabled by atelier-imager deploy: the root is named by UUID\n# ";
    }
    out += line;
    out += '\n';
    if (nl == std::string_view::npos) {
      break;
    }
    at = nl + 1;
  }
  return out;
}

std::optional<std::string> find_device_leak(std::string_view text,
                                            const std::vector<std::string>& device_paths) {
  auto whole_word_at = [&](std::string_view needle) -> bool {
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + 1)) {
      const std::size_t end = at + needle.size();
      if (end >= text.size() || std::isalnum(static_cast<unsigned char>(text[end])) == 0) {
        return true;
      }
    }
    return false;
  };
  for (const auto& path : device_paths) {
    if (!path.empty() && whole_word_at(path)) {
      return path;
    }
  }
  if (text.find("/dev/loop") != std::string_view::npos) {
    return std::string("/dev/loop");
  }
  return std::nullopt;
}

std::expected<BootloaderReport, std::string> install_bootloader(TargetRoot& root,
                                                                ChrootSession& chroot,
                                                                base::ProcessRunner& runner,
                                                                const BootloaderInput& in) {
  BootloaderReport report;
  if (auto missing = missing_boot_packages(root, in.firmware)) {
    return std::unexpected(*missing);
  }
  if (const auto existing = root.read("/etc/default/grub")) {
    if (auto done = root.write("/etc/default/grub", render_default_grub(*existing), 0644); !done) {
      return std::unexpected(done.error());
    }
  }
  if (in.firmware == Firmware::uefi) {
    if (auto done = install_efi(root, chroot, runner, in, report); !done) {
      return std::unexpected(done.error());
    }
  } else if (auto done =
                 chroot.check({"grub-install", "--target=i386-pc", in.disk}, k_grub_timeout);
             !done) {
    return std::unexpected(done.error());
  }
  if (auto done = chroot.check({"grub-mkconfig", "-o", "/boot/grub/grub.cfg"}, k_grub_timeout);
      !done) {
    return std::unexpected(done.error());
  }
  const auto config = root.read("/boot/grub/grub.cfg");
  if (!config) {
    return std::unexpected(std::string("grub-mkconfig wrote no /boot/grub/grub.cfg"));
  }
  if (auto leak = find_device_leak(*config, in.device_paths)) {
    return std::unexpected(
        fmt::format("/boot/grub/grub.cfg names {} instead of the root's UUID: it would not boot "
                    "on the unit",
                    *leak));
  }
  if (config->find(in.root_uuid) == std::string::npos) {
    return std::unexpected(fmt::format(
        "/boot/grub/grub.cfg does not mention the root filesystem's UUID {}", in.root_uuid));
  }
  return report;
}

} // namespace atelier::imager
