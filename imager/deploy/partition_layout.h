// The partition layout of a deployed disk, as a pure function of the disk's geometry, the firmware
// that will boot it and the profile's partitioning: no I/O, so every rule is tested on a table of
// disks (tiny, exactly 2 TiB, 3 TiB, 4Kn sectors, swap larger than the disk). partitioner.h applies
// a layout with libparted. docs/DEPLOY.md has the layouts as a table.
//
// Rules:
// - UEFI: GPT, partition 1 is a 512 MiB EFI system partition (FAT32, esp flag).
// - BIOS: MBR while the whole disk is addressable by MBR's 32-bit sector numbers (2 TiB with
//   512-byte sectors); beyond that GPT with a 1 MiB BIOS boot partition (bios_grub) first, which
//   GRUB's i386-pc core image is embedded in.
// - Every partition starts on a 1 MiB boundary and is a whole number of MiB; the first starts at
//   1 MiB (which also leaves room for GRUB's core image after an MBR).
// - Root fills the disk; the optional swap partition sits after it, at the end of the disk.
// - GPT keeps its backup header and entries in the last sectors: nothing is placed there.
#pragma once

#include "profiles/machine_facts.h"
#include "profiles/profile.h"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace atelier::imager {

enum class PartitionTable { msdos, gpt };
enum class PartitionRole { esp, bios_boot, root, swap };

inline constexpr std::uint64_t k_mib = 1024ULL * 1024ULL;
inline constexpr std::uint64_t k_align_bytes = k_mib;
inline constexpr std::uint64_t k_esp_bytes = 512 * k_mib;
inline constexpr std::uint64_t k_bios_boot_bytes = k_mib;

struct PlannedPartition {
  int number = 0; // 1-based, as the kernel names it (sda1, loop0p1)
  PartitionRole role = PartitionRole::root;
  std::uint64_t start_sector = 0; // in logical sectors of the disk
  std::uint64_t end_sector = 0;   // inclusive
  std::uint64_t sectors() const { return end_sector - start_sector + 1; }
};

struct LayoutRequest {
  std::uint64_t disk_bytes = 0;
  std::uint32_t sector_size = 512; // logical sector size: 512 or 4096 (4Kn) in practice
  profiles::Firmware firmware = profiles::Firmware::bios; // resolved: never unknown
  std::uint64_t swap_bytes = 0;                           // 0: no swap; rounded up to whole MiB
  std::uint64_t min_root_bytes = 0; // the root partition must get at least this
};

struct PartitionLayout {
  PartitionTable table = PartitionTable::msdos;
  profiles::Firmware firmware = profiles::Firmware::bios;
  std::uint32_t sector_size = 512;
  std::uint64_t disk_sectors = 0;
  std::vector<PlannedPartition> partitions; // in disk order, numbered 1..n
  std::vector<std::string> notes;           // decisions worth recording, in plain words

  const PlannedPartition* find(PartitionRole) const;
};

// The firmware the disk is prepared for. `requested` (--firmware) wins over the detected firmware;
// a profile scheme other than auto forces its firmware, and contradicting it with --firmware is an
// error, as is having neither a forced scheme, a request nor a detection.
std::expected<profiles::Firmware, std::string>
choose_firmware(std::optional<profiles::Firmware> requested, profiles::PartitionScheme scheme,
                profiles::Firmware detected);

// The layout, or one sentence saying why the disk cannot take it (too small for the partitions plus
// min_root_bytes, swap larger than the disk, an unsupported sector size).
std::expected<PartitionLayout, std::string> plan_layout(const LayoutRequest&);

std::string_view to_string(PartitionTable);
std::string_view to_string(PartitionRole);
// One line: "gpt, 512-byte sectors: 1 esp 512.0 MiB, 2 root 7.0 GiB, 3 swap 512.0 MiB".
std::string summary(const PartitionLayout&);
// {"table", "sector_size", "disk_sectors", "partitions": [{number, role, start_sector, end_sector,
// size_bytes}], "notes"}
nlohmann::json to_json(const PartitionLayout&);

} // namespace atelier::imager
