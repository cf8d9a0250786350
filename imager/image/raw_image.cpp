#include "imager/image/raw_image.h"

#include "base/text.h"
#include "base/unique_fd.h"
#include "imager/image/image_util.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <thread>
#include <variant>
#include <zstd.h>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

constexpr std::size_t k_align = 4096;           // O_DIRECT alignment that suits every device
constexpr std::size_t k_chunk = 4U << 20;       // decompressed bytes per hand-off
constexpr std::size_t k_zero_block = 64U << 10; // granularity of zero skipping
constexpr std::uint64_t k_head = 1U << 20;      // written last, after the checksum matched
constexpr std::size_t k_pipeline_chunks = 8;    // chunks in flight between reader and writer
constexpr std::size_t k_input_bytes = 1U << 20; // compressed bytes per read

struct FreeDeleter {
  void operator()(std::byte* p) const { std::free(p); }
};
using AlignedBytes = std::unique_ptr<std::byte, FreeDeleter>;

AlignedBytes aligned_alloc_bytes(std::size_t size) {
  void* p = nullptr;
  if (::posix_memalign(&p, k_align, size) != 0) {
    throw std::bad_alloc();
  }
  return AlignedBytes(static_cast<std::byte*>(p));
}

bool all_zero(const std::byte* p, std::size_t n) {
  // Compare the first 16 bytes with zero, then the buffer with itself shifted by 16: one
  // vectorised memcmp instead of a byte loop.
  constexpr std::size_t k_probe = 16;
  if (n < k_probe) {
    return std::all_of(p, p + n, [](std::byte b) { return b == std::byte{0}; });
  }
  static constexpr std::byte zeros[k_probe] = {};
  return std::memcmp(p, zeros, k_probe) == 0 && std::memcmp(p, p + k_probe, n - k_probe) == 0;
}

struct Chunk {
  AlignedBytes bytes;
  std::size_t size = 0;
};
struct End {};
using Item = std::variant<Chunk, End>;

enum class Compression { none, zstd };

// The reading side: stream → (zstd) → fixed-size aligned chunks.
class ChunkReader {
public:
  explicit ChunkReader(ImageStream& stream) : m_stream(stream), m_input(k_input_bytes) {}

  // Reads the first block to recognise the format. Returns the image size when it is declared
  // (zstd frame header; a plain image's size is the source's).
  std::expected<std::optional<std::uint64_t>, ImageError> start() {
    auto got = fill_input();
    if (!got) {
      return std::unexpected(std::move(got.error()));
    }
    const auto* b = reinterpret_cast<const unsigned char*>(m_input.data());
    const std::size_t n = m_in_size;
    const auto starts = [&](std::initializer_list<unsigned char> magic) {
      return n >= magic.size() && std::equal(magic.begin(), magic.end(), b);
    };
    const bool skippable = n >= 4 && (b[0] & 0xF0U) == 0x50 && b[1] == 0x2A && b[2] == 0x4D &&
                           b[3] == 0x18; // zstd skippable frame
    if (starts({0x28, 0xB5, 0x2F, 0xFD}) || skippable) {
      m_compression = Compression::zstd;
      m_dctx.reset(ZSTD_createDCtx());
      if (!m_dctx) {
        return image_error(ImageErrorKind::io, "zstd: cannot allocate a decompression context");
      }
      const auto declared = ZSTD_getFrameContentSize(m_input.data(), n);
      if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
        return std::optional<std::uint64_t>(declared); // at least this (more frames may follow)
      }
      return std::optional<std::uint64_t>();
    }
    if (starts({0x1F, 0x8B}) || starts({0xFD, '7', 'z', 'X', 'Z', 0x00}) ||
        starts({'B', 'Z', 'h'})) {
      return image_error(ImageErrorKind::unsupported,
                         "{}: a raw image compressed with gzip, xz or bzip2; raw images must be "
                         "uncompressed (.img) or zstd (.img.zst)",
                         m_stream.name());
    }
    return m_stream.total_size();
  }

  Compression compression() const { return m_compression; }
  std::uint64_t position() const { return m_position.load(std::memory_order_relaxed); }

  // Fills `chunk` (k_chunk bytes) completely unless the image ends; size 0 at the end, after the
  // stream verified its checksum.
  std::expected<std::size_t, ImageError> next(std::byte* chunk) {
    std::size_t filled = 0;
    while (filled < k_chunk) {
      if (m_in_pos == m_in_size) {
        if (m_eof) {
          break;
        }
        if (m_compression == Compression::none) {
          // Plain image: straight into the chunk, no copy.
          auto got = m_stream.read(std::span<std::byte>(chunk + filled, k_chunk - filled));
          if (!got) {
            return std::unexpected(std::move(got.error()));
          }
          m_eof = *got == 0;
          m_position.fetch_add(*got, std::memory_order_relaxed);
          filled += *got;
          continue;
        }
        auto got = fill_input();
        if (!got) {
          return std::unexpected(std::move(got.error()));
        }
        continue;
      }
      if (m_compression == Compression::none) {
        const std::size_t n = std::min(k_chunk - filled, m_in_size - m_in_pos);
        std::memcpy(chunk + filled, m_input.data() + m_in_pos, n);
        m_in_pos += n;
        filled += n;
        continue;
      }
      ZSTD_inBuffer in{m_input.data(), m_in_size, m_in_pos};
      ZSTD_outBuffer out{chunk, k_chunk, filled};
      const std::size_t r = ZSTD_decompressStream(m_dctx.get(), &out, &in);
      if (ZSTD_isError(r) != 0) {
        return image_error(ImageErrorKind::format, "{}: zstd data is corrupt near byte {}: {}",
                           m_stream.name(), position(), ZSTD_getErrorName(r));
      }
      m_in_pos = in.pos;
      filled = out.pos;
      m_frame_open = r != 0;
    }
    if (filled == 0 && m_compression == Compression::zstd && m_frame_open) {
      return image_error(ImageErrorKind::truncated,
                         "{}: the zstd stream ends in the middle of a frame ({} bytes read)",
                         m_stream.name(), position());
    }
    return filled;
  }

