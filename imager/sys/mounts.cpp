#include "imager/sys/mounts.h"

#include "base/text.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <thread>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      const std::string digits(text.substr(i + 1, 3));
      if (digits.size() == 3 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>(std::strtol(digits.c_str(), nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// Unmounts one mount point: a few tries while busy, then a lazy detach (reported).
std::expected<void, std::string> unmount_one(const std::filesystem::path& target) {
  using namespace std::chrono_literals;
  int err = 0;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) == 0) {
      return {};
    }
    err = errno;
    if (err == EINVAL || err == ENOENT) {
      return {}; // not a mount point (any more)
    }
    if (err != EBUSY) {
      break;
    }
    ::sync();
    std::this_thread::sleep_for(200ms);
  }
  if (::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
    return std::unexpected(
        fmt::format("{}: busy ({}), detached lazily: it is unmounted once no longer in use",
                    target.string(), base::errno_text(err)));
  }
  return std::unexpected(
      fmt::format("{}: cannot unmount: {}", target.string(), base::errno_text(errno)));
}

} // namespace

std::expected<PrivateDir, std::string> PrivateDir::create(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      fmt::format("{}/{}-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", prefix);
  if (::mkdtemp(pattern.data()) == nullptr) {
    return std::unexpected(
        fmt::format("cannot create a directory like {}: {}", pattern, base::errno_text(errno)));
  }
  return PrivateDir(pattern);
}

PrivateDir::PrivateDir(PrivateDir&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}

PrivateDir::~PrivateDir() {
  if (!m_path.empty()) {
    ::rmdir(m_path.c_str()); // fails, harmlessly, when something is still mounted or left inside
  }
}

std::expected<Mount, std::string> Mount::filesystem(const std::string& source,
                                                    const std::filesystem::path& target,
                                                    const std::string& type,
                                                    const std::string& data) {
  if (::mount(source.c_str(), target.c_str(), type.c_str(), MS_NOATIME,
              data.empty() ? nullptr : data.c_str()) != 0) {
    const int err = errno;
    if (err == ENODEV) {
      return std::unexpected(fmt::format("mount {} on {}: this kernel has no {} support", source,
                                         target.string(), type));
    }
    return std::unexpected(fmt::format("mount {} ({}) on {}: {}", source, type, target.string(),
                                       base::errno_text(err)));
  }
  Mount mount(target);
  if (::mount(nullptr, target.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) {
    return std::unexpected(fmt::format("{}: cannot make the mount private: {}", target.string(),
                                       base::errno_text(errno)));
  }
  return mount;
}

Mount::Mount(Mount&& other) noexcept : m_target(std::exchange(other.m_target, {})) {}

Mount::~Mount() {
  (void)unmount();
}

std::expected<void, std::string> Mount::unmount() {
  if (m_target.empty()) {
    return {};
  }
  const auto target = std::exchange(m_target, {});
  std::expected<void, std::string> first;
  for (const auto& below : mounts_below(target)) {
    auto done = unmount_one(below);
    if (!done && first) {
      first = done;
    }
  }
  return first;
}

std::expected<void, std::string> MountStack::unmount_all() {
  std::expected<void, std::string> first;
  while (!m_mounts.empty()) {
    auto done = m_mounts.back().unmount();
    m_mounts.pop_back();
    if (!done && first) {
      first = done;
    }
  }
  return first;
}

std::vector<std::filesystem::path> mounts_below(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::ifstream in("/proc/self/mountinfo");
  const std::string base = dir.lexically_normal().string();
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    point = unescape_mountinfo(point);
    if (point == base ||
        (point.size() > base.size() && point.starts_with(base) && point[base.size()] == '/')) {
      out.emplace_back(point);
    }
  }
  // Deepest first; the same point mounted twice appears twice and is unmounted twice.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.string().size() > b.string().size();
  });
  return out;
}

} // namespace atelier::imager
