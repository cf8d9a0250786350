#include "pxe/boot_tokens.h"

#include "base/text.h"

#include <cerrno>
#include <sys/random.h>

#include <fmt/format.h>

namespace atelier::pxe {

namespace {
constexpr std::string_view k_hex_digits = "0123456789abcdef";
constexpr std::size_t k_log_prefix_length = 6;
} // namespace

std::expected<void, std::string> GetrandomEntropy::fill(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    // Flags 0: blocks only until the pool is initialised once after boot, never afterwards.
    const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::unexpected(fmt::format("getrandom: {}", base::errno_text(errno)));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

std::string_view to_string(TokenError error) {
  switch (error) {
  case TokenError::unknown:
    return "unknown";
  case TokenError::expired:
    return "expired";
  case TokenError::used:
    return "used";
  case TokenError::wrong_machine:
    return "wrong_machine";
  case TokenError::superseded:
    return "superseded";
  }
  return "unknown";
}

bool is_token_syntax(std::string_view token) {
  if (token.size() != k_token_hex_length) {
    return false;
  }
  for (const char c : token) {
    if (k_hex_digits.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string token_prefix(std::string_view token) {
  return std::string(token.substr(0, k_log_prefix_length));
}

BootTokens::BootTokens(BootTokensConfig config)
    : m_config(config), m_own_entropy(std::make_unique<GetrandomEntropy>()),
      m_clock(base::system_clock()), m_entropy(*m_own_entropy) {}

BootTokens::BootTokens(BootTokensConfig config, const base::Clock& clock, TokenEntropy& entropy)
    : m_config(config), m_clock(clock), m_entropy(entropy) {}

BootTokens::~BootTokens() = default;

std::expected<std::string, std::string> BootTokens::issue(const base::MacAddress& mac) {
  std::array<std::uint8_t, k_token_bytes> bits{};
  const std::lock_guard lock(m_mutex);
  if (auto filled = m_entropy.fill(bits); !filled) {
    return std::unexpected(filled.error());
  }
  std::string token;
  token.reserve(k_token_hex_length);
  for (const auto byte : bits) {
    token += k_hex_digits[byte >> 4];
    token += k_hex_digits[byte & 0x0f];
  }
  const auto now = m_clock.monotonic();
  forget_expired(now);
  // A duplicate of a live token is astronomically unlikely from getrandom, but a broken entropy
  // source (or a fake) would otherwise silently re-bind another machine's token.
  if (m_entries.contains(token)) {
    return std::unexpected(std::string("entropy source repeated a token; refusing to issue"));
  }
  // Every older unredeemed token of this MAC was superseded when `latest` was issued, so only
  // `latest` changes now; the one it superseded before is forgotten.
  MacTokens& mine = m_by_mac[mac_key(mac)];
  if (!mine.previous.empty()) {
    m_entries.erase(mine.previous); // its place in m_by_age is dropped when it reaches the front
    mine.previous.clear();
  }
  if (const auto it = m_entries.find(mine.latest); it != m_entries.end() && !it->second.used) {
    it->second.superseded = true;
    mine.previous = mine.latest;
  }
  mine.latest = token;
  m_entries.emplace(token, Entry{mac, now, false, false});
  m_by_age.push_back(token);
  // Tokens forgotten early (superseded twice) wait in the queue until they reach its front; when
  // they outnumber the remembered ones, the queue is rebuilt without them (amortised constant).
  if (m_by_age.size() > 2 * m_entries.size() + 64) {
    std::erase_if(m_by_age, [&](const std::string& t) { return !m_entries.contains(t); });
  }
  return token;
}

std::uint64_t BootTokens::mac_key(const base::MacAddress& mac) {
  std::uint64_t key = 0;
  for (const auto octet : mac.octets) {
    key = key << 8U | octet;
  }
  return key;
}

// Drops one entry and the MAC's reference to it.
void BootTokens::forget(const std::string& token) {
  const auto it = m_entries.find(token);
  if (it == m_entries.end()) {
    return;
  }
  if (const auto mine = m_by_mac.find(mac_key(it->second.mac)); mine != m_by_mac.end()) {
    if (mine->second.previous == token) {
      mine->second.previous.clear();
    }
    if (mine->second.latest == token) {
      mine->second.latest.clear();
    }
    if (mine->second.latest.empty() && mine->second.previous.empty()) {
      m_by_mac.erase(mine);
    }
  }
  m_entries.erase(it);
}

std::expected<Redemption, TokenError> BootTokens::redeem(std::string_view token,
                                                         const base::MacAddress& mac) {
  const std::lock_guard lock(m_mutex);
  const auto now = m_clock.monotonic();
  forget_expired(now);
  const auto it = m_entries.find(std::string(token));
  if (it == m_entries.end()) {
    return std::unexpected(TokenError::unknown);
  }
  Entry& entry = it->second;
  if (entry.mac != mac) {
    return std::unexpected(TokenError::wrong_machine);
  }
  if (entry.superseded) {
    return std::unexpected(TokenError::superseded);
  }
  if (entry.used) {
    return std::unexpected(TokenError::used);
  }
  if (now - entry.issued_at >= m_config.ttl) {
    return std::unexpected(TokenError::expired);
  }
  entry.used = true;
  // Redeemed: no later issue supersedes it (it stays `used` until forgotten by age).
  if (const auto mine = m_by_mac.find(mac_key(mac));
      mine != m_by_mac.end() && mine->second.latest == it->first) {
    mine->second.latest.clear();
    if (mine->second.previous.empty()) {
      m_by_mac.erase(mine);
    }
  }
  return Redemption{entry.mac, entry.issued_at};
}

std::size_t BootTokens::size() const {
  const std::lock_guard lock(m_mutex);
  return m_entries.size();
}

void BootTokens::forget_expired(std::chrono::steady_clock::time_point now) {
  while (!m_by_age.empty()) {
    const auto it = m_entries.find(m_by_age.front());
    if (it != m_entries.end() && now - it->second.issued_at < 2 * m_config.ttl) {
      return; // the oldest remembered token is still young: so are all behind it
    }
    if (it != m_entries.end()) {
      forget(it->first);
    }
    m_by_age.pop_front();
  }
}

} // namespace atelier::pxe
