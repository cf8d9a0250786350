// Applying a PartitionLayout to a block device with libparted, making the kernel see the new
// partitions, and zapping a disk so it no longer boots after a failed deploy.
//
// Contract: the caller has already decided the device may be overwritten (device_safety) and that
// the layout fits (plan_layout). Nothing here mounts anything. All functions block; one deploy at a
// time per device. libparted handles are owned for the duration of each call (RAII) and never
// escape; libparted's interactive exception prompts are replaced by a handler that records the
// message and cancels, so a libparted problem becomes an error value naming the device.
#pragma once

#include "base/clock.h"
#include "base/process_runner.h"
#include "imager/deploy/partition_layout.h"

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

struct DiskGeometry {
  std::uint64_t size_bytes = 0;
  std::uint32_t logical_sector_size = 512;
  std::uint32_t physical_sector_size = 512;
  std::string model; // libparted's model string, e.g. "Loopback device"
};

// Size and sector sizes of a block device (read-only).
std::expected<DiskGeometry, std::string> probe_disk(const std::string& device);

// The kernel's name for partition `number` of `disk`: "/dev/sda" -> "/dev/sda2", "/dev/loop0" ->
// "/dev/loop0p2", "/dev/nvme0n1" -> "/dev/nvme0n1p2" (a 'p' when the disk name ends in a digit).
std::string partition_path(std::string_view disk, int number);

// Clears the first and last MiB of the disk (old partition tables, GPT backup, boot code), writes
// the layout's partition table and flags, tells the kernel (libparted's commit_to_os, then `partx
// -u` if the nodes do not appear) and waits for the partition device nodes (up to 15 s of
// `clock`'s time). Returns the node of each partition, index i for partition number i + 1.
std::expected<std::vector<std::string>, std::string>
apply_layout(const std::string& device, const PartitionLayout& layout, base::ProcessRunner& runner,
             const base::Clock& clock = base::system_clock());

// Leaves the disk without a partition table or boot code: zeroes its first and last MiB and removes
// the kernel's partitions. Used on every failure after partitioning started. The partitions must
// not be mounted.
std::expected<void, std::string> zap_disk(const std::string& device, base::ProcessRunner& runner);

} // namespace atelier::imager
