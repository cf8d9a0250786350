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
