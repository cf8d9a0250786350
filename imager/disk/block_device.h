// The block device layer under the wipe engine: size, sector sizes, positioned reads and writes of
// aligned buffers, flush. The real implementation opens with O_DIRECT | O_EXCL; tests use a fake
// that injects EIO, short writes, ENOSPC and stalls (tests/imager/fake_block_device.h).
//
// Contract: offsets and lengths passed to pread/pwrite are multiples of logical_sector_bytes
// (except a regular file's unaligned tail), and buffers start on a k_buffer_alignment boundary.
// Offsets are 64-bit everywhere. Errors are errno values; a short transfer is a success with fewer
// bytes. One thread at a time per device; the object may be destroyed on another thread than its
// creator.
#pragma once

#include "base/text.h"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace atelier::imager {

struct DeviceGeometry {
  std::uint64_t size_bytes = 0;
  std::uint32_t logical_sector_bytes = 512;  // BLKSSZGET; 512 for regular files
  std::uint32_t physical_sector_bytes = 512; // BLKPBSZGET
  bool regular_file = false;
};

inline constexpr std::size_t k_buffer_alignment = 4096;

class BlockDevice {
public:
  virtual ~BlockDevice() = default;
  virtual const DeviceGeometry& geometry() const = 0;
  // Bytes written (may be fewer than asked: a short write), or the errno.
  virtual std::expected<std::size_t, int> write_at(std::span<const std::byte> data,
                                                   std::uint64_t offset) = 0;
  // Bytes read (0 at the end of the device), or the errno.
  virtual std::expected<std::size_t, int> read_at(std::span<std::byte> data,
                                                  std::uint64_t offset) = 0;
  // Makes the written data durable (fdatasync) and drops cached copies so that the next reads come
  // from the media (BLKFLSBUF for block devices, posix_fadvise DONTNEED for files).
  virtual std::expected<void, int> flush() = 0;
};

struct OpenOptions {
  bool write = true; // O_RDWR | O_EXCL; false: O_RDONLY (verification of a device in use is refused
                     // by the safety check, not here)
  bool direct = true; // O_DIRECT: bypass the page cache (falls back to buffered I/O for a regular
                      // file on a filesystem without O_DIRECT support, e.g. tmpfs)
};

// Opens a block device or regular file. The error is a sentence naming the path and the cause,
// e.g. "/dev/sdb: open: Device or resource busy (EBUSY: in use by another program)".
std::expected<std::unique_ptr<BlockDevice>, std::string>
open_block_device(const std::filesystem::path& path, const OpenOptions& options);

// "Input/output error (EIO)": strerror plus the symbolic name, for records and messages.
using base::errno_text;

// Heap memory aligned for O_DIRECT, owned.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t bytes);
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer();
  std::byte* data() { return m_data; }
  const std::byte* data() const { return m_data; }
  std::size_t size() const { return m_size; }
  std::span<std::byte> span() { return {m_data, m_size}; }
  std::span<const std::byte> span() const { return {m_data, m_size}; }

private:
  std::byte* m_data = nullptr;
  std::size_t m_size = 0;
};

} // namespace atelier::imager
