#include "imager/deploy/partition_layout.h"

#include "profiles/size.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using profiles::Firmware;

// MBR stores start and length as 32-bit sector counts.
constexpr std::uint64_t k_mbr_max_sectors = 1ULL << 32U;
// GPT's backup: 128 entries of 128 bytes, then the backup header in the very last sector.
constexpr std::uint64_t k_gpt_entries_bytes = 128 * 128;

std::uint64_t div_ceil(std::uint64_t a, std::uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

std::string size_text(std::uint64_t bytes) {
  return profiles::format_size(bytes);
}

} // namespace

const PlannedPartition* PartitionLayout::find(PartitionRole role) const {
  for (const auto& p : partitions) {
    if (p.role == role) {
      return &p;
    }
  }
  return nullptr;
}

std::expected<Firmware, std::string> choose_firmware(std::optional<Firmware> requested,
                                                     profiles::PartitionScheme scheme,
                                                     Firmware detected) {
  using profiles::PartitionScheme;
  std::optional<Firmware> forced;
  if (scheme == PartitionScheme::bios_mbr) {
    forced = Firmware::bios;
  } else if (scheme == PartitionScheme::uefi_gpt) {
    forced = Firmware::uefi;
  }
  if (requested && *requested == Firmware::unknown) {
    requested.reset();
  }
  if (forced && requested && *forced != *requested) {
    return std::unexpected(
        fmt::format("--firmware {} contradicts the profile's partitioning.scheme \"{}\"",
                    profiles::to_string(*requested), profiles::to_string(scheme)));
  }
  if (requested) {
    return *requested;
  }
  if (forced) {
    return *forced;
  }
  if (detected == Firmware::unknown) {
    return std::unexpected(
        std::string("the booted firmware is unknown: give --firmware bios or --firmware uefi"));
  }
  return detected;
}

std::expected<PartitionLayout, std::string> plan_layout(const LayoutRequest& request) {
  const std::uint64_t ss = request.sector_size;
  if (ss < 512 || ss > 65536 || (ss & (ss - 1)) != 0) {
    return std::unexpected(fmt::format(
        "unsupported logical sector size of {} bytes (expected a power of two from 512 to 65536)",
        ss));
  }
  if (request.firmware == Firmware::unknown) {
    return std::unexpected(std::string("no firmware given for the layout"));
  }
  if (request.swap_bytes >= request.disk_bytes && request.swap_bytes > 0) {
    return std::unexpected(fmt::format("partitioning.swap: {} of swap does not fit on a {} disk",
                                       size_text(request.swap_bytes),
                                       size_text(request.disk_bytes)));
  }
  PartitionLayout layout;
  layout.firmware = request.firmware;
  layout.sector_size = request.sector_size;
  layout.disk_sectors = request.disk_bytes / ss;
  const std::uint64_t align = k_align_bytes / ss;
  const std::uint64_t swap_sectors = div_ceil(request.swap_bytes, k_align_bytes) * align;

  std::uint64_t boot_sectors = 0;
  std::optional<PartitionRole> boot_role;
  if (request.firmware == Firmware::uefi) {
    layout.table = PartitionTable::gpt;
    boot_role = PartitionRole::esp;
    boot_sectors = k_esp_bytes / ss;
  } else if (layout.disk_sectors <= k_mbr_max_sectors) {
    layout.table = PartitionTable::msdos;
  } else {
    layout.table = PartitionTable::gpt;
    boot_role = PartitionRole::bios_boot;
    boot_sectors = k_bios_boot_bytes / ss;
    layout.notes.push_back(
        fmt::format("BIOS on a {} disk: MBR cannot address it, so GPT with a 1 MiB "
                    "BIOS boot partition for GRUB",
                    size_text(request.disk_bytes)));
  }

  // The exclusive end of the space partitions may use, rounded down to the alignment.
  std::uint64_t limit = layout.disk_sectors;
  std::uint64_t tail = 0; // sectors at the end that no partition may use
  if (layout.table == PartitionTable::gpt) {
    tail = 1 + div_ceil(k_gpt_entries_bytes, ss);
    limit = limit > tail ? limit - tail : 0;
  } else {
    limit = std::min(limit, k_mbr_max_sectors);
  }
  limit -= limit % align;

  const std::uint64_t min_root_sectors =
      std::max<std::uint64_t>(div_ceil(request.min_root_bytes, ss), align);
  const std::uint64_t needed = align + boot_sectors + min_root_sectors + swap_sectors;
  if (limit < needed) {
    std::string parts = "1 MiB for alignment";
    if (boot_role == PartitionRole::esp) {
      parts += fmt::format(", a {} EFI system partition", size_text(k_esp_bytes));
    } else if (boot_role == PartitionRole::bios_boot) {
      parts += ", a 1 MiB BIOS boot partition";
    }
    if (swap_sectors > 0) {
      parts += fmt::format(", {} of swap", size_text(swap_sectors * ss));
    }
    parts += fmt::format(", {} for the root filesystem", size_text(min_root_sectors * ss));
    return std::unexpected(fmt::format("the disk ({}) is too small: it needs at least {} ({})",
                                       size_text(request.disk_bytes),
                                       size_text((needed + tail) * ss), parts));
  }

  std::uint64_t next = align;
  int number = 1;
  if (boot_role) {
    layout.partitions.push_back({number++, *boot_role, next, next + boot_sectors - 1});
    next += boot_sectors;
  }
  const std::uint64_t root_end = limit - swap_sectors; // exclusive
  layout.partitions.push_back({number++, PartitionRole::root, next, root_end - 1});
  if (swap_sectors > 0) {
    layout.partitions.push_back({number++, PartitionRole::swap, root_end, limit - 1});
  }
  return layout;
}

std::string_view to_string(PartitionTable table) {
  return table == PartitionTable::gpt ? "gpt" : "msdos";
}

std::string_view to_string(PartitionRole role) {
  switch (role) {
  case PartitionRole::esp:
    return "esp";
  case PartitionRole::bios_boot:
    return "bios_boot";
  case PartitionRole::root:
    return "root";
  case PartitionRole::swap:
    return "swap";
  }
  return "?";
}

std::string summary(const PartitionLayout& layout) {
  std::string out =
      fmt::format("{}, {}-byte sectors:", to_string(layout.table), layout.sector_size);
  const char* sep = " ";
  for (const auto& p : layout.partitions) {
    out += fmt::format("{}{} {} {}", sep, p.number, to_string(p.role),
                       size_text(p.sectors() * layout.sector_size));
    sep = ", ";
  }
  return out;
}

nlohmann::json to_json(const PartitionLayout& layout) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : layout.partitions) {
    parts.push_back({{"number", p.number},
                     {"role", to_string(p.role)},
                     {"start_sector", p.start_sector},
                     {"end_sector", p.end_sector},
                     {"size_bytes", p.sectors() * layout.sector_size}});
  }
  return {{"table", to_string(layout.table)},
          {"firmware", profiles::to_string(layout.firmware)},
          {"sector_size", layout.sector_size},
          {"disk_sectors", layout.disk_sectors},
          {"partitions", parts},
          {"notes", layout.notes}};
}

} // namespace atelier::imager
