// Real block devices for the wipe and safety tests: file-backed loop devices, mounts and swap, each
// owned by an RAII object that undoes itself (losetup -d, umount, swapoff) when the test ends.
// Needs root and /dev/loop-control; tests call loop_support_missing() and GTEST_SKIP with its reason.
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

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
    throw std::runtime_error("set-up command failed (" + std::to_string(result.exit_code) + "): " + command);
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
  LoopDevice(const std::filesystem::path& file, std::uint64_t bytes, const std::string& options = "") : m_file(file) {
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
