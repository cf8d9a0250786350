// Running the deployed system's own programs (locale-gen, useradd, grub-install, update-grub)
// inside it, with the pseudo-filesystems they need, all undone on every path.
//
// /dev in the chroot is a private tmpfs, not a bind of the host's /dev: it holds the standard
// nodes, the target disk and its partitions, and /dev/disk/by-uuid links for the new filesystems.
// The boot environment has no udev, so without those links grub-mkconfig would write root=/dev/sdX
// (or /dev/loopNpM) instead of root=UUID=...; making them in the host's devtmpfs would leave stray
// links behind, and a recursive bind of the host's /dev risks unmount propagation. /proc and /sys
// are fresh instances, /run an empty tmpfs. No efivarfs: GRUB is installed with --no-nvram.
//
// Programs run as `env -i PATH=... chroot ROOT argv...`: a clean environment, nothing of the boot
// environment's leaks into the installed system.
#pragma once

#include "base/process_runner.h"
#include "imager/deploy/target_root.h"
#include "imager/sys/mounts.h"

#include <chrono>
#include <expected>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace atelier::imager {

struct ChrootDevices {
  std::string disk;                    // e.g. "/dev/loop0", made at the same path inside
  std::vector<std::string> partitions; // likewise
  std::vector<std::pair<std::string, std::string>> by_uuid; // {uuid, partition node}
};

// Makes `path` (an absolute path of the installed system) a real directory and refuses it if any
// component is a symbolic link, so mounting on it cannot land outside the tree.
std::expected<std::filesystem::path, std::string> safe_mount_point(TargetRoot& root,
                                                                   std::string_view path);

class ChrootSession {
public:
  static std::expected<ChrootSession, std::string>
  open(TargetRoot& root, const ChrootDevices& devices, base::ProcessRunner& runner);
  ChrootSession(ChrootSession&&) noexcept = default;
  ChrootSession& operator=(ChrootSession&&) = delete;
  ChrootSession(const ChrootSession&) = delete;
  ChrootSession& operator=(const ChrootSession&) = delete;
  ~ChrootSession() = default; // m_mounts unmounts

  // Runs argv inside the tree. An error only when the program could not be started at all.
  std::expected<base::ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds timeout);
  // Like run, but a non-zero exit is an error quoting the program's last line of output.
  std::expected<base::ProcessResult, std::string> check(const std::vector<std::string>& argv,
                                                        std::chrono::milliseconds timeout);
  // Mounts a filesystem inside the tree (e.g. the ESP on /boot/efi), undone with the session.
  std::expected<void, std::string> mount(const std::string& source, std::string_view path,
                                         const std::string& type);
  // Undoes every mount now; the first error.
  std::expected<void, std::string> close() { return m_mounts.unmount_all(); }

private:
  ChrootSession(TargetRoot& root, base::ProcessRunner& runner) : m_root(&root), m_runner(&runner) {}
  TargetRoot* m_root;
  base::ProcessRunner* m_runner;
  MountStack m_mounts;
};

// The last non-empty line of a program's standard error, else of its standard output.
std::string last_output_line(const base::ProcessResult&);

} // namespace atelier::imager
