// Test helpers for the image sources: shell commands, sha256, tar archives built in the test
// (libarchive's writer for ordinary entries, hand-made ustar headers for what no honest writer
// produces), and RAII loop devices with a mounted ext4 filesystem.
#pragma once

#include "support/temp_dir.h"

#include <archive.h>
#include <archive_entry.h>
#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <openssl/evp.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace atelier::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output; // stdout and stderr
};

inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

inline std::string sha256_of(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

// Deterministic bytes that do not compress to nothing.
inline std::string pattern_bytes(std::size_t size, unsigned seed = 1) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761U + 1;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xFF);
  }
  return out;
}

enum class TarCompression { none, gzip, xz, zstd };

// A tar archive (pax format) assembled with libarchive's writer, entry by entry.
class TarBuilder {
public:
  explicit TarBuilder(TarCompression compression = TarCompression::none)
      : m_archive(archive_write_new(), &archive_write_free) {
    archive_write_set_format_pax_restricted(m_archive.get());
    switch (compression) {
    case TarCompression::none:
      break;
    case TarCompression::gzip:
      archive_write_add_filter_gzip(m_archive.get());
      break;
    case TarCompression::xz:
      archive_write_add_filter_xz(m_archive.get());
      break;
    case TarCompression::zstd:
      archive_write_add_filter_zstd(m_archive.get());
      break;
    }
    // No padding of the compressed output to 10 KiB blocks: no tar.zst in the wild has any.
    archive_write_set_bytes_in_last_block(m_archive.get(), 1);
    archive_write_open2(m_archive.get(), &m_bytes, nullptr, &TarBuilder::append, nullptr, nullptr);
  }

  TarBuilder& file(const std::string& path, const std::string& content, unsigned mode = 0644,
                   unsigned uid = 0, unsigned gid = 0) {
    return add(path, AE_IFREG, mode, content, uid, gid);
  }
  TarBuilder& dir(const std::string& path, unsigned mode = 0755) {
    return add(path, AE_IFDIR, mode, {});
  }
  TarBuilder& symlink(const std::string& path, const std::string& target) {
    return add(path, AE_IFLNK, 0777, {}, 0, 0,
               [&](archive_entry* e) { archive_entry_set_symlink(e, target.c_str()); });
  }
  TarBuilder& hardlink(const std::string& path, const std::string& target) {
    return add(path, AE_IFREG, 0644, {}, 0, 0,
               [&](archive_entry* e) { archive_entry_set_hardlink(e, target.c_str()); });
  }
  TarBuilder& device(const std::string& path, bool block, unsigned major, unsigned minor) {
    return add(path, block ? AE_IFBLK : AE_IFCHR, 0666, {}, 0, 0, [&](archive_entry* e) {
      archive_entry_set_rdevmajor(e, major);
      archive_entry_set_rdevminor(e, minor);
    });
  }
  TarBuilder& fifo(const std::string& path) { return add(path, AE_IFIFO, 0644, {}); }

  std::string finish() {
    archive_write_close(m_archive.get());
    return m_bytes;
  }

private:
  static la_ssize_t append(archive*, void* client, const void* buffer, size_t length) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
  }

  template <typename Extra = void (*)(archive_entry*)>
  TarBuilder& add(
      const std::string& path, unsigned type, unsigned mode, const std::string& content,
      unsigned uid = 0, unsigned gid = 0, Extra extra = [](archive_entry*) {}) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                    &archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), mode);
    archive_entry_set_uid(e.get(), uid);
    archive_entry_set_gid(e.get(), gid);
    archive_entry_set_mtime(e.get(), 1'700'000'000, 0);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(content.size()));
    extra(e.get());
    if (archive_write_header(m_archive.get(), e.get()) != ARCHIVE_OK) {
      throw std::runtime_error(std::string("tar builder: ") +
                               archive_error_string(m_archive.get()));
    }
    if (!content.empty()) {
      archive_write_data(m_archive.get(), content.data(), content.size());
    }
    return *this;
  }

  std::unique_ptr<archive, decltype(&archive_write_free)> m_archive;
  std::string m_bytes;
};

