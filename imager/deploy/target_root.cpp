#include "imager/deploy/target_root.h"

#include "base/text.h"
#include "base/unique_fd.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

// "/etc/ssh/" -> "etc/ssh"; "/" -> "".
std::string relative(std::string_view path) {
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  while (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  return std::string(path);
}

} // namespace

using base::errno_text;

std::expected<TargetRoot, std::string> TargetRoot::open(const std::filesystem::path& root) {
  const int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return std::unexpected(fmt::format("open {}: {}", root.string(), errno_text(errno)));
  }
  return TargetRoot(root, fd);
}

TargetRoot::TargetRoot(TargetRoot&& other) noexcept
    : m_root(std::exchange(other.m_root, {})), m_fd(std::move(other.m_fd)) {}

int TargetRoot::open_in_root(std::string_view path, int flags, unsigned mode) const {
  const std::string rel = relative(path);
  open_how how{};
  how.flags = static_cast<__u64>(static_cast<unsigned>(flags | O_CLOEXEC));
  how.mode = mode;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(
      ::syscall(SYS_openat2, m_fd.get(), rel.empty() ? "." : rel.c_str(), &how, sizeof how));
}

// The directory holding `path` (created when `create`), and the last component in `name`.
std::expected<int, std::string> TargetRoot::open_parent(std::string_view path, std::string& name,
                                                        bool create) {
  const std::string rel = relative(path);
  const auto slash = rel.rfind('/');
  name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  const std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
  if (name.empty() || name == "." || name == "..") {
    return std::unexpected(fmt::format("{}: not a file path", path));
  }
  if (create && !parent.empty()) {
    if (auto made = make_directories("/" + parent); !made) {
      return std::unexpected(made.error());
    }
  }
  const int fd = open_in_root(parent, O_PATH | O_DIRECTORY);
  if (fd < 0) {
    return std::unexpected(fmt::format("open /{}: {}", parent, errno_text(errno)));
  }
  return fd;
}

bool TargetRoot::exists(std::string_view path) const {
  std::string name;
  auto parent = const_cast<TargetRoot*>(this)->open_parent(path, name, false);
  if (!parent) {
    return false;
  }
  base::UniqueFd fd(*parent);
  struct stat st {};
  return ::fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool TargetRoot::is_directory(std::string_view path) const {
  base::UniqueFd fd(open_in_root(path, O_PATH | O_DIRECTORY));
  return fd.get() >= 0;
}

std::optional<std::string> TargetRoot::read(std::string_view path) const {
  base::UniqueFd fd(open_in_root(path, O_RDONLY));
  if (fd.get() < 0) {
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  std::string out;
  char buffer[65536];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return std::nullopt;
    }
    if (got == 0) {
      return out;
    }
    out.append(buffer, static_cast<std::size_t>(got));
  }
}

