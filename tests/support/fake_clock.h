// The one fake base::Clock for every test: time stands still until a test moves it, so token
// expiry, retention, stall limits, hour-long erases and benchmark loops run without waiting and
// never depend on how fast this machine is. Wall and monotonic time move together.
#pragma once

#include "base/clock.h"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace atelier::testing {

class FakeClock final : public base::Clock {
public:
  // 2026-11-23T10:00:00Z, a fixed moment so records and expected texts are stable.
  static constexpr std::chrono::sys_seconds k_default_start{std::chrono::seconds{1'795'428'000}};

  explicit FakeClock(std::chrono::system_clock::time_point wall_start = k_default_start)
      : m_wall_start_ns(to_ns(wall_start.time_since_epoch())) {}

  std::chrono::system_clock::time_point wall() const override {
    const auto elapsed = read();
    return std::chrono::system_clock::time_point{
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds{m_wall_start_ns.load() + elapsed})};
  }
  // Starts at 1000 hours past the steady epoch (any fixed value; never zero, so a default
  // time_point stands out as "never").
  std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::time_point{} +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
               std::chrono::hours{1000} + std::chrono::nanoseconds{read()});
  }
  // Moves both clocks by `duration` at once and counts the call.
  void sleep_for(std::chrono::nanoseconds duration) const override {
    ++m_sleeps;
    m_elapsed_ns += duration.count();
  }

  // Moves wall and monotonic time on.
  void advance(std::chrono::nanoseconds by) { m_elapsed_ns += by.count(); }
  // Sets the wall clock (an NTP step): monotonic time does not move.
  void set_wall(std::chrono::system_clock::time_point at) {
    m_wall_start_ns = to_ns(at.time_since_epoch()) - m_elapsed_ns.load();
  }
  // From now on every reading (wall or monotonic) first moves time by `step`, so a measuring loop
  // ends after a known number of iterations. Zero (the default) stops that.
  void step_every_reading(std::chrono::nanoseconds step) { m_step_ns = step.count(); }

  // Time moved since construction (by advance, sleep_for and stepping readings).
  std::chrono::nanoseconds elapsed() const { return std::chrono::nanoseconds{m_elapsed_ns.load()}; }
  int sleeps() const { return m_sleeps.load(); }

private:
  static std::int64_t to_ns(std::chrono::system_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }
  std::int64_t read() const {
    const auto step = m_step_ns.load();
    return step == 0 ? m_elapsed_ns.load() : (m_elapsed_ns += step);
  }

  std::atomic<std::int64_t> m_wall_start_ns;
  mutable std::atomic<std::int64_t> m_elapsed_ns{0};
  std::atomic<std::int64_t> m_step_ns{0};
  mutable std::atomic<int> m_sleeps{0};
};

} // namespace atelier::testing
