// The imaging record: what one deploy did to one unit's disk, successful or not. The agent prints
// it
// (`atelier-imager deploy --json`) and the daemon stores it (hwdb `imaging_records`: started_at,
// finished_at, profile, image_sha256, result, and the whole JSON as detail). docs/DEPLOY.md.
//
// Contract: result is `imaged` only when every step succeeded and everything was unmounted; a
// `failed` record names the step and the reason, and says whether the disk was left unbootable.
// Unknown values are empty strings, never guesses (image_sha256 is empty when the image was not
// read to its end).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace atelier::records {

enum class ImagingResult { imaged, failed };

struct ImagingStep {
  std::string
      name; // "check", "partition", "mkfs", "extract", "write", "tailor", "bootloader", "finish"
  double duration_seconds = 0;
  bool ok = false;
  std::string detail; // e.g. the layout summary, or the error
};

struct RecordedPartition {
  int number = 0;
  std::string role;   // "esp", "bios_boot", "root", "swap"
  std::string device; // the node at imaging time, e.g. "/dev/sda2" (for the log; fstab uses uuid)
  std::uint64_t start_sector = 0;
  std::uint64_t end_sector = 0;
  std::uint64_t size_bytes = 0;
  std::string filesystem; // "ext4", "vfat", "swap", "" for the BIOS boot partition
  std::string uuid;
};

struct ImagingRecord {
  int format_version = 1;
  std::string device;
  std::uint64_t disk_bytes = 0;
  std::uint32_t sector_size = 0;
  std::string asset_tag;
  std::string profile;
  std::string image_source; // path or URL actually read
  std::string image_format; // "rootfs-archive" or "raw-disk"
  std::string image_sha256; // of the image as stored, computed while it was read
  std::string firmware;     // "bios" or "uefi": what the disk was prepared to boot with
  std::string
      partition_table; // summary line, e.g. "gpt, 512-byte sectors: 1 esp 512.0 MiB, 2 root ..."
  std::vector<RecordedPartition> partitions;
  std::string hostname;
  bool bootloader_installed = false;
  std::string started_at; // RFC 3339 UTC
  std::string finished_at;
  double duration_seconds = 0;
  std::vector<ImagingStep> steps;
  ImagingResult result = ImagingResult::failed;
  std::string failed_step;    // the step that failed; empty when imaged
  std::string failure_reason; // one sentence; empty when imaged
  bool disk_left_unbootable =
      false; // the partition table and first MiB were zapped after a failure
  std::vector<std::string> notes;
};

std::string_view to_string(ImagingResult);

// Stable key names: the member names above; result as "imaged"/"failed".
nlohmann::json to_json(const ImagingRecord&);
// Names the first missing or mistyped key: "imaging record: key 'profile' is missing".
std::expected<ImagingRecord, std::string> imaging_record_from_json(const nlohmann::json&);

} // namespace atelier::records
