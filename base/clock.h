// The one source of time for every layer: wall time (what records, the database and logs carry)
// and monotonic time (what timeouts, rates and stall detection measure), plus waiting. Code that
// reads the time or sleeps takes a `const Clock&`, so tests drive hours of wall or monotonic time
// in microseconds with tests/support/fake_clock.h instead of sleeping.
//
// Thread model: implementations must be safe to call from several threads at once (the bench's
// all-threads CPU stage reads the clock from every worker).
#pragma once

#include <chrono>

namespace atelier::base {

class Clock {
public:
  virtual ~Clock() = default;
  // Calendar time (UTC). It may jump when NTP steps the system clock: never measure with it.
  virtual std::chrono::system_clock::time_point wall() const = 0;
  // Monotonic time since an arbitrary epoch, for durations and deadlines.
  virtual std::chrono::steady_clock::time_point monotonic() const = 0;
  // Blocks the caller for `duration` of this clock's monotonic time.
  virtual void sleep_for(std::chrono::nanoseconds duration) const = 0;

  // Wall time in whole seconds (floored): the precision records and the database store.
  std::chrono::sys_seconds wall_seconds() const {
    return std::chrono::floor<std::chrono::seconds>(wall());
  }
};

// The machine's clocks: std::chrono::system_clock, std::chrono::steady_clock, a real sleep.
class SystemClock final : public Clock {
public:
  std::chrono::system_clock::time_point wall() const override;
  std::chrono::steady_clock::time_point monotonic() const override;
  void sleep_for(std::chrono::nanoseconds duration) const override;
};

// A process-wide SystemClock for code whose callers pass no clock (the executables' mains).
const Clock& system_clock();

} // namespace atelier::base
