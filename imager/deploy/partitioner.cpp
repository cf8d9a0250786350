#include "imager/deploy/partitioner.h"

#include "base/text.h"
#include "base/unique_fd.h"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <parted/parted.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;

// libparted reports problems through a global exception handler that would otherwise prompt on the
// terminal. This one keeps the messages of the current call and answers without asking: warnings
// that can be ignored are ignored (and kept), everything else is cancelled, which makes the
// libparted call fail.
thread_local std::string t_parted_messages;

PedExceptionOption parted_handler(PedException* ex) {
  if (!t_parted_messages.empty()) {
    t_parted_messages += "; ";
  }
  t_parted_messages += ex->message != nullptr ? ex->message : "(no message)";
  const bool mild = ex->type == PED_EXCEPTION_INFORMATION || ex->type == PED_EXCEPTION_WARNING;
  if (mild && (ex->options & PED_EXCEPTION_IGNORE) != 0) {
    return PED_EXCEPTION_IGNORE;
  }
  if (mild && (ex->options & PED_EXCEPTION_OK) != 0) {
    return PED_EXCEPTION_OK;
  }
  if ((ex->options & PED_EXCEPTION_CANCEL) != 0) {
    return PED_EXCEPTION_CANCEL;
  }
  return PED_EXCEPTION_UNHANDLED;
}

// Installs the handler for one call and clears the messages.
class PartedScope {
public:
  PartedScope() {
    t_parted_messages.clear();
    ped_exception_set_handler(parted_handler);
  }
  ~PartedScope() { ped_exception_set_handler(nullptr); }
  PartedScope(const PartedScope&) = delete;
  PartedScope& operator=(const PartedScope&) = delete;

  // "what: libparted's messages" or just "what".
  std::string error(const std::string& what) const {
    return t_parted_messages.empty() ? what : what + ": " + t_parted_messages;
  }
};

// An opened PedDevice; closed and dropped from libparted's cache on every path.
class Device {
public:
  static std::expected<Device, std::string> open(const std::string& path,
                                                 const PartedScope& scope) {
    PedDevice* dev = ped_device_get(path.c_str());
    if (dev == nullptr) {
      return std::unexpected(scope.error(path + ": not a device libparted can open"));
    }
    if (ped_device_open(dev) == 0) {
      ped_device_destroy(dev);
      return std::unexpected(scope.error(path + ": cannot open"));
    }
    return Device(dev);
  }
  Device(Device&& other) noexcept : m_dev(std::exchange(other.m_dev, nullptr)) {}
  Device& operator=(Device&&) = delete;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  ~Device() {
    if (m_dev != nullptr) {
      ped_device_close(m_dev);
      ped_device_destroy(m_dev);
    }
  }
  PedDevice* get() const { return m_dev; }

private:
  explicit Device(PedDevice* dev) : m_dev(dev) {}
  PedDevice* m_dev = nullptr;
};

struct DiskDeleter {
  void operator()(PedDisk* disk) const { ped_disk_destroy(disk); }
};
using Disk = std::unique_ptr<PedDisk, DiskDeleter>;

struct ConstraintDeleter {
  void operator()(PedConstraint* c) const { ped_constraint_destroy(c); }
};
using Constraint = std::unique_ptr<PedConstraint, ConstraintDeleter>;

class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  int get() const { return m_fd; }

private:
  int m_fd;
};

using base::errno_text;

// Writes zeros over [offset, offset + length) and flushes them to the device.
std::expected<void, std::string> zero_range(int fd, const std::string& device, std::uint64_t offset,
                                            std::uint64_t length) {
  static const std::vector<char> zeros(k_mib, 0);
  while (length > 0) {
    const std::size_t chunk =
        static_cast<std::size_t>(std::min<std::uint64_t>(length, zeros.size()));
    const ssize_t wrote = ::pwrite(fd, zeros.data(), chunk, static_cast<off_t>(offset));
    if (wrote < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::unexpected(
          fmt::format("{}: write at byte {}: {}", device, offset, errno_text(errno)));
    }
    offset += static_cast<std::uint64_t>(wrote);
    length -= static_cast<std::uint64_t>(wrote);
  }
  return {};
}

