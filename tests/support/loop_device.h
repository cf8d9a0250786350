// Real block devices for the wipe and safety tests: file-backed loop devices, mounts and swap, each
// owned by an RAII object that undoes itself (losetup -d, umount, swapoff) when the test ends.
// Needs root and /dev/loop-control; tests call loop_support_missing() and GTEST_SKIP with its
// reason.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

namespace atelier::imager::test {

struct CommandResult {
  int exit_code = -1;
  std::string out; // standard output (standard error goes to the test log)
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.out.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs a command that must succeed (test set-up); throws with the command line otherwise.
inline std::string must_run(const std::string& command) {
  auto result = run_command(command);
  if (result.exit_code != 0) {
    throw std::runtime_error("set-up command failed (" + std::to_string(result.exit_code) +
                             "): " + command);
  }
  while (!result.out.empty() && result.out.back() == '\n') {
    result.out.pop_back();
  }
  return result.out;
}

inline std::optional<std::string> loop_support_missing() {
  if (::geteuid() != 0) {
    return "needs root (loop devices, mounts)";
  }
  if (!std::filesystem::exists("/dev/loop-control")) {
    return "no loop device support (/dev/loop-control missing)";
  }
  return std::nullopt;
}

// A sparse file of `bytes` attached with `losetup --find --show` plus extra options
// ("-P", "--sector-size 4096", "--direct-io=on").
class LoopDevice {
public:
  LoopDevice(const std::filesystem::path& file, std::uint64_t bytes,
             const std::string& options = "")
      : m_file(file) {
    must_run("truncate -s " + std::to_string(bytes) + " '" + file.string() + "'");
    m_device = must_run("losetup --find --show " + options + " '" + file.string() + "'");
  }
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  ~LoopDevice() { run_command("losetup -d '" + m_device + "' 2>/dev/null"); }
  const std::string& path() const { return m_device; }
  const std::filesystem::path& file() const { return m_file; }
  std::string name() const { return std::filesystem::path(m_device).filename().string(); }

private:
  std::filesystem::path m_file;
  std::string m_device;
};

// A tmpfs of exactly `bytes` mounted on `dir`, unmounted when the object ends.
class TmpfsMount {
public:
  TmpfsMount(const std::filesystem::path& dir, std::uint64_t bytes) : m_dir(dir) {
    std::filesystem::create_directories(dir);
    must_run("mount -t tmpfs -o size=" + std::to_string(bytes) + " tmpfs '" + dir.string() + "'");
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  ~TmpfsMount() { run_command("umount '" + m_dir.string() + "' 2>/dev/null"); }
  const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_dir;
};

// One block-queue attribute (/sys/block/NAME/queue/ATTRIBUTE) set for the life of the object, then
// put back. Putting it back matters: the setting belongs to the loop device NUMBER and outlives
// `losetup -d`, so the next test (or program) that gets that number would inherit it.
class QueueSetting {
public:
  QueueSetting(const std::string& device_name, const std::string& attribute,
               const std::string& value)
      : m_file("/sys/block/" + device_name + "/queue/" + attribute), m_saved(read()) {
    write(value);
    if (read() != value) {
      throw std::runtime_error("set-up: " + m_file + " stays " + read() + " after writing " +
                               value);
    }
  }
  QueueSetting(const QueueSetting&) = delete;
  QueueSetting& operator=(const QueueSetting&) = delete;
  ~QueueSetting() { write(m_saved); }
  std::string read() const {
    std::ifstream in(m_file);
    std::string value;
    in >> value;
    return value;
  }

private:
  void write(const std::string& value) const {
    std::ofstream out(m_file);
    out << value << '\n';
  }
  std::string m_file;
  std::string m_saved;
};

// How the loop device's requests are cut, for UnwritableRangeDevice.
enum class LoopRequests {
  // At most one page each (max_sectors_kb = 4): a request is wholly outside or wholly inside the
  // unwritable range, so the kernel reports every failing write. For tests of failing ranges.
  one_page,
  // As the block layer merges them (up to max_hw_sectors_kb). A request that starts before the
  // range and reaches into it is ACKNOWLEDGED although its part in the range was dropped (see
  // below). For tests of what verification must catch.
  as_the_kernel_merges,
};

// A loop device whose writes fail (ENOSPC from the loop driver) in the unwritable range and
// succeed everywhere else: its backing file lives on a tmpfs exactly as big as the file's allocated
// bytes, and the range is a hole that the full tmpfs cannot allocate. Reads of the range return
// zeros. This kernel has no device-mapper: this stands in for a `dmsetup` error target.
//
// Why the request size is part of the set-up: Linux's loop driver ends a WRITE request whose
// backing file wrote only part of it as a success (lo_complete_rq only treats short READs;
// kernel 6.18 here). tmpfs writes a request that starts before the hole up to the hole and then
// returns that short count, so such a request is acknowledged and its bytes in the hole are
// silently lost: no error at pwrite, none at fdatasync. Whether one of a large O_DIRECT write's
// requests spans the hole's start depends on how the block layer cuts the user buffer (its pages'
// physical layout, merging), which varies from run to run: with `as_the_kernel_merges` an 8 MiB
// write sometimes reports the hole and sometimes not.
//
// Direct I/O is off on purpose (the loop default, named so that a changed default cannot change the
// set-up); broken_precondition() checks every part of the set-up on the live objects.
class UnwritableRangeDevice {
public:
  UnwritableRangeDevice(const std::filesystem::path& dir, std::uint64_t size,
                        std::uint64_t unwritable_begin, std::uint64_t unwritable_end,
                        LoopRequests requests)
      : m_begin(check_page_aligned(unwritable_begin)), m_end(check_page_aligned(unwritable_end)),
        m_size(check_page_aligned(size)), m_requests(requests),
        m_mount(dir, m_size - (m_end - m_begin)), m_file(make_backing_file(dir / "disk.img")),
        m_loop(m_file, m_size, "--direct-io=off"),
        m_max_request_kib(
            m_loop.name(), "max_sectors_kb",
            requests == LoopRequests::one_page ? "4" : hardware_max_request_kib(m_loop.name())) {}

