// Small pieces shared by the image sources, the extractor and the raw writer (internal to the
// imager library): an error constructor, a throttled progress reporter and the
// bounded hand-off queue of the reader/writer pipelines.
#pragma once

#include "base/clock.h"
#include "imager/disk/progress.h"
#include "imager/image/image_source.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <locale.h>
#include <mutex>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

namespace atelier::imager {

// Makes this thread's character type UTF-8 (C.UTF-8, built into glibc) for as long as it lives.
// libarchive converts pax headers (UTF-8) to the current locale's multibyte form; in the agent's C
// locale every non-ASCII file name would fail ("Pathname can't be converted from UTF-8"). Per
// thread (uselocale), so the rest of the process keeps its locale.
class ScopedUtf8Ctype {
public:
  ScopedUtf8Ctype() : m_locale(::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{})) {
    if (m_locale != locale_t{}) {
      m_previous = ::uselocale(m_locale);
    }
  }
  ScopedUtf8Ctype(const ScopedUtf8Ctype&) = delete;
  ScopedUtf8Ctype& operator=(const ScopedUtf8Ctype&) = delete;
  ~ScopedUtf8Ctype() {
    if (m_locale != locale_t{}) {
      ::uselocale(m_previous);
      ::freelocale(m_locale);
    }
  }

private:
  locale_t m_locale;
  locale_t m_previous{};
};

template <typename... Args>
std::unexpected<ImageError> image_error(ImageErrorKind kind, fmt::format_string<Args...> format,
                                        Args&&... args) {
  return std::unexpected(ImageError{kind, fmt::format(format, std::forward<Args>(args)...)});
}

// Calls a ProgressSink at most four times a second, plus once at the end (the ProgressSink
// contract in progress.h). Not named ProgressMeter: the wipe's meter (imager/wipe/wipe_io.h) has
// that name in the same namespace, and two classes of one name break the one-definition rule (the
// sanitized build crashed in the other one's destructor). Time is `clock`'s monotonic time; the
// clock must outlive the meter.
class TransferProgress {
public:
  TransferProgress(ProgressSink sink, std::string operation, std::string device,
                   const base::Clock& clock = base::system_clock())
      : m_sink(std::move(sink)), m_operation(std::move(operation)), m_device(std::move(device)),
        m_clock(clock), m_start(m_clock.monotonic()), m_last(m_start) {}

  void update(std::uint64_t done, std::uint64_t total, const std::string& detail = {}) {
    if (!m_sink) {
      return;
    }
    const auto now = m_clock.monotonic();
    if (now - m_last < std::chrono::milliseconds(250)) {
      return;
    }
    report(now, done, total, detail);
  }
  void finish(std::uint64_t done, std::uint64_t total, const std::string& detail = {}) {
    if (m_sink && !m_finished) {
      m_finished = true;
      report(m_clock.monotonic(), done, total, detail);
    }
  }
  double elapsed_seconds() const {
    return std::chrono::duration<double>(m_clock.monotonic() - m_start).count();
  }

private:
  using TimePoint = std::chrono::steady_clock::time_point;

  void report(TimePoint now, std::uint64_t done, std::uint64_t total, const std::string& detail) {
    const double window = std::chrono::duration<double>(now - m_last).count();
    Progress p;
    p.operation = m_operation;
    p.device = m_device;
    p.done_bytes = done;
    p.total_bytes = total;
    p.bytes_per_second = window > 0 ? static_cast<double>(done - m_last_done) / window : 0;
    if (total > done && p.bytes_per_second > 0) {
      p.eta_seconds = static_cast<double>(total - done) / p.bytes_per_second;
    } else if (total != 0 && total <= done) {
      p.eta_seconds = 0;
    }
    p.detail = detail;
    m_last = now;
    m_last_done = done;
    m_sink(p);
  }

  ProgressSink m_sink;
  std::string m_operation;
  std::string m_device;
  const base::Clock& m_clock;
  TimePoint m_start;
  TimePoint m_last;
  std::uint64_t m_last_done = 0;
  bool m_finished = false;
};

// A bounded single-producer single-consumer hand-off, bounded by a cost (bytes, buffers) rather
// than a count. close() ends it from the producer (no more items) or aborts it from the consumer
// (the producer's next push returns false, so the reader thread stops when the writer failed).
//
// Hand-offs are batched: a side that had to wait is woken when a quarter of the capacity is ready
// for it (or after k_patience, so a slow source is not held back), not after every item. Waking a
// thread per item made the pipeline slower than no pipeline on a busy 2-CPU machine: each wake-up
// waits for a CPU.
template <typename T>
class BoundedQueue {
public:
  explicit BoundedQueue(std::size_t max_cost)
      : m_max_cost(max_cost), m_batch(std::max<std::size_t>(1, max_cost / 4)) {}

  // Blocks while the queue is full. False when the queue was closed: drop the item and stop.
  bool push(T item, std::size_t cost) {
    std::unique_lock lock(m_mutex);
    if (!room_for(cost)) {
      ++m_producer_waiting;
      wait_batched(
          lock, m_not_full, [&] { return room_for(cost); },
          [&] { return m_cost + cost + m_batch <= m_max_cost; });
      --m_producer_waiting;
    }
    if (m_closed) {
      return false;
    }
    m_cost += cost;
    m_items.emplace_back(std::move(item), cost);
    if (m_consumer_waiting > 0 && m_cost >= m_batch) {
      m_not_empty.notify_one();
    }
    return true;
  }

  // Blocks until an item is available; nullopt once the queue is closed and empty.
  std::optional<T> pop() {
    std::unique_lock lock(m_mutex);
    if (m_items.empty() && !m_closed) {
      ++m_consumer_waiting;
      wait_batched(
          lock, m_not_empty, [&] { return !m_items.empty(); }, [&] { return m_cost >= m_batch; });
      --m_consumer_waiting;
    }
    if (m_items.empty()) {
      return std::nullopt;
    }
    auto [item, cost] = std::move(m_items.front());
    m_items.pop_front();
    m_cost -= cost;
    if (m_producer_waiting > 0 && m_cost + m_batch <= m_max_cost) {
      m_not_full.notify_one();
    }
    return std::move(item);
  }

  void close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_not_empty.notify_all();
    m_not_full.notify_all();
  }

private:
  static constexpr std::chrono::milliseconds k_patience{2};

  bool room_for(std::size_t cost) const { return m_cost == 0 || m_cost + cost <= m_max_cost; }

  // Waits until closed or `plenty`; after each k_patience without it, `some` is enough.
  template <typename Some, typename Plenty>
  void wait_batched(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Some some,
                    Plenty plenty) {
    while (!m_closed && !plenty()) {
      if (cv.wait_for(lock, k_patience) == std::cv_status::timeout && some()) {
        return;
      }
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_not_full;
  std::condition_variable m_not_empty;
  std::deque<std::pair<T, std::size_t>> m_items;
  std::size_t m_cost = 0;
  std::size_t m_max_cost;
  std::size_t m_batch;
  int m_producer_waiting = 0;
  int m_consumer_waiting = 0;
  bool m_closed = false;
};

} // namespace atelier::imager
