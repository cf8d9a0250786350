// Issue 14, "atelierd never dies from input": what an agent post can carry (the wrong types, any
// nesting, an old token) is answered, never thrown past the API, against a real SQLite file and
// real boot tokens; and the boot script's admission limits machines unknown to the database per
// client address.
#include "daemon/agent_api.h"
#include "daemon/api/api_server.h"
#include "daemon/boot_admission.h"
#include "daemon/pipeline.h"
#include "profiles/program.h"
#include "support/api_fixture.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace atelier;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr std::string_view k_profile = R"([profile]
name = "family"
description = "test profile"

[image]
source = "images/family.tar.zst"
format = "rootfs-archive"
sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[partitioning]
scheme = "auto"
filesystem = "ext4"

[tailoring]
hostname = "pc-{tag}"
locale = "fr_FR.UTF-8"
keyboard = "fr"
timezone = "Europe/Paris"

[wipe]
hdd = ["zero"]
ssd = ["zero"]
nvme = ["zero"]
usb = ["zero"]
verify = "sample"
hidden_areas = "report"

[requirements]
min_ram = "2GiB"
firmware = ["bios", "uefi"]
)";

class AgentInputTest : public ::testing::Test {
protected:
  AgentInputTest()
      : m_key(workshop::SigningKey::load_or_create(m_dir / "keys").value()),
        m_registry(hwdb::open_store((m_dir / "atelier.db").string()).value(), m_clock) {
    daemon::PipelineConfig config;
    config.program =
        profiles::load_program(std::string(ATELIER_TEST_DATA) + "/imager/bench/program.toml")
            .value();
    config.profiles.push_back(
        profiles::parse_profile(k_profile, "/srv/profiles/family.toml").value());
    config.step_timeout = 60min;
    m_pipeline = std::make_unique<daemon::Pipeline>(m_registry, m_clock, std::move(config), m_key);
    m_api = std::make_unique<daemon::AgentApi>(m_registry, m_tokens, m_pipeline.get());
    m_api->set_log([this](const std::string& line) { m_log.push_back(line); });
  }

  // The raw answer to `body` posted to /api/v1/<endpoint>, whatever it is.
  pxe::HttpPostResult raw(const std::string& endpoint, const std::string& body) {
    return m_api->handle("/api/v1/" + endpoint, body, "198.18.0.60");
  }
  json post(const std::string& endpoint, const json& body, unsigned status = 200) {
    const auto r = raw(endpoint, body.dump());
    EXPECT_EQ(r.status, status) << endpoint << " " << body.dump().substr(0, 300) << " → " << r.body;
    return json::parse(r.body);
  }
  // The error sentence of a 400 answer to `body`.
  std::string refused(const std::string& endpoint, const json& body) {
    return post(endpoint, body, 400).value("error", "");
  }

  static json inventory() {
    return json::parse(read(std::string(ATELIER_TEST_DATA) + "/profiles/laptop-8gb-uefi-ssd.json"));
  }
  static json bench_report() {
    return json::parse(read(std::string(ATELIER_TEST_DATA) + "/imager/bench/bench-clean.json"));
  }
  // A registered boot and its bench job.
  std::string registered() {
    const std::string token = m_tokens.issue(m_mac).value();
    post("register", {{"mac", m_mac.str()}, {"token", token}, {"inventory", inventory()}});
    return token;
  }
  json bench_result(const std::string& token, const json& job, const json& bench) {
    return {
        {"token", token}, {"job", job["job"]}, {"status", "done"}, {"result", {{"bench", bench}}}};
  }
  hwdb::Unit unit() { return m_registry.store().list_units({}).value().at(0); }

  atelier::testing::TempDir m_dir;
  atelier::testing::FakeClock m_clock;
  workshop::SigningKey m_key;
  hwdb::Registry m_registry;
  pxe::BootTokens m_tokens{pxe::BootTokensConfig{}};
  std::unique_ptr<daemon::Pipeline> m_pipeline;
  std::unique_ptr<daemon::AgentApi> m_api;
  std::vector<std::string> m_log;
  base::MacAddress m_mac{{0x52, 0x54, 0x00, 0xaa, 0x00, 0x01}};
};

} // namespace

