// The proxyDHCP decision on real captured packets, with a scripted admission (no sockets, no DB).
#include "fixtures.h"
#include "pxe/dhcp_service.h"

#include <gtest/gtest.h>

using namespace atelier::pxe;
using atelier::base::MacAddress;
using atelier::pxe::testing::fixture_packet;
using atelier::pxe::testing::load_fixture;

namespace {

class ScriptedAdmission final : public BootAdmission {
public:
  Admission admit(const ClientInfo& client, bool first_contact) override {
    calls.push_back({client.mac ? client.mac->str() : "", first_contact});
    return {answer, "AT-0001-3", answer ? "" : "marked don't boot"};
  }
  struct Call {
    std::string mac;
    bool first_contact;
  };
  std::vector<Call> calls;
  bool answer = true;
};

class DhcpServiceTest : public ::testing::Test {
protected:
  DhcpServiceTest() : m_service(config(), m_admission) {}
  static DhcpServiceConfig config() {
    DhcpServiceConfig c;
    c.reply.server = *Ipv4Address::parse("198.18.0.1");
    c.boot.server = c.reply.server;
    c.boot.http_port = 8080;
    return c;
  }
  ScriptedAdmission m_admission;
  DhcpService m_service;
};

Packet decode(const Bytes& bytes) {
  return parse_packet(bytes).value().packet;
}

} // namespace

// EDK2's own PXE (OVMF, captured): a proxy offer naming the x86-64 iPXE EFI binary, yiaddr 0.
TEST_F(DhcpServiceTest, UefiPxeDiscoverGetsProxyOfferForIpxeEfi) {
  const auto out = m_service.handle(load_fixture("ovmf-pxe-01-dhcp-discover-pxe"), Channel::dhcp);
  ASSERT_TRUE(out) << out.error().reason;
  const Packet offer = decode(out->payload);
  EXPECT_EQ(offer.message_type(), MessageType::offer);
  EXPECT_TRUE(offer.yiaddr.is_zero());
  EXPECT_EQ(offer.file, "ipxe.efi");
  EXPECT_EQ(offer.xid, fixture_packet("ovmf-pxe-01-dhcp-discover-pxe").packet.xid);
  ASSERT_EQ(m_admission.calls.size(), 1u);
  EXPECT_TRUE(m_admission.calls[0].first_contact);
  EXPECT_EQ(m_service.counters().offers, 1u);
}

// Loop avoidance: iPXE (captured from SeaBIOS's NIC ROM) gets the HTTP script, not iPXE again.
TEST_F(DhcpServiceTest, IpxeGetsTheHttpScriptUrl) {
  const auto out =
      m_service.handle(load_fixture("seabios-ipxe-01-dhcp-discover-ipxe"), Channel::dhcp);
  ASSERT_TRUE(out) << out.error().reason;
  const Packet offer = decode(out->payload);
  EXPECT_NE(offer.file.find("http://198.18.0.1:8080/boot/"), std::string::npos) << offer.file;
}

// The port-4011 REQUEST of EDK2 is acknowledged, and it is not a new boot sighting.
TEST_F(DhcpServiceTest, BootServerRequestOn4011IsAcked) {
  const auto out =
      m_service.handle(load_fixture("ovmf-pxe-06-pxe4011-request-pxe"), Channel::boot_server);
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(decode(out->payload).message_type(), MessageType::ack);
  EXPECT_EQ(out->destination.port, 4011);
  ASSERT_EQ(m_admission.calls.size(), 1u);
  EXPECT_FALSE(m_admission.calls[0].first_contact);
}

// Beside a site's DHCP server, its REQUEST/ACK traffic is none of our business.
TEST_F(DhcpServiceTest, SiteTrafficIsLeftAlone) {
  for (const char* name : {"ovmf-pxe-04-dhcp-request-pxe", "ovmf-pxe-05-dhcp-ack-site"}) {
    const auto out = m_service.handle(load_fixture(name), Channel::dhcp);
    ASSERT_FALSE(out) << name;
    EXPECT_EQ(out.error().kind, Silence::Kind::not_for_us) << name;
  }
  EXPECT_TRUE(m_admission.calls.empty());
}

TEST_F(DhcpServiceTest, RefusedMachineGetsNoReplyAndIsCounted) {
  m_admission.answer = false;
  const auto out = m_service.handle(load_fixture("ovmf-pxe-01-dhcp-discover-pxe"), Channel::dhcp);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, Silence::Kind::refused);
  EXPECT_NE(out.error().reason.find("don't boot"), std::string::npos);
  EXPECT_EQ(m_service.counters().refused, 1u);
}

// Every truncation of a real DISCOVER is dropped as malformed, never answered, never a crash.
TEST_F(DhcpServiceTest, TruncatedPacketsAreMalformed) {
  const Bytes discover = load_fixture("ovmf-pxe-01-dhcp-discover-pxe");
  for (std::size_t n = 0; n < 240; ++n) {
    const auto out = m_service.handle(ByteView(discover.data(), n), Channel::dhcp);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, Silence::Kind::malformed) << n;
  }
  EXPECT_TRUE(m_admission.calls.empty());
}

