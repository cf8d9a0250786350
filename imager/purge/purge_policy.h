// What a drive can do, and which erase method a profile's ordered list gets on it: pure functions.
//
// choose_method walks the profile's methods for the media (profiles::WipePolicy::methods_for) in
// order and takes the first one the drive can run now, with one sentence for each method it skipped
// ("ata-sanitize-crypto: drive does not support SANITIZE CRYPTO SCRAMBLE"). Overwrite methods are
// always runnable (by the wipe engine); firmware methods need the pass-through, the drive's support
// and a drive that is neither frozen nor locked.
//
// level_for gives the honest NIST SP 800-88 level of a method on a media, with the reason; the
// table is in docs/PURGE.md, "Methods and levels".
#pragma once

#include "imager/purge/ata_commands.h"
#include "imager/purge/ata_identify.h"
#include "imager/purge/nvme_identify.h"
#include "imager/purge/purge_device.h"
#include "profiles/profile.h"
#include "records/erasure_record.h"

#include <optional>
#include <string>
#include <vector>

namespace atelier::imager {

// Hidden areas of an ATA disk: HPA (native max vs. IDENTIFY capacity) and DCO (factory max vs.
// native max). Sector counts are numbers of logical sectors.
struct HiddenAreaProbe {
  bool checked = false;              // false: not asked (not ATA, no pass-through, command failed)
  std::uint64_t visible_sectors = 0; // IDENTIFY's accessible capacity
  std::optional<std::uint64_t> native_sectors;  // READ NATIVE MAX ADDRESS + 1
  std::optional<std::uint64_t> factory_sectors; // DCO IDENTIFY maximum LBA + 1
  bool hpa() const { return native_sectors && *native_sectors > visible_sectors; }
  bool dco() const {
    return factory_sectors && native_sectors && *factory_sectors > *native_sectors;
  }
  std::vector<std::string> notes; // what could not be asked, and why
};

// Everything `identify` learns; the input of the policy.
struct DriveCapabilities {
  std::string device;
  PassThrough pass_through = PassThrough::none;
  std::string kind; // FirmwareEraseDevice::kind()
  std::string bus;
  std::string media; // "hdd", "ssd", "nvme", "usb" ("" when unknown)
  std::optional<AtaIdentify> ata;
  std::optional<AtaSanitizeStatus> ata_sanitize_status; // SANITIZE STATUS EXT, when supported
  HiddenAreaProbe hidden;
  std::optional<NvmeController> nvme;
  std::optional<NvmeNamespace> nvme_namespace;
  std::uint32_t nvme_nsid = 0;
  std::optional<NvmeSanitizeLog> nvme_sanitize_log;
  std::vector<std::string> problems; // commands that failed while identifying, in plain words

  std::string model() const;
  std::string serial() const;
  std::uint64_t size_bytes() const;
  std::uint32_t sector_bytes() const;
};

// The message for a drive whose security the BIOS froze, and what the volunteer can do about it.
inline constexpr const char* k_frozen_message =
    "the disk is frozen by the BIOS: suspend/resume the machine or hot-plug this disk, then retry";

// Why `method` cannot run on this drive now; nullopt when it can.
std::optional<std::string> why_unusable(profiles::WipeMethod method,
                                        const DriveCapabilities& drive);

struct Skipped {
  profiles::WipeMethod method;
  std::string reason; // "ata-sanitize-crypto: drive does not support SANITIZE CRYPTO SCRAMBLE"
};

struct LevelVerdict {
  records::SanitizationLevel level = records::SanitizationLevel::clear;
  std::string reason;
};

struct MethodChoice {
  std::optional<profiles::WipeMethod> method; // empty: nothing in the list can run
  std::vector<Skipped> skipped;               // in the profile's order
  LevelVerdict level;                         // of the chosen method
};

MethodChoice choose_method(const std::vector<profiles::WipeMethod>& ordered,
                           const DriveCapabilities& drive);

// The media class a level is judged on: "ssd" for flash, "hdd" otherwise, "nvme" for NVMe.
LevelVerdict level_for(profiles::WipeMethod method, std::string_view media);

// ata-secure-erase runs in enhanced mode when the drive supports it (it then also reaches
// reallocated sectors): the method actually run.
profiles::WipeMethod effective_method(profiles::WipeMethod asked, const DriveCapabilities& drive);

} // namespace atelier::imager