// Finding 2, as seen: a bench result whose memtest.ran is "yes" threw json::type_error out of the
// handler and ended atelierd. Now it is a 400 naming the field; nothing is recorded, the job stays
// issued, and the agent's corrected post is accepted.
TEST_F(AgentInputTest, BenchWithAWordForMemtestRanIsA400NamingTheField) {
  const std::string token = registered();
  const json job = post("next", {{"token", token}});
  ASSERT_EQ(job["step"], "bench");
  json bench = bench_report();
  bench["memtest"]["ran"] = "yes";
  EXPECT_EQ(refused("result", bench_result(token, job, bench)),
            "field 'result.bench.memtest.ran' must be true or false");
  EXPECT_EQ(unit().state, hwdb::UnitState::inventoried);
  EXPECT_TRUE(m_registry.store().bench_results(unit().id).value().empty());
  EXPECT_EQ(post("next", {{"token", token}})["job"], job["job"]); // still the issued job
  EXPECT_EQ(post("result", bench_result(token, job, bench_report()))["state"], "tested");
}

// The other case seen: a bench score whose value is a word.
TEST_F(AgentInputTest, BenchWithAWordForAValueIsA400NamingTheField) {
  const std::string token = registered();
  const json job = post("next", {{"token", token}});
  json bench = bench_report();
  bench["results"][1]["value"] = "fast";
  EXPECT_EQ(refused("result", bench_result(token, job, bench)),
            "field 'result.bench.results[1].value' must be a number");
  bench = bench_report();
  bench["disks"][0]["smart"] = "ok";
  EXPECT_EQ(refused("result", bench_result(token, job, bench)),
            "field 'result.bench.disks[0].smart' must be an object");
  bench = bench_report();
  bench["findings"] = {42};
  EXPECT_EQ(refused("result", bench_result(token, job, bench)),
            "field 'result.bench.findings[0]' must be an object");
  EXPECT_EQ(unit().state, hwdb::UnitState::inventoried);
}

// Every member the API reads, of every endpoint, given a wrong type: a 400 whose sentence names
// the member, never an exception.
TEST_F(AgentInputTest, EveryWrongTypeIsA400NamingTheField) {
  const std::string token = registered();
  const json job = post("next", {{"token", token}});
  const json id = job["job"];
  struct Case {
    std::string endpoint;
    json body;
    std::string field;
  };
  json inv = inventory();
  const auto with = [&](const char* section, const char* key, json value) {
    json changed = inventory();
    changed[section][key] = std::move(value);
    return changed;
  };
  const std::string other = m_tokens.issue(m_mac).value();
  const std::vector<Case> cases{
      {"register", {{"mac", 42}, {"token", other}, {"inventory", inv}}, "'mac'"},
      {"register", {{"mac", m_mac.str()}, {"token", {1}}, {"inventory", inv}}, "'token'"},
      {"register", {{"mac", m_mac.str()}, {"token", other}, {"inventory", "x"}}, "'inventory'"},
      {"register",
       {{"mac", m_mac.str()}, {"token", other}, {"inventory", with("system", "serial", 7)}},
       "'inventory.system.serial'"},
      {"register",
       {{"mac", m_mac.str()}, {"token", other}, {"inventory", with("cpu", "threads", "4")}},
       "'inventory.cpu.threads'"},
      {"register",
       {{"mac", m_mac.str()}, {"token", other}, {"inventory", with("memory", "total_bytes", -1)}},
       "'inventory.memory.total_bytes'"},
      {"register",
       {{"mac", m_mac.str()}, {"token", other}, {"inventory", with("firmware", "type", true)}},
       "'inventory.firmware.type'"},
      {"register",
       {{"mac", m_mac.str()},
        {"token", other},
        {"inventory", with("firmware", "secure_boot", "on")}},
       "'inventory.firmware.secure_boot'"},
      {"register",
       {{"mac", m_mac.str()}, {"token", other}, {"inventory", with("firmware", "setup_mode", 1)}},
       "'inventory.firmware.setup_mode'"},
      {"next", {{"token", 12}}, "'token'"},
      {"progress", {{"token", token}, {"job", "1"}, {"progress", json::object()}}, "'job'"},
      {"progress",
       {{"token", token}, {"job", 18446744073709551615ULL}, {"progress", json::object()}},
       "'job'"},
      {"progress", {{"token", token}, {"job", id}, {"progress", "half"}}, "'progress'"},
      {"progress",
       {{"token", token}, {"job", id}, {"progress", {{"total_bytes", "a lot"}}}},
       "'progress.total_bytes'"},
      {"progress",
       {{"token", token}, {"job", id}, {"progress", {{"operation", {"bench"}}}}},
       "'progress.operation'"},
      {"result", {{"token", token}, {"job", 1.5}, {"status", "done"}}, "'job'"},
      {"result", {{"token", token}, {"job", id}, {"status", true}}, "'status'"},
      {"result",
       {{"token", token}, {"job", id}, {"status", "done"}, {"result", {1, 2}}},
       "'result'"},
      {"result", {{"token", token}, {"job", id}, {"status", "failed"}, {"reason", 3}}, "'reason'"},
      {"result",
       {{"token", token}, {"job", id}, {"status", "done"}, {"result", {{"bench", "fast"}}}},
       "'result.bench'"},
  };
  for (const auto& c : cases) {
    const std::string error = refused(c.endpoint, c.body);
    EXPECT_NE(error.find("field " + c.field), std::string::npos)
        << c.endpoint << " " << c.body.dump().substr(0, 200) << " → " << error;
  }
  EXPECT_EQ(m_registry.store().list_units({}).value().size(), 1u);
  EXPECT_EQ(unit().state, hwdb::UnitState::inventoried);
}

