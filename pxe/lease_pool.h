// Address pool of standalone mode (atelierd as the only DHCP server of an isolated workshop
// switch).
//
// Durability contract: a lease is written to the journal and fsync'ed before the ACK that grants it
// is sent, and the journal is replayed on start, so a daemon restart (or kill -9) never hands an
// address that is still leased to another machine. Offers are held in memory only for a short
// time: an address offered but never requested may be offered again after a restart, which RFC 2131
// allows (the client's REQUEST is checked against the journal before the ACK).
//
// Journal format (docs/PXE.md "Standalone mode"), one line per event, appended:
//   lease   <mac> <address> <expiry, seconds since the epoch>
//   release <mac> <address>
// The last line for an address wins. A malformed line stops loading with its line number.
//
// Thread model: one LeasePool per DHCP thread; not thread-safe.
#pragma once

#include "base/mac_address.h"
#include "pxe/net_types.h"

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace atelier::pxe {

struct LeasePoolConfig {
  Ipv4Address first; // inclusive range handed out
  Ipv4Address last;
  std::chrono::seconds lease_time{3600};
  std::chrono::seconds offer_hold{60}; // how long an offered address stays reserved for its client
  std::filesystem::path journal;       // empty: in memory only (tests)
};

class LeasePool {
public:
  using Clock = std::chrono::system_clock;

  // Loads the journal (creating it if missing). Errors name the file and line.
  static std::expected<LeasePool, std::string> open(LeasePoolConfig config);

  // The address to offer `mac`: its current or previous address when still free, else the lowest
  // free one. Reserves it for offer_hold. nullopt when the pool is exhausted.
  std::optional<Ipv4Address> offer(const base::MacAddress& mac, Clock::time_point now);

  // Grants `address` to `mac` (DHCPREQUEST): refused when outside the range or leased to another
  // machine. Journaled (fsync) before returning.
  std::expected<Clock::time_point, std::string> commit(const base::MacAddress& mac,
                                                       Ipv4Address address, Clock::time_point now);

  // DHCPRELEASE / DHCPDECLINE: frees the address if it is leased to `mac`.
  void release(const base::MacAddress& mac, Ipv4Address address);

  // The unexpired lease of `mac`, if any.
  std::optional<Ipv4Address> leased_to(const base::MacAddress& mac, Clock::time_point now) const;

  const LeasePoolConfig& config() const { return m_config; }

private:
  struct Entry {
    base::MacAddress mac;
    Clock::time_point expiry;
    bool committed = false; // false: only offered
  };

  explicit LeasePool(LeasePoolConfig config) : m_config(std::move(config)) {}
  bool in_range(Ipv4Address a) const;
  bool free_for(const base::MacAddress& mac, Ipv4Address a, Clock::time_point now) const;
  std::expected<void, std::string> append(const std::string& line);

  LeasePoolConfig m_config;
  std::map<std::uint32_t, Entry> m_by_address;
};

} // namespace atelier::pxe