// One hand-made ustar header block, for entries no archiver writes on purpose: a hard link that
// carries data, a size far beyond the data that follows. Sizes over 8 GiB use GNU base-256.
inline std::string ustar_header(const std::string& name, char type, std::uint64_t size,
                                const std::string& linkname = {}) {
  std::string h(512, '\0');
  const auto put = [&](std::size_t offset, std::size_t width, const std::string& text) {
    std::memcpy(h.data() + offset, text.data(), std::min(width, text.size()));
  };
  const auto octal = [](std::uint64_t value, int width) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%0*llo", width, static_cast<unsigned long long>(value));
    return std::string(buffer);
  };
  put(0, 100, name);
  put(100, 8, octal(0644, 7));
  put(108, 8, octal(0, 7));
  put(116, 8, octal(0, 7));
  if (size < (1ULL << 33)) {
    put(124, 12, octal(size, 11));
  } else {
    h[124] = static_cast<char>(0x80);
    for (std::size_t i = 0; i < 8; ++i) {
      h[135 - i] = static_cast<char>((size >> (8 * i)) & 0xFF);
    }
  }
  put(136, 12, octal(1'700'000'000, 11));
  h[156] = type;
  put(157, 100, linkname);
  put(257, 6, std::string("ustar\0", 6));
  put(263, 2, "00");
  put(148, 8, "        ");
  unsigned sum = 0;
  for (const char c : h) {
    sum += static_cast<unsigned char>(c);
  }
  put(148, 8, octal(sum, 6) + std::string("\0 ", 2));
  return h;
}

inline std::string padded_block(const std::string& data) {
  std::string out = data;
  out.resize((data.size() + 511) / 512 * 512, '\0');
  return out;
}

inline std::string tar_end() {
  return std::string(1024, '\0');
}

// Why a root-only test cannot run here, or nullopt when it can.
inline std::optional<std::string> root_test_blocker() {
  if (::geteuid() != 0) {
    return "needs root (loop devices, mount, chown, mknod)";
  }
  if (!std::filesystem::exists("/dev/loop-control")) {
    return "no loop device support (/dev/loop-control missing)";
  }
  return std::nullopt;
}

// A loop device over a sparse file in a temp dir; detached (and the file removed) on destruction.
class LoopDevice {
public:
  LoopDevice(const std::filesystem::path& backing, std::uint64_t size) : m_backing(backing) {
    { std::ofstream create(backing, std::ios::binary | std::ios::trunc); }
    std::filesystem::resize_file(backing, size);
    const auto result = run_command("losetup --find --show '" + backing.string() + "'");
    if (result.exit_code != 0) {
      throw std::runtime_error("losetup failed: " + result.output);
    }
    m_device = result.output.substr(0, result.output.find('\n'));
  }
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  ~LoopDevice() { run_command("losetup -d '" + m_device + "'"); }

  const std::string& device() const { return m_device; }
  const std::filesystem::path& backing() const { return m_backing; }

private:
  std::filesystem::path m_backing;
  std::string m_device;
};

// mkfs.ext4 on a fresh loop device, mounted on a temp dir; unmounted and detached on destruction.
class MountedExt4 {
public:
  MountedExt4(const std::filesystem::path& work, std::uint64_t size)
      : m_loop(work / "ext4.img", size), m_mount_point(work / "mnt") {
    std::filesystem::create_directories(m_mount_point);
    auto made = run_command("mkfs.ext4 -q -F '" + m_loop.device() + "'");
    if (made.exit_code != 0) {
      throw std::runtime_error("mkfs.ext4 failed: " + made.output);
    }
    auto mounted = run_command("mount '" + m_loop.device() + "' '" + m_mount_point.string() + "'");
    if (mounted.exit_code != 0) {
      throw std::runtime_error("mount failed: " + mounted.output);
    }
    m_mounted = true;
  }
  MountedExt4(const MountedExt4&) = delete;
  MountedExt4& operator=(const MountedExt4&) = delete;
  ~MountedExt4() {
    if (m_mounted) {
      run_command("umount '" + m_mount_point.string() + "'");
    }
  }
  const std::filesystem::path& root() const { return m_mount_point; }

private:
  LoopDevice m_loop;
  std::filesystem::path m_mount_point;
  bool m_mounted = false;
};

} // namespace atelier::testing