// Nesting is limited before anything is built from a body: 100 000 levels inside a progress report
// overflowed the stack when the report was stored (dump() recurses). Bodies that are not JSON
// objects are refused whole.
TEST_F(AgentInputTest, DeepNestingAndNonObjectsAreRefused) {
  const std::string token = registered();
  const json job = post("next", {{"token", token}});
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const std::string body = fmt::format(R"({{"token":"{}","job":{},"progress":{{"x":{}}}}})", token,
                                       job["job"].get<hwdb::RowId>(), deep);
  for (const char* endpoint : {"register", "next", "progress", "result"}) {
    const auto r = raw(endpoint, body);
    EXPECT_EQ(r.status, 400u) << endpoint;
    EXPECT_NE(r.body.find("deeper than 64 levels"), std::string::npos) << r.body;
  }
  json sixty_four = json::array();
  for (int i = 0; i < 61; ++i) {
    sixty_four = json::array({sixty_four});
  }
  post("progress", {{"token", token}, {"job", job["job"]}, {"progress", {{"x", sixty_four}}}});
  for (const char* garbage : {"", "null", "[]", "\"token\"", "{\"token\":", "\xff\xfe"}) {
    EXPECT_EQ(raw("next", garbage).status, 400u) << garbage;
  }
  // A path that is not valid UTF-8 is quoted in the 404 with the bad bytes replaced.
  EXPECT_EQ(m_api->handle("/api/v1/\xff", "{}", "198.18.0.60").status, 404u);
}

// Finding 9: a session no longer lasts for ever. It ends k_session_lifetime_steps x step_timeout
// after its registration (here 4 h), but a step still issued then runs to its end.
TEST_F(AgentInputTest, SessionsExpireButNotUnderARunningStep) {
  const std::string token = registered();
  json job = post("next", {{"token", token}});
  m_clock.advance(3h);
  post("progress", {{"token", token}, {"job", job["job"]}, {"progress", {{"done_bytes", 1}}}});
  m_clock.advance(1h + 5min); // past the lifetime, with the bench still issued
  post("progress", {{"token", token}, {"job", job["job"]}, {"progress", {{"done_bytes", 2}}}});
  EXPECT_EQ(post("result", bench_result(token, job, bench_report()))["state"], "tested");
  const json over = post("next", {{"token", token}}, 409);
  EXPECT_EQ(over["stop"], true);
  EXPECT_NE(over["error"].get<std::string>().find("session is over: it registered 4 h ago and a "
                                                  "session lasts 4 h"),
            std::string::npos)
      << over;
  EXPECT_EQ(post("register", {{"mac", m_mac.str()}, {"token", token}, {"inventory", inventory()}},
                 409)["stop"],
            true);
  ASSERT_FALSE(m_log.empty());
  EXPECT_NE(m_log.back().find("session is over"), std::string::npos);
  // A new boot of the same machine goes on.
  const std::string again = m_tokens.issue(m_mac).value();
  post("register", {{"mac", m_mac.str()}, {"token", again}, {"inventory", inventory()}});
  EXPECT_EQ(post("next", {{"token", again}})["step"], "bench");
}

