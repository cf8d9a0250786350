// Read-only access to the kernel's pseudo-files (/sys, /proc) and firmware tables, behind a narrow
// interface so every collector can be pointed at a fixture tree in tests.
//
// Paths given to a FileSystem are always relative to its root and never start with '/'
// ("sys/block/sda/size", "proc/cpuinfo"). The real implementation prefixes a root directory
// ("/" on a live machine, a fixture directory in tests or with `atelier-imager --root`).
// Nothing here ever writes.
#pragma once

#include "base/text.h"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

class FileSystem {
public:
  virtual ~FileSystem() = default;

  // The whole content of a file; std::nullopt when it is missing or cannot be read (sysfs answers
  // EINVAL/EIO for some attributes, e.g. `speed` of a link that is down). At most `max_bytes`.
  virtual std::optional<std::string> read_file(std::string_view path,
                                               std::size_t max_bytes = k_default_max_bytes) = 0;
  // Names of the entries of a directory (not "." or ".."), sorted; empty when it does not exist.
  virtual std::vector<std::string> list_dir(std::string_view path) = 0;
  // Whether anything (file, directory, symbolic link) exists at the path.
  virtual bool exists(std::string_view path) = 0;
  // The path with every symbolic link resolved, relative to the root (sysfs links are relative, so
  // "sys/block/sda" resolves to "sys/devices/pci0000:00/.../block/sda"); nullopt if it does not
  // exist or escapes the root.
  virtual std::optional<std::string> resolve(std::string_view path) = 0;

  static constexpr std::size_t k_default_max_bytes = 1U << 20;
};

// The real file system under a root directory.
class DiskFileSystem final : public FileSystem {
public:
  explicit DiskFileSystem(std::filesystem::path root);
  std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes) override;
  std::vector<std::string> list_dir(std::string_view path) override;
  bool exists(std::string_view path) override;
  std::optional<std::string> resolve(std::string_view path) override;

private:
  std::filesystem::path full(std::string_view path) const;
  std::filesystem::path m_root;
};

// Remembers what was read through it (for the report's "raw" section) and forwards to another
// FileSystem, which must outlive it. Only files under `sys/` are remembered; binary content is kept
// as base64 by the report.
class RecordingFileSystem final : public FileSystem {
public:
  explicit RecordingFileSystem(FileSystem& inner) : m_inner(inner) {}
  std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes) override;
  std::vector<std::string> list_dir(std::string_view path) override {
    return m_inner.list_dir(path);
  }
  bool exists(std::string_view path) override { return m_inner.exists(path); }
  std::optional<std::string> resolve(std::string_view path) override {
    return m_inner.resolve(path);
  }

  const std::map<std::string, std::string>& recorded() const { return m_recorded; }
  // Files larger than this are not remembered (the SMBIOS blob is kept separately).
  static constexpr std::size_t k_max_recorded_bytes = 4096;

private:
  FileSystem& m_inner;
  std::map<std::string, std::string> m_recorded;
};

// Helpers shared by the collectors.

// Content with trailing whitespace and newlines removed (sysfs values end in '\n').
std::optional<std::string> read_trimmed(FileSystem& fs, std::string_view path);
// A decimal or 0x-prefixed hexadecimal unsigned number; nullopt if absent or malformed.
std::optional<std::uint64_t> read_number(FileSystem& fs, std::string_view path);
// A signed decimal number (sysfs `speed` is -1 when unknown).
std::optional<std::int64_t> read_signed(FileSystem& fs, std::string_view path);
// The last component of the link target resolved from path (e.g. device/driver -> "e1000e").
std::optional<std::string> link_basename(FileSystem& fs, std::string_view path);

// Pure text helpers (trim is base's, here for the many sysfs readers that use it).
using base::trim;
std::optional<std::uint64_t> parse_unsigned(std::string_view text);
std::optional<std::int64_t> parse_signed(std::string_view text);

} // namespace atelier::imager
