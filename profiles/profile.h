// A profile says how a class of machines is prepared: which image, how the disk is partitioned,
// how the installed system is tailored, how disks are wiped first, and which machines it suits.
// The file format is specified key by key in docs/PROFILES.md; this header is its in-memory form.
//
// A Profile returned by load_profile/parse_profile is fully validated: enums are known, sizes
// parsed, paths resolved, cross-key rules checked. Consumers (imager, daemon) do not re-validate.
#pragma once

#include "profiles/diagnostic.h"
#include "profiles/machine_facts.h"
#include "profiles/size.h"

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::profiles {

// Where something was written, for diagnostics that span files (e.g. two profiles, one name).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class ImageFormat {
  rootfs_archive, // a tar archive of the root filesystem; Atelier partitions and formats
  raw_disk,       // a whole-disk image written as is; it carries its own partition table
};

// The package set installed by the build variant before the listed packages (mmdebstrap's
// --variant; docs/PROFILES.md). Each includes the previous one.
enum class BuildVariant {
  minbase,   // Priority: required packages and apt: the smallest system that can install more
  important, // + Priority: important (debootstrap's and mmdebstrap's default)
  standard,  // + Priority: standard (the installer's "standard system utilities")
};

// How `atelier image build` makes a rootfs-archive image with mmdebstrap ([image.build]). Every
// field is an input of the build cache key: the same section builds the same image.
struct ImageBuild {
  std::string suite = "bookworm";
  std::string mirror = "http://deb.debian.org/debian";
  BuildVariant variant = BuildVariant::important;
  std::vector<std::string> components{"main"};
  std::vector<std::string> packages; // apt names: "name", "name=version" or "name/release"
  bool install_recommends = false;
  // Extra apt sources, one-line style: "deb [options] URI SUITE [COMPONENT...]".
  std::vector<std::string> sources;
  // Shell commands run inside the image (chroot, /bin/sh -c) after the packages, in order.
  std::vector<std::string> customize;
};

struct Image {
  std::string source;         // as written in the file
  bool is_url = false;        // http:// or https://
  std::filesystem::path path; // local images: source resolved against the profile's directory
  ImageFormat format = ImageFormat::rootfs_archive;
  std::optional<std::string> sha256; // 64 lower-case hex digits; absent until the image is built
  std::optional<ImageBuild> build;   // [image.build]: rootfs-archive images only
};

enum class PartitionScheme {
  automatic, // "auto": GPT with an EFI system partition on UEFI machines, MBR on BIOS machines
  bios_mbr,
  uefi_gpt,
};
enum class Filesystem { ext4, xfs, btrfs };

struct Partitioning {
  PartitionScheme scheme = PartitionScheme::automatic;
  ByteSize swap; // 0: no swap partition
  Filesystem filesystem = Filesystem::ext4;
};

enum class AccountMode {
  oem,    // the household creates its own account at first boot (oem-config style)
  preset, // a preset account whose password must be changed at first login
};

struct Account {
  AccountMode mode = AccountMode::oem;
  std::string username; // preset only
  std::string password; // preset only; expired at installation, so the first login must change it
};

// A file written into the installed system. Exactly one of source and content is set.
struct ExtraFile {
  std::string path;                            // absolute path in the installed system
  std::optional<std::filesystem::path> source; // resolved against the profile's directory
  std::optional<std::string> content;
  unsigned mode = 0644;
};

struct Tailoring {
  std::string hostname = "atelier-{tag}"; // pattern; see expand_hostname
  std::string locale;
  std::string keyboard;         // XKB layout, e.g. "fr"
  std::string keyboard_variant; // XKB variant, may be empty
  std::string timezone;         // tz database name, e.g. "Europe/Paris"
  Account account;
  std::vector<ExtraFile> files;
};

enum class WipeMethod {
  zero,
  one,
  random,
  random_then_zero,
  ata_sanitize_crypto,
  ata_sanitize_block,
  ata_sanitize_overwrite,
  ata_secure_erase,
  ata_secure_erase_enhanced,
  nvme_sanitize_crypto,
  nvme_sanitize_block,
  nvme_sanitize_overwrite,
  nvme_format_crypto,
  nvme_format_user,
};

