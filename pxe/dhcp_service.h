// The DHCP side of the PXE service as a decision: one received datagram in, one reply (bytes and
// destination) or a reason to stay silent out. No sockets here (dhcp_server.h moves the bytes), so
// the whole policy is testable with captured packets, as Kea's NakedDhcpv4Srv does.
//
// Proxy mode (PXE 2.1 §2.2): the site's DHCP server hands out addresses; we answer PXE clients
// only, with boot information and yiaddr 0:
//   port 67,   DHCPDISCOVER from a PXE client        → proxy OFFER (broadcast to port 68)
//   port 4011, DHCPREQUEST/DHCPINFORM from a client  → proxy ACK (to the sender's address and port)
// Everything else is left to the site's server: requests, releases, non-PXE clients.
//
// Standalone mode (the only DHCP server of an isolated workshop switch): every client gets an
// address from the LeasePool (RFC 2131 §4.3), PXE clients that are admitted also get their boot
// file in the same OFFER/ACK; a refused PXE client (e.g. "don't boot") still gets an address, with
// no boot information. REQUEST → ACK or NAK, RELEASE/DECLINE free the address; port 4011 as above.
//
// Thread model: one DhcpService per server thread; handle() is not reentrant.
#pragma once

#include "pxe/boot_choice.h"
#include "pxe/client_info.h"
#include "pxe/dhcp_reply.h"
#include "pxe/lease_pool.h"
#include "pxe/quirks.h"

#include <array>
#include <cstdint>
#include <expected>
#include <string>

namespace atelier::pxe {

constexpr std::uint16_t k_dhcp_server_port = 67;
constexpr std::uint16_t k_pxe_boot_server_port = 4011;

// Whether a machine may boot, decided outside the PXE layer (atelierd asks the hardware database:
// it records the sighting of an unknown machine and refuses the workshop's own "don't boot" PCs).
struct Admission {
  bool answer = true;
  std::string unit;   // the asset tag, for log lines ("" when unknown)
  std::string reason; // why not, when answer is false
};

class BootAdmission {
public:
  virtual ~BootAdmission() = default;
  // `first_contact` is true for a DHCPDISCOVER on port 67, the packet that starts a boot; it is
  // what the daemon records as a boot sighting. Port-4011 requests of the same boot pass false.
  virtual Admission admit(const ClientInfo& client, bool first_contact) = 0;
};

enum class Channel { dhcp, boot_server };
enum class DhcpMode { proxy, standalone };

// What standalone mode tells clients besides their address.
struct NetworkConfig {
  Ipv4Address subnet_mask;
  std::vector<Ipv4Address> routers;     // empty on an isolated switch
  std::vector<Ipv4Address> dns_servers; // empty on an isolated switch
};

struct DhcpServiceConfig {
  DhcpMode mode = DhcpMode::proxy;
  ReplyConfig reply;
  BootConfig boot;
  NetworkConfig network; // standalone only
};

struct Outgoing {
  Bytes payload;
  Destination destination;
  std::string summary; // one log line: "DHCPOFFER (proxy) to 52:54:00:.. uefi-pxe arch 7: ipxe.efi"
};

struct Silence {
  enum class Kind { malformed, not_for_us, refused } kind = Kind::not_for_us;
  std::string reason;
};

struct DhcpCounters {
  std::uint64_t received = 0;
  std::uint64_t malformed = 0;
  std::uint64_t not_for_us = 0; // non-PXE clients, replies, messages the site's server handles
  std::uint64_t refused = 0;    // "don't boot" machines, unsupported architectures
  std::uint64_t offers = 0;
  std::uint64_t acks = 0;
  std::uint64_t naks = 0;     // standalone: a REQUEST for an address we cannot grant
  std::uint64_t releases = 0; // standalone: RELEASE and DECLINE
  // How often each firmware leniency of quirks.h was applied (STYLE: leniency is counted).
  std::array<std::uint64_t, k_quirk_count> quirks{};
};

class DhcpService {
public:
  // `admission` (and `pool`, required in standalone mode) must outlive the service.
  DhcpService(DhcpServiceConfig config, BootAdmission& admission, LeasePool* pool = nullptr)
      : m_config(std::move(config)), m_admission(admission), m_pool(pool) {}

  // `channel` says which socket the datagram arrived on: the DHCP port (67) or the PXE boot-server
  // port (4011). The role, not the number, decides: tests run the same service on other ports.
  std::expected<Outgoing, Silence> handle(ByteView datagram, Channel channel);

  const DhcpCounters& counters() const { return m_counters; }

private:
  std::expected<Outgoing, Silence> silence(Silence::Kind kind, std::string reason);
  std::expected<Outgoing, Silence> standalone(const Packet& request, const ClientInfo& client);
  std::expected<Outgoing, Silence> encode(const Packet& request, const Packet& reply,
                                          std::string summary);

  DhcpServiceConfig m_config;
  BootAdmission& m_admission;
  LeasePool* m_pool = nullptr;
  DhcpCounters m_counters;
};

} // namespace atelier::pxe
