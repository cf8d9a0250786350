// Building DHCP replies: proxyDHCP offers and port-4011 acks that firmware accepts (PXE-NOTES "A
// proxy offer that firmware accepts"), and the OFFER/ACK/NAK of standalone mode. Pure: a request
// and a decision in, a Packet out; serialize_packet turns it into bytes with
// max_reply_size(request).
#pragma once

#include "pxe/boot_choice.h"
#include "pxe/client_info.h"
#include "pxe/dhcp_packet.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::pxe {

struct ReplyConfig {
  Ipv4Address server; // option 54, siaddr (the TFTP server) and sname
  // BIOS PXE ROMs need option 43 {6: 8} ("boot the file named here, skip boot-server discovery").
  // UEFI firmware works without it by asking again on port 4011 (pixiecore, dnsmasq: false), and
  // post-2017 EDK2 also accepts it (Tinkerbell smee sends it to every architecture: true).
  bool discovery_control_for_all = false;
};

// proxyDHCP OFFER to a DISCOVER (PXE 2.1 §2.2.2): yiaddr 0 (the site's server hands out the
// address), same xid/chaddr/flags/giaddr, option 54 = us, option 60 = "PXEClient" ("HTTPClient" for
// HTTP boot), option 97 echoed when sent, option 43 {6: 8} for BIOS PXE (and everybody when
// configured), siaddr and sname = us, file = the boot file NUL-padded (option 67 instead when it
// does not fit in 127 bytes).
Packet build_proxy_offer(const Packet& request, const ClientInfo& client, const BootChoice& boot,
                         const ReplyConfig& config);

// ACK to a REQUEST or INFORM received on port 4011 (PXE 2.1 §2.2.4, boot server reply): like the
// proxy offer with message type ACK and the client's ciaddr; option 43 sub-option 71 (boot item) is
// echoed when the request carried one. Send it back to the request's source address and port.
Packet build_proxy_ack(const Packet& request, const ClientInfo& client, const BootChoice& boot,
                       const ReplyConfig& config);

// Standalone mode: the address lease offered or confirmed.
struct Lease {
  Ipv4Address address;
  Ipv4Address subnet_mask;
  std::vector<Ipv4Address> routers;     // option 3, omitted when empty
  std::vector<Ipv4Address> dns_servers; // option 6, omitted when empty
  std::optional<Ipv4Address> broadcast; // option 28
  std::string domain_name;              // option 15, omitted when empty
  std::uint32_t lease_seconds = 3600; // option 51; T1/T2 (58/59) at 1/2 and 7/8 (RFC 2131 §4.4.5)
};

// Standalone OFFER / ACK (RFC 2131 §4.3.1, §4.3.2, table 3). With `boot`, the PXE options of the
// proxy offer are included too, since we are also the boot server.
Packet build_offer(const Packet& request, const ClientInfo& client, const Lease& lease,
                   const std::optional<BootChoice>& boot, const ReplyConfig& config);
Packet build_ack(const Packet& request, const ClientInfo& client, const Lease& lease,
                 const std::optional<BootChoice>& boot, const ReplyConfig& config);
// NAK (RFC 2131 table 3): no addresses, option 54, option 56 `message` when not empty; broadcast
// bit set when relayed (§4.3.2).
Packet build_nak(const Packet& request, const ReplyConfig& config, std::string_view message);

// Where a reply to a request received on port 67 goes (RFC 2131 §4.1). Replies to port-4011
// requests go to the request's source address and port instead (EDK2 listens on 4011, iPXE on 68).
struct Destination {
  Ipv4Address address;
  std::uint16_t port = 68;
  // Unicast to yiaddr before the client has its address: needs an ARP entry for chaddr, which a
  // server that cannot add one replaces with a broadcast.
  bool needs_arp_entry = false;

  friend bool operator==(const Destination&, const Destination&) = default;
};
Destination reply_destination(const Packet& request, const Packet& reply);

} // namespace atelier::pxe