TEST(AgentBodyLimits, EachEndpointHasItsOwnAndOtherPathsNone) {
  EXPECT_EQ(daemon::agent_body_limit("/api/v1/register"), daemon::k_register_body_limit);
  EXPECT_EQ(daemon::agent_body_limit("/api/v1/next"), daemon::k_next_body_limit);
  EXPECT_EQ(daemon::agent_body_limit("/api/v1/progress"), daemon::k_progress_body_limit);
  EXPECT_EQ(daemon::agent_body_limit("/api/v1/result"), daemon::k_result_body_limit);
  EXPECT_FALSE(daemon::agent_body_limit("/api/v1/other"));
  EXPECT_FALSE(daemon::agent_body_limit("/boot/vmlinuz"));
  EXPECT_LT(daemon::k_next_body_limit, daemon::k_register_body_limit);
  EXPECT_EQ(daemon::session_lifetime(24h), 96h);
}

// Finding 9: every /boot/<random-mac>.ipxe created a unit row and a boot token. Machines unknown
// to the database now count against their client address: 5 in 10 minutes, then the script is
// refused and nothing is created. Known machines, other addresses and a later window go on.
TEST(NewMachineLimit, UnknownMachinesAreLimitedPerClientAddress) {
  atelier::testing::TempDir dir;
  atelier::testing::FakeClock clock;
  hwdb::Registry registry(hwdb::open_store((dir / "atelier.db").string()).value(), clock);
  daemon::HwdbAdmission admission(registry);
  const auto mac = [](int n) {
    return base::MacAddress{{0x52, 0x54, 0x00, 0x77, 0x00, static_cast<std::uint8_t>(n)}};
  };
  for (int n = 1; n <= 5; ++n) {
    EXPECT_TRUE(admission.admit_script(mac(n), "198.18.0.66").answer) << n;
  }
  const pxe::Admission flood = admission.admit_script(mac(6), "198.18.0.66");
  EXPECT_FALSE(flood.answer);
  EXPECT_NE(flood.reason.find("52:54:00:77:00:06 from 198.18.0.66: 5 machines unknown to the "
                              "database already asked for a boot script from this address in the "
                              "last 10 min"),
            std::string::npos)
      << flood.reason;
  EXPECT_EQ(registry.store().list_units({}).value().size(), 5u);
  EXPECT_TRUE(admission.admit_script(mac(1), "198.18.0.66").answer); // known: not counted
  EXPECT_TRUE(admission.admit_script(mac(6), "198.18.0.67").answer); // another address
  clock.advance(10min);
  EXPECT_TRUE(admission.admit_script(mac(7), "198.18.0.66").answer); // a new window
  EXPECT_EQ(registry.store().list_units({}).value().size(), 7u);
}

// The coordinator API's server is an exception boundary too: a handler that reads a body member
// with get() and meets the wrong type is answered 400 with nlohmann's sentence, any other
// exception 500, both logged; a body nested deeper than 64 levels never reaches the handler; and
// the server goes on serving.
TEST(CoordinatorApiServer, AHandlerThatThrowsIsAnsweredAndTheServerGoesOn) {
  boost::asio::io_context io;
  daemon::ApiServerConfig config;
  config.port = 0;
  std::vector<std::string> log;
  std::mutex log_mutex;
  daemon::ApiServer server(
      io, config,
      [](const daemon::ApiRequest& request) -> daemon::ApiResponse {
        if (request.path == "/json") {
          return {200, json::parse(request.body)["n"].get<std::string>()}; // n: 5 throws
        }
        if (request.path == "/bug") {
          throw std::runtime_error("a bug");
        }
        return {200, "{}"};
      },
      [&](std::string_view line) {
        const std::lock_guard lock(log_mutex);
        log.emplace_back(line);
      });
  ASSERT_TRUE(server.start());
  std::thread loop([&] { io.run(); });
  const auto port = server.local_port();
  const auto typed = atelier::testing::http_call(port, "POST", "/json", R"({"n": 5})");
  EXPECT_EQ(typed.status, 400u);
  EXPECT_NE(typed.body.find("type must be string, but is number"), std::string::npos) << typed.body;
  EXPECT_EQ(atelier::testing::http_call(port, "POST", "/bug", "{}").status, 500u);
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  const auto nested = atelier::testing::http_call(port, "POST", "/other", deep);
  EXPECT_EQ(nested.status, 400u);
  EXPECT_NE(nested.body.find("deeper than 64 levels"), std::string::npos) << nested.body;
  EXPECT_EQ(atelier::testing::http_call(port, "GET", "/other").status, 200u);
  boost::asio::post(io, [&] {
    server.stop();
    io.stop();
  });
  loop.join();
  const std::lock_guard lock(log_mutex);
  const auto logged = [&](std::string_view text) {
    return std::ranges::any_of(log,
                               [&](const auto& l) { return l.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(logged("unreadable body"));
  EXPECT_TRUE(logged("internal error: a bug"));
}
