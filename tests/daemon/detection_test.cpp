// Detection end to end on real UDP sockets (loopback, unprivileged ports) and a real SQLite file:
// a captured firmware DISCOVER reaches the proxyDHCP server, the machine appears in the database as
// a `detected` unit with its boot sighting, and the proxy offer comes back on the client port.
#include "daemon/boot_admission.h"
#include "fixtures.h"
#include "hardware-db/registry.h"
#include "pxe/dhcp_server.h"
#include "pxe/http_routes.h"
#include "support/temp_dir.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <thread>

#include <gtest/gtest.h>

using namespace atelier;
namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// Ports above 1024 so the test needs no privilege; picked per test from the process id to keep
// parallel CTest runs apart.
std::uint16_t base_port(int offset) {
  return static_cast<std::uint16_t>(20000 + (::getpid() % 2000) * 10 + offset);
}

class DetectionTest : public ::testing::Test {
protected:
  DetectionTest()
      : m_registry(hwdb::open_store((m_dir / "atelier.db").string()).value(), m_clock),
        m_admission(m_registry), m_service(config(), m_admission) {}

  static pxe::DhcpServiceConfig config() {
    pxe::DhcpServiceConfig c;
    c.reply.server = *pxe::Ipv4Address::parse("198.18.0.1");
    c.boot.server = c.reply.server;
    return c;
  }

  // Sends `fixture` from the client port to the server's DHCP port and returns the reply, if one
  // arrives within a generous wait (absence of a reply is what some tests assert).
  std::optional<pxe::Bytes> exchange(const std::string& fixture) {
    asio::io_context server_io;
    pxe::DhcpServerConfig sc;
    sc.listen_address = "127.0.0.1";
    sc.server_port = base_port(0);
    sc.boot_server_port = base_port(1);
    sc.client_port = base_port(2);
    sc.broadcast_address = "127.0.0.1";
    pxe::DhcpServer server(server_io, sc, m_service, [](std::string_view) {});
    EXPECT_TRUE(server.start());

    asio::io_context client_io;
    udp::socket client(client_io,
                       udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), sc.client_port));
    const pxe::Bytes request = pxe::testing::load_fixture(fixture);
    client.send_to(asio::buffer(request),
                   udp::endpoint(asio::ip::make_address_v4("127.0.0.1"), sc.server_port));
    // Serve exactly until the request has been handled.
    server_io.run_for(std::chrono::milliseconds(500));
    client.non_blocking(true);
    std::array<std::uint8_t, 1500> buffer{};
    udp::endpoint from;
    boost::system::error_code ec;
    const std::size_t n = client.receive_from(asio::buffer(buffer), from, 0, ec);
    server.stop();
    if (ec) {
      return std::nullopt;
    }
    return pxe::Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }

  atelier::testing::TempDir m_dir;
  base::SystemClock m_clock;
  hwdb::Registry m_registry;
  daemon::HwdbAdmission m_admission;
  pxe::DhcpService m_service;
};

} // namespace

TEST_F(DetectionTest, FirstBootCreatesDetectedUnitAndIsAnswered) {
  const auto reply = exchange("ovmf-pxe-01-dhcp-discover-pxe");
  ASSERT_TRUE(reply);
  const auto offer = pxe::parse_packet(*reply).value().packet;
  EXPECT_EQ(offer.message_type(), pxe::MessageType::offer);
  EXPECT_EQ(offer.file, "ipxe.efi");

  const auto units = m_registry.store().list_units({}).value();
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].state, hwdb::UnitState::detected);
  ASSERT_TRUE(units[0].identity.wired_mac);
  EXPECT_EQ(units[0].identity.wired_mac->str(), "52:54:00:a7:e1:01");
  const auto sightings = m_registry.store().sightings(units[0].id).value();
  ASSERT_EQ(sightings.size(), 1u);
  EXPECT_EQ(sightings[0].firmware, "uefi-pxe");
  EXPECT_EQ(sightings[0].arch, 7);
}

