// atelier.toml, the workshop server's configuration: every key optional with an embedded default,
// validated as completely as profiles (file:line:column and the key in every message).
#include "matchers.h"
#include "profiles/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;
using testing_support::body;
using testing_support::error_at;
using testing_support::warning_at;

Diagnostics errors_of(std::string_view text) {
  auto result = parse_server_config(body(text), "/etc/atelier/atelier.toml");
  return result ? Diagnostics{} : result.error();
}

TEST(ServerConfig, EmptyFileGivesTheDocumentedDefaults) {
  auto config = parse_server_config("", "/etc/atelier/atelier.toml");
  ASSERT_TRUE(config) << config.error().front().to_string();
  EXPECT_EQ(config->server.database, "/var/lib/atelier/atelier.db");
  EXPECT_EQ(config->dhcp.mode, DhcpMode::proxy);
  EXPECT_EQ(config->boot.http_port, 80);
  EXPECT_EQ(config->boot.ipxe_dir, "/usr/lib/ipxe");
  EXPECT_EQ(config->boot.uefi_chain, UefiChain::automatic);
  EXPECT_FALSE(uses_signed_chain(*config));     // proxy mode: iPXE (docs/PXE.md, "Secure Boot")
  EXPECT_TRUE(uses_signed_http_chain(*config)); // but UEFI HTTP boot gets the signed disk
  EXPECT_EQ(config->pipeline.profiles_dir, "/etc/atelier/profiles");
  EXPECT_EQ(config->pipeline.max_active_units, 30);
  EXPECT_EQ(config->pipeline.after_ready, AfterReady::poweroff);
  EXPECT_TRUE(config->warnings.empty());
}

TEST(ServerConfig, StandaloneWorkshopIsRead) {
  auto config = parse_server_config(body(R"(
[server]
interface = "enp3s0"
address = "198.18.0.1"
database = "db/atelier.db"
site = "Tiers-lieu du Port"

[dhcp]
mode = "standalone"
pool = "198.18.0.100-198.18.0.199"
netmask = "255.255.254.0"
lease_seconds = 7200

[boot]
http_port = 8080
token_minutes = 45
uefi_chain = "ipxe"

[pipeline]
max_active_units = 12
after_ready = "reboot"
bench_budget_seconds = 10
)"),
                                    "/srv/atelier/atelier.toml");
  ASSERT_TRUE(config) << config.error().front().to_string();
  EXPECT_EQ(config->server.interface, "enp3s0");
  EXPECT_EQ(config->server.address, "198.18.0.1");
  // Relative paths are relative to the file, not to the daemon's working directory.
  EXPECT_EQ(config->server.database, "/srv/atelier/db/atelier.db");
  EXPECT_EQ(config->server.site, "Tiers-lieu du Port");
  EXPECT_EQ(config->dhcp.mode, DhcpMode::standalone);
  EXPECT_EQ(config->dhcp.pool, "198.18.0.100-198.18.0.199");
  EXPECT_EQ(config->dhcp.netmask, "255.255.254.0");
  EXPECT_EQ(config->dhcp.lease_seconds, 7200);
  EXPECT_EQ(config->boot.http_port, 8080);
  EXPECT_EQ(config->boot.token_minutes, 45);
  EXPECT_EQ(config->boot.uefi_chain, UefiChain::ipxe);
  EXPECT_FALSE(uses_signed_chain(*config));
  EXPECT_FALSE(uses_signed_http_chain(*config));
  ServerConfig automatic = *config;
  automatic.boot.uefi_chain = UefiChain::automatic;
  EXPECT_TRUE(uses_signed_chain(automatic)); // standalone mode: the signed chain
  EXPECT_EQ(config->pipeline.max_active_units, 12);
  EXPECT_EQ(config->pipeline.after_ready, AfterReady::reboot);
  EXPECT_EQ(config->pipeline.bench_budget_seconds, 10);
}

