// The one Clock (base/clock.h): the system clock's readings are sane, and the FakeClock every
// test uses (tests/support/fake_clock.h) moves only when told to.
#include "base/clock.h"
#include "support/fake_clock.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using testing::FakeClock;

TEST(SystemClock, ReadsTheMachinesClocks) {
  const SystemClock clock;
  const auto before = system_clock::now();
  const auto wall = clock.wall();
  EXPECT_LE(before, wall);
  EXPECT_LE(wall, system_clock::now());
  const auto a = clock.monotonic();
  clock.sleep_for(1ms);
  EXPECT_GE(clock.monotonic() - a, 1ms);
}

TEST(Clock, WallSecondsAreFloored) {
  FakeClock clock{FakeClock::k_default_start + 999ms};
  EXPECT_EQ(clock.wall_seconds(), FakeClock::k_default_start);
}

TEST(FakeClock, StandsStillUntilMoved) {
  FakeClock clock;
  EXPECT_EQ(clock.wall(), FakeClock::k_default_start);
  const auto m = clock.monotonic();
  EXPECT_EQ(clock.monotonic(), m);
  EXPECT_EQ(clock.wall(), FakeClock::k_default_start);
}

TEST(FakeClock, AdvanceMovesWallAndMonotonicTogether) {
  FakeClock clock;
  const auto m = clock.monotonic();
  clock.advance(90min);
  EXPECT_EQ(clock.monotonic() - m, 90min);
  EXPECT_EQ(clock.wall(), FakeClock::k_default_start + 90min);
  EXPECT_EQ(clock.elapsed(), 90min);
}

TEST(FakeClock, SleepingMovesTimeAndIsCounted) {
  FakeClock clock;
  const auto m = clock.monotonic();
  clock.sleep_for(2s);
  clock.sleep_for(3s);
  EXPECT_EQ(clock.monotonic() - m, 5s);
  EXPECT_EQ(clock.sleeps(), 2);
}

TEST(FakeClock, SetWallStepsOnlyTheWallClock) {
  // An NTP step: what measures durations must not see it.
  FakeClock clock;
  clock.advance(1h);
  const auto m = clock.monotonic();
  const sys_seconds later = sys_days{2030y / January / 1};
  clock.set_wall(later);
  EXPECT_EQ(clock.wall(), later);
  EXPECT_EQ(clock.monotonic(), m);
  clock.advance(1s);
  EXPECT_EQ(clock.wall(), later + 1s);
}

TEST(FakeClock, SteppingReadingsEndLoopsAfterAKnownCount) {
  FakeClock clock;
  clock.step_every_reading(1ms);
  const auto start = clock.monotonic();
  int iterations = 0;
  while (clock.monotonic() - start < 10ms) {
    ++iterations;
  }
  EXPECT_EQ(iterations, 9);
}

TEST(FakeClock, SteppingIsSafeFromManyThreads) {
  FakeClock clock;
  clock.step_every_reading(1ns);
  const auto start = clock.monotonic();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        (void)clock.monotonic();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  clock.step_every_reading(0ns);
  EXPECT_EQ(clock.monotonic() - start, 4000ns);
}

} // namespace
} // namespace atelier::base
