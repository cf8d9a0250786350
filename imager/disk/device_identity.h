// Who a block device is, read from sysfs and udev's database: the identity the operator confirms
// before an overwrite (`--confirm-serial`) and the media fields of the erasure record.
//
// Serial rules (docs/WIPE.md, "Confirming the disk"): a disk's serial from sysfs (device/serial,
// serial, SCSI VPD page 0x80), else udev's ID_SERIAL_SHORT / ID_SERIAL (/run/udev/data/bMAJ:MIN);
// a loop device's "serial" is the path of its backing file; a regular file's is its own path.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

namespace atelier::imager {

struct DeviceIdentity {
  std::string path;        // as given, e.g. "/dev/sda"
  std::string kernel_name; // "sda", "loop3", "nvme0n1p1"; empty for a regular file
  std::uint32_t major = 0; // 0 for a regular file
  std::uint32_t minor = 0;
  bool regular_file = false;
  bool partition = false;    // the device is a partition of kernel_parent
  std::string kernel_parent; // the whole disk of a partition
  std::string vendor;
  std::string model;
  std::string serial; // see the rules above; empty when the disk reports none
  std::string media;  // "hdd", "ssd", "nvme", "usb", "file" (regular files and loop devices)
  bool read_only = false;
};

// Reads the identity of a device node or regular file. An error (a sentence naming the path) when
// the path does not exist or is neither a block device nor a regular file.
std::expected<DeviceIdentity, std::string> identify_device(const std::filesystem::path& device);

// Kernel name of a block device from sysfs (/sys/dev/block/MAJ:MIN), e.g. "loop3".
std::string kernel_name_of(std::uint32_t major, std::uint32_t minor);

} // namespace atelier::imager
