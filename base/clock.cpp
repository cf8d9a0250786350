#include "base/clock.h"

#include <thread>

namespace atelier::base {

std::chrono::system_clock::time_point SystemClock::wall() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::monotonic() const {
  return std::chrono::steady_clock::now();
}

void SystemClock::sleep_for(std::chrono::nanoseconds duration) const {
  std::this_thread::sleep_for(duration);
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

} // namespace atelier::base
