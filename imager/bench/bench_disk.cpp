#include "imager/bench/bench_disk.h"

#include "base/text.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <new>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace atelier::imager {
namespace {

struct AlignedDeleter {
  std::align_val_t alignment;
  void operator()(std::byte* p) const { ::operator delete[](p, alignment); }
};
using AlignedBuffer = std::unique_ptr<std::byte[], AlignedDeleter>;

AlignedBuffer aligned_buffer(std::size_t bytes, std::size_t alignment) {
  const std::align_val_t a{std::max<std::size_t>(alignment, 4096)};
  return AlignedBuffer(static_cast<std::byte*>(::operator new[](bytes, a, std::nothrow)),
                       AlignedDeleter{a});
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

double per_second(double amount, std::chrono::nanoseconds elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  return seconds > 0 ? amount / seconds : 0.0;
}

} // namespace

std::expected<std::unique_ptr<PosixBlockReader>, std::string>
PosixBlockReader::open(const std::string& path) {
  // O_RDONLY only, on purpose: this code must never be able to write to a donor's disk.
  bool direct = true;
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  if (!fd && errno == EINVAL) {
    direct = false;
    fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  if (!fd) {
    return std::unexpected(path + ": " + base::errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return std::unexpected(path + ": " + base::errno_text(errno));
  }
  std::uint64_t size = 0;
  std::uint32_t alignment = 4096;
  if (S_ISBLK(st.st_mode)) {
    int logical = 0;
    if (::ioctl(fd.get(), BLKGETSIZE64, &size) != 0 ||
        ::ioctl(fd.get(), BLKSSZGET, &logical) != 0) {
      return std::unexpected(path + ": size: " + base::errno_text(errno));
    }
    alignment = std::max<std::uint32_t>(static_cast<std::uint32_t>(logical), 512);
  } else if (S_ISREG(st.st_mode)) {
    size = static_cast<std::uint64_t>(st.st_size);
  } else {
    return std::unexpected(path + ": neither a block device nor a regular file");
  }
  if (!direct) {
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
  }
  return std::unique_ptr<PosixBlockReader>(
      new PosixBlockReader(std::move(fd), size, alignment, direct));
}

std::expected<void, std::string> PosixBlockReader::read_at(std::uint64_t offset,
                                                           std::span<std::byte> buffer) {
  std::size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::pread(m_fd.get(), buffer.data() + done, buffer.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::unexpected("read at " + std::to_string(offset + done) + ": " +
                             base::errno_text(errno));
    }
    if (n == 0) {
      return std::unexpected("short read at " + std::to_string(offset + done));
    }
    done += static_cast<std::size_t>(n);
  }
  if (!m_direct) {
    // Drop what was just read so a later pass over the same range measures the device again.
    ::posix_fadvise(m_fd.get(), static_cast<off_t>(offset), static_cast<off_t>(buffer.size()),
                    POSIX_FADV_DONTNEED);
  }
  return {};
}

std::expected<DiskRun, std::string> measure_disk(BlockReader& reader, const base::Clock& clock,
                                                 const DiskPlan& plan) {
  const std::uint64_t align = std::max<std::uint64_t>(reader.alignment(), 1);
  const std::uint64_t size = reader.size_bytes() / align * align;
  const std::uint64_t rand_chunk = std::max<std::uint64_t>(DiskPlan::k_rand_chunk, align);
  if (size < rand_chunk) {
    return std::unexpected("device smaller than one " + std::to_string(rand_chunk) + "-byte read");
  }
  const unsigned slices = std::max(plan.slices, 1U);
  // A device smaller than 1 MiB (a test file) is read in chunks of its own size.
  const std::uint64_t seq_chunk = std::min<std::uint64_t>(DiskPlan::k_seq_chunk, size);
  AlignedBuffer buffer = aligned_buffer(DiskPlan::k_seq_chunk, align);
  if (!buffer) {
    return std::unexpected("could not allocate the read buffer");
  }

  DiskRun run;
  const std::chrono::nanoseconds seq_start = clock.monotonic().time_since_epoch();
  for (unsigned s = 0; s < slices; ++s) {
    // Stretch s: [first, first + span), chunk-aligned, at least one chunk long.
    const std::uint64_t first = size * s / slices / seq_chunk * seq_chunk;
    const std::uint64_t stretch = std::max(size / slices / seq_chunk * seq_chunk, seq_chunk);
    std::uint64_t offset = first;
    std::uint64_t bytes = 0;
    const std::chrono::nanoseconds start = clock.monotonic().time_since_epoch();
    const std::chrono::nanoseconds deadline = start + plan.seq_time / slices;
    do {
      if (offset + seq_chunk > std::min(first + stretch, size)) {
        offset = first;
      }
      if (auto ok = reader.read_at(offset, {buffer.get(), seq_chunk}); !ok) {
        return std::unexpected("sequential read: " + ok.error());
      }
      offset += seq_chunk;
      bytes += seq_chunk;
    } while (clock.monotonic().time_since_epoch() < deadline);
    run.seq_samples_mb_s.push_back(
        per_second(static_cast<double>(bytes) / 1e6, clock.monotonic().time_since_epoch() - start));
    run.seq_bytes += bytes;
  }
  run.seq_elapsed = clock.monotonic().time_since_epoch() - seq_start;

  std::uint64_t state = plan.seed;
  const std::uint64_t positions = size / rand_chunk;
  const std::chrono::nanoseconds rand_start = clock.monotonic().time_since_epoch();
  for (unsigned s = 0; s < slices; ++s) {
    std::uint64_t reads = 0;
    const std::chrono::nanoseconds start = clock.monotonic().time_since_epoch();
    const std::chrono::nanoseconds deadline = start + plan.rand_time / slices;
    do {
      const std::uint64_t offset = splitmix64(state) % positions * rand_chunk;
      if (auto ok = reader.read_at(offset, {buffer.get(), rand_chunk}); !ok) {
        return std::unexpected("random read: " + ok.error());
      }
      ++reads;
    } while (clock.monotonic().time_since_epoch() < deadline);
    run.rand_samples_iops.push_back(
        per_second(static_cast<double>(reads), clock.monotonic().time_since_epoch() - start));
    run.rand_reads += reads;
  }
  run.rand_elapsed = clock.monotonic().time_since_epoch() - rand_start;
  return run;
}

} // namespace atelier::imager
