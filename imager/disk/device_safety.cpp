#include "imager/disk/device_safety.h"

#include "base/text.h"
#include "imager/disk/device_identity.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;
using DevNumber = std::pair<std::uint32_t, std::uint32_t>;

// A device whose use makes the target unsafe: the target itself, one of its partitions, or a device
// stacked on either (device-mapper, md, bcache).
struct Related {
  DevNumber number;
  std::string name;
  std::string role; // "it", "its partition sdb1", "dm-0 (stacked on it)"
};

std::optional<DevNumber> parse_dev(std::string_view text) {
  unsigned major = 0;
  unsigned minor = 0;
  if (std::sscanf(std::string(text).c_str(), "%u:%u", &major, &minor) != 2) {
    return std::nullopt;
  }
  return DevNumber{major, minor};
}

std::optional<DevNumber> sysfs_dev(const std::string& name) {
  std::ifstream in("/sys/class/block/" + name + "/dev");
  std::string text;
  if (!(in >> text)) {
    return std::nullopt;
  }
  return parse_dev(text);
}

std::vector<std::string> list_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  return names;
}

// The disk, its partitions, and everything stacked on any of them, transitively.
std::vector<Related> related_devices(const DeviceIdentity& id) {
  std::vector<Related> out;
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> queue{{id.kernel_name, "it"}};
  for (const auto& entry : list_names("/sys/class/block/" + id.kernel_name)) {
    if (fs::exists("/sys/class/block/" + id.kernel_name + "/" + entry + "/partition")) {
      queue.emplace_back(entry, "its partition " + entry);
    }
  }
  while (!queue.empty()) {
    auto [name, role] = queue.front();
    queue.erase(queue.begin());
    if (!seen.insert(name).second) {
      continue;
    }
    if (auto number = sysfs_dev(name)) {
      out.push_back({*number, name, role});
    }
    for (const auto& holder : list_names("/sys/class/block/" + name + "/holders")) {
      queue.emplace_back(holder, holder + " (stacked on " + (role == "it" ? "it" : name) + ")");
    }
  }
  return out;
}