  const std::string& path() const { return m_loop.path(); }
  std::uint64_t size() const { return m_size; }
  std::uint64_t unwritable_bytes() const { return m_end - m_begin; }

  // Bytes of the backing file that hold data: size() - unwritable_bytes() as long as the range was
  // never allocated (checked after a wipe: nothing freed space behind the test's back).
  std::uint64_t allocated_bytes() const {
    struct stat st {};
    if (::stat(m_file.c_str(), &st) != 0) {
      throw std::runtime_error("stat " + m_file.string() + " failed");
    }
    return static_cast<std::uint64_t>(st.st_blocks) * 512U;
  }

  // Empty when the set-up holds, else what is wrong. Call it BEFORE the wipe: its last check writes
  // zeros through the loop device just before the unwritable range.
  std::optional<std::string> broken_precondition() const {
    struct statvfs fs {};
    if (::statvfs(m_mount.dir().c_str(), &fs) != 0) {
      return "statvfs " + m_mount.dir().string() + " failed";
    }
    if (fs.f_bavail != 0) {
      return "the tmpfs still has " + std::to_string(fs.f_bavail * fs.f_frsize) + " bytes free";
    }
    if (allocated_bytes() != m_size - unwritable_bytes()) {
      return "the backing file has " + std::to_string(allocated_bytes()) +
             " bytes allocated, expected " + std::to_string(m_size - unwritable_bytes());
    }
    if (sysfs("loop/dio") != "0") {
      return path() + " has direct I/O " + sysfs("loop/dio") + ", expected 0 (off)";
    }
    const std::string want =
        m_requests == LoopRequests::one_page ? "4" : sysfs("queue/max_hw_sectors_kb");
    if (sysfs("queue/max_sectors_kb") != want) {
      return path() + " has max_sectors_kb " + sysfs("queue/max_sectors_kb") + ", expected " + want;
    }
    if (run_command("dd if=/dev/zero of='" + m_file.string() + "' bs=4096 count=1 seek=" +
                    std::to_string(m_begin / 4096) + " conv=notrunc status=none 2>/dev/null")
            .exit_code == 0) {
      return "the tmpfs allocated a page of the unwritable range";
    }
    if (m_requests == LoopRequests::one_page) {
      // The kernel must refuse a write across the start of the range (not acknowledge it short).
      const std::uint64_t from = m_begin >= 32768 ? m_begin - 32768 : 0;
      if (run_command("dd if=/dev/zero of='" + path() +
                      "' oflag=direct,seek_bytes iflag=count_bytes bs=65536 count=65536 seek=" +
                      std::to_string(from) + " status=none 2>/dev/null")
              .exit_code == 0) {
        return "a write through " + path() + " across byte " + std::to_string(m_begin) +
               " was acknowledged";
      }
    }
    return std::nullopt;
  }

private:
  static std::uint64_t check_page_aligned(std::uint64_t bytes) {
    if (bytes % 4096 != 0) {
      throw std::invalid_argument("UnwritableRangeDevice: " + std::to_string(bytes) +
                                  " is not a multiple of 4096");
    }
    return bytes;
  }
  static std::string hardware_max_request_kib(const std::string& name) {
    std::ifstream in("/sys/block/" + name + "/queue/max_hw_sectors_kb");
    std::string value;
    in >> value;
    return value;
  }
  std::filesystem::path make_backing_file(const std::filesystem::path& file) const {
    const std::string f = "'" + file.string() + "'";
    must_run("truncate -s " + std::to_string(m_size) + " " + f);
    if (m_begin > 0) {
      must_run("fallocate -o 0 -l " + std::to_string(m_begin) + " " + f);
    }
    if (m_end < m_size) {
      must_run("fallocate -o " + std::to_string(m_end) + " -l " + std::to_string(m_size - m_end) +
               " " + f);
    }
    return file;
  }
  std::string sysfs(const std::string& attribute) const {
    std::ifstream in("/sys/block/" + m_loop.name() + "/" + attribute);
    std::string value;
    in >> value;
    return value;
  }

  std::uint64_t m_begin;
  std::uint64_t m_end;
  std::uint64_t m_size;
  LoopRequests m_requests;
  // Destroyed in reverse order: the queue setting put back, the loop detached, the tmpfs unmounted.
  TmpfsMount m_mount;
  std::filesystem::path m_file;
  LoopDevice m_loop;
  QueueSetting m_max_request_kib;
};

class MountPoint {
public:
  MountPoint(const std::string& device, const std::filesystem::path& dir) : m_dir(dir) {
    std::filesystem::create_directories(dir);
    must_run("mount '" + device + "' '" + dir.string() + "'");
  }
  MountPoint(const MountPoint&) = delete;
  MountPoint& operator=(const MountPoint&) = delete;
  ~MountPoint() { run_command("umount '" + m_dir.string() + "' 2>/dev/null"); }
  const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_dir;
};

class SwapOn {
public:
  explicit SwapOn(const std::string& device) : m_device(device) {
    must_run("mkswap -q '" + device + "' >/dev/null && swapon '" + device + "'");
  }
  SwapOn(const SwapOn&) = delete;
  SwapOn& operator=(const SwapOn&) = delete;
  ~SwapOn() { run_command("swapoff '" + m_device + "' 2>/dev/null"); }

private:
  std::string m_device;
};

} // namespace atelier::imager::test
