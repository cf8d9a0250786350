// An in-memory block device for the wipe engine's unit tests, with fault injection: an errno on
// writes or reads of a sector range (a number of times or for ever), one short write, ENOSPC from
// an offset on, a device that ends before its reported size, a stall that blocks until released, an
// error reported only when the data is flushed, and writes that are acknowledged but never stored.
// The disk's state is shared: a test keeps it while a (possibly detached) worker owns the device.
#pragma once

#include "imager/disk/block_device.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace atelier::imager::test {

struct FakeDisk {
  struct Fault {
    bool on_write = true;
    std::uint64_t first_byte = 0;
    std::uint64_t length = 0;
    int error = 0;
    int times = -1; // -1: for ever
  };

  FakeDisk(std::uint64_t size, std::uint32_t sector, std::byte fill = std::byte{0xAB})
      : data(size, fill) {
    geometry.size_bytes = size;
    geometry.logical_sector_bytes = sector;
    geometry.physical_sector_bytes = sector;
  }

  void release_stall() {
    std::lock_guard lock(mutex);
    stall_released = true;
    changed.notify_all();
  }
  bool stalled() {
    std::lock_guard lock(mutex);
    return in_stall;
  }

  DeviceGeometry geometry;
  std::vector<std::byte> data;
  std::vector<Fault> faults;
  std::optional<std::uint64_t> short_write_at; // one write covering this offset stops there
  std::optional<std::uint64_t> enospc_from;    // writes at or past it fail with ENOSPC
  std::optional<std::uint64_t> ends_at;        // the media really ends here (transfers return 0)
  std::optional<std::uint64_t> stall_at;       // an I/O covering it blocks until release_stall()
  // flush() fails with flush_error on the flush_fails_from-th flush (1-based) and every later one:
  // a device that took the writes into its cache and reports the failure only when asked to make
  // them durable (fdatasync -> EIO).
  std::optional<int> flush_error;
  std::uint64_t flush_fails_from = 1;
  // Writes to [first, first + length) succeed but the bytes there keep their old content: a device
  // that acknowledges and drops (a lying drive; Linux's loop driver after a short backing write).
  std::optional<std::pair<std::uint64_t, std::uint64_t>> dropped_writes;
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  std::uint64_t flushes = 0;
  std::mutex mutex;
  std::condition_variable changed;
  bool stall_released = false;
  bool in_stall = false;
};

class FakeBlockDevice final : public BlockDevice {
public:
  explicit FakeBlockDevice(std::shared_ptr<FakeDisk> disk) : m_disk(std::move(disk)) {}
  const DeviceGeometry& geometry() const override { return m_disk->geometry; }

  std::expected<std::size_t, int> write_at(std::span<const std::byte> data,
                                           std::uint64_t offset) override {
    std::unique_lock lock(m_disk->mutex);
    ++m_disk->writes;
    if (auto error = inject(lock, true, offset, data.size())) {
      return std::unexpected(*error);
    }
    std::size_t length = clip(offset, data.size());
    if (m_disk->short_write_at && *m_disk->short_write_at > offset &&
        *m_disk->short_write_at < offset + length) {
      length = static_cast<std::size_t>(*m_disk->short_write_at - offset);
      m_disk->short_write_at.reset();
    }
    if (m_disk->enospc_from) {
      if (offset >= *m_disk->enospc_from) {
        return std::unexpected(ENOSPC);
      }
      length =
          static_cast<std::size_t>(std::min<std::uint64_t>(length, *m_disk->enospc_from - offset));
    }
    // Stored: [offset, offset + length) less the dropped range, which keeps its old bytes.
    const std::uint64_t end = offset + length;
    const auto store = [&](std::uint64_t from, std::uint64_t to) {
      if (from < to) {
        std::memcpy(m_disk->data.data() + from, data.data() + (from - offset),
                    static_cast<std::size_t>(to - from));
      }
    };
    if (const auto& drop = m_disk->dropped_writes) {
      store(offset, std::min(end, drop->first));
      store(std::max(offset, drop->first + drop->second), end);
    } else {
      store(offset, end);
    }
    return length;
  }

  std::expected<std::size_t, int> read_at(std::span<std::byte> data,
                                          std::uint64_t offset) override {
    std::unique_lock lock(m_disk->mutex);
    ++m_disk->reads;
    if (auto error = inject(lock, false, offset, data.size())) {
      return std::unexpected(*error);
    }
    const std::size_t length = clip(offset, data.size());
    std::memcpy(data.data(), m_disk->data.data() + offset, length);
    return length;
  }

  std::expected<void, int> flush() override {
    std::lock_guard lock(m_disk->mutex);
    ++m_disk->flushes;
    if (m_disk->flush_error && m_disk->flushes >= m_disk->flush_fails_from) {
      return std::unexpected(*m_disk->flush_error);
    }
    return {};
  }

private:
  std::size_t clip(std::uint64_t offset, std::size_t length) const {
    const std::uint64_t end =
        std::min<std::uint64_t>(m_disk->ends_at.value_or(m_disk->data.size()), m_disk->data.size());
    return offset >= end ? 0
                         : static_cast<std::size_t>(std::min<std::uint64_t>(length, end - offset));
  }

  std::optional<int> inject(std::unique_lock<std::mutex>& lock, bool write, std::uint64_t offset,
                            std::size_t length) {
    const auto covers = [&](std::uint64_t first, std::uint64_t len) {
      return first < offset + length && offset < first + len;
    };
    if (m_disk->stall_at && covers(*m_disk->stall_at, 1)) {
      m_disk->in_stall = true;
      m_disk->changed.wait(lock, [&] { return m_disk->stall_released; });
      m_disk->in_stall = false;
    }
    for (auto& f : m_disk->faults) {
      if (f.on_write == write && f.times != 0 && covers(f.first_byte, f.length)) {
        if (f.times > 0) {
          --f.times;
        }
        return f.error;
      }
    }
    return std::nullopt;
  }

  std::shared_ptr<FakeDisk> m_disk;
};

} // namespace atelier::imager::test
