// File operations inside the deployed system's tree, resolved as if that tree were `/`.
//
// The image is data from elsewhere: /etc/skel or /etc/ssh may be a symbolic link to an absolute
// path, and following it from outside would write into the boot environment's own /etc. Every path
// here is resolved with openat2(RESOLVE_IN_ROOT), so links (absolute or "..") stay inside the tree,
// exactly as they will once the system boots. Paths are absolute paths of the installed system
// ("/etc/hostname"). Files are replaced atomically (written beside, then renamed), so a symbolic
// link at the destination is replaced, never written through.
#pragma once

#include "base/unique_fd.h"

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace atelier::imager {

class TargetRoot {
public:
  static std::expected<TargetRoot, std::string> open(const std::filesystem::path& root);
  TargetRoot(TargetRoot&& other) noexcept;
  TargetRoot& operator=(TargetRoot&&) = delete;
  TargetRoot(const TargetRoot&) = delete;
  TargetRoot& operator=(const TargetRoot&) = delete;
  ~TargetRoot() = default;

  const std::filesystem::path& host_path() const { return m_root; }

  // Whether anything (file, directory, link, even a dangling one) is at the path.
  bool exists(std::string_view path) const;
  bool is_directory(std::string_view path) const; // following links inside the tree
  // The content of a regular file (links followed inside the tree); nullopt if there is none.
  std::optional<std::string> read(std::string_view path) const;
  // Replaces the file with `content`, creating missing parent directories (0755, root).
  std::expected<void, std::string> write(std::string_view path, std::string_view content,
                                         unsigned mode, uid_t uid = 0, gid_t gid = 0);
  // Removes a file or link; a missing one is fine. Never removes directories.
  std::expected<void, std::string> remove(std::string_view path);
  // Replaces whatever is at `path` (not a directory) by a symbolic link to `target`.
  std::expected<void, std::string> symlink(std::string_view target, std::string_view path);
  std::expected<void, std::string> make_directories(std::string_view path, unsigned mode = 0755);
  // Names in a directory, sorted; empty when it is missing.
  std::vector<std::string> list(std::string_view directory) const;

private:
  TargetRoot(std::filesystem::path root, int fd) : m_root(std::move(root)), m_fd(fd) {}
  int open_in_root(std::string_view path, int flags, unsigned mode = 0) const;
  std::expected<void, std::string> make_directories_at_depth(std::string_view path, unsigned mode,
                                                             int depth);
  std::expected<int, std::string> open_parent(std::string_view path, std::string& name,
                                              bool create);

  std::filesystem::path m_root;
  base::UniqueFd m_fd; // O_PATH descriptor of the root directory
};

} // namespace atelier::imager
