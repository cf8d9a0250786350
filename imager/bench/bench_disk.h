// Disk benchmark: sequential read throughput (1 MiB reads spread over the whole device) and random
// 4 KiB read IOPS at queue depth 1. Strictly read-only: devices are opened O_RDONLY, nothing else.
#pragma once

#include "base/clock.h"
#include "base/unique_fd.h"

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace atelier::imager {

// Read access to one disk (or a regular file standing in for one, in tests).
class BlockReader {
public:
  virtual ~BlockReader() = default;
  virtual std::uint64_t size_bytes() const = 0;
  // Offsets, lengths and buffer addresses must be multiples of this (the logical block size, at
  // least 4096 for regular files so O_DIRECT accepts them on any file system).
  virtual std::uint32_t alignment() const = 0;
  // Whether reads bypass the page cache (O_DIRECT); false in the buffered fallback.
  virtual bool direct() const = 0;
  // Reads exactly buffer.size() bytes at offset. Errors: a sentence (errno text, or "short read").
  virtual std::expected<void, std::string> read_at(std::uint64_t offset,
                                                   std::span<std::byte> buffer) = 0;
};

// O_RDONLY | O_DIRECT on a block device or regular file. When the file system refuses O_DIRECT
// (tmpfs answers EINVAL) it falls back to a buffered descriptor that drops each range it read from
// the page cache (posix_fadvise DONTNEED); direct() tells the caller, who warns.
class PosixBlockReader final : public BlockReader {
public:
  static std::expected<std::unique_ptr<PosixBlockReader>, std::string>
  open(const std::string& path);
  PosixBlockReader(const PosixBlockReader&) = delete;
  PosixBlockReader& operator=(const PosixBlockReader&) = delete;

  std::uint64_t size_bytes() const override { return m_size; }
  std::uint32_t alignment() const override { return m_alignment; }
  bool direct() const override { return m_direct; }
  std::expected<void, std::string> read_at(std::uint64_t offset,
                                           std::span<std::byte> buffer) override;

private:
  PosixBlockReader(base::UniqueFd fd, std::uint64_t size, std::uint32_t alignment, bool direct)
      : m_fd(std::move(fd)), m_size(size), m_alignment(alignment), m_direct(direct) {}
  base::UniqueFd m_fd;
  std::uint64_t m_size;
  std::uint32_t m_alignment;
  bool m_direct;
};

struct DiskPlan {
  std::chrono::nanoseconds seq_time{0}; // split into `slices` samples
  std::chrono::nanoseconds rand_time{0};
  unsigned slices = 3;
  std::uint64_t seed = 1; // random offsets
  static constexpr std::size_t k_seq_chunk = 1U << 20;
  static constexpr std::size_t k_rand_chunk = 4096;
};

struct DiskRun {
  std::vector<double> seq_samples_mb_s; // 10^6 B/s
  std::vector<double> rand_samples_iops;
  std::uint64_t seq_bytes = 0;
  std::uint64_t rand_reads = 0;
  std::chrono::nanoseconds seq_elapsed{0};
  std::chrono::nanoseconds rand_elapsed{0};
};

// Sequential: slice s reads 1 MiB chunks in order from the start of the s-th of `slices` equal
// stretches of the device (wrapping inside its stretch) until its deadline, so the samples cover
// the outer, middle and inner parts of a hard disk. Random: 4 KiB reads at uniformly drawn aligned
// offsets, one at a time. Errors: any failed read (an error never becomes a rate), or a device
// smaller than one 4 KiB read.
std::expected<DiskRun, std::string> measure_disk(BlockReader& reader, const base::Clock& clock,
                                                 const DiskPlan& plan);

} // namespace atelier::imager