// Leniencies applied to real firmware are counted, so an operator can see them.
TEST_F(DhcpServiceTest, QuirksAreCounted) {
  for (const auto& name : atelier::pxe::testing::fixture_names("discover")) {
    (void)m_service.handle(load_fixture(name), Channel::dhcp);
  }
  std::uint64_t total = 0;
  for (auto n : m_service.counters().quirks) {
    total += n;
  }
  std::uint64_t expected = 0;
  for (const auto& name : atelier::pxe::testing::fixture_names("discover")) {
    const auto decoded = fixture_packet(name);
    expected += classify(decoded.packet, decoded.quirks).quirks.size();
  }
  EXPECT_EQ(total, expected);
}

namespace {

class StandaloneTest : public ::testing::Test {
protected:
  StandaloneTest() : m_pool(make_pool()), m_service(config(), m_admission, &m_pool) {}
  static LeasePool make_pool() {
    LeasePoolConfig c;
    c.first = *Ipv4Address::parse("198.18.0.100");
    c.last = *Ipv4Address::parse("198.18.0.101");
    return LeasePool::open(c).value();
  }
  static DhcpServiceConfig config() {
    DhcpServiceConfig c;
    c.mode = DhcpMode::standalone;
    c.reply.server = *Ipv4Address::parse("198.18.0.1");
    c.boot.server = c.reply.server;
    c.network.subnet_mask = *Ipv4Address::parse("255.255.255.0");
    return c;
  }
  ScriptedAdmission m_admission;
  LeasePool m_pool;
  DhcpService m_service;
};

} // namespace

// On an isolated switch we are the DHCP server: the firmware gets an address and its boot file at
// once.
TEST_F(StandaloneTest, DiscoverGetsAnAddressAndTheBootFile) {
  const auto out = m_service.handle(load_fixture("ovmf-pxe-01-dhcp-discover-pxe"), Channel::dhcp);
  ASSERT_TRUE(out) << out.error().reason;
  const Packet offer = decode(out->payload);
  EXPECT_EQ(offer.message_type(), MessageType::offer);
  EXPECT_EQ(offer.yiaddr, *Ipv4Address::parse("198.18.0.100"));
  EXPECT_EQ(offer.file, "ipxe.efi");
}

// A "don't boot" machine still needs an address on the workshop switch, just no boot file.
TEST_F(StandaloneTest, RefusedMachineGetsAnAddressWithoutBootFile) {
  m_admission.answer = false;
  const auto out = m_service.handle(load_fixture("ovmf-pxe-01-dhcp-discover-pxe"), Channel::dhcp);
  ASSERT_TRUE(out) << out.error().reason;
  const Packet offer = decode(out->payload);
  EXPECT_FALSE(offer.yiaddr.is_zero());
  EXPECT_TRUE(offer.file.empty());
}

// A REQUEST for an address leased to another machine is NAKed, never granted twice.
TEST_F(StandaloneTest, RequestForAnotherMachinesAddressIsNaked) {
  const MacAddress other{{0x52, 0x54, 0x00, 0xff, 0xff, 0x01}};
  ASSERT_TRUE(m_pool.commit(other, *Ipv4Address::parse("198.18.0.100"), LeasePool::Clock::now()));
  DecodedPacket request = fixture_packet("ovmf-pxe-04-dhcp-request-pxe");
  request.packet.options.set_ipv4(atelier::pxe::opt::requested_address,
                                  *Ipv4Address::parse("198.18.0.100"));
  request.packet.options.set_ipv4(atelier::pxe::opt::server_id, *Ipv4Address::parse("198.18.0.1"));
  const auto out = m_service.handle(serialize_packet(request.packet).value(), Channel::dhcp);
  ASSERT_TRUE(out) << out.error().reason;
  EXPECT_EQ(decode(out->payload).message_type(), MessageType::nak);
  EXPECT_EQ(m_service.counters().naks, 1u);
}

TEST_F(StandaloneTest, RequestForOfferedAddressIsAcked) {
  const auto offer = decode(
      m_service.handle(load_fixture("ovmf-pxe-01-dhcp-discover-pxe"), Channel::dhcp)->payload);
  DecodedPacket request = fixture_packet("ovmf-pxe-04-dhcp-request-pxe");
  request.packet.options.set_ipv4(atelier::pxe::opt::requested_address, offer.yiaddr);
  request.packet.options.set_ipv4(atelier::pxe::opt::server_id, *Ipv4Address::parse("198.18.0.1"));
  const auto out = m_service.handle(serialize_packet(request.packet).value(), Channel::dhcp);
  ASSERT_TRUE(out) << out.error().reason;
  const Packet ack = decode(out->payload);
  EXPECT_EQ(ack.message_type(), MessageType::ack);
  EXPECT_EQ(ack.yiaddr, offer.yiaddr);
}
