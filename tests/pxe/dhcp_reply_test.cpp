// Specification of the reply builders (pxe/dhcp_reply.h): the proxy offer firmware accepts
// (PXE-NOTES), the port-4011 ACK, standalone OFFER/ACK/NAK, and where replies are sent.
#include "fixtures.h"
#include "pxe/dhcp_reply.h"

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using testing::edk2_discover;

const Ipv4Address k_server = *Ipv4Address::parse("198.18.0.1");

ReplyConfig reply_config() {
  return ReplyConfig{k_server, false};
}

BootChoice tftp_file(std::string file) {
  return BootChoice{BootTransport::tftp, std::move(file), "test"};
}

Packet bios_discover() {
  Packet p = edk2_discover();
  p.options.set_u16(opt::client_arch, 0);
  p.options.set_text(opt::vendor_class, "PXEClient:Arch:00000:UNDI:002001");
  return p;
}

// Round trip through the wire so tests see what the firmware sees.
DecodedPacket on_the_wire(const Packet& reply, const Packet& request) {
  EncodeOptions options;
  options.max_size = max_reply_size(request);
  auto wire = serialize_packet(reply, options);
  EXPECT_TRUE(wire) << (wire ? "" : wire.error().message);
  auto decoded = parse_packet(wire.value_or(Bytes{}));
  EXPECT_TRUE(decoded);
  return decoded.value_or(DecodedPacket{});
}

// Every requirement of PXE-NOTES "A proxy offer that firmware accepts", for a BIOS ROM.
TEST(ProxyOffer, BiosOfferCarriesEverythingFirmwareChecks) {
  const Packet request = bios_discover();
  const ClientInfo client = classify(request);
  const Packet reply =
      build_proxy_offer(request, client, tftp_file("undionly.kpxe"), reply_config());
  const auto seen = on_the_wire(reply, request).packet;
  EXPECT_EQ(seen.op, k_boot_reply);
  EXPECT_EQ(seen.xid, request.xid);
  EXPECT_EQ(seen.chaddr, request.chaddr);
  EXPECT_EQ(seen.flags, request.flags);
  EXPECT_TRUE(seen.yiaddr.is_zero()); // the site's server gives the address
  EXPECT_EQ(seen.siaddr, k_server);
  EXPECT_EQ(seen.sname, "198.18.0.1");
  EXPECT_EQ(seen.file, "undionly.kpxe");
  EXPECT_EQ(seen.message_type(), MessageType::offer);
  EXPECT_EQ(seen.options.begin()->first, opt::message_type);
  EXPECT_EQ(seen.server_id(), k_server);
  EXPECT_EQ(seen.vendor_class(), "PXEClient");
  EXPECT_EQ(*seen.options.find(opt::client_uuid), *request.options.find(opt::client_uuid));
  EXPECT_EQ(*seen.options.find(opt::vendor_specific), (Bytes{6, 1, 8, 255})); // {6: 8} + end
}

// The file field is written NUL-padded: firmware reads up to the first NUL, some read all 128
// bytes.
TEST(ProxyOffer, FileFieldIsNulPadded) {
  const Packet request = bios_discover();
  const Packet reply =
      build_proxy_offer(request, classify(request), tftp_file("undionly.kpxe"), reply_config());
  const Bytes wire = *serialize_packet(reply);
  const std::string file(wire.begin() + k_file_offset, wire.begin() + k_file_offset + 13);
  EXPECT_EQ(file, "undionly.kpxe");
  EXPECT_TRUE(std::all_of(wire.begin() + k_file_offset + 13, wire.begin() + k_header_size,
                          [](std::uint8_t b) { return b == 0; }));
}

// UEFI PXE, pixiecore/dnsmasq style by default: no option 43, siaddr set; the firmware asks on
// 4011.
TEST(ProxyOffer, UefiOfferHasNoDiscoveryControlByDefault) {
  const Packet request = edk2_discover();
  const Packet reply =
      build_proxy_offer(request, classify(request), tftp_file("ipxe.efi"), reply_config());
  EXPECT_FALSE(reply.options.contains(opt::vendor_specific));
  EXPECT_EQ(reply.siaddr, k_server);
  EXPECT_EQ(reply.file, "ipxe.efi");
}

// smee style, for sites whose UEFI firmware needs it: {6: 8} for every PXE architecture.
TEST(ProxyOffer, DiscoveryControlForAllWhenConfigured) {
  const Packet request = edk2_discover();
  ReplyConfig config = reply_config();
  config.discovery_control_for_all = true;
  const Packet reply = build_proxy_offer(request, classify(request), tftp_file("ipxe.efi"), config);
  EXPECT_EQ(*reply.options.find(opt::vendor_specific), (Bytes{6, 1, 8, 255}));
}

