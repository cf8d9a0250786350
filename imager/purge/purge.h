// The firmware purge: asks the drive what it can do (identify_drive), checks and resets hidden
// areas (HPA/DCO), runs one firmware erase method (ATA SANITIZE or SECURITY ERASE UNIT, NVMe
// Sanitize or Format NVM), verifies by sampling that the media changed, and fills an ErasureRecord.
// Overwrite methods are the wipe engine's (wipe_engine.h), not this module's. docs/PURGE.md.
//
// Contract:
//  - purge_drive never throws and always returns a record; result == erased only when the drive
//    reported success AND the verification (when asked, and always for crypto erases) passed.
//  - A SECURITY password this code sets is cleared on every path out (PasswordGuard below); if that
//    fails the record says loudly that the drive may be locked with k_temporary_password.
//  - Nothing destructive is sent before the method was found usable (purge_policy.h) and the serial
//    confirmed (when one is given). The caller runs the OS-level safety check first
//    (device_safety.h: not mounted, not the running system).
#pragma once

#include "base/clock.h"
#include "imager/disk/progress.h"
#include "imager/purge/purge_device.h"
#include "imager/purge/purge_policy.h"
#include "profiles/profile.h"
#include "records/erasure_record.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace atelier::imager {

// The password SECURITY ERASE UNIT needs set first. Documented (docs/PURGE.md) so that anyone can
// unlock a drive an interrupted erase left locked: hdparm --user-master u --security-disable
// atelier-purge
inline constexpr const char* k_temporary_password = "atelier-purge";

// Asks the drive everything `identify` shows: IDENTIFY DEVICE / Identify Controller + Namespace,
// SANITIZE STATUS / the Sanitize log, and the hidden areas. Read-only. Failures of single commands
// land in `problems`; a device without pass-through gives pass_through none and no error.
DriveCapabilities identify_drive(FirmwareEraseDevice& device);

// IDENTIFY DEVICE, sent and parsed; the error names the device and the cause.
std::expected<AtaIdentify, std::string> read_ata_identify(FirmwareEraseDevice& device);

// HPA: READ NATIVE MAX ADDRESS (EXT), or GET NATIVE MAX ADDRESS EXT on drives with Accessible Max
// Address; DCO: DEVICE CONFIGURATION IDENTIFY. Read-only.
HiddenAreaProbe probe_hidden_areas(FirmwareEraseDevice& device, const AtaIdentify& id);

// Removes the HPA (SET MAX ADDRESS EXT to the native maximum, non-volatile so that the household
// gets the whole disk, or SET ACCESSIBLE MAX ADDRESS EXT) and the DCO (DEVICE CONFIGURATION
// RESTORE), then re-reads IDENTIFY and asks the kernel to re-read the capacity. Returns the probe
// after the reset, or what failed.
std::expected<HiddenAreaProbe, std::string> reset_hidden_areas(FirmwareEraseDevice& device,
                                                               const AtaIdentify& id,
                                                               const HiddenAreaProbe& found);

// The record's view of the hidden areas before (and after a reset).
records::HiddenAreaStatus hidden_area_status(const HiddenAreaProbe& before,
                                             const std::optional<HiddenAreaProbe>& after,
                                             std::uint32_t sector_bytes, bool reset_asked,
                                             std::string_view pass_through);

// How long a method may take on this drive before the purge gives up waiting: twice the drive's own
// estimate plus 10 minutes when it gives one (ATA words 89/90, NVMe Sanitize log), else a floor per
// method (docs/PURGE.md, "Timeouts").
std::chrono::milliseconds purge_timeout(profiles::WipeMethod method,
                                        const DriveCapabilities& drive);

// RAII owner of the temporary SECURITY password: armed before SET PASSWORD, it clears the password
// when destroyed unless the erase removed it. clear() does the work and says what happened.
class PasswordGuard {
public:
  explicit PasswordGuard(FirmwareEraseDevice& device) : m_device(device) {}
  PasswordGuard(const PasswordGuard&) = delete;
  PasswordGuard& operator=(const PasswordGuard&) = delete;
  ~PasswordGuard();
  // Makes sure the drive has no user password left: IDENTIFY; if one is set, SECURITY UNLOCK (when
  // locked) and SECURITY DISABLE PASSWORD with k_temporary_password; IDENTIFY again. Idempotent.
  std::expected<void, std::string> clear();
  void disarm() { m_armed = false; }
  // Filled by clear(): one sentence for the record's notes.
  const std::string& outcome() const { return m_outcome; }

private:
  FirmwareEraseDevice& m_device;
  bool m_armed = true;
  std::string m_outcome;
};

// The warning a record carries when the password could not be cleared.
std::string locked_drive_warning(const std::string& device);

struct PurgeOptions {
  profiles::WipeMethod method = profiles::WipeMethod::ata_sanitize_crypto;
  profiles::HiddenAreas hidden_areas = profiles::HiddenAreas::reset;
  profiles::Verification verify =
      profiles::Verification::sample; // crypto erases are always verified
  std::optional<std::string> confirm_serial;
  std::size_t samples = 256;                     // sampled sectors besides the first and the last
  std::uint64_t sample_seed = 0;                 // 0: drawn at random
  std::chrono::milliseconds poll_interval{5000}; // sanitize progress
  // Record fields the caller knows.
  std::string tool_version;
  std::string operator_name;
  std::string site;
  std::string contact;
  std::string source_property;
};

struct PurgeEnvironment {
  FirmwareEraseDevice& device;
  const base::Clock& clock;
  SectorReader* sectors = nullptr;       // null: no verification possible (the record says so)
  SectorWriter* marker_writer = nullptr; // null: blank samples cannot get verification markers
  ProgressSink progress;
};

records::ErasureRecord purge_drive(const PurgeOptions& options, PurgeEnvironment& env);

// The report of `identify`: JSON (stable keys, docs/PURGE.md) and text for a volunteer.
nlohmann::json to_json(const DriveCapabilities&);
std::string to_text(const DriveCapabilities&);

} // namespace atelier::imager
