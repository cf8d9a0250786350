// A hwdb::Clock that tests set and move by hand (token expiry, retention, stall detection without
// waiting).
#pragma once

#include "hardware-db/registry.h"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace atelier::testing {

// Time stands still unless a test moves it (token expiry without waiting).
class SettableClock final : public hwdb::Clock {
public:
  hwdb::Timestamp now() const override {
    return hwdb::Timestamp(std::chrono::seconds(m_seconds.load()));
  }
  void advance(std::chrono::seconds by) { m_seconds += by.count(); }

private:
  std::atomic<std::int64_t> m_seconds{1'795'000'000}; // 2026-11-18
};

} // namespace atelier::testing