private:
  std::expected<void, ImageError> fill_input() {
    auto got = m_stream.read(m_input);
    if (!got) {
      return std::unexpected(std::move(got.error()));
    }
    m_in_size = *got;
    m_in_pos = 0;
    m_eof = *got == 0;
    m_position.fetch_add(*got, std::memory_order_relaxed);
    return {};
  }

  struct DctxFree {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
  };

  ImageStream& m_stream;
  std::vector<std::byte> m_input;
  std::size_t m_in_size = 0;
  std::size_t m_in_pos = 0;
  bool m_eof = false;
  bool m_frame_open = false;
  Compression m_compression = Compression::none;
  std::unique_ptr<ZSTD_DCtx, DctxFree> m_dctx;
  std::atomic<std::uint64_t> m_position{0};
};

// The writing side: aligned chunks → the device, holding the first MiB back until the end.
class DeviceWriter {
public:
  DeviceWriter(std::string path, const RawWriteOptions& options)
      : m_path(std::move(path)), m_options(options), m_head(aligned_alloc_bytes(k_head)) {}

  std::expected<void, ImageError> open() {
    // Never O_CREAT: a mistyped /dev/sdX must fail, not become a file in the agent's RAM.
    const int flags = O_WRONLY | O_CLOEXEC;
    if (m_options.direct_io) {
      m_fd = base::UniqueFd(::open(m_path.c_str(), flags | O_DIRECT));
      m_direct = m_fd.valid();
    }
    if (!m_fd.valid()) {
      m_fd = base::UniqueFd(::open(m_path.c_str(), flags));
    }
    if (!m_fd.valid()) {
      return image_error(errno == ENOENT ? ImageErrorKind::not_found : ImageErrorKind::io,
                         "{}: cannot open the target for writing: {}", m_path,
                         base::errno_text(errno));
    }
    struct stat st {};
    if (::fstat(m_fd.get(), &st) != 0) {
      return image_error(ImageErrorKind::io, "{}: cannot stat the target: {}", m_path,
                         base::errno_text(errno));
    }
    if (S_ISBLK(st.st_mode)) {
      std::uint64_t size = 0;
      if (::ioctl(m_fd.get(), BLKGETSIZE64, &size) != 0) {
        return image_error(ImageErrorKind::io, "{}: cannot read the device size: {}", m_path,
                           base::errno_text(errno));
      }
      m_device_size = size;
    } else if (!S_ISREG(st.st_mode)) {
      return image_error(ImageErrorKind::invalid_argument,
                         "{}: the target is neither a block device nor a regular file", m_path);
    }
    m_regular_file = S_ISREG(st.st_mode);
    m_stats.direct_io = m_direct;
    return {};
  }

  std::optional<std::uint64_t> device_size() const { return m_device_size; }
  bool started() const { return m_started; }
  RawWriteStats& stats() { return m_stats; }

