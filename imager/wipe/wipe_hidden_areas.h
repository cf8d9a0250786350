// Hidden areas (HPA, DCO) before an overwrite. An overwrite writes what the kernel sees; sectors a
// disk's firmware hides behind a Host Protected Area or a Device Configuration Overlay keep their
// data unless they are made visible first. For an ATA disk this asks the drive with the purge
// module's probe (IDENTIFY, READ NATIVE MAX ADDRESS, DEVICE CONFIGURATION IDENTIFY) and, when the
// policy says reset, removes them with its reset (SET MAX ADDRESS to the native maximum, DEVICE
// CONFIGURATION RESTORE, the kernel told to re-read the capacity), so that the overwrite that
// follows covers the whole native capacity. docs/WIPE.md, "Hidden areas".
//
// Contract: nothing is guessed. A disk that cannot be asked (no ATA pass-through: virtio, loop,
// device-mapper, SCSI; behind a USB bridge; NVMe, which has neither HPA nor DCO; a regular file)
// gets checked = false with a note saying why; a command that fails is said in the note too.
#pragma once

#include "imager/purge/purge_device.h"
#include "profiles/profile.h"
#include "records/erasure_record.h"

#include <cstdint>
#include <optional>
#include <string>

namespace atelier::imager {

// Asks `device` (opened with open_firmware_erase_device) and, with policy reset, removes what it
// finds. The result is the record's hidden_areas.
records::HiddenAreaStatus prepare_hidden_areas(FirmwareEraseDevice& device,
                                               profiles::HiddenAreas policy);

// The record's hidden_areas for a device that could not be asked at all; `why` says why ("a regular
// file", the reason the pass-through device could not be opened).
records::HiddenAreaStatus hidden_areas_not_asked(const std::string& why);

// After a reset the kernel must see the native capacity, or the overwrite would miss the sectors
// just made visible: when `kernel_bytes` is smaller than status.native_bytes, the status is turned
// into "not removed" with a note saying how many bytes stay out of reach. Unchanged otherwise.
records::HiddenAreaStatus confirm_capacity(records::HiddenAreaStatus status,
                                           std::uint64_t kernel_bytes);

} // namespace atelier::imager
