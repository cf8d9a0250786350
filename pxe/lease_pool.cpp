#include "pxe/lease_pool.h"

#include "base/text.h"

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

namespace atelier::pxe {

std::expected<LeasePool, std::string> LeasePool::open(LeasePoolConfig config) {
  if (config.first.to_u32() > config.last.to_u32()) {
    return std::unexpected(
        fmt::format("address range {}-{} is empty", config.first.str(), config.last.str()));
  }
  LeasePool pool(std::move(config));
  if (pool.m_config.journal.empty()) {
    return pool;
  }
  std::ifstream in(pool.m_config.journal);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::istringstream fields(line);
    std::string kind, mac_text, address_text;
    long long expiry = 0;
    fields >> kind >> mac_text >> address_text;
    const auto mac = base::MacAddress::parse(mac_text);
    const auto address = Ipv4Address::parse(address_text);
    const bool is_lease = kind == "lease" && static_cast<bool>(fields >> expiry);
    if (!mac || !address || (!is_lease && kind != "release")) {
      return std::unexpected(fmt::format("{}:{}: not a lease journal line: '{}'",
                                         pool.m_config.journal.string(), number, line));
    }
    if (is_lease) {
      pool.m_by_address[address->to_u32()] =
          Entry{*mac, Clock::time_point(std::chrono::seconds(expiry)), true};
    } else {
      pool.release(*mac, *address);
    }
  }
  return pool;
}

bool LeasePool::in_range(Ipv4Address a) const {
  return a.to_u32() >= m_config.first.to_u32() && a.to_u32() <= m_config.last.to_u32();
}

bool LeasePool::free_for(const base::MacAddress& mac, Ipv4Address a, Clock::time_point now) const {
  const auto it = m_by_address.find(a.to_u32());
  return it == m_by_address.end() || it->second.mac == mac || it->second.expiry <= now;
}

std::optional<Ipv4Address> LeasePool::offer(const base::MacAddress& mac, Clock::time_point now) {
  // Prefer the address this machine had (RFC 2131 §4.3.1: "the client's current address ... or
  // previous address"), so a re-booting machine keeps its address across the pipeline's reboots.
  std::optional<std::uint32_t> chosen;
  for (const auto& [address, entry] : m_by_address) {
    if (entry.mac == mac && in_range(Ipv4Address::from_u32(address))) {
      chosen = address;
      break;
    }
  }
  if (!chosen) {
    for (std::uint32_t a = m_config.first.to_u32(); a <= m_config.last.to_u32(); ++a) {
      if (free_for(mac, Ipv4Address::from_u32(a), now)) {
        chosen = a;
        break;
      }
      if (a == 0xFFFFFFFFu) {
        break;
      }
    }
  }
  if (!chosen) {
    return std::nullopt;
  }
  auto& entry = m_by_address[*chosen];
  if (!entry.committed || entry.mac != mac) {
    entry = Entry{mac, now + m_config.offer_hold, false};
  }
  return Ipv4Address::from_u32(*chosen);
}

std::expected<LeasePool::Clock::time_point, std::string>
LeasePool::commit(const base::MacAddress& mac, Ipv4Address address, Clock::time_point now) {
  if (!in_range(address)) {
    return std::unexpected(fmt::format("{} is outside the pool {}-{}", address.str(),
                                       m_config.first.str(), m_config.last.str()));
  }
  if (!free_for(mac, address, now)) {
    return std::unexpected(fmt::format("{} is leased to {}", address.str(),
                                       m_by_address.at(address.to_u32()).mac.str()));
  }
  const auto expiry = now + m_config.lease_time;
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch()).count();
  if (auto r = append(fmt::format("lease {} {} {}\n", mac.str(), address.str(), seconds)); !r) {
    return std::unexpected(r.error());
  }
  m_by_address[address.to_u32()] = Entry{mac, expiry, true};
  return expiry;
}

void LeasePool::release(const base::MacAddress& mac, Ipv4Address address) {
  const auto it = m_by_address.find(address.to_u32());
  if (it == m_by_address.end() || it->second.mac != mac) {
    return;
  }
  if (it->second.committed) {
    // Best effort: a lost release line only keeps the address reserved until the lease expires.
    (void)append(fmt::format("release {} {}\n", mac.str(), address.str()));
  }
  m_by_address.erase(it);
}

std::optional<Ipv4Address> LeasePool::leased_to(const base::MacAddress& mac,
                                                Clock::time_point now) const {
  for (const auto& [address, entry] : m_by_address) {
    if (entry.mac == mac && entry.committed && entry.expiry > now) {
      return Ipv4Address::from_u32(address);
    }
  }
  return std::nullopt;
}

std::expected<void, std::string> LeasePool::append(const std::string& line) {
  if (m_config.journal.empty()) {
    return {};
  }
  const int fd = ::open(m_config.journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return std::unexpected(
        fmt::format("{}: {}", m_config.journal.string(), base::errno_text(errno)));
  }
  const auto written = ::write(fd, line.data(), line.size());
  const bool ok = written == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) {
    return std::unexpected(fmt::format("{}: cannot record the lease: {}", m_config.journal.string(),
                                       base::errno_text(saved)));
  }
  return {};
}

} // namespace atelier::pxe