  std::expected<void, ImageError> chunk(const std::byte* data, std::size_t size) {
    const std::uint64_t offset = m_image_bytes;
    m_image_bytes += size;
    m_stats.image_bytes = m_image_bytes;
    if (m_device_size && m_image_bytes > *m_device_size) {
      return image_error(ImageErrorKind::no_space,
                         "{}: the image is larger than the device ({} bytes, at least {} in the "
                         "image)",
                         m_path, *m_device_size, m_image_bytes);
    }
    std::size_t skip = 0;
    if (offset < k_head) {
      skip = static_cast<std::size_t>(std::min<std::uint64_t>(k_head - offset, size));
      std::memcpy(m_head.get() + offset, data, skip);
      m_head_size = offset + skip;
    }
    return write_region(data + skip, size - skip, offset + skip);
  }

  // The image ended and its checksum matched: the head goes in, the file gets its length, and
  // everything reaches the device.
  std::expected<void, ImageError> finish() {
    if (auto ok = write_region(m_head.get(), m_head_size, 0); !ok) {
      return ok;
    }
    if (m_regular_file && ::ftruncate(m_fd.get(), static_cast<off_t>(m_image_bytes)) != 0) {
      // Only grows the file in practice: its size is at least what was written.
      return image_error(ImageErrorKind::io, "{}: cannot set the length to {}: {}", m_path,
                         m_image_bytes, base::errno_text(errno));
    }
    if (::fdatasync(m_fd.get()) != 0) {
      return image_error(ImageErrorKind::io, "{}: fdatasync failed: {}", m_path,
                         base::errno_text(errno));
    }
    return {};
  }

  // Best effort after a failure: zero the head and the last MiB written, so neither the partial
  // image's partition table nor its backup GPT header is left for a firmware to boot from.
  std::string neutralise() {
    if (!m_started) {
      return " Nothing was written to the device.";
    }
    const auto zeros = aligned_alloc_bytes(k_head);
    std::memset(zeros.get(), 0, k_head);
    const std::uint64_t tail_start =
        m_written_end > k_head ? std::max(k_head, m_written_end - k_head) : m_written_end;
    const auto head = static_cast<std::size_t>(std::min(k_head, m_image_bytes));
    const bool head_ok = raw_write(zeros.get(), head, 0);
    const bool tail_ok =
        tail_start >= m_written_end ||
        raw_write(zeros.get(), static_cast<std::size_t>(m_written_end - tail_start), tail_start);
    ::fdatasync(m_fd.get());
    if (head_ok && tail_ok) {
      return " The device holds a partial image; its first and last written MiB were zeroed so it "
             "does not boot. Re-image or wipe it.";
    }
    return " The device holds a partial image and zeroing its first MiB failed: it may boot a "
           "broken system. Re-image or wipe it.";
  }

private:
  std::expected<void, ImageError> write_region(const std::byte* data, std::size_t size,
                                               std::uint64_t offset) {
    if (!m_options.disk_known_zero) {
      return write_checked(data, size, offset);
    }
    std::size_t run_start = 0;
    std::size_t pos = 0;
    while (pos < size) {
      const std::size_t n = std::min(k_zero_block, size - pos);
      if (all_zero(data + pos, n)) {
        if (pos > run_start) {
          if (auto ok = write_checked(data + run_start, pos - run_start, offset + run_start); !ok) {
            return ok;
          }
        }
        m_stats.bytes_skipped_zero += n;
        run_start = pos + n;
      }
      pos += n;
    }
    if (size > run_start) {
      return write_checked(data + run_start, size - run_start, offset + run_start);
    }
    return {};
  }

  std::expected<void, ImageError> write_checked(const std::byte* data, std::size_t size,
                                                std::uint64_t offset) {
    if (size == 0) {
      return {};
    }
    m_started = true;
    if (!raw_write(data, size, offset)) {
      const int err = errno;
      return image_error(err == ENOSPC || err == EFBIG ? ImageErrorKind::no_space
                                                       : ImageErrorKind::io,
                         "{}: write of {} bytes at offset {} failed: {}", m_path, size, offset,
                         base::errno_text(err));
    }
    m_stats.bytes_written += size;
    m_written_end = std::max(m_written_end, offset + size);
    return {};
  }

  // pwrite everything; an unaligned tail (only the image's last bytes) leaves O_DIRECT first.
  bool raw_write(const std::byte* data, std::size_t size, std::uint64_t offset) {
    if (m_direct && (size % k_align != 0 || offset % k_align != 0 ||
                     reinterpret_cast<std::uintptr_t>(data) % k_align != 0)) {
      const int flags = ::fcntl(m_fd.get(), F_GETFL);
      if (flags < 0 || ::fcntl(m_fd.get(), F_SETFL, flags & ~O_DIRECT) != 0) {
        return false;
      }
      m_direct = false;
    }
    while (size > 0) {
      const ssize_t n = ::pwrite(m_fd.get(), data, size, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        if (n == 0) {
          errno = ENOSPC;
        }
        return false;
      }
      data += n;
      size -= static_cast<std::size_t>(n);
      offset += static_cast<std::uint64_t>(n);
    }
    return true;
  }

