// The OS touchpoints of the firmware purge, each behind a narrow interface with a real
// implementation here and a fake in tests/imager/fake_drive.h:
//  - FirmwareEraseDevice: ATA commands through SG_IO ATA PASS-THROUGH(16) and NVMe admin commands
//    through NVME_IOCTL_ADMIN_CMD, on one open disk;
//  - SectorReader / SectorWriter: reading (and, for verification markers, writing) whole sectors,
//    bypassing the page cache, so that a crypto erase can be seen to change the media. The
//    overwrite engine's block device can satisfy these (a small adapter);
//  - time and waiting come from base::Clock (purge.h), so tests drive hour-long erases in
//  microseconds.
//
// Threads: one object is used by one thread at a time. The real device owns its file descriptor.
#pragma once

#include "imager/purge/ata_commands.h"
#include "imager/purge/nvme_commands.h"

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace atelier::imager {

enum class PassThrough { ata, nvme, none };
std::string_view to_string(PassThrough);

// Why a command did not complete. `message` is one sentence naming the command and the device.
struct DeviceError {
  std::string message;
  bool timed_out = false;                   // no answer within the timeout
  bool rejected = false;                    // the transport refused the command (not an ATA device,
                                            // a USB bridge that blocks pass-through, no permission)
  std::optional<AtaRegisters> registers;    // ATA: the device's answer, when it failed with one
  std::optional<std::uint32_t> nvme_status; // NVMe: the completion status, when non-zero
};

class FirmwareEraseDevice {
public:
  virtual ~FirmwareEraseDevice() = default;
  virtual const std::string& path() const = 0;
  virtual PassThrough pass_through() const = 0;
  // For PassThrough::none: the kind of device, for the message "no ATA/NVMe pass-through on this
  // device (loop)": "loop", "virtio", "device-mapper", "SCSI/SAS disk", ...
  virtual std::string kind() const = 0;
  // "sata", "usb", "nvme", ... (disks.h bus names), from sysfs.
  virtual std::string bus() const = 0;
  // "hdd", "ssd", "nvme", "usb" from sysfs (queue/rotational); IDENTIFY's rotation rate, when
  // reported, takes precedence (purge.cpp).
  virtual std::string media() const = 0;
  // NVMe namespace id of the block device (0 for ATA).
  virtual std::uint32_t nvme_namespace() const = 0;

  // Sends one ATA command; `data` is exactly command.data_blocks * 512 bytes, read into for PIO in
  // and sent for PIO out. Success means the device completed the command without ERR or DF.
  virtual std::expected<AtaRegisters, DeviceError> ata(const AtaCommand& command,
                                                       std::span<std::uint8_t> data,
                                                       std::chrono::milliseconds timeout) = 0;
  // Sends one NVMe admin command; `data` is exactly command.data_bytes. Returns completion dword 0.
  virtual std::expected<std::uint32_t, DeviceError>
  nvme_admin(const NvmeAdminCommand& command, std::span<std::uint8_t> data,
             std::chrono::milliseconds timeout) = 0;
  // Asks the kernel to re-read the disk's capacity after an HPA/DCO change (SCSI rescan). Returns
  // an error sentence when that is not possible.
  virtual std::expected<void, std::string> rescan_capacity() = 0;
};

// Opens a whole disk for the purge. Block devices only; a partition is refused (name the disk).
// Never fails for lack of pass-through: such a device opens with PassThrough::none, so that
// `identify` can say so. Opens read-only: root's capabilities let SG_IO and NVMe admin commands
// through regardless of the open mode.
std::expected<std::unique_ptr<FirmwareEraseDevice>, std::string>
open_firmware_erase_device(const std::filesystem::path& device);

// Whole sectors of the disk, read around the page cache (O_DIRECT), for verification by sampling.
class SectorReader {
public:
  virtual ~SectorReader() = default;
  virtual std::uint64_t size_bytes() const = 0;
  virtual std::uint32_t sector_bytes() const = 0;
  // Reads out.size() bytes at `offset`; both are multiples of sector_bytes().
  virtual std::expected<void, std::string> read_at(std::uint64_t offset,
                                                   std::span<std::uint8_t> out) = 0;
};

// Writing sectors, used only to plant verification markers on a disk about to be purged when the
// sampled sectors hold no data (a blank disk cannot show that a crypto erase changed anything).
class SectorWriter : public SectorReader {
public:
  virtual std::expected<void, std::string> write_at(std::uint64_t offset,
                                                    std::span<const std::uint8_t> data) = 0;
  virtual std::expected<void, std::string> flush() = 0;
};

// The real one: O_DIRECT on the block device, with an aligned bounce buffer.
std::expected<std::unique_ptr<SectorWriter>, std::string>
open_sector_device(const std::filesystem::path& device);

} // namespace atelier::imager
