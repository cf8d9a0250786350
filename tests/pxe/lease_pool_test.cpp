// The standalone address pool and its journal, on real files in a temporary directory.
#include "pxe/lease_pool.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

using namespace atelier::pxe;
using atelier::base::MacAddress;
using namespace std::chrono_literals;

namespace {

MacAddress mac(std::uint8_t last) {
  return MacAddress{{0x52, 0x54, 0x00, 0x00, 0x00, last}};
}
Ipv4Address ip(const char* text) {
  return *Ipv4Address::parse(text);
}
const LeasePool::Clock::time_point t0 =
    LeasePool::Clock::time_point(std::chrono::seconds(1'800'000'000));

class LeasePoolTest : public ::testing::Test {
protected:
  LeasePoolTest() {
    m_dir = std::filesystem::temp_directory_path() /
            ("atelier-leases-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(m_dir);
  }
  ~LeasePoolTest() override { std::filesystem::remove_all(m_dir); }
  LeasePoolConfig config(const char* first = "198.18.0.100", const char* last = "198.18.0.102") {
    LeasePoolConfig c;
    c.first = ip(first);
    c.last = ip(last);
    c.journal = m_dir / "leases";
    return c;
  }
  std::filesystem::path m_dir;
};

} // namespace

TEST_F(LeasePoolTest, OffersLowestFreeAddressAndKeepsItForTheSameMachine) {
  auto pool = LeasePool::open(config()).value();
  EXPECT_EQ(pool.offer(mac(1), t0), ip("198.18.0.100"));
  EXPECT_EQ(pool.offer(mac(2), t0), ip("198.18.0.101")); // .100 is held for mac 1's offer
  EXPECT_EQ(pool.offer(mac(1), t0), ip("198.18.0.100"));
}

// The durability contract: after a restart, a committed address is never handed to another machine.
TEST_F(LeasePoolTest, CommittedLeasesSurviveARestart) {
  {
    auto pool = LeasePool::open(config()).value();
    ASSERT_TRUE(pool.commit(mac(1), ip("198.18.0.100"), t0));
  }
  auto restarted = LeasePool::open(config()).value();
  EXPECT_EQ(restarted.leased_to(mac(1), t0 + 1s), ip("198.18.0.100"));
  EXPECT_EQ(restarted.offer(mac(2), t0 + 1s), ip("198.18.0.101"));
  EXPECT_FALSE(restarted.commit(mac(2), ip("198.18.0.100"), t0 + 1s));
  // The machine that had it gets it back.
  EXPECT_EQ(restarted.offer(mac(1), t0 + 2s), ip("198.18.0.100"));
}

TEST_F(LeasePoolTest, ExpiredLeaseCanBeReused) {
  auto pool = LeasePool::open(config()).value();
  ASSERT_TRUE(pool.commit(mac(1), ip("198.18.0.100"), t0));
  EXPECT_FALSE(pool.commit(mac(2), ip("198.18.0.100"), t0 + 10min));
  EXPECT_TRUE(pool.commit(mac(2), ip("198.18.0.100"), t0 + 2h));
}

TEST_F(LeasePoolTest, ReleaseFreesTheAddressAcrossRestarts) {
  {
    auto pool = LeasePool::open(config()).value();
    ASSERT_TRUE(pool.commit(mac(1), ip("198.18.0.100"), t0));
    pool.release(mac(1), ip("198.18.0.100"));
  }
  auto restarted = LeasePool::open(config()).value();
  EXPECT_TRUE(restarted.commit(mac(2), ip("198.18.0.100"), t0 + 1s));
}

TEST_F(LeasePoolTest, ExhaustedPoolOffersNothing) {
  auto pool = LeasePool::open(config("198.18.0.100", "198.18.0.100")).value();
  ASSERT_TRUE(pool.commit(mac(1), ip("198.18.0.100"), t0));
  EXPECT_FALSE(pool.offer(mac(2), t0));
}

TEST_F(LeasePoolTest, RequestOutsideThePoolIsRefused) {
  auto pool = LeasePool::open(config()).value();
  const auto r = pool.commit(mac(1), ip("198.18.1.5"), t0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("outside the pool"), std::string::npos);
}

// A damaged journal must be reported with its line, not silently ignored (addresses could clash).
TEST_F(LeasePoolTest, MalformedJournalLineIsAnErrorWithItsLineNumber) {
  std::ofstream(m_dir / "leases")
      << "lease 52:54:00:00:00:01 198.18.0.100 1800000000\nlease garbage\n";
  const auto r = LeasePool::open(config());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("leases:2:"), std::string::npos) << r.error();
}