// Zeroes the first and last MiB of a block device. `exclusive` opens with O_EXCL, which fails while
// anything (a mount, swap, device-mapper) holds the disk or one of its partitions.
std::expected<void, std::string> clear_ends(const std::string& device, bool exclusive) {
  base::UniqueFd fd(::open(device.c_str(), O_WRONLY | O_CLOEXEC | (exclusive ? O_EXCL : 0)));
  if (fd.get() < 0) {
    return std::unexpected(
        fmt::format("{}: cannot open for writing: {}", device, errno_text(errno)));
  }
  const off_t end = ::lseek(fd.get(), 0, SEEK_END);
  if (end < 0) {
    return std::unexpected(fmt::format("{}: cannot find its size: {}", device, errno_text(errno)));
  }
  const auto size = static_cast<std::uint64_t>(end);
  const std::uint64_t head = std::min(size, k_mib);
  if (auto ok = zero_range(fd.get(), device, 0, head); !ok) {
    return ok;
  }
  if (size > head) {
    const std::uint64_t tail_start = size - std::min(size - head, k_mib);
    if (auto ok = zero_range(fd.get(), device, tail_start, size - tail_start); !ok) {
      return ok;
    }
  }
  if (::fsync(fd.get()) != 0) {
    return std::unexpected(fmt::format("{}: flush: {}", device, errno_text(errno)));
  }
  return {};
}

bool is_block_device(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
}

// Waits until every node exists as a block device. Without udev (the boot environment) devtmpfs
// creates the nodes as soon as the kernel knows the partitions; a kernel that did not take the
// table through libparted's BLKPG calls gets one `partx -u` after a second.
std::expected<void, std::string> wait_for_nodes(const std::string& device,
                                                const std::vector<std::string>& nodes,
                                                base::ProcessRunner& runner,
                                                const base::Clock& clock) {
  const auto start = clock.monotonic();
  bool asked_partx = false;
  while (true) {
    std::string missing;
    for (const auto& node : nodes) {
      if (!is_block_device(node)) {
        missing = node;
        break;
      }
    }
    if (missing.empty()) {
      return {};
    }
    const auto waited = clock.monotonic() - start;
    if (!asked_partx && waited > 1s) {
      asked_partx = true;
      (void)runner.run({"partx", "-u", device}, 30s);
    }
    if (waited > 15s) {
      return std::unexpected(
          fmt::format("{}: the kernel did not create {} after the partition table was "
                      "written (partx -u did not help)",
                      device, missing));
    }
    clock.sleep_for(50ms);
  }
}

const char* filesystem_type_name(PartitionRole role) {
  switch (role) {
  case PartitionRole::esp:
    return "fat32";
  case PartitionRole::swap:
    return "linux-swap(v1)";
  case PartitionRole::root:
    return "ext4"; // the type code only: Linux data on either table
  case PartitionRole::bios_boot:
    return nullptr;
  }
  return nullptr;
}

const char* gpt_name(PartitionRole role) {
  switch (role) {
  case PartitionRole::esp:
    return "EFI system partition";
  case PartitionRole::bios_boot:
    return "BIOS boot partition";
  case PartitionRole::root:
    return "root";
  case PartitionRole::swap:
    return "swap";
  }
  return "";
}

std::expected<void, std::string> set_flag(PedPartition* part, PedPartitionFlag flag,
                                          const PartedScope& scope, const std::string& device) {
  if (ped_partition_is_flag_available(part, flag) == 0 ||
      ped_partition_set_flag(part, flag, 1) == 0) {
    return std::unexpected(
        scope.error(fmt::format("{}: cannot set the {} flag on partition {}", device,
                                ped_partition_flag_get_name(flag), part->num)));
  }
  return {};
}

} // namespace

std::expected<DiskGeometry, std::string> probe_disk(const std::string& device) {
  PartedScope scope;
  auto dev = Device::open(device, scope);
  if (!dev) {
    return std::unexpected(dev.error());
  }
  DiskGeometry g;
  g.logical_sector_size = static_cast<std::uint32_t>(dev->get()->sector_size);
  g.physical_sector_size = static_cast<std::uint32_t>(dev->get()->phys_sector_size);
  g.size_bytes = static_cast<std::uint64_t>(dev->get()->length) * g.logical_sector_size;
  g.model = dev->get()->model != nullptr ? dev->get()->model : "";
  return g;
}

std::string partition_path(std::string_view disk, int number) {
  std::string out(disk);
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.back())) != 0) {
    out += 'p';
  }
  return out + std::to_string(number);
}