TEST(ServerConfig, EveryBadValueIsReportedWithItsLineAndKey) {
  EXPECT_THAT(errors_of(R"(
[server]
interface = "eth0/1"
address = "198.18.0.256"

[dhcp]
mode = "relay"
netmask = "255.0.255.0"

[boot]
http_port = 70000
)"),
              ElementsAre(error_at(2, "server.interface", "not a network interface name"),
                          error_at(3, "server.address", "not an IPv4 address"),
                          error_at(6, "dhcp.mode", "unknown value \"relay\""),
                          error_at(7, "dhcp.netmask", "not a subnet mask"),
                          error_at(10, "boot.http_port", "")));
}

// A bench budget too short to measure anything (or an hour-long one) is a typo, not a choice.
TEST(ServerConfig, BenchBudgetOutsideItsRangeIsAnError) {
  EXPECT_THAT(errors_of(R"(
[pipeline]
bench_budget_seconds = 2
)"),
              ElementsAre(error_at(2, "pipeline.bench_budget_seconds", "")));
}

TEST(ServerConfig, MisspelledKeyGetsASuggestion) {
  EXPECT_THAT(errors_of(R"(
[pipeline]
max_active_unit = 4
)"),
              ElementsAre(error_at(2, "pipeline.max_active_unit", "max_active_units")));
}

TEST(ServerConfig, StandaloneModeNeedsAPool) {
  EXPECT_THAT(errors_of(R"(
[dhcp]
mode = "standalone"
)"),
              ElementsAre(error_at(1, "dhcp.pool", "standalone mode hands out addresses")));
}

TEST(ServerConfig, PoolMustBeAnOrderedRangeInOneSubnet) {
  EXPECT_THAT(errors_of(R"(
[dhcp]
mode = "standalone"
pool = "198.18.0.200-198.18.0.100"
)"),
              ElementsAre(error_at(3, "dhcp.pool", "first address comes after the last")));
  EXPECT_THAT(errors_of(R"(
[dhcp]
mode = "standalone"
pool = "198.18.0.10-198.18.1.10"
)"),
              ElementsAre(error_at(3, "dhcp.pool", "one subnet")));
  EXPECT_THAT(errors_of(R"(
[dhcp]
mode = "standalone"
pool = "198.18.0.10"
)"),
              ElementsAre(error_at(3, "dhcp.pool", "FIRST-LAST")));
}

TEST(ServerConfig, PoolInProxyModeIsAWarningNotAnError) {
  auto config = parse_server_config(body(R"(
[dhcp]
pool = "198.18.0.10-198.18.0.20"
)"),
                                    "atelier.toml");
  ASSERT_TRUE(config);
  EXPECT_THAT(config->warnings, ElementsAre(warning_at(2, "dhcp.pool", "ignored in proxy mode")));
}

TEST(ServerConfig, SyntaxErrorNamesTheLine) {
  const Diagnostics errors = errors_of("[server]\ninterface = \"enp3s0\n");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors.front().line, 2);
}

TEST(ServerConfig, PrintedConfigurationReadsBackTheSame) {
  auto config = parse_server_config(body(R"(
[server]
interface = "enp3s0"
address = "198.18.0.1"
site = "Quote \" and backslash \\ survive"
[dhcp]
mode = "standalone"
pool = "198.18.0.100-198.18.0.199"
[pipeline]
after_ready = "wait"
bench_budget_seconds = 15
)"),
                                    "/etc/atelier/atelier.toml");
  ASSERT_TRUE(config);
  const std::string printed = to_toml(*config);
  auto again = parse_server_config(printed, "/etc/atelier/atelier.toml");
  ASSERT_TRUE(again) << again.error().front().to_string() << "\n" << printed;
  EXPECT_EQ(to_toml(*again), printed);
  EXPECT_EQ(again->server.site, "Quote \" and backslash \\ survive");
  EXPECT_EQ(again->pipeline.after_ready, AfterReady::wait);
  EXPECT_EQ(again->pipeline.bench_budget_seconds, 15);
}

