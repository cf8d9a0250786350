// Mounts owned by the deploy: the new root under a private temporary directory, its EFI system
// partition, and the pseudo-filesystems of a chroot. RAII: every mount is undone when its owner
// goes away, on every path; `unmount()` does it explicitly and says when it could not.
//
// Unmounting retries a busy mount a few times (a process started in the chroot may still be
// closing files), then detaches it lazily as a last resort; a lazy detach is still reported as an
// error, because the filesystem may not be clean yet. Mount points are made private at once, so
// nothing the deploy mounts or unmounts propagates to the rest of the system.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace atelier::imager {

// An empty directory, mode 0700, under $TMPDIR (or /tmp), removed at the end only if it is empty:
// never recursively, so a mount that could not be undone is never deleted through.
class PrivateDir {
public:
  static std::expected<PrivateDir, std::string> create(std::string_view prefix);
  PrivateDir(PrivateDir&& other) noexcept;
  PrivateDir& operator=(PrivateDir&&) = delete;
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  ~PrivateDir();
  const std::filesystem::path& path() const { return m_path; }

private:
  explicit PrivateDir(std::filesystem::path path) : m_path(std::move(path)) {}
  std::filesystem::path m_path;
};

class Mount {
public:
  // mount(2) of a filesystem; `type` is e.g. "ext4", "vfat", "proc", "tmpfs".
  static std::expected<Mount, std::string> filesystem(const std::string& source,
                                                      const std::filesystem::path& target,
                                                      const std::string& type,
                                                      const std::string& data = "");
  Mount(Mount&& other) noexcept;
  Mount& operator=(Mount&&) = delete;
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;
  ~Mount();

  // Unmounts now (and everything mounted below it); afterwards the destructor does nothing.
  std::expected<void, std::string> unmount();
  const std::filesystem::path& target() const { return m_target; }

private:
  explicit Mount(std::filesystem::path target) : m_target(std::move(target)) {}
  std::filesystem::path m_target; // empty once unmounted or moved from
};

// Mounts undone in reverse order of their push.
class MountStack {
public:
  MountStack() = default;
  MountStack(MountStack&&) noexcept = default;
  MountStack& operator=(MountStack&&) = delete;
  MountStack(const MountStack&) = delete;
  MountStack& operator=(const MountStack&) = delete;
  ~MountStack() { (void)unmount_all(); }
  void push(Mount mount) { m_mounts.push_back(std::move(mount)); }
  // Unmounts everything, newest first; the first error, after trying them all.
  std::expected<void, std::string> unmount_all();
  bool empty() const { return m_mounts.empty(); }

private:
  std::vector<Mount> m_mounts;
};

// Mount points at or below `dir` according to /proc/self/mountinfo, deepest first.
std::vector<std::filesystem::path> mounts_below(const std::filesystem::path& dir);

} // namespace atelier::imager