// Overwrite methods work on every writable disk; the others need the drive's support.
bool is_overwrite(WipeMethod);
// ata-* methods apply to hdd and ssd (SATA), nvme-* to nvme; overwrites apply to all media. USB
// bridges rarely pass ATA commands through, so usb takes overwrites only.
bool method_applies(WipeMethod, DiskMedia);

enum class Verification { none, sample, full };
enum class HiddenAreas {
  reset,  // remove HPA/DCO before wiping so the whole disk is erased
  report, // leave them, record their presence in the erasure record
};
// Removable media (a USB stick or disk left in the machine, a card in its reader): the donor's
// data may be on them as much as on the internal disk.
enum class RemovableMedia {
  erase, // erased like the fixed disks (with the usb methods); the machine is wiped only then
  leave, // never written; the volunteer takes them out (the erasure covers fixed disks only)
};

struct WipePolicy {
  // Ordered fallbacks per media: the first method the drive supports is used.
  std::vector<WipeMethod> hdd{WipeMethod::zero};
  std::vector<WipeMethod> ssd{WipeMethod::ata_sanitize_crypto, WipeMethod::ata_secure_erase,
                              WipeMethod::zero};
  std::vector<WipeMethod> nvme{WipeMethod::nvme_sanitize_crypto, WipeMethod::nvme_format_crypto,
                               WipeMethod::zero};
  std::vector<WipeMethod> usb{WipeMethod::zero};
  Verification verify = Verification::sample;
  HiddenAreas hidden_areas = HiddenAreas::reset;
  RemovableMedia removable = RemovableMedia::erase;

  const std::vector<WipeMethod>& methods_for(DiskMedia) const;
};

struct Requirements {
  ByteSize min_ram;
  ByteSize min_disk;
  int cpu_level = 1;              // x86-64 psABI level, 1 to 4
  std::vector<Firmware> firmware; // never empty once loaded; never contains unknown
  std::vector<Chassis> chassis;   // empty: any chassis, including unknown
};

struct Profile {
  std::string name;
  std::string description;
  int priority = 0; // among the profiles that fit a machine, the highest priority is chosen
  Image image;
  std::optional<Partitioning> partitioning; // empty for raw-disk images
  Tailoring tailoring;
  WipePolicy wipe;
  Requirements requirements;

  SourceLocation name_location; // where [profile] name was written
  Diagnostics warnings;         // accepted but worth a look (see docs/PROFILES.md, "Warnings")
};

// On failure, all the diagnostics of the file (errors and warnings), sorted by line.
std::expected<Profile, Diagnostics> load_profile(const std::filesystem::path& file);

// Pure: no file system access. file_name is used in diagnostics and to resolve relative paths
// (image.source, tailoring.files source); load_profile additionally checks that the tailoring
// files' sources exist.
std::expected<Profile, Diagnostics> parse_profile(std::string_view toml_text,
                                                  std::string_view file_name);

// Hostname patterns. The pattern must contain "{tag}" and no other braces; the result must be a
// valid DNS label (a-z, 0-9, '-', at most 63 characters, no '-' at either end) for every asset tag
// (up to "ABCD-000000000000-0"). Returns the reason when the pattern is not acceptable.
std::optional<std::string> check_hostname_pattern(std::string_view pattern);
// Replaces "{tag}" by the asset tag in lower case: ("atelier-{tag}", "AT-0042-7") ->
// "atelier-at-0042-7".
std::string expand_hostname(std::string_view pattern, std::string_view asset_tag);

std::string_view to_string(ImageFormat);
std::string_view to_string(BuildVariant);
std::string_view to_string(PartitionScheme);
std::string_view to_string(Filesystem);
std::string_view to_string(AccountMode);
std::string_view to_string(WipeMethod);
std::string_view to_string(Verification);
std::string_view to_string(HiddenAreas);
std::string_view to_string(RemovableMedia);
// The method a profile spells `name` ("zero", "ata-sanitize-crypto"...); nullopt for any other.
std::optional<WipeMethod> wipe_method_from_string(std::string_view name);
// "x86-64-v2"
std::string cpu_level_name(int level);

} // namespace atelier::profiles
