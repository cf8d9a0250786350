#include "imager/disk/disks.h"

#include "imager/sys/file_system.h"

#include <array>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

bool is_virtual_name(std::string_view name) {
  constexpr std::array<std::string_view, 7> k_prefixes{"loop", "ram", "zram", "dm-",
                                                       "md",   "nbd", "fd"};
  for (const auto prefix : k_prefixes) {
    if (name.starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

std::string first_present(FileSystem& fs, std::initializer_list<std::string> paths) {
  for (const auto& path : paths) {
    if (auto value = read_trimmed(fs, path); value && !value->empty()) {
      return *value;
    }
  }
  return {};
}

std::string vanished(std::string_view name) {
  return fmt::format(
      "disk {}: listed under /sys/block but gone when read (unplugged, or the drive "
      "dropped off its bus during the scan); not in this report, check its cable and scan again",
      name);
}

// nullopt when the disk disappeared while it was being read (its sysfs directory went away).
std::optional<Disk> read_disk(FileSystem& fs, const std::string& name,
                              std::vector<std::string>& warnings) {
  const std::string base = "sys/block/" + name;
  Disk disk;
  disk.name = name;
  disk.optical = name.starts_with("sr");
  disk.sysfs_path = fs.resolve(base).value_or(base);
  // The kernel always counts `size` in 512-byte units, whatever the logical sector size.
  if (auto sectors = read_number(fs, base + "/size")) {
    disk.size_bytes = *sectors * 512U;
  } else if (!fs.exists(base)) {
    warnings.push_back(vanished(name));
    return std::nullopt;
  } else {
    warnings.push_back(fmt::format("disk {}: size unreadable", name));
  }
  auto u32 = [&](const std::string& path, std::uint32_t fallback) {
    const auto v = read_number(fs, path);
    return v && *v > 0 && *v <= 0xFFFFFFFFU ? static_cast<std::uint32_t>(*v) : fallback;
  };
  disk.logical_sector_bytes = u32(base + "/queue/logical_block_size", 512);
  disk.physical_sector_bytes = u32(base + "/queue/physical_block_size", disk.logical_sector_bytes);
  if (auto rot = read_number(fs, base + "/queue/rotational")) {
    disk.rotational = *rot != 0;
  }
  disk.removable = read_number(fs, base + "/removable").value_or(0) != 0;
  // NVMe namespaces keep model/serial on the controller (device/); SCSI and ATA disks on the SCSI
  // device; virtio only has `serial` on the block device itself.
  disk.model = first_present(fs, {base + "/device/model"});
  disk.vendor = first_present(fs, {base + "/device/vendor"});
  disk.serial = first_present(fs, {base + "/device/serial", base + "/serial"});
  if (disk.serial.empty()) {
    if (auto page = fs.read_file(base + "/device/vpd_pg80", 1024)) {
      const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(page->data()),
                                                page->size());
      disk.serial = serial_from_vpd_pg80(bytes).value_or("");
    }
  }
  disk.firmware = first_present(fs, {base + "/device/firmware_rev", base + "/device/rev"});
  disk.wwid = first_present(fs, {base + "/wwid", base + "/device/wwid"});
  disk.bus = bus_from_path(disk.sysfs_path, name);
  disk.media = media_for(disk.bus, disk.rotational);
  // Gone half-way: what was read may be partial, and the disk is not there to wipe or image anyway.
  if (!fs.exists(base)) {
    warnings.push_back(vanished(name));
    return std::nullopt;
  }
  if (!disk.rotational && disk.bus != "nvme") {
    warnings.push_back(
        fmt::format("disk {}: queue/rotational unreadable; media guessed as {}", name, disk.media));
  }
  return disk;
}

} // namespace

std::string bus_from_path(std::string_view path, std::string_view name) {
  // USB first: a USB-SATA bridge also has "host"/"target" SCSI components in its path.
  if (path.find("/usb") != std::string_view::npos) {
    return "usb";
  }
  if (name.starts_with("nvme") || path.find("/nvme/") != std::string_view::npos) {
    return "nvme";
  }
  if (path.find("/virtio") != std::string_view::npos || name.starts_with("vd")) {
    return "virtio";
  }
  if (name.starts_with("mmcblk") || path.find("/mmc_host/") != std::string_view::npos) {
    return "mmc";
  }
  if (path.find("/ata") != std::string_view::npos) {
    return "sata";
  }
  if (path.find("/host") != std::string_view::npos || name.starts_with("sd") ||
      name.starts_with("sr")) {
    return "scsi";
  }
  return "unknown";
}

std::string media_for(std::string_view bus, std::optional<bool> rotational) {
  if (bus == "nvme") {
    return "nvme";
  }
  if (bus == "usb") {
    return "usb";
  }
  if (bus == "mmc") {
    return "ssd"; // eMMC is flash without rotation, whatever queue/rotational claims
  }
  // Unknown rotation counts as a hard disk: the cautious choice for grading.
  return rotational.value_or(true) ? "hdd" : "ssd";
}

std::optional<std::string> serial_from_vpd_pg80(std::span<const std::uint8_t> page) {
  if (page.size() < 4 || page[1] != 0x80) {
    return std::nullopt;
  }
  const std::size_t length = (std::size_t{page[2]} << 8U) | page[3];
  const std::size_t available = std::min(length, page.size() - 4);
  std::string serial(reinterpret_cast<const char*>(page.data() + 4), available);
  const auto text = trim(std::string_view(serial).substr(0, serial.find('\0')));
  return text.empty() ? std::nullopt : std::optional<std::string>(std::string(text));
}

std::vector<Disk> collect_disks(FileSystem& fs, const DiskOptions& options,
                                std::vector<std::string>& warnings) {
  std::vector<Disk> disks;
  for (const auto& name : fs.list_dir("sys/block")) {
    if (is_virtual_name(name) || (name.starts_with("sr") && !options.include_optical)) {
      continue;
    }
    if (!fs.exists("sys/block/" + name + "/device")) {
      // No backing hardware: a virtual device we do not know by name; or the whole entry is gone
      // since the listing, which is never a silent gap.
      if (!fs.exists("sys/block/" + name)) {
        warnings.push_back(vanished(name));
      }
      continue;
    }
    if (read_number(fs, "sys/block/" + name + "/hidden").value_or(0) != 0) {
      continue; // NVMe multipath hides the per-path nodes behind one visible namespace
    }
    if (auto disk = read_disk(fs, name, warnings)) {
      disks.push_back(std::move(*disk));
    }
  }
  return disks;
}

std::vector<Disk> collect_optical(FileSystem& fs, std::vector<std::string>& warnings) {
  std::vector<Disk> drives;
  for (const auto& name : fs.list_dir("sys/block")) {
    if (name.starts_with("sr") && fs.exists("sys/block/" + name + "/device")) {
      if (auto drive = read_disk(fs, name, warnings)) {
        drives.push_back(std::move(*drive));
      }
    }
  }
  return drives;
}

} // namespace atelier::imager
