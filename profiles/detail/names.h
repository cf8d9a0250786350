// Internal to atelier_profiles. The spelling of every enum in files and messages, as data: one
// table per enum, used both to parse and to list the allowed values in diagnostics.
#pragma once

#include "profiles/grade.h"
#include "profiles/machine_facts.h"
#include "profiles/profile.h"
#include "profiles/program.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::profiles::detail {

template <typename E>
struct Named {
  E value;
  std::string_view name;
};

inline constexpr std::array<Named<ImageFormat>, 2> k_image_formats{{
    {ImageFormat::rootfs_archive, "rootfs-archive"},
    {ImageFormat::raw_disk, "raw-disk"},
}};
inline constexpr std::array<Named<BuildVariant>, 3> k_build_variants{{
    {BuildVariant::minbase, "minbase"},
    {BuildVariant::important, "important"},
    {BuildVariant::standard, "standard"},
}};
inline constexpr std::array<Named<PartitionScheme>, 3> k_partition_schemes{{
    {PartitionScheme::automatic, "auto"},
    {PartitionScheme::bios_mbr, "bios-mbr"},
    {PartitionScheme::uefi_gpt, "uefi-gpt"},
}};
inline constexpr std::array<Named<Filesystem>, 3> k_filesystems{{
    {Filesystem::ext4, "ext4"},
    {Filesystem::xfs, "xfs"},
    {Filesystem::btrfs, "btrfs"},
}};
inline constexpr std::array<Named<AccountMode>, 2> k_account_modes{{
    {AccountMode::oem, "oem"},
    {AccountMode::preset, "preset"},
}};
inline constexpr std::array<Named<WipeMethod>, 14> k_wipe_methods{{
    {WipeMethod::zero, "zero"},
    {WipeMethod::one, "one"},
    {WipeMethod::random, "random"},
    {WipeMethod::random_then_zero, "random-then-zero"},
    {WipeMethod::ata_sanitize_crypto, "ata-sanitize-crypto"},
    {WipeMethod::ata_sanitize_block, "ata-sanitize-block"},
    {WipeMethod::ata_sanitize_overwrite, "ata-sanitize-overwrite"},
    {WipeMethod::ata_secure_erase, "ata-secure-erase"},
    {WipeMethod::ata_secure_erase_enhanced, "ata-secure-erase-enhanced"},
    {WipeMethod::nvme_sanitize_crypto, "nvme-sanitize-crypto"},
    {WipeMethod::nvme_sanitize_block, "nvme-sanitize-block"},
    {WipeMethod::nvme_sanitize_overwrite, "nvme-sanitize-overwrite"},
    {WipeMethod::nvme_format_crypto, "nvme-format-crypto"},
    {WipeMethod::nvme_format_user, "nvme-format-user"},
}};
inline constexpr std::array<Named<Verification>, 3> k_verifications{{
    {Verification::none, "none"},
    {Verification::sample, "sample"},
    {Verification::full, "full"},
}};
inline constexpr std::array<Named<HiddenAreas>, 2> k_hidden_areas{{
    {HiddenAreas::reset, "reset"},
    {HiddenAreas::report, "report"},
}};
inline constexpr std::array<Named<RemovableMedia>, 2> k_removable_media{{
    {RemovableMedia::erase, "erase"},
    {RemovableMedia::leave, "leave"},
}};
inline constexpr std::array<Named<DiskMedia>, 4> k_disk_media{{
    {DiskMedia::hdd, "hdd"},
    {DiskMedia::ssd, "ssd"},
    {DiskMedia::nvme, "nvme"},
    {DiskMedia::usb, "usb"},
}};
// Only the firmware a machine can have; "unknown" is not something a file may ask for.
inline constexpr std::array<Named<Firmware>, 2> k_firmware{{
    {Firmware::bios, "bios"},
    {Firmware::uefi, "uefi"},
}};
inline constexpr std::array<Named<Chassis>, 7> k_chassis{{
    {Chassis::desktop, "desktop"},
    {Chassis::laptop, "laptop"},
    {Chassis::all_in_one, "all-in-one"},
    {Chassis::mini, "mini"},
    {Chassis::server, "server"},
    {Chassis::tablet, "tablet"},
    {Chassis::other, "other"},
}};
inline constexpr std::array<Named<SecureBootRule>, 3> k_secure_boot_rules{{
    {SecureBootRule::ignore, "ignore"},
    {SecureBootRule::note, "note"},
    {SecureBootRule::require, "require"},
}};
inline constexpr std::array<Named<Language>, 2> k_languages{{
    {Language::fr, "fr"},
    {Language::en, "en"},
}};
inline constexpr std::array<Named<Grade>, 4> k_grades{{
    {Grade::A, "A"},
    {Grade::B, "B"},
    {Grade::C, "C"},
    {Grade::parts, "parts"},
}};

template <typename E, std::size_t N>
constexpr std::string_view name_of(const std::array<Named<E>, N>& table, E value) {
  for (const auto& entry : table) {
    if (entry.value == value) {
      return entry.name;
    }
  }
  return "unknown";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<Named<E>, N>& table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) {
      return entry.value;
    }
  }
  return std::nullopt;
}

// "\"ext4\", \"xfs\", \"btrfs\"" for messages.
template <typename E, std::size_t N>
std::string quoted_names(const std::array<Named<E>, N>& table) {
  std::string out;
  for (const auto& entry : table) {
    if (!out.empty()) {
      out += ", ";
    }
    out += '"';
    out += entry.name;
    out += '"';
  }
  return out;
}

} // namespace atelier::profiles::detail
