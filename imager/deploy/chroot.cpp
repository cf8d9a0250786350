#include "imager/deploy/chroot.h"

#include "base/text.h"

#include <cerrno>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

struct CharNode {
  const char* name;
  unsigned major;
  unsigned minor;
  unsigned mode;
};

// The nodes every program expects (Linux's fixed numbers, see devices.txt).
constexpr CharNode k_char_nodes[] = {
    {"null", 1, 3, 0666},   {"zero", 1, 5, 0666},    {"full", 1, 7, 0666},
    {"random", 1, 8, 0666}, {"urandom", 1, 9, 0666}, {"tty", 5, 0, 0666},
};

// Makes `node` (a host block device) at the same path under the private /dev.
std::expected<void, std::string> copy_block_node(const std::filesystem::path& dev_dir,
                                                 const std::string& node) {
  struct stat st {};
  if (::stat(node.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) {
    return std::unexpected(fmt::format("{}: not a block device", node));
  }
  if (!node.starts_with("/dev/")) {
    return std::unexpected(
        fmt::format("{}: a device outside /dev cannot be given to the chroot", node));
  }
  const std::filesystem::path inside = dev_dir / node.substr(5);
  std::error_code ec;
  std::filesystem::create_directories(inside.parent_path(), ec);
  if (::mknod(inside.c_str(), S_IFBLK | 0660, st.st_rdev) != 0 && errno != EEXIST) {
    return std::unexpected(fmt::format("mknod {}: {}", inside.string(), base::errno_text(errno)));
  }
  return {};
}

} // namespace

std::string last_output_line(const base::ProcessResult& result) {
  const std::string_view line = base::last_line(result.err);
  return std::string(line.empty() ? base::last_line(result.out) : line);
}

std::expected<std::filesystem::path, std::string> safe_mount_point(TargetRoot& root,
                                                                   std::string_view path) {
  if (auto made = root.make_directories(path); !made) {
    return std::unexpected(made.error());
  }
  std::filesystem::path host = root.host_path();
  for (const auto& part : std::filesystem::path(path).relative_path()) {
    host /= part;
    struct stat st {};
    if (::lstat(host.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return std::unexpected(
          fmt::format("{}: not a plain directory in the image (a symbolic link?): refusing to "
                      "mount on it",
                      path));
    }
  }
  return host;
}

std::expected<ChrootSession, std::string>
ChrootSession::open(TargetRoot& root, const ChrootDevices& devices, base::ProcessRunner& runner) {
  ChrootSession session(root, runner);
  auto dev = safe_mount_point(root, "/dev");
  if (!dev) {
    return std::unexpected(dev.error());
  }
  auto dev_mount = Mount::filesystem("atelier-dev", *dev, "tmpfs", "mode=0755,size=1m");
  if (!dev_mount) {
    return std::unexpected(dev_mount.error());
  }
  session.m_mounts.push(std::move(*dev_mount));
  for (const auto& node : k_char_nodes) {
    const auto path = *dev / node.name;
    if (::mknod(path.c_str(), S_IFCHR | node.mode, makedev(node.major, node.minor)) != 0 ||
        ::chmod(path.c_str(), node.mode) != 0) {
      return std::unexpected(fmt::format("mknod {}: {}", path.string(), base::errno_text(errno)));
    }
  }
  std::error_code ec;
  std::filesystem::create_directory_symlink("/proc/self/fd", *dev / "fd", ec);
  std::filesystem::create_symlink("/proc/self/fd/0", *dev / "stdin", ec);
  std::filesystem::create_symlink("/proc/self/fd/1", *dev / "stdout", ec);
  std::filesystem::create_symlink("/proc/self/fd/2", *dev / "stderr", ec);
  std::filesystem::create_directories(*dev / "pts", ec);
  std::filesystem::create_directories(*dev / "shm", ec);
  std::filesystem::create_directories(*dev / "disk/by-uuid", ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: {}", dev->string(), ec.message()));
  }
  if (!devices.disk.empty()) {
    if (auto made = copy_block_node(*dev, devices.disk); !made) {
      return std::unexpected(made.error());
    }
  }
  for (const auto& node : devices.partitions) {
    if (auto made = copy_block_node(*dev, node); !made) {
      return std::unexpected(made.error());
    }
  }
  for (const auto& [uuid, node] : devices.by_uuid) {
    std::filesystem::create_symlink("../../" + node.substr(5), *dev / "disk/by-uuid" / uuid, ec);
    if (ec) {
      return std::unexpected(fmt::format("/dev/disk/by-uuid/{}: {}", uuid, ec.message()));
    }
  }
  for (const auto& [path, type] :
       {std::pair{"/proc", "proc"}, std::pair{"/sys", "sysfs"}, std::pair{"/run", "tmpfs"}}) {
    if (auto mounted = session.mount(type, path, type); !mounted) {
      return std::unexpected(mounted.error());
    }
  }
  return session;
}

std::expected<void, std::string>
ChrootSession::mount(const std::string& source, std::string_view path, const std::string& type) {
  auto point = safe_mount_point(*m_root, path);
  if (!point) {
    return std::unexpected(point.error());
  }
  auto mounted = Mount::filesystem(source, *point, type, type == "tmpfs" ? "mode=0755" : "");
  if (!mounted) {
    return std::unexpected(mounted.error());
  }
  m_mounts.push(std::move(*mounted));
  return {};
}

std::expected<base::ProcessResult, std::string>
ChrootSession::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  std::vector<std::string> full{"env",
                                "-i",
                                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                "LANG=C.UTF-8",
                                "HOME=/root",
                                "DEBIAN_FRONTEND=noninteractive",
                                "chroot",
                                m_root->host_path().string()};
  full.insert(full.end(), argv.begin(), argv.end());
  return m_runner->run(full, timeout);
}

std::expected<base::ProcessResult, std::string>
ChrootSession::check(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  auto result = run(argv, timeout);
  if (!result) {
    return result;
  }
  if (result->timed_out) {
    return std::unexpected(fmt::format("{} (in the new system): timed out", argv.front()));
  }
  if (result->exit_code != 0) {
    const std::string why = last_output_line(*result);
    return std::unexpected(fmt::format("{} (in the new system) failed (exit {}){}{}", argv.front(),
                                       result->exit_code, why.empty() ? "" : ": ", why));
  }
  return result;
}

} // namespace atelier::imager
