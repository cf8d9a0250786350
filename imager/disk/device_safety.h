// The checks that stand between a command and an overwrite of a whole disk. Used by the wipe
// command and by deploy before they open a device for writing.
//
// check_overwrite_allowed refuses (with one sentence naming the device, the reason and what to do)
// a device that:
//   - does not exist, is not a block device (regular files only with allow_regular_file), is
//     read-only, or is a partition (whole disks only);
//   - is, or holds, a mounted filesystem: the device, any of its partitions, or any device stacked
//     on them (holders: device-mapper, md, bcache), by major:minor in /proc/self/mountinfo and by
//     the mount source's path;
//   - backs swap (/proc/swaps), itself or through a partition or holder;
//   - holds the running system's root or /boot filesystem (said first, as the most serious case);
//   - is in use by another holder: an open with O_EXCL fails with EBUSY;
//   - outside the boot environment, when confirm_serial is missing or differs from the disk's
//   serial
//     (DeviceIdentity rules: a loop device's serial is its backing file's path; a disk that reports
//     no serial is confirmed with its kernel name, e.g. "vdb"). Inside the boot environment the
//     serial is not demanded, but one that is given must still match.
// Reads sysfs, /proc and udev's database; never writes. The O_EXCL probe opens read-only and closes
// at once. The result is a snapshot: the writer must still open with O_EXCL itself.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

namespace atelier::imager {

struct SafetyOptions {
  bool in_boot_environment = false;          // see running_in_boot_environment()
  std::optional<std::string> confirm_serial; // `--confirm-serial`, compared exactly (trimmed)
  bool allow_regular_file = false;           // tests and benches overwrite image files
};

// The boot environment's init writes this file; its presence is how the agent knows it runs on a
// donated machine booted over the network rather than on a workshop computer.
inline constexpr const char* k_boot_environment_marker = "/etc/atelier/bootenv";
bool running_in_boot_environment(const std::filesystem::path& marker = k_boot_environment_marker);

std::expected<void, std::string> check_overwrite_allowed(const std::filesystem::path& device,
                                                         const SafetyOptions& options);

} // namespace atelier::imager
