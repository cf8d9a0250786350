#include "imager/disk/device_identity.h"

#include "base/text.h"
#include "imager/disk/disks.h"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;

std::string trimmed(std::string_view text) {
  return std::string(base::trim(text));
}

std::optional<std::string> read_small(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text;
}

std::string read_attr(const fs::path& path) {
  return trimmed(read_small(path).value_or(""));
}

// udev's database entry for a block device: lines "E:KEY=VALUE".
std::string udev_property(std::uint32_t major, std::uint32_t minor, std::string_view key) {
  const auto text = read_small(fmt::format("/run/udev/data/b{}:{}", major, minor));
  if (!text) {
    return {};
  }
  const std::string prefix = fmt::format("E:{}=", key);
  std::size_t pos = 0;
  while (pos < text->size()) {
    auto end = text->find('\n', pos);
    if (end == std::string::npos) {
      end = text->size();
    }
    const std::string_view line(text->data() + pos, end - pos);
    if (line.starts_with(prefix)) {
      return trimmed(std::string(line.substr(prefix.size())));
    }
    pos = end + 1;
  }
  return {};
}

std::string disk_serial(const fs::path& disk_dir, std::uint32_t major, std::uint32_t minor) {
  for (const char* attr : {"device/serial", "serial"}) {
    if (auto s = read_attr(disk_dir / attr); !s.empty()) {
      return s;
    }
  }
  if (auto page = read_small(disk_dir / "device/vpd_pg80")) {
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(page->data()),
                                              page->size());
    if (auto s = serial_from_vpd_pg80(bytes)) {
      return *s;
    }
  }
  for (const char* key : {"ID_SERIAL_SHORT", "ID_SERIAL"}) {
    if (auto s = udev_property(major, minor, key); !s.empty()) {
      return s;
    }
  }
  return {};
}

} // namespace

std::string kernel_name_of(std::uint32_t major, std::uint32_t minor) {
  std::error_code ec;
  const auto resolved = fs::canonical(fmt::format("/sys/dev/block/{}:{}", major, minor), ec);
  return ec ? std::string() : resolved.filename().string();
}

std::expected<DeviceIdentity, std::string> identify_device(const fs::path& device) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0) {
    return std::unexpected(
        fmt::format("{}: cannot be opened: {}", device.string(), base::errno_text(errno)));
  }
  DeviceIdentity id;
  id.path = device.string();
  if (S_ISREG(st.st_mode)) {
    std::error_code ec;
    id.regular_file = true;
    id.serial = fs::canonical(device, ec).string();
    id.media = "file";
    return id;
  }
  if (!S_ISBLK(st.st_mode)) {
    return std::unexpected(
        fmt::format("{}: is neither a block device nor a regular file", device.string()));
  }
  id.major = ::major(st.st_rdev);
  id.minor = ::minor(st.st_rdev);
  std::error_code ec;
  const fs::path sys_dir =
      fs::canonical(fmt::format("/sys/dev/block/{}:{}", id.major, id.minor), ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: block device {}:{} has no sysfs entry", device.string(),
                                       id.major, id.minor));
  }
  id.kernel_name = sys_dir.filename().string();
  id.partition = fs::exists(sys_dir / "partition");
  const fs::path disk_dir = id.partition ? sys_dir.parent_path() : sys_dir;
  id.kernel_parent = id.partition ? disk_dir.filename().string() : std::string();
  id.read_only = read_attr(sys_dir / "ro") == "1";
  id.vendor = read_attr(disk_dir / "device/vendor");
  id.model = read_attr(disk_dir / "device/model");
  const std::string disk_name = disk_dir.filename().string();
  if (disk_name.starts_with("loop")) {
    // A loop device has no hardware serial: the file behind it identifies it (documented rule).
    id.serial = read_attr(disk_dir / "loop/backing_file");
    id.media = "file";
    return id;
  }
  // udev keys the whole disk by its own numbers ("8:0"), not the partition's.
  std::uint32_t disk_major = id.major;
  std::uint32_t disk_minor = id.minor;
  if (const auto dev = read_attr(disk_dir / "dev"); !dev.empty()) {
    std::sscanf(dev.c_str(), "%u:%u", &disk_major, &disk_minor);
  }
  id.serial = disk_serial(disk_dir, disk_major, disk_minor);
  if (id.model.empty()) {
    id.model = udev_property(disk_major, disk_minor, "ID_MODEL");
  }
  std::optional<bool> rotational;
  if (const auto rot = read_attr(disk_dir / "queue/rotational"); !rot.empty()) {
    rotational = rot != "0";
  }
  id.media = media_for(bus_from_path(disk_dir.string(), disk_name), rotational);
  return id;
}

} // namespace atelier::imager
