// The initramfs image: an in-memory tree written as a reproducible newc cpio archive with
// libarchive. Reproducible means the bytes depend only on the entries: entries in path order, one
// fixed mtime, owner 0:0, inode numbers counted from 1 in that order, no hard links, and (when
// compressed) a gzip header without a timestamp. The kernel unpacks this format into its rootfs.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <string>

namespace atelier::osbuild {

struct CpioEntry {
  enum class Kind { file, directory, symlink, char_device };
  Kind kind = Kind::file;
  unsigned mode = 0644;   // permission bits only; the kind gives the file type
  std::string data;       // file contents, or the symlink's target
  unsigned dev_major = 0; // char_device only
  unsigned dev_minor = 0;
};

struct CpioOptions {
  std::int64_t mtime = 0; // every entry's modification time (SOURCE_DATE_EPOCH if set)
  bool gzip = true;       // the kernel accepts both; gzip makes PXE downloads ~3x smaller
};

class InitramfsImage {
public:
  // Paths are relative to the image root ("bin/busybox"); a leading '/' is dropped. Adding a
  // path again replaces the earlier entry. Parent directories are created (0755) when written.
  void add_file(const std::string& path, std::string contents, unsigned mode = 0644);
  void add_directory(const std::string& path, unsigned mode = 0755);
  void add_symlink(const std::string& path, const std::string& target);
  void add_char_device(const std::string& path, unsigned major, unsigned minor,
                       unsigned mode = 0600);

  bool contains(const std::string& path) const;
  std::size_t size() const { return m_entries.size(); }
  std::uint64_t content_bytes() const; // sum of file sizes, before compression

  // The archive's bytes; errors are libarchive's messages.
  std::expected<std::string, std::string> to_bytes(const CpioOptions& options) const;
  // Writes the archive to `path` through a temporary file renamed into place, so a reader (the
  // HTTP server handing out boot files) never sees half an image.
  std::expected<void, std::string> write(const std::filesystem::path& path,
                                         const CpioOptions& options) const;

private:
  static std::string normalise(const std::string& path);
  std::map<std::string, CpioEntry> m_entries; // sorted by path: the archive's order
};

} // namespace atelier::osbuild
