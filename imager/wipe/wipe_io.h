// The I/O discipline shared by the overwrite and its verification: bounded retries, bisection of a
// failing range down to the sectors that really fail, errno classification, cancellation by the
// watchdog, and progress metering.
//
// Error classes (docs/WIPE.md, "Failure semantics"):
//   - EINTR, EAGAIN: repeated, not counted;
//   - media errors (EIO, ENOSPC on a block device, EILSEQ, ENODATA, EBADMSG, ETIMEDOUT, ...):
//   retried
//     up to max_attempts, then the range is split until the failing sectors are known; the rest of
//     the range is still transferred;
//   - device errors (EROFS, EPERM, EACCES, EBADF, EINVAL, ENODEV, ENXIO, ENOMEDIUM): the device as
//   a
//     whole refuses; nothing after this point can succeed, so the transfer stops (fatal).
//   - a transfer of 0 bytes before the end: the device ended early (fatal, reported as ENOSPC).
#pragma once

#include "base/clock.h"
#include "imager/disk/block_device.h"
#include "imager/disk/progress.h"
#include "records/erasure_record.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace atelier::imager {

// Shared between a disk's worker thread and its supervisor (the watchdog): the worker stamps
// last_progress after every completed I/O; the supervisor sets cancel when it gives up on the disk.
struct WipeControl {
  std::atomic<bool> cancel{false};
  std::atomic<std::int64_t> last_progress_ns{0}; // clock's monotonic time, ns since its epoch
  std::atomic<std::uint64_t> position{0};        // byte offset of the I/O in flight, for messages
  const base::Clock* clock = &base::system_clock(); // never null; set before the worker starts
  void touch() {
    last_progress_ns.store(clock->monotonic().time_since_epoch().count(),
                           std::memory_order_relaxed);
  }
  bool cancelled() const { return cancel.load(std::memory_order_relaxed); }
};

enum class TransferKind { write, read };

struct TransferResult {
  std::uint64_t failed_sectors = 0;
  std::vector<records::FailedRange> failed; // contiguous failing runs, in offset order
  std::uint64_t retries = 0;                // attempts beyond the first that were needed
  bool cancelled = false;
  std::optional<int> fatal_errno; // the device refused as a whole at fatal_offset
  std::uint64_t fatal_offset = 0;
};

// Transfers buffer <-> [offset, offset + buffer.size()) with the rules above. For writes the buffer
// is only read. control may be null.
TransferResult transfer(BlockDevice& device, TransferKind kind, std::span<std::byte> buffer,
                        std::uint64_t offset, int max_attempts, WipeControl* control);

// Appends a failed run to ranges, merging with the last one when contiguous and of the same error.
void add_failed_range(std::vector<records::FailedRange>& ranges, records::FailedRange range);

// Throttled progress with a smoothed rate and an ETA. Calls the sink at most every `interval`, and
// always for the final report (finish()).
class ProgressMeter {
public:
  // `clock` must outlive the meter.
  ProgressMeter(ProgressSink sink, Progress base, std::chrono::milliseconds interval,
                const base::Clock& clock);
  void update(std::uint64_t done_bytes);
  void finish(std::uint64_t done_bytes);
  double average_rate() const; // bytes per second since construction

private:
  void emit(std::uint64_t done_bytes, std::chrono::steady_clock::time_point now);
  ProgressSink m_sink;
  Progress m_progress;
  std::chrono::milliseconds m_interval;
  const base::Clock& m_clock;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last;
  std::uint64_t m_last_bytes = 0;
  double m_rate = 0;
};

} // namespace atelier::imager
