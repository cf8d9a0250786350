// Specification of one-time boot tokens (pxe/boot_tokens.h): the server-side authorisation that a
// report or wipe request comes from the boot it authorised.
#include "pxe/boot_tokens.h"
#include "support/fake_clock.h"

#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using namespace std::chrono_literals;

// Deterministic "randomness": a counter, so each token differs and tests can force a repeat.
class CountingEntropy final : public TokenEntropy {
public:
  std::expected<void, std::string> fill(std::span<std::uint8_t> out) override {
    if (m_fail) {
      return std::unexpected(std::string("no entropy"));
    }
    for (auto& byte : out) {
      byte = 0;
    }
    out[out.size() - 1] = m_next;
    if (!m_repeat) {
      ++m_next;
    }
    return {};
  }
  bool m_fail = false;
  bool m_repeat = false;
  std::uint8_t m_next = 1;
};

const base::MacAddress k_mac{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};
const base::MacAddress k_other_mac{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x02}};

class BootTokensTest : public ::testing::Test {
protected:
  atelier::testing::FakeClock m_clock;
  CountingEntropy m_entropy;
  BootTokens m_tokens{BootTokensConfig{30min}, m_clock, m_entropy};

  std::string issue(const base::MacAddress& mac) {
    auto token = m_tokens.issue(mac);
    EXPECT_TRUE(token) << token.error();
    return token.value_or("");
  }
};

// The token must be safe unquoted in a URL, an iPXE script and a kernel command line.
TEST_F(BootTokensTest, IssuesThirtyTwoLowerCaseHexDigits) {
  const auto token = issue(k_mac);
  EXPECT_EQ(token.size(), 32u);
  EXPECT_TRUE(is_token_syntax(token));
  EXPECT_EQ(token, "00000000000000000000000000000001");
}

// The happy path: the boot that got the token reports once and is recognised.
TEST_F(BootTokensTest, RedeemsOnceForTheMachineItWasIssuedFor) {
  const auto token = issue(k_mac);
  m_clock.advance(5min);
  const auto redeemed = m_tokens.redeem(token, k_mac);
  ASSERT_TRUE(redeemed);
  EXPECT_EQ(redeemed->mac, k_mac);
}

// A replayed report (or a second agent) must not be authorised by the same boot.
TEST_F(BootTokensTest, SecondRedeemIsRefusedAsUsed) {
  const auto token = issue(k_mac);
  ASSERT_TRUE(m_tokens.redeem(token, k_mac));
  const auto again = m_tokens.redeem(token, k_mac);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), TokenError::used);
}

// A boot environment that hung for longer than the ttl no longer holds an authorisation.
TEST_F(BootTokensTest, ExpiresAfterTheTtl) {
  const auto token = issue(k_mac);
  m_clock.advance(30min);
  const auto late = m_tokens.redeem(token, k_mac);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), TokenError::expired);
}

// Just inside the ttl still counts; the boundary belongs to expiry.
TEST_F(BootTokensTest, IsValidJustBeforeTheTtl) {
  const auto token = issue(k_mac);
  m_clock.advance(30min - 1s);
  EXPECT_TRUE(m_tokens.redeem(token, k_mac));
}

// Expired tokens are eventually forgotten, so the table cannot grow without bound; a forgotten
// token is still refused.
TEST_F(BootTokensTest, ForgetsLongExpiredTokens) {
  const auto token = issue(k_mac);
  m_clock.advance(61min);
  const auto late = m_tokens.redeem(token, k_mac);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), TokenError::unknown);
  EXPECT_EQ(m_tokens.size(), 0u);
}

// A token leaked from one machine's command line must not authorise another machine, and the
// attempt must not burn the real machine's token.
TEST_F(BootTokensTest, RefusesAnotherMachineWithoutConsumingTheToken) {
  const auto token = issue(k_mac);
  const auto wrong = m_tokens.redeem(token, k_other_mac);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), TokenError::wrong_machine);
  EXPECT_TRUE(m_tokens.redeem(token, k_mac));
}

// One boot at a time: after a reboot only the newest boot of the machine may report.
TEST_F(BootTokensTest, NewerTokenSupersedesOlderUnredeemedOne) {
  const auto older = issue(k_mac);
  const auto newer = issue(k_mac);
  ASSERT_NE(older, newer);
  const auto stale = m_tokens.redeem(older, k_mac);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error(), TokenError::superseded);
  EXPECT_TRUE(m_tokens.redeem(newer, k_mac));
}

// Superseding is per machine: another machine's boot is untouched.
TEST_F(BootTokensTest, IssuingForOneMachineLeavesOthersValid) {
  const auto first = issue(k_mac);
  issue(k_other_mac);
  EXPECT_TRUE(m_tokens.redeem(first, k_mac));
}

