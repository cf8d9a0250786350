#include "imager/disk/block_device.h"

#include "base/unique_fd.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/fs.h>
#include <new>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

class PosixBlockDevice final : public BlockDevice {
public:
  PosixBlockDevice(base::UniqueFd fd, base::UniqueFd buffered, DeviceGeometry geometry, bool direct)
      : m_fd(std::move(fd)), m_buffered(std::move(buffered)), m_geometry(geometry),
        m_direct(direct) {}

  const DeviceGeometry& geometry() const override { return m_geometry; }

  std::expected<std::size_t, int> write_at(std::span<const std::byte> data,
                                           std::uint64_t offset) override {
    const ssize_t n =
        ::pwrite(fd_for(data.size(), offset), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      return std::unexpected(errno);
    }
    return static_cast<std::size_t>(n);
  }

  std::expected<std::size_t, int> read_at(std::span<std::byte> data,
                                          std::uint64_t offset) override {
    const ssize_t n =
        ::pread(fd_for(data.size(), offset), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      return std::unexpected(errno);
    }
    return static_cast<std::size_t>(n);
  }

  std::expected<void, int> flush() override {
    for (const base::UniqueFd* fd : {&m_fd, &m_buffered}) {
      if (fd->get() < 0) {
        continue;
      }
      if (::fdatasync(fd->get()) != 0) {
        return std::unexpected(errno);
      }
      // Drop cached pages so verification reads the media, not memory. BLKFLSBUF needs
      // CAP_SYS_ADMIN; without it the O_DIRECT reads still bypass the cache, so it is best effort.
      if (!m_geometry.regular_file) {
        (void)::ioctl(fd->get(), BLKFLSBUF, 0);
      }
      (void)::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_DONTNEED);
    }
    return {};
  }

private:
  // O_DIRECT needs sector-aligned offsets and lengths: a regular file's unaligned tail goes through
  // the buffered descriptor.
  int fd_for(std::size_t length, std::uint64_t offset) const {
    if (m_direct && m_buffered.get() >= 0 && ((offset | length) % 512U) != 0) {
      return m_buffered.get();
    }
    return m_fd.get();
  }

  base::UniqueFd m_fd;
  base::UniqueFd m_buffered;
  DeviceGeometry m_geometry;
  bool m_direct;
};

std::string open_error(const std::filesystem::path& path, int error) {
  std::string hint;
  if (error == EBUSY) {
    hint = ": in use by another program";
  } else if (error == EACCES || error == EPERM) {
    hint = ": run as root";
  }
  return fmt::format("{}: open: {}{}", path.string(), errno_text(error), hint);
}

} // namespace

std::expected<std::unique_ptr<BlockDevice>, std::string>
open_block_device(const std::filesystem::path& path, const OpenOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::unexpected(open_error(path, errno));
  }
  const bool regular = S_ISREG(st.st_mode);
  if (!regular && !S_ISBLK(st.st_mode)) {
    return std::unexpected(
        fmt::format("{}: is neither a block device nor a regular file", path.string()));
  }
  int flags = (options.write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
  if (!regular && options.write) {
    flags |=
        O_EXCL; // on a block device: fail with EBUSY if mounted or claimed, and keep others out
  }
  bool direct = options.direct;
  int raw = ::open(path.c_str(), flags | (direct ? O_DIRECT : 0));
  if (raw < 0 && errno == EINVAL && direct && regular) {
    direct = false; // a filesystem without O_DIRECT (tmpfs): buffered, flushed and dropped instead
    raw = ::open(path.c_str(), flags);
  }
  if (raw < 0) {
    return std::unexpected(open_error(path, errno));
  }
  base::UniqueFd fd(raw);
  DeviceGeometry geometry;
  geometry.regular_file = regular;
  if (regular) {
    geometry.size_bytes = static_cast<std::uint64_t>(st.st_size);
  } else {
    std::uint64_t size = 0;
    int logical = 0;
    unsigned int physical = 0;
    if (::ioctl(fd.get(), BLKGETSIZE64, &size) != 0 ||
        ::ioctl(fd.get(), BLKSSZGET, &logical) != 0 ||
        ::ioctl(fd.get(), BLKPBSZGET, &physical) != 0) {
      return std::unexpected(
          fmt::format("{}: size and sector size: {}", path.string(), errno_text(errno)));
    }
    geometry.size_bytes = size;
    geometry.logical_sector_bytes = static_cast<std::uint32_t>(logical);
    geometry.physical_sector_bytes = physical;
  }
  base::UniqueFd buffered;
  if (regular && direct) {
    buffered = base::UniqueFd(::open(path.c_str(), flags));
    if (buffered.get() < 0) {
      return std::unexpected(open_error(path, errno));
    }
  }
  return std::make_unique<PosixBlockDevice>(std::move(fd), std::move(buffered), geometry, direct);
}

AlignedBuffer::AlignedBuffer(std::size_t bytes) : m_size(bytes) {
  const std::size_t rounded =
      (bytes + k_buffer_alignment - 1) / k_buffer_alignment * k_buffer_alignment;
  m_data = static_cast<std::byte*>(
      std::aligned_alloc(k_buffer_alignment, rounded == 0 ? k_buffer_alignment : rounded));
  if (m_data == nullptr) {
    throw std::bad_alloc();
  }
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  std::swap(m_data, other.m_data);
  std::swap(m_size, other.m_size);
  return *this;
}

AlignedBuffer::~AlignedBuffer() {
  std::free(m_data);
}

} // namespace atelier::imager