// EDK2 HTTP boot ignores offers without "HTTPClient" and takes the URL from the file field.
TEST(ProxyOffer, HttpBootOfferSaysHttpClientAndCarriesTheUrl) {
  Packet request = edk2_discover();
  request.options.set_u16(opt::client_arch, 16);
  request.options.set_text(opt::vendor_class, "HTTPClient:Arch:00016:UNDI:003000");
  const BootChoice boot{BootTransport::http, "http://198.18.0.1:8080/ipxe/ipxe.efi", "test"};
  const auto seen =
      on_the_wire(build_proxy_offer(request, classify(request), boot, reply_config()), request)
          .packet;
  EXPECT_EQ(seen.vendor_class(), "HTTPClient");
  EXPECT_EQ(seen.file, "http://198.18.0.1:8080/ipxe/ipxe.efi");
  EXPECT_FALSE(seen.options.contains(opt::vendor_specific));
}

// iPXE gets its script URL and no PXE menu machinery.
TEST(ProxyOffer, IpxeOfferCarriesTheScriptUrl) {
  const auto decoded = testing::fixture_packet("seabios-ipxe-01-dhcp-discover-ipxe");
  const ClientInfo client = classify(decoded.packet);
  const BootChoice boot{BootTransport::http, "http://198.18.0.1:8080/boot/52:54:00:a7:e1:01.ipxe",
                        "test"};
  const auto seen =
      on_the_wire(build_proxy_offer(decoded.packet, client, boot, reply_config()), decoded.packet)
          .packet;
  EXPECT_EQ(seen.file, boot.file);
  EXPECT_EQ(seen.vendor_class(), "PXEClient");
  EXPECT_FALSE(seen.options.contains(opt::vendor_specific));
  EXPECT_EQ(*seen.options.find(opt::client_id),
            *decoded.packet.options.find(opt::client_id)); // RFC 6842
}

// A URL too long for the 128-byte field goes in option 67 (split by RFC 3396 if needed).
TEST(ProxyOffer, LongBootFileGoesToOption67) {
  const Packet request = edk2_discover();
  const std::string url = "http://198.18.0.1:8080/" + std::string(300, 'x') + ".efi";
  const BootChoice boot{BootTransport::http, url, "test"};
  const auto seen =
      on_the_wire(build_proxy_offer(request, classify(request), boot, reply_config()), request)
          .packet;
  EXPECT_TRUE(seen.file.empty());
  EXPECT_EQ(seen.options.text(opt::bootfile_name), url);
}

// 4011 ACK (PXE boot server reply): ACK, client's ciaddr, same boot data; dnsmasq-compatible.
TEST(ProxyAck, AnswersPort4011RequestWithBootFile) {
  const auto decoded = testing::fixture_packet("ovmf-pxe-06-pxe4011-request-pxe");
  const ClientInfo client = classify(decoded.packet);
  const Packet reply =
      build_proxy_ack(decoded.packet, client, tftp_file("ipxe.efi"), reply_config());
  EXPECT_EQ(reply.message_type(), MessageType::ack);
  EXPECT_EQ(reply.ciaddr, decoded.packet.ciaddr);
  EXPECT_TRUE(reply.yiaddr.is_zero());
  EXPECT_EQ(reply.file, "ipxe.efi");
  EXPECT_EQ(reply.vendor_class(), "PXEClient");
  EXPECT_EQ(*reply.options.find(opt::client_uuid), *decoded.packet.options.find(opt::client_uuid));
  EXPECT_FALSE(pxe_boot_item(reply)); // EDK2 asked for no boot item (seen)
}

// A client that names a boot item (iPXE's PXEBS, seen) gets it back in option 43 sub-option 71.
TEST(ProxyAck, EchoesTheBootItem) {
  const auto decoded = testing::fixture_packet("seabios-ipxe-06-pxe4011-request-ipxe");
  ASSERT_EQ(pxe_boot_item(decoded.packet), (BootItem{0x8000, 0}));
  Packet request = decoded.packet;
  request.options.set_u16(opt::client_arch, 0);
  ClientInfo client = classify(request);
  client.firmware =
      FirmwareFamily::bios_pxe; // as a vendor ROM doing boot-server discovery would be
  const Packet reply = build_proxy_ack(request, client, tftp_file("undionly.kpxe"), reply_config());
  EXPECT_EQ(pxe_boot_item(reply), (BootItem{0x8000, 0}));
  EXPECT_EQ(*reply.options.find(opt::vendor_specific), (Bytes{6, 1, 8, 71, 4, 0x80, 0, 0, 0, 255}));
}