TEST(ServerConfig, MissingFileIsOneClearError) {
  auto config = load_server_config("/nonexistent/atelier.toml");
  ASSERT_FALSE(config);
  ASSERT_EQ(config.error().size(), 1U);
  EXPECT_THAT(config.error().front().to_string(),
              ::testing::HasSubstr("/nonexistent/atelier.toml"));
}

} // namespace
} // namespace atelier::profiles

namespace atelier::profiles {
namespace {

// The shipped example is what operators copy: it must load without errors or warnings.
TEST(ServerConfig, ShippedExampleLoadsCleanly) {
  auto config = load_server_config(std::filesystem::path(ATELIER_SOURCE_DIR) / "daemon" /
                                   "atelier.toml.example");
  ASSERT_TRUE(config) << config.error().front().to_string();
  EXPECT_TRUE(config->warnings.empty());
  EXPECT_EQ(config->server.interface, "enp3s0");
  EXPECT_EQ(config->dhcp.mode, DhcpMode::proxy);
}

// The coordinator API listens on loopback unless told otherwise (docs/API.md).
TEST(ServerConfig, ApiDefaultsToLoopbackAndReadsItsKeys) {
  auto defaults = parse_server_config("", "/etc/atelier/atelier.toml");
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->api.enabled);
  EXPECT_EQ(defaults->api.listen, "127.0.0.1:8090");
  EXPECT_EQ(defaults->api.token_hours, 12);
  EXPECT_FALSE(defaults->api.allow_workshop_network);
  auto config = parse_server_config(body(R"(
[api]
listen = "[::1]:9000"
token_hours = 8
allow_workshop_network = true
)"),
                                    "/etc/atelier/atelier.toml");
  ASSERT_TRUE(config) << config.error().front().to_string();
  EXPECT_EQ(config->api.listen, "[::1]:9000");
  EXPECT_EQ(config->api.token_hours, 8);
  EXPECT_TRUE(config->api.allow_workshop_network);
  // --print-config writes the section back.
  auto again = parse_server_config(to_toml(*config), "/etc/atelier/atelier.toml");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->api.listen, "[::1]:9000");
}

TEST(ServerConfig, ApiListenWithoutAPortIsAnError) {
  EXPECT_THAT(errors_of(R"(
[api]
listen = "127.0.0.1"
)"),
              ElementsAre(error_at(2, "api.listen", "ADDRESS:PORT")));
}

// state_dir is where the daemon's state lives unless the file places a part of it elsewhere.
TEST(ServerConfig, StateDirHoldsTheDatabaseAndKeysUnlessSetExplicitly) {
  auto derived = parse_server_config(body(R"(
[server]
state_dir = "state"
)"),
                                     "/srv/atelier/atelier.toml");
  ASSERT_TRUE(derived) << derived.error().front().to_string();
  EXPECT_EQ(derived->server.database, "/srv/atelier/state/atelier.db");
  EXPECT_EQ(derived->pipeline.keys_dir, "/srv/atelier/state/keys");

  auto explicit_paths = parse_server_config(body(R"(
[server]
state_dir = "/srv/state"
database = "/var/lib/atelier/atelier.db"

[pipeline]
keys_dir = "/etc/atelier/keys"
)"),
                                            "/srv/atelier/atelier.toml");
  ASSERT_TRUE(explicit_paths) << explicit_paths.error().front().to_string();
  EXPECT_EQ(explicit_paths->server.database, "/var/lib/atelier/atelier.db");
  EXPECT_EQ(explicit_paths->pipeline.keys_dir, "/etc/atelier/keys");

  auto round_trip = parse_server_config(to_toml(*derived), "/elsewhere/atelier.toml");
  ASSERT_TRUE(round_trip);
  EXPECT_EQ(round_trip->server.database, derived->server.database);
  EXPECT_EQ(round_trip->pipeline.keys_dir, derived->pipeline.keys_dir);
}

} // namespace
} // namespace atelier::profiles