  std::string m_path;
  const RawWriteOptions& m_options;
  base::UniqueFd m_fd;
  bool m_direct = false;
  bool m_regular_file = false;
  bool m_started = false;
  std::optional<std::uint64_t> m_device_size;
  AlignedBytes m_head;
  std::uint64_t m_head_size = 0;
  std::uint64_t m_image_bytes = 0;
  std::uint64_t m_written_end = 0;
  RawWriteStats m_stats;
};

} // namespace

std::expected<RawWriteStats, ImageError> write_raw_image(ImageStream& stream,
                                                         const std::filesystem::path& device,
                                                         const RawWriteOptions& options) {
  TransferProgress meter(options.progress, "write", device.string(), *options.clock);
  DeviceWriter writer(device.string(), options);
  if (auto ok = writer.open(); !ok) {
    return std::unexpected(std::move(ok.error()));
  }
  ChunkReader reader(stream);
  auto declared = reader.start();
  if (!declared) {
    return std::unexpected(std::move(declared.error()));
  }
  if (*declared && writer.device_size() && **declared > *writer.device_size()) {
    return image_error(ImageErrorKind::no_space,
                       "{}: the image ({} bytes) is larger than {} ({} bytes); nothing was written",
                       stream.name(), **declared, device.string(), *writer.device_size());
  }
  const std::uint64_t total = stream.total_size().value_or(0);
  const auto fail = [&](ImageError error) -> std::unexpected<ImageError> {
    error.message += writer.neutralise();
    return std::unexpected(std::move(error));
  };

  if (!options.pipelined) {
    const auto buffer = aligned_alloc_bytes(k_chunk);
    while (true) {
      auto n = reader.next(buffer.get());
      if (!n) {
        return fail(std::move(n.error()));
      }
      if (*n == 0) {
        break;
      }
      if (auto ok = writer.chunk(buffer.get(), *n); !ok) {
        return fail(std::move(ok.error()));
      }
      meter.update(reader.position(), total);
    }
  } else {
    // Buffers circulate: the reader takes a free one, fills it, hands it over; the writer
    // returns it after writing. No allocation per chunk.
    BoundedQueue<Item> full(k_pipeline_chunks);
    BoundedQueue<AlignedBytes> free_buffers(k_pipeline_chunks + 1);
    for (std::size_t i = 0; i < k_pipeline_chunks + 1; ++i) {
      free_buffers.push(aligned_alloc_bytes(k_chunk), 1);
    }
    std::optional<ImageError> read_error;
    std::thread thread([&] {
      while (auto buffer = free_buffers.pop()) {
        auto n = reader.next(buffer->get());
        if (!n) {
          read_error = std::move(n.error());
          break;
        }
        if (*n == 0) {
          full.push(End{}, 1);
          break;
        }
        if (!full.push(Chunk{std::move(*buffer), *n}, 1)) {
          break;
        }
      }
      full.close();
    });
    std::optional<ImageError> write_error;
    bool ended = false;
    while (auto item = full.pop()) {
      if (std::holds_alternative<End>(*item)) {
        ended = true;
        break;
      }
      auto& chunk = std::get<Chunk>(*item);
      if (auto ok = writer.chunk(chunk.bytes.get(), chunk.size); !ok) {
        write_error = std::move(ok.error());
        break;
      }
      free_buffers.push(std::move(chunk.bytes), 1);
      meter.update(reader.position(), total);
    }
    full.close();
    free_buffers.close();
    thread.join();
    if (write_error) {
      return fail(std::move(*write_error));
    }
    if (read_error) {
      return fail(std::move(*read_error));
    }
    if (!ended) {
      return fail(
          {ImageErrorKind::io, fmt::format("{}: the image reader stopped early", stream.name())});
    }
  }
  if (!stream.at_end()) {
    return fail({ImageErrorKind::io,
                 fmt::format("{}: the image ended before the stream did", stream.name())});
  }
  if (auto ok = writer.finish(); !ok) {
    return fail(std::move(ok.error()));
  }
  auto stats = writer.stats();
  stats.bytes_in = stream.bytes_read();
  stats.compressed = reader.compression() == Compression::zstd;
  stats.sha256 = stream.sha256_hex();
  stats.duration_seconds = meter.elapsed_seconds();
  meter.finish(stats.bytes_in, total);
  return stats;
}

} // namespace atelier::imager
