// Agent registration against a real SQLite file and real one-time boot tokens.
#include "daemon/agent_api.h"
#include "imager/agent/agent_client.h"
#include "pxe/http_server.h"
#include "support/temp_dir.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace atelier;
using nlohmann::json;

namespace {

json inventory() {
  std::ifstream in(std::string(ATELIER_TEST_DATA) + "/profiles/laptop-8gb-uefi-ssd.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

class AgentApiTest : public ::testing::Test {
protected:
  AgentApiTest()
      : m_registry(hwdb::open_store((m_dir / "atelier.db").string()).value(), m_clock),
        m_api(m_registry, m_tokens) {}

  pxe::HttpPostResult post(const std::string& token, const std::string& mac = "52:54:00:aa:00:01") {
    return m_api.handle("/api/v1/register",
                        json{{"mac", mac}, {"token", token}, {"inventory", inventory()}}.dump(),
                        "198.18.0.60");
  }

  atelier::testing::TempDir m_dir;
  base::SystemClock m_clock;
  hwdb::Registry m_registry;
  pxe::BootTokens m_tokens{pxe::BootTokensConfig{}};
  daemon::AgentApi m_api;
  base::MacAddress m_mac{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x01}};
};

} // namespace

// The machine detected at PXE time is the one that registers: same unit, now inventoried.
TEST_F(AgentApiTest, RegistrationRecordsInventoryOnTheDetectedUnit) {
  const auto boot = m_registry.record_boot({m_mac, 7, "ipxe", "", ""}, "atelierd").value();
  const auto r = post(m_tokens.issue(m_mac).value());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["unit"], boot.unit.tag.str());
  EXPECT_EQ(answer["state"], "inventoried");
  const auto snapshot = m_registry.store().latest_inventory(boot.unit.id).value();
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(json::parse(snapshot->raw_json), inventory()); // kept verbatim
  EXPECT_EQ(snapshot->ram_bytes, inventory()["memory"]["total_bytes"].get<std::uint64_t>());
  EXPECT_EQ(m_registry.store().list_units({}).value().size(), 1u);
}

// A token is good for one report: a replay is refused and changes nothing.
TEST_F(AgentApiTest, ReplayedTokenIsRefused) {
  const std::string token = m_tokens.issue(m_mac).value();
  ASSERT_EQ(post(token).status, 200u);
  const auto again = post(token);
  EXPECT_EQ(again.status, 403u);
  EXPECT_NE(again.body.find("used"), std::string::npos) << again.body;
}

TEST_F(AgentApiTest, TokenOfAnotherMachineIsRefused) {
  const std::string token = m_tokens.issue(m_mac).value();
  const auto r = post(token, "52:54:00:aa:00:02");
  EXPECT_EQ(r.status, 403u);
  EXPECT_TRUE(m_registry.store().list_units({}).value().empty());
}

TEST_F(AgentApiTest, MalformedRequestsNameTheField) {
  EXPECT_EQ(m_api.handle("/api/v1/register", "not json", "198.18.0.60").status, 400u);
  const auto no_mac =
      m_api.handle("/api/v1/register", R"({"token":"ab","inventory":{}})", "198.18.0.60");
  EXPECT_EQ(no_mac.status, 400u);
  EXPECT_NE(no_mac.body.find("'mac'"), std::string::npos);
  EXPECT_EQ(m_api.handle("/api/v1/nothing", "{}", "198.18.0.60").status, 404u);
}

// A daemon without a pipeline registers the machine, then tells its agent to stop, with the
// reason: a definite 409 "stop" the agent does not retry (a 5xx would keep it waiting 10 minutes
// for a pipeline that no restart brings). Real HTTP between the agent's client and the API.
TEST_F(AgentApiTest, WithoutAPipelineTheAgentIsToldToStopAtOnce) {
  boost::asio::io_context io;
  pxe::HttpBootConfig config;
  config.listen_address = "127.0.0.1";
  config.port = 0;
  int next_calls = 0;
  config.post_handler = [&](std::string_view path, const std::string& body, const std::string& ip) {
    next_calls += path == "/api/v1/next" ? 1 : 0;
    return m_api.handle(path, body, ip);
  };
  pxe::HttpBootServer server(io, config, [](std::string_view) {});
  ASSERT_TRUE(server.start());
  std::thread loop([&] { io.run(); });
  imager::AgentClient client(fmt::format("http://127.0.0.1:{}", server.local_port()),
                             m_tokens.issue(m_mac).value()); // the agent's own 10-minute patience
  auto registered = client.post(atelier::records::Endpoint::register_unit,
                                {{"mac", "52:54:00:aa:00:01"}, {"inventory", inventory()}});
  ASSERT_TRUE(registered) << registered.error().message;
  auto next = client.post(atelier::records::Endpoint::next, json::object());
  boost::asio::post(io, [&] { server.stop(); });
  loop.join();
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().status, 409u);
  EXPECT_TRUE(next.error().stop);
  EXPECT_NE(next.error().message.find("no pipeline"), std::string::npos) << next.error().message;
  EXPECT_NE(next.error().message.find("[pipeline]"), std::string::npos) << next.error().message;
  EXPECT_EQ(next_calls, 1); // asked once, not retried
  EXPECT_EQ(m_registry.store().list_units({}).value().at(0).state, hwdb::UnitState::inventoried);
}