// Garbage never matches anything.
TEST_F(BootTokensTest, UnknownTokenIsRefused) {
  issue(k_mac);
  const auto result = m_tokens.redeem("ffffffffffffffffffffffffffffffff", k_mac);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), TokenError::unknown);
  EXPECT_EQ(m_tokens.redeem("", k_mac).error(), TokenError::unknown);
}

// Without randomness no boot can be authorised: an error, never a predictable token.
TEST_F(BootTokensTest, FailsWhenEntropyFails) {
  m_entropy.m_fail = true;
  EXPECT_FALSE(m_tokens.issue(k_mac));
}

// A repeating entropy source must not silently re-bind a live token to another machine.
TEST_F(BootTokensTest, RefusesToIssueADuplicateToken) {
  m_entropy.m_repeat = true;
  issue(k_mac);
  EXPECT_FALSE(m_tokens.issue(k_other_mac));
}

// Issue 14, finding 9: tokens for as many machines as anyone cares to ask for. A counter wide
// enough for tens of thousands of distinct tokens.
class WideCountingEntropy final : public TokenEntropy {
public:
  std::expected<void, std::string> fill(std::span<std::uint8_t> out) override {
    ++m_next;
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[out.size() - 1 - i] = static_cast<std::uint8_t>(i < 8 ? m_next >> (8 * i) : 0);
    }
    return {};
  }

private:
  std::uint64_t m_next = 0;
};

base::MacAddress mac_number(std::uint32_t n) {
  return base::MacAddress{{0x52, 0x54, static_cast<std::uint8_t>(n >> 24),
                           static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                           static_cast<std::uint8_t>(n)}};
}

// One machine's script fetched again and again (a loop of curl on the LAN, or iPXE retrying) keeps
// two entries, the newest token and the one it superseded last, instead of one per fetch for an
// hour. The newest still redeems; the last superseded still says so; older ones are forgotten.
TEST(BootTokenFlood, OneMachineFetchedAThousandTimesKeepsTwoEntries) {
  atelier::testing::FakeClock clock;
  WideCountingEntropy entropy;
  BootTokens tokens{BootTokensConfig{30min}, clock, entropy};
  std::vector<std::string> issued;
  for (int i = 0; i < 1000; ++i) {
    issued.push_back(tokens.issue(k_mac).value());
  }
  EXPECT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens.redeem(issued[0], k_mac).error(), TokenError::unknown);
  EXPECT_EQ(tokens.redeem(issued[998], k_mac).error(), TokenError::superseded);
  EXPECT_TRUE(tokens.redeem(issued[999], k_mac));
  // Redeemed, the newest is no longer superseded by the next boot's token: it reads `used`.
  const std::string next_boot = tokens.issue(k_mac).value();
  EXPECT_EQ(tokens.redeem(issued[999], k_mac).error(), TokenError::used);
  EXPECT_TRUE(tokens.redeem(next_boot, k_mac));
}

// Issuing took time proportional to every token remembered (each issue scanned them all), so a
// flood of /boot/<random-mac>.ipxe slowed every boot quadratically. Now each issue is constant
// time: 20 000 machines' tokens take well under a second even under the sanitizers (the scan took
// tens of seconds), and they are all forgotten two ttls later.
TEST(BootTokenFlood, IssueTimeDoesNotGrowWithTheNumberOfTokens) {
  atelier::testing::FakeClock clock;
  WideCountingEntropy entropy;
  BootTokens tokens{BootTokensConfig{30min}, clock, entropy};
  const auto started = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    ASSERT_TRUE(tokens.issue(mac_number(i)));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(tokens.size(), 20'000u);
  clock.advance(61min);
  const std::string late = tokens.issue(k_mac).value();
  EXPECT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(tokens.redeem(late, k_mac));
}

// Log lines show only the first six characters.
TEST(BootTokenText, PrefixIsSixCharacters) {
  EXPECT_EQ(token_prefix("0123456789abcdef0123456789abcdef"), "012345");
  EXPECT_FALSE(is_token_syntax("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(is_token_syntax("0123"));
  EXPECT_EQ(to_string(TokenError::wrong_machine), "wrong_machine");
}

// The real source: tokens from getrandom differ and have the right shape.
TEST(BootTokenEntropy, GetrandomTokensAreDistinct) {
  BootTokens tokens;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = tokens.issue(base::MacAddress{{0, 0, 0, 0, 0, static_cast<std::uint8_t>(i)}});
    ASSERT_TRUE(token);
    EXPECT_TRUE(is_token_syntax(*token));
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// HTTP issues while the agent API redeems on another thread: each token is redeemed exactly once.
TEST(BootTokenThreads, ConcurrentRedeemsSucceedExactlyOnce) {
  BootTokens tokens;
  const auto token = tokens.issue(k_mac);
  ASSERT_TRUE(token);
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (tokens.redeem(*token, k_mac)) {
        ++successes;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(successes.load(), 1);
}

} // namespace
} // namespace atelier::pxe
