// One-time boot tokens: the secret that ties an agent's reports and wipe requests to the one boot
// the server authorised (PXE-NOTES "Identity and per-machine config": a rogue DHCP server could
// boot a machine into a destructive image, so destructive steps are authorised server-side, never
// by what the boot script says). The token travels on the kernel command line (atelier.token=) and
// comes back with the agent's first report, where redeem() checks it exactly once.
//
// Rules (docs/HTTP-BOOT.md "Tokens"):
//  - 128 bits from getrandom(2), written as 32 lower-case hex digits (safe in a URL, an iPXE script
//    and a kernel command line without quoting).
//  - bound to the MAC it was issued for; presented with another MAC it is refused (wrong_machine)
//    and NOT consumed, so a stray report cannot burn the real machine's token.
//  - single use: the first successful redeem consumes it; later ones get `used`.
//  - expires `ttl` after issue (default 30 min: a boot environment that has not reported by then
//    has hung or been moved to another machine).
//  - one boot at a time: issuing for a MAC supersedes every older unredeemed token of that MAC.
//    Only the one it superseded last is remembered as `superseded`; an older one is forgotten
//    (then `unknown`: either refuses), so a MAC whose script is fetched a million times holds two
//    unredeemed entries, not a million.
//  - never logged in full: callers log token_prefix() (6 hex digits).
//  - issue() and redeem() take constant time (amortised), however many tokens are remembered: the
//    oldest are forgotten from the front of a queue in issue order, superseding goes through the
//    MAC's own entry (issue 14, finding 9: each issue used to scan every token).
//
// Thread model: every member function may be called from any thread (one mutex); the HTTP server
// issues on its io thread while the agent API redeems on another.
#pragma once

#include "base/clock.h"
#include "base/mac_address.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace atelier::pxe {

// Where tokens' bits come from; the real one is getrandom(2). A fake makes tokens predictable in
// tests that want to compare scripts byte for byte.
class TokenEntropy {
public:
  virtual ~TokenEntropy() = default;
  // Fills `out` completely or returns an error message (the kernel's entropy pool is unavailable).
  virtual std::expected<void, std::string> fill(std::span<std::uint8_t> out) = 0;
};

class GetrandomEntropy final : public TokenEntropy {
public:
  std::expected<void, std::string> fill(std::span<std::uint8_t> out) override;
};

enum class TokenError : std::uint8_t {
  unknown,       // never issued by this server (or malformed, or forgotten after expiry)
  expired,       // issued, but older than the ttl
  used,          // already redeemed once
  wrong_machine, // issued for another MAC
  superseded,    // a newer boot of the same MAC was authorised since
};

// "expired" etc., stable words for log lines and API error bodies.
std::string_view to_string(TokenError error);

struct Redemption {
  base::MacAddress mac;
  std::chrono::steady_clock::time_point issued_at;
};

struct BootTokensConfig {
  std::chrono::seconds ttl{30 * 60};
};

inline constexpr std::size_t k_token_bytes = 16;
inline constexpr std::size_t k_token_hex_length = 2 * k_token_bytes;

// True for exactly 32 lower-case hex digits: the only shape issue() produces and the boot script
// accepts without quoting.
bool is_token_syntax(std::string_view token);

// The first 6 characters, for log lines ("a1b2c3…"): enough to correlate lines, useless to an
// attacker reading the log.
std::string token_prefix(std::string_view token);

class BootTokens {
public:
  // `clock` and `entropy` must outlive this object. Defaults: steady clock and getrandom(2).
  explicit BootTokens(BootTokensConfig config = {});
  BootTokens(BootTokensConfig config, const base::Clock& clock, TokenEntropy& entropy);
  ~BootTokens();
  BootTokens(const BootTokens&) = delete;
  BootTokens& operator=(const BootTokens&) = delete;

  // A fresh token for `mac`, superseding older unredeemed ones of that MAC. Fails only when no
  // randomness is available (then no boot can be authorised and the caller refuses the script).
  std::expected<std::string, std::string> issue(const base::MacAddress& mac);

  // Checks and consumes `token` for `mac`; see the rules at the top of this file for which error
  // wins when several apply (wrong_machine, then superseded, used, expired).
  std::expected<Redemption, TokenError> redeem(std::string_view token, const base::MacAddress& mac);

  // Tokens still remembered (issued, used or superseded, not yet forgotten). For tests and metrics.
  std::size_t size() const;

private:
  struct Entry {
    base::MacAddress mac;
    std::chrono::steady_clock::time_point issued_at;
    bool used = false;
    bool superseded = false;
  };

  // The tokens of one MAC that are not redeemed yet: its newest, and the one that newest
  // superseded ("" when none).
  struct MacTokens {
    std::string latest;
    std::string previous;
  };

  // Drops entries older than twice the ttl; caller holds m_mutex. Keeping them one more ttl lets a
  // late report read `expired` (a clearer log line) before it becomes `unknown`; either refuses.
  void forget_expired(std::chrono::steady_clock::time_point now);
  void forget(const std::string& token);

  static std::uint64_t mac_key(const base::MacAddress& mac);

  BootTokensConfig m_config;
  std::unique_ptr<GetrandomEntropy> m_own_entropy;
  const base::Clock& m_clock;
  TokenEntropy& m_entropy;
  mutable std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_entries; // by token
  // Tokens in issue order, which is age order (the clock is monotonic); forgotten ones included
  // until they reach the front.
  std::deque<std::string> m_by_age;
  std::unordered_map<std::uint64_t, MacTokens> m_by_mac; // by mac_key
};

} // namespace atelier::pxe