// Standalone OFFER: an address with everything a client needs to use it (RFC 2131 §4.3.1).
TEST(StandaloneOffer, CarriesLeaseAndBootOptions) {
  const Packet request = edk2_discover();
  Lease lease;
  lease.address = *Ipv4Address::parse("198.18.0.60");
  lease.subnet_mask = *Ipv4Address::parse("255.255.255.0");
  lease.routers = {k_server};
  lease.dns_servers = {k_server};
  lease.broadcast = *Ipv4Address::parse("198.18.0.255");
  lease.lease_seconds = 600;
  const Packet reply =
      build_offer(request, classify(request), lease, tftp_file("ipxe.efi"), reply_config());
  const auto seen = on_the_wire(reply, request).packet;
  EXPECT_EQ(seen.yiaddr, lease.address);
  EXPECT_EQ(seen.message_type(), MessageType::offer);
  EXPECT_EQ(seen.options.ipv4(opt::subnet_mask), lease.subnet_mask);
  EXPECT_EQ(seen.options.ipv4_list(opt::routers), lease.routers);
  EXPECT_EQ(seen.options.ipv4_list(opt::dns_servers), lease.dns_servers);
  EXPECT_EQ(seen.options.ipv4(opt::broadcast_address), lease.broadcast);
  EXPECT_EQ(seen.options.u32(opt::lease_time), 600u);
  EXPECT_EQ(seen.options.u32(opt::renewal_time), 300u);   // T1 = 1/2
  EXPECT_EQ(seen.options.u32(opt::rebinding_time), 525u); // T2 = 7/8
  EXPECT_EQ(seen.server_id(), k_server);
  EXPECT_EQ(seen.vendor_class(), "PXEClient");
  EXPECT_EQ(seen.file, "ipxe.efi");
  EXPECT_EQ(seen.siaddr, k_server);
}

// Without a boot choice (a non-PXE client in standalone mode) there are no PXE options at all.
TEST(StandaloneOffer, WithoutBootChoiceHasNoPxeOptions) {
  Packet request;
  request.options.set_u8(opt::message_type, 1);
  Lease lease;
  lease.address = *Ipv4Address::parse("198.18.0.61");
  const Packet reply = build_offer(request, classify(request), lease, std::nullopt, reply_config());
  EXPECT_FALSE(reply.options.contains(opt::vendor_class));
  EXPECT_TRUE(reply.siaddr.is_zero());
  EXPECT_TRUE(reply.file.empty());
}

// ACK copies ciaddr (renewing clients) per RFC 2131 table 3.
TEST(StandaloneAck, CopiesCiaddr) {
  Packet request = edk2_discover();
  request.options.set_u8(opt::message_type, 3);
  request.ciaddr = *Ipv4Address::parse("198.18.0.60");
  Lease lease;
  lease.address = request.ciaddr;
  const Packet reply = build_ack(request, classify(request), lease, std::nullopt, reply_config());
  EXPECT_EQ(reply.message_type(), MessageType::ack);
  EXPECT_EQ(reply.ciaddr, request.ciaddr);
  EXPECT_EQ(reply.yiaddr, lease.address);
}

// NAK carries no addresses, says why, and is broadcast through relays (RFC 2131 §4.3.2).
TEST(StandaloneNak, CarriesNoAddressAndSetsBroadcastWhenRelayed) {
  Packet request = edk2_discover();
  request.options.set_u8(opt::message_type, 3);
  request.options.set(opt::relay_agent_info, {1, 2, 'a', 'b'});
  request.giaddr = *Ipv4Address::parse("198.18.1.1");
  request.flags = 0;
  const Packet reply = build_nak(request, reply_config(), "address not on this network");
  EXPECT_EQ(reply.message_type(), MessageType::nak);
  EXPECT_TRUE(reply.yiaddr.is_zero());
  EXPECT_TRUE(reply.siaddr.is_zero());
  EXPECT_TRUE(reply.broadcast());
  EXPECT_EQ(reply.options.text(opt::message), "address not on this network");
  EXPECT_EQ(*reply.options.find(opt::relay_agent_info), (Bytes{1, 2, 'a', 'b'})); // RFC 3046 §2.2
}

// RFC 2131 §4.1 destinations: relay, NAK, renewing client, broadcast flag, unicast to yiaddr.
TEST(ReplyDestination, FollowsRfc2131Section4_1) {
  const Ipv4Address broadcast{{255, 255, 255, 255}};
  Packet request = edk2_discover();
  Packet reply;
  reply.options.set_u8(opt::message_type, 2);
  EXPECT_EQ(reply_destination(request, reply),
            (Destination{broadcast, 68, false})); // broadcast flag
  request.flags = 0;
  EXPECT_EQ(reply_destination(request, reply),
            (Destination{broadcast, 68, false})); // proxy: yiaddr 0
  reply.yiaddr = *Ipv4Address::parse("198.18.0.60");
  EXPECT_EQ(reply_destination(request, reply), (Destination{reply.yiaddr, 68, true}));
  request.ciaddr = *Ipv4Address::parse("198.18.0.61");
  EXPECT_EQ(reply_destination(request, reply), (Destination{request.ciaddr, 68, false}));
  reply.options.set_u8(opt::message_type, 6);
  EXPECT_EQ(reply_destination(request, reply), (Destination{broadcast, 68, false}));
  request.giaddr = *Ipv4Address::parse("198.18.1.1");
  EXPECT_EQ(reply_destination(request, reply), (Destination{request.giaddr, 67, false}));
}

} // namespace
} // namespace atelier::pxe
