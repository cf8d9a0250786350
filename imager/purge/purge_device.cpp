#include "imager/purge/purge_device.h"

#include "base/unique_fd.h"
#include "imager/disk/block_device.h"
#include "imager/disk/device_identity.h"
#include "imager/disk/disks.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/nvme_ioctl.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;

// Host and driver status values of the SG_IO header (include/scsi/scsi.h, sg.h).
constexpr unsigned k_did_time_out = 0x03;
constexpr unsigned k_driver_timeout = 0x06;
constexpr unsigned char k_check_condition = 0x02;

std::string read_attr(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  const auto end = text.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

// The sense bytes in hex, appended to errors so that a report from the field shows what came back.
std::string sense_hex(std::span<const std::uint8_t> sense) {
  std::string text = " [sense";
  for (const auto b : sense) {
    text += fmt::format(" {:02x}", b);
  }
  return text + "]";
}

struct Classification {
  PassThrough pass_through = PassThrough::none;
  std::string kind;
};

// Which pass-through a kernel block device offers, from its name and sysfs.
Classification classify(const std::string& name, const std::string& bus) {
  const std::array<std::pair<std::string_view, std::string_view>, 9> k_virtual{{
      {"loop", "loop"},
      {"vd", "virtio"},
      {"xvd", "Xen virtual disk"},
      {"dm-", "device-mapper"},
      {"md", "software RAID (md)"},
      {"nbd", "network block device"},
      {"zram", "compressed RAM disk"},
      {"ram", "RAM disk"},
      {"mmcblk", "eMMC/SD card"},
  }};
  for (const auto& [prefix, kind] : k_virtual) {
    if (name.starts_with(prefix)) {
      return {PassThrough::none, std::string(kind)};
    }
  }
  if (name.starts_with("nvme")) {
    return {PassThrough::nvme, "NVMe namespace"};
  }
  if (name.starts_with("sr")) {
    return {PassThrough::none, "optical drive"};
  }
  if (name.starts_with("sd")) {
    // libata names every disk's SCSI vendor "ATA"; a USB bridge may translate ATA PASS-THROUGH
    // (SAT) or not: the first IDENTIFY tells.
    const std::string vendor = read_attr(fs::path("/sys/block") / name / "device/vendor");
    if (vendor == "ATA") {
      return {PassThrough::ata, "ATA disk"};
    }
    if (bus == "usb") {
      return {PassThrough::ata, "USB disk (ATA pass-through only if its bridge translates it)"};
    }
    return {PassThrough::none, "SCSI/SAS disk (SCSI SANITIZE is not supported)"};
  }
  return {PassThrough::none, name};
}

class LinuxFirmwareEraseDevice final : public FirmwareEraseDevice {
public:
  LinuxFirmwareEraseDevice(std::string path, std::string name, base::UniqueFd fd, Classification c,
                           std::string bus, std::uint32_t nsid)
      : m_path(std::move(path)), m_name(std::move(name)), m_fd(std::move(fd)),
        m_class(std::move(c)), m_bus(std::move(bus)), m_nsid(nsid) {}

  const std::string& path() const override { return m_path; }
  PassThrough pass_through() const override { return m_class.pass_through; }
  std::string kind() const override { return m_class.kind; }
  std::string bus() const override { return m_bus; }
  std::string media() const override {
    const std::string rotational = read_attr(fs::path("/sys/block") / m_name / "queue/rotational");
    return media_for(m_bus,
                     rotational.empty() ? std::nullopt : std::optional<bool>(rotational != "0"));
  }
  std::uint32_t nvme_namespace() const override { return m_nsid; }

  std::expected<AtaRegisters, DeviceError> ata(const AtaCommand& command,
                                               std::span<std::uint8_t> data,
                                               std::chrono::milliseconds timeout) override {
    const std::string what = fmt::format("{}: {}", m_path, ata_command_name(command));
    if (m_class.pass_through != PassThrough::ata) {
      return std::unexpected(
          DeviceError{what + ": no ATA pass-through on this device (" + m_class.kind + ")", false,
                      true, std::nullopt, std::nullopt});
    }
    if (data.size() != std::size_t{command.data_blocks} * 512U) {
      return std::unexpected(DeviceError{what + ": data buffer size does not match the command",
                                         false, true, std::nullopt, std::nullopt});
    }
    auto cdb = ata_pass_through_16(command);
    std::array<std::uint8_t, 64> sense{};
    sg_io_hdr_t hdr{};
    hdr.interface_id = 'S';
    hdr.cmd_len = static_cast<unsigned char>(cdb.size());
    hdr.cmdp = cdb.data();
    hdr.mx_sb_len = static_cast<unsigned char>(sense.size());
    hdr.sbp = sense.data();
    hdr.dxfer_direction = command.protocol == AtaProtocol::pio_in    ? SG_DXFER_FROM_DEV
                          : command.protocol == AtaProtocol::pio_out ? SG_DXFER_TO_DEV
                                                                     : SG_DXFER_NONE;
    hdr.dxferp = data.empty() ? nullptr : data.data();
    hdr.dxfer_len = static_cast<unsigned>(data.size());
    hdr.timeout = static_cast<unsigned>(std::min<std::int64_t>(timeout.count(), 0x7FFFFFFF));
    if (::ioctl(m_fd.get(), SG_IO, &hdr) != 0) {
      const int error = errno;
      return std::unexpected(DeviceError{fmt::format("{}: SG_IO: {}", what, errno_text(error)),
                                         error == ETIMEDOUT, error != ETIMEDOUT, std::nullopt,
                                         std::nullopt});
    }
    if (hdr.host_status == k_did_time_out || (hdr.driver_status & 0x0FU) == k_driver_timeout) {
      return std::unexpected(
          DeviceError{fmt::format("{}: no answer within {} s", what, timeout.count() / 1000), true,
                      false, std::nullopt, std::nullopt});
    }
    const std::span<const std::uint8_t> sense_bytes(sense.data(), hdr.sb_len_wr);
    const auto decoded = decode_sense(sense_bytes);
    if (decoded && decoded->ata) {
      if (decoded->ata->failed()) {
        return std::unexpected(DeviceError{
            fmt::format("{}: the drive refused it (ATA status {:02X}h, error {:02X}h{}){}", what,
                        decoded->ata->status, decoded->ata->error,
                        decoded->ata->aborted() ? ", command aborted" : "", sense_hex(sense_bytes)),
            false, false, decoded->ata, std::nullopt});
      }
      return *decoded->ata;
    }
    if (hdr.status == k_check_condition && decoded) {
      return std::unexpected(
          DeviceError{fmt::format("{}: {} — the device does not accept ATA PASS-THROUGH "
                                  "(not an ATA drive, or a USB bridge that blocks it){}",
                                  what, describe_sense(*decoded), sense_hex(sense_bytes)),
                      false, true, std::nullopt, std::nullopt});
    }
    if (hdr.host_status != 0 || (hdr.driver_status & 0x0FU) != 0 || hdr.status != 0) {
      return std::unexpected(
          DeviceError{fmt::format("{}: SG_IO status {:02X}h, host {:02X}h, driver {:02X}h", what,
                                  hdr.status, hdr.host_status, hdr.driver_status),
                      false, true, std::nullopt, std::nullopt});
    }
    // CK_COND was set: a translating layer that returns no registers at all did not run the
    // command as ATA (some USB bridges answer like this). Never take that as success.
    return std::unexpected(
        DeviceError{what + ": no ATA registers came back (the bridge does not translate "
                           "ATA PASS-THROUGH)",
                    false, true, std::nullopt, std::nullopt});
  }

  std::expected<std::uint32_t, DeviceError> nvme_admin(const NvmeAdminCommand& command,
                                                       std::span<std::uint8_t> data,
                                                       std::chrono::milliseconds timeout) override {
    const std::string what = fmt::format("{}: {}", m_path, nvme_command_name(command));
    if (m_class.pass_through != PassThrough::nvme) {
      return std::unexpected(
          DeviceError{what + ": no NVMe pass-through on this device (" + m_class.kind + ")", false,
                      true, std::nullopt, std::nullopt});
    }
    if (data.size() != command.data_bytes) {
      return std::unexpected(DeviceError{what + ": data buffer size does not match the command",
                                         false, true, std::nullopt, std::nullopt});
    }
    nvme_admin_cmd cmd{};
    cmd.opcode = command.opcode;
    cmd.nsid = command.nsid;
    cmd.cdw10 = command.cdw10;
    cmd.cdw11 = command.cdw11;
    cmd.cdw12 = command.cdw12;
    cmd.cdw13 = command.cdw13;
    cmd.addr = reinterpret_cast<std::uintptr_t>(data.data());
    cmd.data_len = command.data_bytes;
    cmd.timeout_ms =
        static_cast<std::uint32_t>(std::min<std::int64_t>(timeout.count(), 0xFFFFFFFF));
    const int rc = ::ioctl(m_fd.get(), NVME_IOCTL_ADMIN_CMD, &cmd);
    if (rc < 0) {
      const int error = errno;
      const bool timed_out = error == EINTR || error == ETIMEDOUT;
      return std::unexpected(DeviceError{fmt::format("{}: {}", what, errno_text(error)), timed_out,
                                         !timed_out, std::nullopt, std::nullopt});
    }
    if (rc > 0) {
      const auto status = static_cast<std::uint32_t>(rc);
      return std::unexpected(DeviceError{
          fmt::format("{}: the drive refused it: {}", what, describe_nvme_status(status)), false,
          false, std::nullopt, status});
    }
    return cmd.result;
  }

  std::expected<void, std::string> rescan_capacity() override {
    const fs::path rescan = fs::path("/sys/block") / m_name / "device/rescan";
    std::ofstream out(rescan);
    if (!out || !(out << "1\n") || !out.flush()) {
      return std::unexpected(fmt::format("{}: cannot ask the kernel to re-read the capacity ({})",
                                         m_path, rescan.string()));
    }
    return {};
  }

private:
  std::string m_path;
  std::string m_name;
  base::UniqueFd m_fd;
  Classification m_class;
  std::string m_bus;
  std::uint32_t m_nsid;
};

// SectorWriter over the overwrite engine's block device (O_DIRECT), so both layers read the disk
// the same way.
class BlockDeviceSectors final : public SectorWriter {
public:
  explicit BlockDeviceSectors(std::unique_ptr<BlockDevice> device) : m_device(std::move(device)) {}
  std::uint64_t size_bytes() const override { return m_device->geometry().size_bytes; }
  std::uint32_t sector_bytes() const override { return m_device->geometry().logical_sector_bytes; }

  std::expected<void, std::string> read_at(std::uint64_t offset,
                                           std::span<std::uint8_t> out) override {
    AlignedBuffer buffer(out.size());
    std::size_t done = 0;
    while (done < out.size()) {
      auto n = m_device->read_at(buffer.span().subspan(done), offset + done);
      if (!n) {
        return std::unexpected(
            fmt::format("read at byte {}: {}", offset + done, errno_text(n.error())));
      }
      if (*n == 0) {
        return std::unexpected(fmt::format("read at byte {}: end of the device", offset + done));
      }
      done += *n;
    }
    std::memcpy(out.data(), buffer.data(), out.size());
    return {};
  }

  std::expected<void, std::string> write_at(std::uint64_t offset,
                                            std::span<const std::uint8_t> data) override {
    AlignedBuffer buffer(data.size());
    std::memcpy(buffer.data(), data.data(), data.size());
    std::size_t done = 0;
    while (done < data.size()) {
      auto n = m_device->write_at(buffer.span().subspan(done), offset + done);
      if (!n || *n == 0) {
        return std::unexpected(fmt::format("write at byte {}: {}", offset + done,
                                           n ? std::string("no progress") : errno_text(n.error())));
      }
      done += *n;
    }
    return {};
  }

  std::expected<void, std::string> flush() override {
    if (auto r = m_device->flush(); !r) {
      return std::unexpected("flush: " + errno_text(r.error()));
    }
    return {};
  }

private:
  std::unique_ptr<BlockDevice> m_device;
};

} // namespace