std::expected<void, std::string> TargetRoot::write(std::string_view path, std::string_view content,
                                                   unsigned mode, uid_t uid, gid_t gid) {
  std::string name;
  auto parent = open_parent(path, name, true);
  if (!parent) {
    return std::unexpected(parent.error());
  }
  base::UniqueFd dir(*parent);
  const std::string temp = ".atelier-new." + name;
  ::unlinkat(dir.get(), temp.c_str(), 0);
  base::UniqueFd file(::openat(dir.get(), temp.c_str(),
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (file.get() < 0) {
    return std::unexpected(fmt::format("create {}: {}", path, errno_text(errno)));
  }
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t wrote = ::write(file.get(), content.data() + done, content.size() - done);
    if (wrote < 0 && errno == EINTR) {
      continue;
    }
    if (wrote < 0) {
      const int err = errno;
      ::unlinkat(dir.get(), temp.c_str(), 0);
      return std::unexpected(fmt::format("write {}: {}", path, errno_text(err)));
    }
    done += static_cast<std::size_t>(wrote);
  }
  if (::fchown(file.get(), uid, gid) != 0 || ::fchmod(file.get(), mode) != 0 ||
      ::renameat(dir.get(), temp.c_str(), dir.get(), name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(dir.get(), temp.c_str(), 0);
    return std::unexpected(fmt::format("write {}: {}", path, errno_text(err)));
  }
  return {};
}

std::expected<void, std::string> TargetRoot::remove(std::string_view path) {
  std::string name;
  auto parent = open_parent(path, name, false);
  if (!parent) {
    return {}; // no parent directory: nothing to remove
  }
  base::UniqueFd dir(*parent);
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    return std::unexpected(fmt::format("remove {}: {}", path, errno_text(errno)));
  }
  return {};
}

std::expected<void, std::string> TargetRoot::symlink(std::string_view target,
                                                     std::string_view path) {
  std::string name;
  auto parent = open_parent(path, name, true);
  if (!parent) {
    return std::unexpected(parent.error());
  }
  base::UniqueFd dir(*parent);
  if (::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    return std::unexpected(fmt::format("replace {}: {}", path, errno_text(errno)));
  }
  if (::symlinkat(std::string(target).c_str(), dir.get(), name.c_str()) != 0) {
    return std::unexpected(fmt::format("symlink {}: {}", path, errno_text(errno)));
  }
  return {};
}

std::expected<void, std::string> TargetRoot::make_directories(std::string_view path,
                                                              unsigned mode) {
  return make_directories_at_depth(path, mode, 0);
}

std::expected<void, std::string> TargetRoot::make_directories_at_depth(std::string_view path,
                                                                       unsigned mode, int depth) {
  const std::string rel = relative(path);
  std::size_t at = 0;
  while (at <= rel.size() && !rel.empty()) {
    const auto slash = rel.find('/', at);
    const std::string prefix = rel.substr(0, slash);
    base::UniqueFd existing(open_in_root(prefix, O_PATH | O_DIRECTORY));
    if (existing.get() < 0) {
      const auto cut = prefix.rfind('/');
      const std::string parent = cut == std::string::npos ? "" : prefix.substr(0, cut);
      const std::string name = cut == std::string::npos ? prefix : prefix.substr(cut + 1);
      base::UniqueFd dir(open_in_root(parent, O_PATH | O_DIRECTORY));
      if (dir.get() < 0) {
        return std::unexpected(fmt::format("open /{}: {}", parent, errno_text(errno)));
      }
      if (::mkdirat(dir.get(), name.c_str(), mode) != 0) {
        if (errno != EEXIST) {
          return std::unexpected(fmt::format("mkdir /{}: {}", prefix, errno_text(errno)));
        }
        // A dangling symbolic link: make the directory it points to, inside the tree, as
        // `mkdir -p` through the link would once the system runs.
        char target[4096];
        const ssize_t got = ::readlinkat(dir.get(), name.c_str(), target, sizeof target - 1);
        if (got <= 0 || depth >= 40) {
          return std::unexpected(fmt::format("mkdir /{}: exists and is not a directory", prefix));
        }
        const std::string link(target, static_cast<std::size_t>(got));
        const std::string resolved = link.starts_with('/') ? link : "/" + parent + "/" + link;
        if (auto made = make_directories_at_depth(resolved, mode, depth + 1); !made) {
          return made;
        }
      }
      base::UniqueFd made(open_in_root(prefix, O_PATH | O_DIRECTORY));
      if (made.get() < 0) {
        return std::unexpected(fmt::format("mkdir /{}: {}", prefix, errno_text(errno)));
      }
    }
    if (slash == std::string::npos) {
      break;
    }
    at = slash + 1;
  }
  return {};
}

std::vector<std::string> TargetRoot::list(std::string_view directory) const {
  std::vector<std::string> out;
  base::UniqueFd fd(open_in_root(directory, O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0) {
    return out;
  }
  DIR* dir = ::fdopendir(fd.release());
  if (dir == nullptr) {
    return out;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") {
      out.push_back(name);
    }
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace atelier::imager
