#include "imager/wipe/wipe_io.h"

#include <cerrno>
#include <functional>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

constexpr int k_end_of_device = -1; // a transfer returned 0 bytes before the end
constexpr int k_cancelled = -2;     // the watchdog gave up on the device
constexpr int k_max_again = 1000;   // EINTR/EAGAIN in a row before treating it as a media error
constexpr std::size_t k_split_bytes = 64 * 1024; // first bisection level below a failing buffer

enum class ErrorClass { again, media, device };

ErrorClass classify(int error) {
  switch (error) {
  case EINTR:
  case EAGAIN:
    return ErrorClass::again;
  case EROFS:
  case EPERM:
  case EACCES:
  case EBADF:
  case EINVAL:
  case EFAULT:
  case ENODEV:
  case ENXIO:
  case ENOMEDIUM:
  case k_end_of_device:
    return ErrorClass::device;
  default:
    return ErrorClass::media;
  }
}

struct Attempt {
  bool ok = true;
  int error = 0;
  std::uint64_t at = 0; // where the failing I/O started; everything before it was transferred
};

Attempt attempt(BlockDevice& device, TransferKind kind, std::span<std::byte> buffer,
                std::uint64_t offset, int max_attempts, WipeControl* control,
                std::uint64_t& retries) {
  std::size_t done = 0;
  int failures = 0;
  int again = 0;
  while (done < buffer.size()) {
    const std::uint64_t at = offset + done;
    if (control != nullptr) {
      if (control->cancelled()) {
        return {false, k_cancelled, at};
      }
      control->position.store(at, std::memory_order_relaxed);
    }
    const auto piece = buffer.subspan(done);
    const auto result =
        kind == TransferKind::write ? device.write_at(piece, at) : device.read_at(piece, at);
    if (control != nullptr) {
      control->touch(); // an I/O that returns, even with an error, is not a stall
    }
    if (result && *result > 0) {
      done += *result; // a short transfer continues where it stopped
      failures = 0;
      continue;
    }
    const int error = result ? k_end_of_device : result.error();
    const ErrorClass cls = classify(error);
    if (cls == ErrorClass::again && ++again < k_max_again) {
      continue;
    }
    if (cls == ErrorClass::device) {
      return {false, error, at};
    }
    if (++failures < max_attempts) {
      ++retries;
      continue;
    }
    return {false, error, at};
  }
  return {};
}

std::string describe(TransferKind kind, int error, int attempts) {
  const char* verb = kind == TransferKind::write ? "write" : "read";
  return fmt::format("{}: {} after {} attempt{}", verb, errno_text(error), attempts,
                     attempts == 1 ? "" : "s");
}

} // namespace

void add_failed_range(std::vector<records::FailedRange>& ranges, records::FailedRange range) {
  if (!ranges.empty()) {
    auto& last = ranges.back();
    if (last.first_byte + last.length == range.first_byte && last.error == range.error) {
      last.length += range.length;
      return;
    }
  }
  ranges.push_back(std::move(range));
}

TransferResult transfer(BlockDevice& device, TransferKind kind, std::span<std::byte> buffer,
                        std::uint64_t offset, int max_attempts, WipeControl* control) {
  TransferResult result;
  const std::uint64_t sector = device.geometry().logical_sector_bytes;
  // Bisection: the whole buffer (max_attempts), then 64 KiB pieces (one attempt each: a piece that
  // fails is narrowed further), then single sectors (max_attempts each, the verdict).
  std::function<void(std::span<std::byte>, std::uint64_t, int)> process =
      [&](std::span<std::byte> span, std::uint64_t off, int attempts) {
        const Attempt a = attempt(device, kind, span, off, attempts, control, result.retries);
        if (a.ok) {
          return;
        }
        if (a.error == k_cancelled) {
          result.cancelled = true;
          return;
        }
        if (classify(a.error) == ErrorClass::device) {
          result.fatal_errno = a.error == k_end_of_device ? ENOSPC : a.error;
          result.fatal_offset = a.at;
          return;
        }
        const std::uint64_t rest_begin = a.at - off;
        const auto rest = span.subspan(static_cast<std::size_t>(rest_begin));
        if (rest.size() <= sector) {
          const std::uint64_t sectors = (rest.size() + sector - 1) / sector;
          result.failed_sectors += sectors;
          add_failed_range(result.failed, {a.at, rest.size(), describe(kind, a.error, attempts)});
          return;
        }
        const std::size_t piece =
            rest.size() > k_split_bytes ? k_split_bytes : static_cast<std::size_t>(sector);
        const int piece_attempts = piece == sector ? max_attempts : 1;
        for (std::size_t pos = 0; pos < rest.size(); pos += piece) {
          const std::size_t length = std::min(piece, rest.size() - pos);
          process(rest.subspan(pos, length), a.at + pos, piece_attempts);
          if (result.cancelled || result.fatal_errno) {
            return;
          }
        }
      };
  process(buffer, offset, max_attempts);
  return result;
}

ProgressMeter::ProgressMeter(ProgressSink sink, Progress base, std::chrono::milliseconds interval,
                             const base::Clock& clock)
    : m_sink(std::move(sink)), m_progress(std::move(base)), m_interval(interval), m_clock(clock),
      m_start(clock.monotonic()), m_last(m_start) {}

void ProgressMeter::update(std::uint64_t done_bytes) {
  const auto now = m_clock.monotonic();
  if (now - m_last >= m_interval) {
    emit(done_bytes, now);
  }
}

void ProgressMeter::finish(std::uint64_t done_bytes) {
  emit(done_bytes, m_clock.monotonic());
}

double ProgressMeter::average_rate() const {
  const double seconds = std::chrono::duration<double>(m_last - m_start).count();
  return seconds > 0 ? static_cast<double>(m_last_bytes) / seconds : 0;
}

void ProgressMeter::emit(std::uint64_t done_bytes, std::chrono::steady_clock::time_point now) {
  const double dt = std::chrono::duration<double>(now - m_last).count();
  if (dt > 0 && done_bytes >= m_last_bytes) {
    const double instant = static_cast<double>(done_bytes - m_last_bytes) / dt;
    m_rate = m_rate == 0 ? instant : 0.7 * m_rate + 0.3 * instant;
  }
  m_last = now;
  m_last_bytes = done_bytes;
  if (!m_sink) {
    return;
  }
  m_progress.done_bytes = done_bytes;
  m_progress.bytes_per_second = m_rate;
  if (m_rate > 0 && m_progress.total_bytes >= done_bytes) {
    m_progress.eta_seconds = static_cast<double>(m_progress.total_bytes - done_bytes) / m_rate;
  } else {
    m_progress.eta_seconds.reset();
  }
  m_sink(m_progress);
}

} // namespace atelier::imager
