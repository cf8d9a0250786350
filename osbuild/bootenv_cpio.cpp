#include "osbuild/bootenv_cpio.h"

#include <archive.h>
#include <archive_entry.h>
#include <fstream>
#include <memory>
#include <set>
#include <sys/stat.h>

#include <fmt/format.h>

namespace atelier::osbuild {
namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

// libarchive's write callback: appends every block to the caller's string.
la_ssize_t append_block(archive* /*a*/, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

std::string libarchive_error(archive* a, const std::string& what) {
  const char* message = archive_error_string(a);
  return fmt::format("initramfs: {}: {}", what, message != nullptr ? message : "unknown error");
}

unsigned file_type(CpioEntry::Kind kind) {
  switch (kind) {
  case CpioEntry::Kind::file:
    return AE_IFREG;
  case CpioEntry::Kind::directory:
    return AE_IFDIR;
  case CpioEntry::Kind::symlink:
    return AE_IFLNK;
  case CpioEntry::Kind::char_device:
    return AE_IFCHR;
  }
  return AE_IFREG;
}

} // namespace

std::string InitramfsImage::normalise(const std::string& path) {
  std::string out = path;
  while (out.starts_with('/')) {
    out.erase(0, 1);
  }
  while (out.ends_with('/')) {
    out.pop_back();
  }
  return out;
}

void InitramfsImage::add_file(const std::string& path, std::string contents, unsigned mode) {
  m_entries[normalise(path)] = CpioEntry{CpioEntry::Kind::file, mode, std::move(contents), 0, 0};
}

void InitramfsImage::add_directory(const std::string& path, unsigned mode) {
  m_entries[normalise(path)] = CpioEntry{CpioEntry::Kind::directory, mode, {}, 0, 0};
}

void InitramfsImage::add_symlink(const std::string& path, const std::string& target) {
  m_entries[normalise(path)] = CpioEntry{CpioEntry::Kind::symlink, 0777, target, 0, 0};
}

void InitramfsImage::add_char_device(const std::string& path, unsigned major, unsigned minor,
                                     unsigned mode) {
  m_entries[normalise(path)] = CpioEntry{CpioEntry::Kind::char_device, mode, {}, major, minor};
}

bool InitramfsImage::contains(const std::string& path) const {
  return m_entries.contains(normalise(path));
}

std::uint64_t InitramfsImage::content_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [path, entry] : m_entries) {
    if (entry.kind == CpioEntry::Kind::file) {
      total += entry.data.size();
    }
  }
  return total;
}

std::expected<std::string, std::string> InitramfsImage::to_bytes(const CpioOptions& options) const {
  // Every parent directory gets its own entry, so unpacking never depends on implicit mkdir.
  std::map<std::string, CpioEntry> entries = m_entries;
  for (const auto& [path, entry] : m_entries) {
    for (auto slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      entries.try_emplace(path.substr(0, slash),
                          CpioEntry{CpioEntry::Kind::directory, 0755, {}, 0, 0});
    }
  }

  ArchivePtr a(archive_write_new(), &archive_write_free);
  if (!a) {
    return std::unexpected("initramfs: libarchive could not allocate a writer");
  }
  if (archive_write_set_format_cpio_newc(a.get()) != ARCHIVE_OK) {
    return std::unexpected(libarchive_error(a.get(), "newc format"));
  }
  if (options.gzip) {
    // "!timestamp": the gzip header would otherwise carry the build time.
    if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
        archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
        archive_write_set_filter_option(a.get(), "gzip", "compression-level", "9") != ARCHIVE_OK) {
      return std::unexpected(libarchive_error(a.get(), "gzip filter"));
    }
  }
  // No padding to a 10 KiB block: the kernel does not need it and it only adds bytes.
  archive_write_set_bytes_in_last_block(a.get(), 1);
  std::string bytes;
  if (archive_write_open2(a.get(), &bytes, nullptr, append_block, nullptr, nullptr) != ARCHIVE_OK) {
    return std::unexpected(libarchive_error(a.get(), "open"));
  }

  std::int64_t ino = 1;
  for (const auto& [path, entry] : entries) {
    EntryPtr e(archive_entry_new(), &archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), file_type(entry.kind));
    archive_entry_set_perm(e.get(), static_cast<mode_t>(entry.mode));
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), options.mtime, 0);
    archive_entry_set_ino64(e.get(), ino++);
    archive_entry_set_dev(e.get(), 0);
    archive_entry_set_nlink(e.get(), entry.kind == CpioEntry::Kind::directory ? 2 : 1);
    switch (entry.kind) {
    case CpioEntry::Kind::file:
      archive_entry_set_size(e.get(), static_cast<la_int64_t>(entry.data.size()));
      break;
    case CpioEntry::Kind::symlink:
      archive_entry_set_symlink(e.get(), entry.data.c_str());
      archive_entry_set_size(e.get(), 0);
      break;
    case CpioEntry::Kind::char_device:
      archive_entry_set_rdevmajor(e.get(), entry.dev_major);
      archive_entry_set_rdevminor(e.get(), entry.dev_minor);
      archive_entry_set_size(e.get(), 0);
      break;
    case CpioEntry::Kind::directory:
      archive_entry_set_size(e.get(), 0);
      break;
    }
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return std::unexpected(libarchive_error(a.get(), path));
    }
    if (entry.kind == CpioEntry::Kind::file && !entry.data.empty()) {
      const auto written = archive_write_data(a.get(), entry.data.data(), entry.data.size());
      if (written < 0 || static_cast<std::size_t>(written) != entry.data.size()) {
        return std::unexpected(libarchive_error(a.get(), path));
      }
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return std::unexpected(libarchive_error(a.get(), "close"));
  }
  return bytes;
}

std::expected<void, std::string> InitramfsImage::write(const std::filesystem::path& path,
                                                       const CpioOptions& options) const {
  auto bytes = to_bytes(options);
  if (!bytes) {
    return std::unexpected(bytes.error());
  }
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    if (!out.flush()) {
      return std::unexpected(fmt::format("{}: cannot be written", tmp.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return std::unexpected(fmt::format("{}: {}", path.string(), ec.message()));
  }
  return {};
}

} // namespace atelier::osbuild