TEST_F(DetectionTest, LaterBootsAddSightingsToTheSameUnit) {
  ASSERT_TRUE(exchange("ovmf-pxe-01-dhcp-discover-pxe"));
  ASSERT_TRUE(exchange("ovmf-ipxe-01-dhcp-discover-ipxe"));
  const auto units = m_registry.store().list_units({}).value();
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(m_registry.store().sightings(units[0].id).value().size(), 2u);
}

TEST_F(DetectionTest, DontBootMachineIsNotAnswered) {
  ASSERT_TRUE(exchange("ovmf-pxe-01-dhcp-discover-pxe"));
  const auto unit = m_registry.store().list_units({}).value().at(0);
  ASSERT_TRUE(m_registry.set_do_not_boot(unit, true));
  EXPECT_FALSE(exchange("ovmf-pxe-01-dhcp-discover-pxe"));
  EXPECT_EQ(m_service.counters().refused, 1u);
}

// A machine that finished the pipeline reboots into its new system: atelierd must not boot it over
// the network again, so the firmware falls through to the disk. The boot is still recorded.
TEST_F(DetectionTest, ReadyMachineIsNotAnsweredSoItBootsFromItsDisk) {
  ASSERT_TRUE(exchange("ovmf-pxe-01-dhcp-discover-pxe"));
  hwdb::Unit unit = m_registry.store().list_units({}).value().at(0);
  for (const auto to : {hwdb::UnitState::inventoried, hwdb::UnitState::tested,
                        hwdb::UnitState::wiped, hwdb::UnitState::imaged, hwdb::UnitState::ready}) {
    unit = m_registry.transition(unit, to, "test", "pipeline step").value();
  }
  EXPECT_FALSE(exchange("ovmf-pxe-01-dhcp-discover-pxe"));
  EXPECT_EQ(m_service.counters().refused, 1u);
  EXPECT_EQ(m_registry.store().sightings(unit.id).value().size(), 2u);
  // The iPXE script and the port-4011 path give the same answer, with the reason for the log.
  const pxe::Admission script =
      m_admission.admit_script(*pxe::parse_mac_address("52:54:00:a7:e1:01"), "198.18.0.60");
  EXPECT_FALSE(script.answer);
  EXPECT_NE(script.reason.find("is ready: it boots its installed system from its own disk"),
            std::string::npos)
      << script.reason;
}

// Which states the network boot leaves to the disk: those whose work in the workshop is done.
TEST(BootsFromDisk, OnlyFinishedUnitsAreLeftToTheirDisk) {
  hwdb::Unit unit;
  unit.tag = hwdb::AssetTag("AT", 1);
  for (const auto state :
       {hwdb::UnitState::ready, hwdb::UnitState::assigned, hwdb::UnitState::parts}) {
    unit.state = state;
    EXPECT_TRUE(daemon::boots_from_disk(unit)) << hwdb::to_string(state);
  }
  for (const auto state : {hwdb::UnitState::detected, hwdb::UnitState::inventoried,
                           hwdb::UnitState::tested, hwdb::UnitState::wiped, hwdb::UnitState::imaged,
                           hwdb::UnitState::failed, hwdb::UnitState::returned}) {
    unit.state = state;
    EXPECT_FALSE(daemon::boots_from_disk(unit)) << hwdb::to_string(state);
  }
}

// [pipeline] protected: the workshop's own machines are never network-booted, not even recorded.
TEST(ProtectedMachines, AreNotAnsweredNorRecorded) {
  atelier::testing::TempDir dir;
  base::SystemClock clock;
  hwdb::Registry registry(hwdb::open_store((dir / "atelier.db").string()).value(), clock);
  daemon::HwdbAdmission admission(registry, {"52:54:00:a7:e1:01"});
  pxe::ClientInfo client;
  client.mac = base::MacAddress{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};
  const pxe::Admission refused = admission.admit(client, true);
  EXPECT_FALSE(refused.answer);
  EXPECT_NE(refused.reason.find("protected list"), std::string::npos) << refused.reason;
  EXPECT_TRUE(registry.store().list_units({}).value().empty());
  client.mac = base::MacAddress{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x02}};
  EXPECT_TRUE(admission.admit(client, true).answer);
}
