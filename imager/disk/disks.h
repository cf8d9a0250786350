// Block devices from /sys/block: which are real disks, and what sysfs says about each.
#pragma once

#include "imager/inventory/smart.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

class FileSystem;

struct Disk {
  std::string name; // kernel name: "sda", "nvme0n1", "vda"
  std::string model;
  std::string vendor;
  std::string serial;
  std::string firmware;
  std::string wwid;
  std::uint64_t size_bytes = 0;
  std::uint32_t logical_sector_bytes = 512;
  std::uint32_t physical_sector_bytes = 512;
  std::optional<bool> rotational;
  bool removable = false;
  bool optical = false;
  std::string bus;        // "sata", "nvme", "usb", "virtio", "scsi", "mmc" or "unknown"
  std::string media;      // "hdd", "ssd", "nvme" or "usb" (the profiles' DiskMedia names)
  std::string sysfs_path; // resolved device path, relative to the root
  std::optional<DiskHealth> health;
};

struct DiskOptions {
  bool include_optical = false; // list sr* drives among the disks
};

// Real disks under sys/block, sorted by name. Skips loop, ram, zram, dm-, md, nbd, fd and sr
// (unless include_optical) and anything without a `device` link (virtual devices). Warnings are
// appended for values that could not be read.
std::vector<Disk> collect_disks(FileSystem& fs, const DiskOptions& options,
                                std::vector<std::string>& warnings);

// Optical drives (sr*), always listed in the report's "optical" section.
std::vector<Disk> collect_optical(FileSystem& fs, std::vector<std::string>& warnings);

// Bus from a resolved sysfs device path ("sys/devices/pci0000:00/0000:00:14.0/usb2/..." -> "usb").
std::string bus_from_path(std::string_view device_path, std::string_view name);

// The serial number inside a SCSI VPD page 0x80 (unit serial number): 4-byte header, then ASCII.
std::optional<std::string> serial_from_vpd_pg80(std::span<const std::uint8_t> page);

// The media class the profiles understand, from bus and rotational.
std::string media_for(std::string_view bus, std::optional<bool> rotational);

} // namespace atelier::imager
