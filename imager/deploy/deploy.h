// Deploying a profile's image onto one disk: the `atelier-imager deploy` command's engine.
//
// Steps (each timed in the record): check (device safety, image opened, layout planned: a disk too
// small is refused here, before anything is written), partition, mkfs, extract (or write for a raw
// disk image), tailor, bootloader, finish (unmount). docs/DEPLOY.md describes each.
//
// Contract: deploy() never throws and always returns a record. On any failure after the partition
// step began, every mount is undone first, then the disk is zapped (first and last MiB zeroed,
// kernel partitions dropped) so the unit cannot boot a half-made system, and the record says so. A
// checksum mismatch of the image is such a failure. Blocking; runs on the calling thread (plus the
// image reader's own thread).
#pragma once

#include "base/clock.h"
#include "base/process_runner.h"
#include "imager/disk/progress.h"
#include "profiles/profile.h"
#include "records/imaging_record.h"

#include <optional>
#include <string>

namespace atelier::imager {

struct DeployOptions {
  std::string device;                         // whole disk, e.g. "/dev/sda"
  const profiles::Profile* profile = nullptr; // validated (load_profile)
  std::optional<std::string> image;           // --image: where to read the profile's image from;
                                              // the profile's sha256 still applies
  std::optional<profiles::Firmware> firmware; // --firmware
  profiles::Firmware detected_firmware =
      profiles::Firmware::unknown; // what this machine booted with
  std::string asset_tag;           // --tag
  std::string support_contact;     // --contact
  bool wiped_zero = false;         // --wiped-zero: the disk reads as zeros (verified wipe)
  std::optional<std::string> confirm_serial; // --confirm-serial
  bool in_boot_environment = false;
  bool install_bootloader = true; // --no-bootloader (tests: images without a kernel)
  ProgressSink progress;          // step starts and the image's read/extract progress
  std::string imaged_at;          // RFC 3339 UTC; the start time when empty
  // Stamps and times the record's steps; must outlive the deploy.
  const base::Clock* clock = &base::system_clock(); // never null
};

records::ImagingRecord deploy(const DeployOptions& options, base::ProcessRunner& runner);

// Bytes the root filesystem needs for an archive of `uncompressed_bytes` (when known) on `fs`:
// the archive plus 10% and 256 MiB of room, and at least what mkfs accepts.
std::uint64_t min_root_bytes(std::optional<std::uint64_t> uncompressed_bytes,
                             profiles::Filesystem fs);
// The content size a local zstd file declares in its first frame header; nullopt for other
// formats, URLs, or frames that do not say.
std::optional<std::uint64_t> zstd_content_size(const std::string& path);

} // namespace atelier::imager
