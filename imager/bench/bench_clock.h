// The benchmarks' only notion of time, behind an interface so the measuring loops can be driven by
// a fake clock in tests (no test ever depends on how fast this machine is).
#pragma once

#include <chrono>

namespace atelier::imager {

class Clock {
public:
  virtual ~Clock() = default;
  // Monotonic time since an arbitrary epoch. Must be safe to call from several threads at once
  // (the all-threads CPU stage calls it from every worker).
  virtual std::chrono::nanoseconds now() = 0;
};

// std::chrono::steady_clock: monotonic, unaffected by NTP steps while the bench runs.
class SteadyClock final : public Clock {
public:
  std::chrono::nanoseconds now() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
  }
};

} // namespace atelier::imager