// mountinfo and /proc/swaps escape blanks and backslashes as \ooo octal.
std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      const std::string digits(text.substr(i + 1, 3));
      if (digits.find_first_not_of("01234567") == std::string::npos) {
        out.push_back(static_cast<char>(std::stoi(digits, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

struct Mount {
  DevNumber number;
  std::string mount_point;
  std::string source;
};

std::vector<Mount> read_mounts() {
  std::vector<Mount> mounts;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (!(fields >> id >> parent >> dev >> root >> point)) {
      continue;
    }
    const auto sep = line.find(" - ");
    std::string fstype, source;
    if (sep != std::string::npos) {
      std::istringstream tail(line.substr(sep + 3));
      tail >> fstype >> source;
    }
    if (auto number = parse_dev(dev)) {
      mounts.push_back({*number, unescape(point), unescape(source)});
    }
  }
  return mounts;
}

std::optional<DevNumber> block_number(const std::string& path) {
  struct stat st {};
  if (path.empty() || path[0] != '/' || ::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) {
    return std::nullopt;
  }
  return DevNumber{::major(st.st_rdev), ::minor(st.st_rdev)};
}

// The related device a mount sits on: by its major:minor, or (btrfs reports an anonymous 0:N) by
// the block device its source names.
const Related* mount_on(const Mount& mount, const std::vector<Related>& related) {
  const auto source = block_number(mount.source);
  for (const auto& r : related) {
    if (r.number == mount.number || (source && *source == r.number)) {
      return &r;
    }
  }
  return nullptr;
}

std::string subject(const Related& r) {
  return r.role == "it" ? "it" : r.role;
}

std::expected<void, std::string> refuse(const fs::path& device, const std::string& reason) {
  return std::unexpected(fmt::format("{}: refused: {}", device.string(), reason));
}

std::expected<void, std::string> check_mounts_and_swap(const fs::path& device,
                                                       const std::vector<Related>& related) {
  const auto mounts = read_mounts();
  // The running system first: the most serious mistake gets the plainest sentence.
  for (const auto& m : mounts) {
    if (m.mount_point != "/" && m.mount_point != "/boot" && m.mount_point != "/boot/efi") {
      continue;
    }
    if (const Related* r = mount_on(m, related)) {
      return refuse(
          device,
          fmt::format("{} holds the running system's {} filesystem ({}); this is the computer "
                      "you are working on, not a donated disk",
                      subject(*r), m.mount_point == "/" ? "root" : "boot", m.mount_point));
    }
  }
  for (const auto& m : mounts) {
    if (const Related* r = mount_on(m, related)) {
      return refuse(device, fmt::format("{} is mounted on {}; unmount it first (umount '{}')",
                                        subject(*r), m.mount_point, m.mount_point));
    }
  }
  std::ifstream swaps("/proc/swaps");
  std::string line;
  std::getline(swaps, line); // header
  while (std::getline(swaps, line)) {
    std::istringstream fields(line);
    std::string file;
    if (!(fields >> file)) {
      continue;
    }
    file = unescape(file);
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      continue;
    }
    const DevNumber number = S_ISBLK(st.st_mode)
                                 ? DevNumber{::major(st.st_rdev), ::minor(st.st_rdev)}
                                 : DevNumber{::major(st.st_dev), ::minor(st.st_dev)};
    for (const auto& r : related) {
      if (r.number == number) {
        return refuse(device,
                      fmt::format("{} is in use as swap ({}); turn it off first (swapoff '{}')",
                                  subject(r), file, file));
      }
    }
  }
  for (const auto& r : related) {
    if (r.role != "it" && r.role.find("stacked") != std::string::npos) {
      return refuse(
          device,
          fmt::format("{} is stacked on it (device-mapper, RAID or cache); remove that first "
                      "(lsblk '{}' shows the stack)",
                      r.name, device.string()));
    }
  }
  return {};
}

std::expected<void, std::string> check_exclusive(const fs::path& device) {
  const int fd = ::open(device.c_str(), O_RDONLY | O_EXCL | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return {};
  }
  if (errno == EBUSY) {
    return refuse(
        device,
        fmt::format("another program holds it open exclusively (a filesystem, RAID/LVM member or "
                    "a running tool); find it with `lsblk '{0}'` and `fuser -v '{0}'` and stop it",
                    device.string()));
  }
  return refuse(device, fmt::format("it cannot be opened: {}", base::errno_text(errno)));
}

std::expected<void, std::string> check_serial(const fs::path& device, const DeviceIdentity& id,
                                              const SafetyOptions& options) {
  // A disk that reports no serial is confirmed by its kernel name (documented in docs/WIPE.md).
  const std::string expected = id.serial.empty() ? id.kernel_name : id.serial;
  if (!options.confirm_serial) {
    if (options.in_boot_environment) {
      return {};
    }
    return refuse(
        device,
        fmt::format("outside the Atelier boot environment an overwrite needs --confirm-serial with "
                    "the disk's serial; read it with `lsblk -o NAME,MODEL,SERIAL '{}'`, compare it "
                    "with the label on the disk and repeat with --confirm-serial SERIAL",
                    device.string()));
  }
  auto given = *options.confirm_serial;
  while (!given.empty() && (given.back() == ' ' || given.back() == '\n')) {
    given.pop_back();
  }
  if (given != expected) {
    return refuse(
        device,
        fmt::format("--confirm-serial '{}' does not match the disk's serial '{}'; check that you "
                    "named the right disk",
                    given, expected));
  }
  return {};
}

} // namespace

bool running_in_boot_environment(const fs::path& marker) {
  std::error_code ec;
  return fs::exists(marker, ec);
}

std::expected<void, std::string> check_overwrite_allowed(const fs::path& device,
                                                         const SafetyOptions& options) {
  auto id = identify_device(device);
  if (!id) {
    return std::unexpected(id.error());
  }
  if (id->regular_file) {
    if (!options.allow_regular_file) {
      return refuse(
          device,
          "it is a regular file, not a disk (files are overwritten only for tests and benches, "
          "with --allow-regular-file)");
    }
    return {}; // a file the caller explicitly allowed: no mounts, swap or serial to check
  }
  if (id->partition) {
    return refuse(device,
                  fmt::format("it is a partition of {}; Atelier erases whole disks (give /dev/{})",
                              id->kernel_parent, id->kernel_parent));
  }
  if (id->read_only) {
    return refuse(
        device,
        "the kernel reports it read-only (write-protect switch, or a read-only loop device)");
  }
  const auto related = related_devices(*id);
  if (auto ok = check_mounts_and_swap(device, related); !ok) {
    return ok;
  }
  if (auto ok = check_exclusive(device); !ok) {
    return ok;
  }
  return check_serial(device, *id, options);
}

} // namespace atelier::imager
