#include "imager/sys/file_system.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <system_error>

namespace atelier::imager {

namespace fs = std::filesystem;

DiskFileSystem::DiskFileSystem(fs::path root) : m_root(std::move(root)) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(m_root, ec);
  if (!ec) {
    m_root = canonical;
  }
}

fs::path DiskFileSystem::full(std::string_view path) const {
  while (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  return m_root / fs::path(path);
}

std::optional<std::string> DiskFileSystem::read_file(std::string_view path, std::size_t max_bytes) {
  // sysfs reports a size of 4096 for every attribute, so read until EOF instead of trusting it.
  std::ifstream in(full(path), std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string content;
  char buffer[4096];
  while (content.size() < max_bytes) {
    const std::size_t want = std::min(sizeof buffer, max_bytes - content.size());
    in.read(buffer, static_cast<std::streamsize>(want));
    const std::streamsize got = in.gcount();
    if (got <= 0) {
      break;
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
  if (in.bad()) {
    return std::nullopt; // EIO/EINVAL from a sysfs attribute that has no value right now
  }
  return content;
}

std::vector<std::string> DiskFileSystem::list_dir(std::string_view path) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(full(path), ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool DiskFileSystem::exists(std::string_view path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(full(path), ec));
}

std::optional<std::string> DiskFileSystem::resolve(std::string_view path) {
  std::error_code ec;
  const fs::path resolved = fs::canonical(full(path), ec);
  if (ec) {
    return std::nullopt;
  }
  const fs::path relative = resolved.lexically_relative(m_root);
  const std::string text = relative.generic_string();
  if (relative.empty() || text.starts_with("..")) {
    return std::nullopt;
  }
  return text == "." ? std::string() : text;
}

std::optional<std::string> RecordingFileSystem::read_file(std::string_view path,
                                                          std::size_t max_bytes) {
  auto content = m_inner.read_file(path, max_bytes);
  if (content && path.starts_with("sys/") && content->size() <= k_max_recorded_bytes) {
    m_recorded.insert_or_assign(std::string(path), *content);
  }
  return content;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  text = trim(text);
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  if (text.empty()) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> parse_signed(std::string_view text) {
  text = trim(text);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> read_trimmed(FileSystem& fs, std::string_view path) {
  auto content = fs.read_file(path, FileSystem::k_default_max_bytes);
  if (!content) {
    return std::nullopt;
  }
  return std::string(trim(*content));
}

std::optional<std::uint64_t> read_number(FileSystem& fs, std::string_view path) {
  auto content = fs.read_file(path, 256);
  return content ? parse_unsigned(*content) : std::nullopt;
}

std::optional<std::int64_t> read_signed(FileSystem& fs, std::string_view path) {
  auto content = fs.read_file(path, 256);
  return content ? parse_signed(*content) : std::nullopt;
}

std::optional<std::string> link_basename(FileSystem& fs, std::string_view path) {
  auto resolved = fs.resolve(path);
  if (!resolved || resolved->empty()) {
    return std::nullopt;
  }
  const auto slash = resolved->rfind('/');
  return slash == std::string::npos ? *resolved : resolved->substr(slash + 1);
}

} // namespace atelier::imager