std::expected<std::vector<std::string>, std::string> apply_layout(const std::string& device,
                                                                  const PartitionLayout& layout,
                                                                  base::ProcessRunner& runner,
                                                                  const base::Clock& clock) {
  if (auto cleared = clear_ends(device, true); !cleared) {
    return std::unexpected(cleared.error());
  }
  PartedScope scope;
  auto dev = Device::open(device, scope);
  if (!dev) {
    return std::unexpected(dev.error());
  }
  if (static_cast<std::uint64_t>(dev->get()->sector_size) != layout.sector_size ||
      static_cast<std::uint64_t>(dev->get()->length) != layout.disk_sectors) {
    return std::unexpected(
        fmt::format("{}: the disk changed since the layout was planned ({} sectors of {} "
                    "bytes, planned {} of {})",
                    device, dev->get()->length, dev->get()->sector_size, layout.disk_sectors,
                    layout.sector_size));
  }
  PedDiskType* type = ped_disk_type_get(layout.table == PartitionTable::gpt ? "gpt" : "msdos");
  if (type == nullptr) {
    return std::unexpected(
        scope.error("libparted has no " + std::string(to_string(layout.table)) + " support"));
  }
  Disk disk(ped_disk_new_fresh(dev->get(), type));
  if (!disk) {
    return std::unexpected(scope.error(device + ": cannot create a new partition table"));
  }
  std::vector<std::string> nodes;
  for (const auto& planned : layout.partitions) {
    const char* fs_name = filesystem_type_name(planned.role);
    PedFileSystemType* fs = fs_name != nullptr ? ped_file_system_type_get(fs_name) : nullptr;
    PedPartition* part = ped_partition_new(disk.get(), PED_PARTITION_NORMAL, fs,
                                           static_cast<PedSector>(planned.start_sector),
                                           static_cast<PedSector>(planned.end_sector));
    if (part == nullptr) {
      return std::unexpected(
          scope.error(fmt::format("{}: cannot create partition {}", device, planned.number)));
    }
    Constraint exact(ped_constraint_exact(&part->geom));
    if (!exact || ped_disk_add_partition(disk.get(), part, exact.get()) == 0) {
      ped_partition_destroy(part);
      return std::unexpected(
          scope.error(fmt::format("{}: cannot add partition {} at sectors {}-{}", device,
                                  planned.number, planned.start_sector, planned.end_sector)));
    }
    if (part->num != planned.number) {
      return std::unexpected(fmt::format("{}: libparted numbered partition {} as {}", device,
                                         planned.number, part->num));
    }
    if (layout.table == PartitionTable::gpt &&
        ped_partition_set_name(part, gpt_name(planned.role)) == 0) {
      return std::unexpected(
          scope.error(fmt::format("{}: cannot name partition {}", device, planned.number)));
    }
    std::expected<void, std::string> flagged;
    if (planned.role == PartitionRole::esp) {
      flagged = set_flag(part, PED_PARTITION_ESP, scope, device);
      if (flagged) {
        flagged = set_flag(part, PED_PARTITION_BOOT, scope, device);
      }
    } else if (planned.role == PartitionRole::bios_boot) {
      flagged = set_flag(part, PED_PARTITION_BIOS_GRUB, scope, device);
    } else if (planned.role == PartitionRole::root && layout.table == PartitionTable::msdos) {
      // Some BIOSes only boot an MBR disk that has an active partition.
      flagged = set_flag(part, PED_PARTITION_BOOT, scope, device);
    } else if (planned.role == PartitionRole::swap && layout.table == PartitionTable::gpt) {
      flagged = set_flag(part, PED_PARTITION_SWAP, scope, device);
    }
    if (!flagged) {
      return std::unexpected(flagged.error());
    }
    nodes.push_back(partition_path(device, planned.number));
  }
  if (ped_disk_commit_to_dev(disk.get()) == 0) {
    return std::unexpected(scope.error(device + ": cannot write the partition table"));
  }
  if (ped_disk_commit_to_os(disk.get()) == 0) {
    // Not fatal yet: wait_for_nodes tries partx, and fails naming the missing node.
    t_parted_messages.clear();
  }
  if (auto ready = wait_for_nodes(device, nodes, runner, clock); !ready) {
    return std::unexpected(ready.error());
  }
  return nodes;
}

std::expected<void, std::string> zap_disk(const std::string& device, base::ProcessRunner& runner) {
  // Not exclusive: a filesystem detached lazily after the failure must not stop the zap.
  auto cleared = clear_ends(device, false);
  // Drop the kernel's partitions so nothing can mount the remains by accident; a disk with no
  // partition table left makes `partx -d` succeed or find nothing, both fine.
  (void)runner.run({"partx", "-d", device}, std::chrono::seconds(30));
  return cleared;
}

} // namespace atelier::imager
