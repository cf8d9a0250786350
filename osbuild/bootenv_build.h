// `atelier bootenv build`: assembles the boot environment donated PCs run (docs/BOOTENV.md): a
// Debian kernel and a reproducible initramfs with drivers, busybox, the disk tools and the agent.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::osbuild {

struct BootenvOptions {
  std::filesystem::path out; // gets vmlinuz, initrd.img and the signed chain's shimx64.efi and
                             // grubx64.efi
  std::filesystem::path cache = "/var/cache/atelier/bootenv"; // downloaded and extracted .debs
  std::filesystem::path imager;                               // the atelier-imager binary to ship
  std::filesystem::path data_dir; // osbuild/bootenv: init, udhcpc.script, modules.list
  // The translation catalogues (<dir>/<code>/LC_MESSAGES/atelier.mo, docs/TRANSLATING.md) the
  // agent writes the machine's screen with; `atelier` passes the ones it reads itself.
  std::filesystem::path locale_dir;
  // Dynamically linked tools the agent shells out to, copied from this host with their libraries,
  // each at its host path (a symlink's target is copied under the link's name: mkfs.ext4 is a
  // copy of mke2fs, which picks the filesystem type from its name). They are added after busybox:
  // where an applet has the same path the real tool replaces it, and elsewhere init's PATH
  // (/usr/sbin:/usr/bin:/sbin:/bin) finds the real tools first, since busybox's applets that
  // share their names live in /sbin and /bin (mkswap, mount, umount, mke2fs). The agent relies on
  // util-linux's behaviour (lsblk --json, blkid -p -o export, partx -u, fsck -t).
  std::vector<std::filesystem::path> host_tools = {
      "/usr/sbin/smartctl", "/usr/sbin/nvme", "/usr/sbin/hdparm", // inventory, purge
      // deploy: partitions, filesystems and their UUIDs (imager/deploy/make_filesystems.cpp,
      // partitioner.cpp)
      "/usr/sbin/mkfs.ext4", "/usr/sbin/mkfs.vfat", "/usr/sbin/mkfs.xfs", "/usr/sbin/mkfs.btrfs",
      "/usr/sbin/mkswap", "/usr/sbin/blkid", "/usr/bin/partx",
      // verify: the agent's independent check of the installed system (imager/agent/agent.cpp)
      "/usr/bin/lsblk", "/usr/sbin/fsck", "/usr/sbin/fsck.ext4", "/usr/sbin/xfs_repair",
      "/usr/bin/btrfs", "/usr/bin/mount", "/usr/bin/umount"};
  std::string kernel_meta_package = "linux-image-amd64";
  std::string busybox_package = "busybox-static";
  // Debian's signed UEFI network chain (docs/PXE.md, "Secure Boot"): shim signed by Microsoft's
  // UEFI CA, and the network GRUB signed by Debian, which shim trusts. Their files are copied to
  // out/ under the names the chain asks for. Empty names: no signed chain.
  std::string shim_package = "shim-signed";
  std::string grub_package = "grub-efi-amd64-signed";
  std::int64_t mtime = 0; // of every initramfs entry (SOURCE_DATE_EPOCH)
  bool gzip = true;
  // Debug builds of atelier-imager carry ~20 MiB of DWARF; `strip --strip-debug` keeps symbols
  // (for backtraces) and makes every PXE download that much smaller.
  bool strip_imager = true;
};

struct BootenvReport {
  std::string kernel_package;       // "linux-image-6.1.0-56-amd64 6.1.192-2"
  std::string kernel_version;       // "6.1.0-56-amd64"
  std::string busybox_package;      // "busybox-static 1:1.35.0-4+deb12u1+b1"
  std::string shim_package;         // "shim-signed 1.51~1+deb12u1+16.1-2~deb12u1", or empty
  std::string grub_package;         // "grub-efi-amd64-signed 1+2.06+13+deb12u2", or empty
  std::vector<std::string> modules; // load order (paths under lib/modules/<version>/)
  std::vector<std::string> builtin; // requested but built into the kernel
  std::vector<std::string> libraries;
  std::vector<std::string> catalogues; // paths in the initramfs
  std::size_t entries = 0;
  std::uint64_t content_bytes = 0; // files in the initramfs, uncompressed
  std::uint64_t initrd_bytes = 0;
  std::uint64_t kernel_bytes = 0;
};

using Progress = std::function<void(const std::string&)>;

// Downloads (once, into the cache) and assembles everything; writes out/vmlinuz and
// out/initrd.img. Same inputs, same bytes. Errors say what is missing and what to do.
std::expected<BootenvReport, std::string> build_bootenv(const BootenvOptions& options,
                                                        const Progress& progress);

class InitramfsImage;

// Where the agent (/usr/bin/atelier-imager) finds its catalogues in the boot environment:
// <program dir>/../share/locale (base::catalogue_search_path), so init sets nothing.
inline constexpr std::string_view k_bootenv_locale_dir = "usr/share/locale";

// Adds every catalogue of `locale_dir` (<code>/LC_MESSAGES/atelier.mo) under
// k_bootenv_locale_dir; the paths added, in order. An error when `locale_dir` holds none (the
// machines' screen would be English whatever the program's language).
std::expected<std::vector<std::string>, std::string>
add_catalogues(InitramfsImage& image, const std::filesystem::path& locale_dir);

// The libraries `ldd` lists for a binary: absolute paths, the dynamic loader included, the vDSO
// left out. A "not found" line is an error naming the library; a static binary has none.
std::expected<std::vector<std::string>, std::string> parse_ldd_output(std::string_view text);

// "Key: value" fields of one `apt-cache show --no-all-versions` stanza (continuation lines are
// appended to the field they continue).
std::map<std::string, std::string> parse_control_fields(std::string_view text);

// The package a meta package stands for: the first name in its Depends that starts with `prefix`
// ("linux-image-amd64" depends on "linux-image-6.1.0-56-amd64 (= 6.1.192-2)").
std::string dependency_with_prefix(std::string_view depends, std::string_view prefix);

} // namespace atelier::osbuild