std::string_view to_string(PassThrough p) {
  switch (p) {
  case PassThrough::ata:
    return "ata";
  case PassThrough::nvme:
    return "nvme";
  case PassThrough::none:
    break;
  }
  return "none";
}

std::expected<std::unique_ptr<FirmwareEraseDevice>, std::string>
open_firmware_erase_device(const fs::path& device) {
  auto identity = identify_device(device);
  if (!identity) {
    return std::unexpected(identity.error());
  }
  if (identity->regular_file) {
    return std::unexpected(fmt::format(
        "{}: a regular file, not a disk: there is no drive firmware to ask", device.string()));
  }
  if (identity->partition) {
    return std::unexpected(
        fmt::format("{}: a partition of {}: firmware commands act on whole disks (use /dev/{})",
                    device.string(), identity->kernel_parent, identity->kernel_parent));
  }
  const std::string name = identity->kernel_name;
  std::error_code ec;
  const fs::path sysfs = fs::canonical(fs::path("/sys/class/block") / name, ec);
  const std::string bus = bus_from_path(ec ? std::string() : sysfs.string(), name);
  Classification c = classify(name, bus);
  if (c.pass_through == PassThrough::none) {
    // Nothing will be sent: no need to open (and no failure when the node is not ours to open).
    return std::make_unique<LinuxFirmwareEraseDevice>(device.string(), name, base::UniqueFd(-1),
                                                      std::move(c), bus, 0);
  }
  // Read-only is enough: as root (CAP_SYS_RAWIO, CAP_SYS_ADMIN) the kernel passes ATA and NVMe
  // commands through whatever the open mode, and `identify` must not need write access.
  const int fd = ::open(device.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return std::unexpected(fmt::format("{}: open: {}", device.string(), errno_text(errno)));
  }
  base::UniqueFd owned(fd);
  std::uint32_t nsid = 0;
  if (c.pass_through == PassThrough::nvme) {
    const int id = ::ioctl(owned.get(), NVME_IOCTL_ID);
    if (id <= 0) {
      c = {PassThrough::none, "NVMe device without a namespace id"};
    } else {
      nsid = static_cast<std::uint32_t>(id);
    }
  }
  return std::make_unique<LinuxFirmwareEraseDevice>(device.string(), name, std::move(owned),
                                                    std::move(c), bus, nsid);
}

std::expected<std::unique_ptr<SectorWriter>, std::string>
open_sector_device(const fs::path& device) {
  OpenOptions options;
  options.write = true;
  options.direct = true;
  auto opened = open_block_device(device, options);
  if (!opened) {
    return std::unexpected(opened.error());
  }
  return std::make_unique<BlockDeviceSectors>(std::move(*opened));
}

} // namespace atelier::imager
