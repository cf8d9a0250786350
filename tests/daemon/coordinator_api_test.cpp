// The coordinator API over real HTTP on 127.0.0.1: every endpoint against every role, tokens that
// expired or belong to disabled accounts, the transport's limits, and what the log may not contain.
#include "support/api_fixture.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace atelier::daemon {
namespace {

using nlohmann::json;
using testing::http_call;

const std::string k_password = "a long enough passphrase";

class CoordinatorApiTest : public testing::ApiFixture {
protected:
  void SetUp() override {
    m_settings.retention_days = 365;
    ApiFixture::SetUp();
    for (const workshop::Role role : workshop::all_roles()) {
      add_account(std::string(to_string(role)), role, k_password);
    }
    // what the account endpoints change
    add_account("target", workshop::Role::volunteer, k_password);
    hwdb::IntakeRequest intake;
    intake.identity.vendor = "LENOVO";
    intake.identity.model = "ThinkCentre M700";
    intake.identity.serial = "PC0ABCDE";
    intake.actor = "test";
    m_tag = m_registry->intake(intake).value().unit.tag.str();
  }

  struct Sample {
    std::string path;
    std::string body;
  };

  // A request each endpoint accepts from a permitted role. A new endpoint without a sample fails
  // the matrix test: nothing goes untested by accident.
  std::optional<Sample> sample(const ApiRouteInfo& route) {
    const std::string key = fmt::format("{} {}", route.method, route.pattern);
    ++m_counter;
    if (key == "POST /api/v1/session") {
      return Sample{"/api/v1/session",
                    json{{"name", "volunteer"}, {"password", k_password}}.dump()};
    }
    if (key == "GET /api/v1/session" || key == "DELETE /api/v1/session") {
      return Sample{"/api/v1/session", ""};
    }
    if (key == "GET /api/v1/units") {
      return Sample{"/api/v1/units?state=detected", ""};
    }
    if (key == "GET /api/v1/units/{tag}") {
      return Sample{"/api/v1/units/" + m_tag, ""};
    }
    if (key == "GET /api/v1/units/{tag}/history") {
      return Sample{"/api/v1/units/" + m_tag + "/history", ""};
    }
    if (key == "GET /api/v1/accounts") {
      return Sample{"/api/v1/accounts", ""};
    }
    if (key == "POST /api/v1/accounts") {
      return Sample{"/api/v1/accounts", json{{"name", fmt::format("new{}", m_counter)},
                                             {"role", "volunteer"},
                                             {"password", k_password}}
                                            .dump()};
    }
    if (key == "PATCH /api/v1/accounts/{name}") {
      return Sample{"/api/v1/accounts/target", json{{"role", "technician"}}.dump()};
    }
    const std::string n = std::to_string(m_counter);
    if (key == "GET /api/v1/households") {
      return Sample{"/api/v1/households", ""};
    }
    if (key == "POST /api/v1/households") {
      return Sample{"/api/v1/households",
                    json{{"reference", "NEW-" + n}, {"district", "Nord"}}.dump()};
    }
    if (key == "POST /api/v1/households/purge-expired") {
      return Sample{"/api/v1/households/purge-expired", ""};
    }
    if (key == "GET /api/v1/households/{reference}") {
      return Sample{"/api/v1/households/" + household(n), ""};
    }
    if (key == "PATCH /api/v1/households/{reference}") {
      return Sample{"/api/v1/households/" + household(n), json{{"notes", "called back"}}.dump()};
    }
    if (key == "DELETE /api/v1/households/{reference}") {
      return Sample{"/api/v1/households/" + household(n) + "?reason=request", ""};
    }
    if (key == "GET /api/v1/households/{reference}/export") {
      return Sample{"/api/v1/households/" + household(n) + "/export", ""};
    }
    if (key == "GET /api/v1/households/{reference}/suggestions") {
      return Sample{"/api/v1/households/" + household(n) + "/suggestions", ""};
    }
    if (key == "POST /api/v1/units/{tag}/assign") {
      return Sample{"/api/v1/units/" + unit_in(hwdb::UnitState::ready, n) + "/assign",
                    json{{"household", household(n)}}.dump()};
    }
    if (key == "POST /api/v1/units/{tag}/unassign") {
      return Sample{"/api/v1/units/" + unit_in(hwdb::UnitState::assigned, n) + "/unassign",
                    json{{"reason", "household moved"}}.dump()};
    }
    if (key == "POST /api/v1/units/{tag}/deliver") {
      return Sample{"/api/v1/units/" + unit_in(hwdb::UnitState::assigned, n) + "/deliver",
                    json{{"price_cents", 5000}, {"date", "2026-11-18"}}.dump()};
    }
    if (key == "POST /api/v1/units/{tag}/return") {
      return Sample{
          "/api/v1/units/" + unit_in(hwdb::UnitState::delivered, n) + "/return",
          json{{"reason", "screen broken"}, {"to", "parts"}, {"disks_removed", true}}.dump()};
    }
    if (key == "GET /api/v1/donations") {
      return Sample{"/api/v1/donations", ""};
    }
    if (key == "POST /api/v1/donations") {
      close_open_donations();
      return Sample{"/api/v1/donations",
                    json{{"donor", "Mairie " + n}, {"received_on", "2026-11-02"}}.dump()};
    }
    if (key == "POST /api/v1/donations/{id}/close") {
      return Sample{fmt::format("/api/v1/donations/{}/close", open_donation(n)), ""};
    }
    if (key == "POST /api/v1/donations/{id}/assets") {
      return Sample{fmt::format("/api/v1/donations/{}/assets", open_donation(n)),
                    json{{"serials", {"PC0ABCDE", "NOT-YET-" + n}}}.dump()};
    }
    if (key == "GET /api/v1/reports") {
      return Sample{"/api/v1/reports?from=2026-01-01&to=2026-12-31", ""};
    }
    if (key == "GET /api/v1/audit") {
      return Sample{"/api/v1/audit?limit=10", ""};
    }
    return std::nullopt;
  }

  // Test data is made through a second connection to the same file (WAL), on this thread, with
  // the same Registry functions the CLI uses; the server's connection sees it at once.
  hwdb::Registry& setup() {
    if (!m_setup) {
      m_setup.emplace(hwdb::open_store(m_db).value(), m_clock);
    }
    return *m_setup;
  }

  std::string household(const std::string& n) {
    hwdb::HouseholdChanges h;
    h.reference = "HH-" + n;
    h.device = "laptop";
    h.district = "Centre";
    return setup().add_household(h, testing::k_admin).value().reference;
  }

  // A unit walked through the lifecycle to `state` (assigned and delivered ones to a household).
  std::string unit_in(hwdb::UnitState state, const std::string& n) {
    hwdb::Registry& r = setup();
    hwdb::IntakeRequest intake;
    intake.identity.vendor = "Dell";
    intake.identity.model = "Latitude 5480";
    intake.identity.serial = "SN-" + n;
    intake.chassis = hwdb::Chassis::laptop;
    intake.actor = "test";
    hwdb::Unit unit = r.intake(intake).value().unit;
    using S = hwdb::UnitState;
    for (const S step : {S::inventoried, S::tested, S::wiped, S::imaged, S::ready}) {
      unit = r.transition(unit, step, "test", "fixture").value();
    }
    if (state == S::assigned || state == S::delivered) {
      EXPECT_TRUE(r.assign(unit.tag.str(), household(n + "u"), testing::k_admin));
    }
    if (state == S::delivered) {
      hwdb::DeliveryTerms terms;
      terms.price_cents = 3000;
      EXPECT_TRUE(r.deliver(unit.tag.str(), terms, testing::k_admin));
    }
    return unit.tag.str();
  }

  void close_open_donations() {
    const auto donations = setup().store().list_donations().value();
    for (const auto& d : donations) {
      if (!d.closed_at) {
        ASSERT_TRUE(setup().close_donation(d.id, testing::k_admin));
      }
    }
  }

  hwdb::RowId open_donation(const std::string& n) {
    close_open_donations();
    hwdb::Donation d;
    d.donor = "Entreprise " + n;
    d.received_on = "2026-11-01";
    return setup().open_donation(d, testing::k_admin).value().id;
  }

  std::optional<hwdb::Registry> m_setup;

  std::string m_tag;
  int m_counter = 0;
};

// Issue 8's test: every endpoint × every role. A role the policy does not allow gets 403 and
// changes nothing; an allowed role gets a 2xx; without a token, 401.
TEST_F(CoordinatorApiTest, RoleMatrixCoversEveryEndpoint) {
  start();
  ASSERT_FALSE(CoordinatorApi::routes().empty());
  for (const ApiRouteInfo& route : CoordinatorApi::routes()) {
    const auto s = sample(route);
    ASSERT_TRUE(s) << "no sample request for " << route.method << " " << route.pattern;
    if (route.needs_login) {
      const auto anonymous = http_call(m_port, std::string(route.method), s->path, s->body);
      EXPECT_EQ(anonymous.status, 401u) << route.method << " " << route.pattern;
      EXPECT_EQ(anonymous.header("WWW-Authenticate"), R"(Bearer realm="atelier")");
    }
    for (const workshop::Role role : workshop::all_roles()) {
      const std::string token = login(std::string(to_string(role)), k_password);
      const auto again = sample(route); // fresh names for creations
      const auto reply =
          http_call(m_port, std::string(route.method), again->path, again->body, token);
      const bool allowed = !route.permission || workshop::allows(role, *route.permission);
      const std::string where = fmt::format("{} {} as {}: {} {}", route.method, route.pattern,
                                            to_string(role), reply.status, reply.body);
      if (allowed) {
        EXPECT_GE(reply.status, 200u) << where;
        EXPECT_LT(reply.status, 300u) << where;
      } else {
        EXPECT_EQ(reply.status, 403u) << where;
        EXPECT_EQ(reply.json()["error"]["code"], "forbidden") << where;
      }
    }
  }
}

// An expired token and a disabled account's token are refused on every endpoint that needs one.
TEST_F(CoordinatorApiTest, ExpiredTokensAndDisabledAccountsGet401Everywhere) {
  start();
  const std::string expiring = login("admin", k_password);
  const std::string disabled = login("coordinator", k_password);
  ASSERT_FALSE(expiring.empty());
  // The disabling goes through the API too (the io thread owns the database).
  const std::string other_admin = [&] {
    const auto r = http_call(
        m_port, "POST", "/api/v1/accounts",
        json{{"name", "admin2"}, {"role", "admin"}, {"password", k_password}}.dump(), expiring);
    EXPECT_EQ(r.status, 201u) << r.body;
    return login("admin2", k_password);
  }();
  const auto off = http_call(m_port, "PATCH", "/api/v1/accounts/coordinator",
                             json{{"disabled", true}}.dump(), other_admin);
  ASSERT_EQ(off.status, 200u) << off.body;
  m_clock.advance(std::chrono::minutes(61)); // the fixture's tokens live 60 minutes
  for (const ApiRouteInfo& route : CoordinatorApi::routes()) {
    if (!route.needs_login) {
      continue;
    }
    const auto s = sample(route);
    for (const std::string& token : {expiring, disabled}) {
      const auto reply = http_call(m_port, std::string(route.method), s->path, s->body, token);
      EXPECT_EQ(reply.status, 401u) << route.method << " " << route.pattern << ": " << reply.body;
    }
  }
  // A disabled account cannot log in either, with the same answer as a wrong password.
  const auto refused = http_call(m_port, "POST", "/api/v1/session",
                                 json{{"name", "coordinator"}, {"password", k_password}}.dump());
  EXPECT_EQ(refused.status, 401u);
  EXPECT_EQ(refused.json()["error"]["message"], "wrong name or password");
}

// Logout revokes the token it was sent with, and only that one.
TEST_F(CoordinatorApiTest, LogoutRevokesTheToken) {
  start();
  const std::string a = login("coordinator", k_password);
  const std::string b = login("coordinator", k_password);
  EXPECT_EQ(http_call(m_port, "GET", "/api/v1/session", "", a).status, 200u);
  EXPECT_EQ(http_call(m_port, "DELETE", "/api/v1/session", "", a).status, 204u);
  EXPECT_EQ(http_call(m_port, "GET", "/api/v1/session", "", a).status, 401u);
  const auto me = http_call(m_port, "GET", "/api/v1/session", "", b);
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(me.json()["name"], "coordinator");
  EXPECT_EQ(me.json()["role"], "coordinator");
  EXPECT_NE(me.body.find("read_households"), std::string::npos);
}

// The units endpoints answer the same JSON as `atelier units list/show --json`.
TEST_F(CoordinatorApiTest, UnitsListShowAndHistory) {
  start();
  const std::string token = login("volunteer", k_password);
  const auto list = http_call(m_port, "GET", "/api/v1/units", "", token);
  ASSERT_EQ(list.status, 200u) << list.body;
  ASSERT_EQ(list.json().size(), 1u);
  EXPECT_EQ(list.json()[0]["tag"], m_tag);
  EXPECT_EQ(list.json()[0]["model"], "ThinkCentre M700");
  const auto none = http_call(m_port, "GET", "/api/v1/units?state=ready", "", token);
  EXPECT_EQ(none.json().size(), 0u);
  const auto bad_state = http_call(m_port, "GET", "/api/v1/units?state=shiny", "", token);
  EXPECT_EQ(bad_state.status, 400u);
  EXPECT_NE(bad_state.body.find("shiny"), std::string::npos);
  const auto show = http_call(m_port, "GET", "/api/v1/units/" + m_tag, "", token);
  ASSERT_EQ(show.status, 200u);
  EXPECT_EQ(show.json()["serial"], "PC0ABCDE");
  EXPECT_EQ(show.json()["events"], 1);
  const auto history = http_call(m_port, "GET", "/api/v1/units/" + m_tag + "/history", "", token);
  ASSERT_EQ(history.status, 200u);
  EXPECT_EQ(history.json()[0]["to"], "detected");
  EXPECT_EQ(http_call(m_port, "GET", "/api/v1/units/" + hwdb::AssetTag("AT", 9999).str(), "", token)
                .status,
            404u);
  EXPECT_EQ(http_call(m_port, "GET", "/api/v1/units/not-a-tag", "", token).status, 400u);
}

// Accounts over the API: create, change, and an admin cannot lock themselves out.
TEST_F(CoordinatorApiTest, AdminManagesAccountsButNotTheirOwnDemotion) {
  start();
  const std::string admin = login("admin", k_password);
  const auto created = http_call(
      m_port, "POST", "/api/v1/accounts",
      json{{"name", "carol"}, {"role", "coordinator"}, {"password", k_password}}.dump(), admin);
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(created.json()["role"], "coordinator");
  EXPECT_FALSE(created.json().contains("password_hash"));
  const auto twin = http_call(
      m_port, "POST", "/api/v1/accounts",
      json{{"name", "Carol"}, {"role", "volunteer"}, {"password", k_password}}.dump(), admin);
  EXPECT_EQ(twin.status, 409u);
  const auto weak =
      http_call(m_port, "POST", "/api/v1/accounts",
                json{{"name", "dave"}, {"role", "volunteer"}, {"password", "short"}}.dump(), admin);
  EXPECT_EQ(weak.status, 400u);
  const auto bad_role =
      http_call(m_port, "POST", "/api/v1/accounts",
                json{{"name", "erin"}, {"role", "root"}, {"password", k_password}}.dump(), admin);
  EXPECT_EQ(bad_role.status, 400u);
  const auto self = http_call(m_port, "PATCH", "/api/v1/accounts/admin",
                              json{{"role", "volunteer"}}.dump(), admin);
  EXPECT_EQ(self.status, 422u);
  const auto unknown_field = http_call(m_port, "PATCH", "/api/v1/accounts/carol",
                                       json{{"password_hash", "x"}}.dump(), admin);
  EXPECT_EQ(unknown_field.status, 400u);
  const auto list = http_call(m_port, "GET", "/api/v1/accounts", "", admin);
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(list.body.find("argon2"), std::string::npos);
}

// The transport's limits and errors: every one a JSON body with a code.
TEST_F(CoordinatorApiTest, RefusesOversizedMalformedAndUnknownRequests) {
  start();
  const std::string token = login("admin", k_password);
  // The announced length is refused before any of the body is read.
  const auto big = testing::raw_call(
      m_port, "POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                  "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_EQ(big.status, 413u);
  const auto huge_header = http_call(m_port, "GET", "/api/v1/units", "", token,
                                     {{"X-Padding", std::string(16 * 1024, 'a')}});
  EXPECT_EQ(huge_header.status, 431u);
  const auto not_json = http_call(m_port, "POST", "/api/v1/accounts", "{name:", token);
  EXPECT_EQ(not_json.status, 400u);
  EXPECT_EQ(not_json.json()["error"]["code"], "invalid_json");
  const auto put = http_call(m_port, "PUT", "/api/v1/units", "", token);
  EXPECT_EQ(put.status, 405u);
  const auto wrong_method = http_call(m_port, "DELETE", "/api/v1/units", "", token);
  EXPECT_EQ(wrong_method.status, 405u);
  EXPECT_EQ(wrong_method.header("Allow"), "GET");
  const auto nowhere = http_call(m_port, "GET", "/api/v1/nowhere", "", token);
  EXPECT_EQ(nowhere.status, 404u);
  const auto scheme =
      http_call(m_port, "GET", "/api/v1/units", "", "", {{"Authorization", "Basic YWRtaW46eA=="}});
  EXPECT_EQ(scheme.status, 401u);
  EXPECT_EQ(put.header("Cache-Control"), "no-store");
}

// One log line per request with the actor, never a token or a password.
TEST_F(CoordinatorApiTest, LogNamesTheActorButNoSecret) {
  start();
  const std::string token = login("coordinator", k_password);
  (void)http_call(m_port, "GET", "/api/v1/units", "", token);
  (void)http_call(m_port, "POST", "/api/v1/session",
                  json{{"name", "coordinator"}, {"password", "wrong password here"}}.dump());
  const auto lines = log_lines();
  bool saw_actor = false;
  for (const auto& line : lines) {
    EXPECT_EQ(line.find(token), std::string::npos) << line;
    EXPECT_EQ(line.find(k_password), std::string::npos) << line;
    EXPECT_EQ(line.find("wrong password here"), std::string::npos) << line;
    saw_actor = saw_actor ||
                line.find("GET /api/v1/units 200 by coordinator:coordinator") != std::string::npos;
  }
  EXPECT_TRUE(saw_actor) << fmt::format("{}", fmt::join(lines, "\n"));
}

} // namespace
} // namespace atelier::daemon

namespace atelier::daemon {
namespace {

// Issue 8: every change and every read of household data is in the audit log with the account
// that did it; account changes and logins are there too; a volunteer's refused read leaves the
// household untouched and unread.
TEST_F(CoordinatorApiTest, AuditNamesTheAccountForEveryHouseholdReadAndChange) {
  const std::string ref = household("A1");
  const std::string tag = unit_in(hwdb::UnitState::ready, "A1");
  start();
  const std::string alice = login("coordinator", k_password);
  const std::string volunteer = login("volunteer", k_password);
  EXPECT_EQ(http_call(m_port, "GET", "/api/v1/households/" + ref, "", volunteer).status, 403u);
  ASSERT_EQ(http_call(m_port, "GET", "/api/v1/households/" + ref, "", alice).status, 200u);
  ASSERT_EQ(http_call(m_port, "PATCH", "/api/v1/households/" + ref,
                      json{{"contact", "06 00 00 00 00"}}.dump(), alice)
                .status,
            200u);
  const auto assigned = http_call(m_port, "POST", "/api/v1/units/" + tag + "/assign",
                                  json{{"household", ref}}.dump(), alice);
  ASSERT_EQ(assigned.status, 200u) << assigned.body;
  ASSERT_EQ(http_call(m_port, "GET", "/api/v1/households/" + ref + "/export", "", alice).status,
            200u);
  const std::string admin = login("admin", k_password);
  const auto audit = http_call(m_port, "GET", "/api/v1/audit", "", admin).json();
  std::vector<std::string> by_coordinator;
  for (const auto& e : audit) {
    if (e["actor"] == "volunteer") { // logged in, but the refused read wrote nothing
      EXPECT_EQ(e["action"], "account.login") << e.dump();
    }
    if (e["actor"] == "coordinator" && e["role"] == "coordinator") {
      by_coordinator.push_back(e["action"].get<std::string>());
    }
    // The audit log names households by number, never by their data.
    EXPECT_EQ(e.dump().find("06 00 00 00 00"), std::string::npos) << e.dump();
  }
  for (const char* action :
       {"household.read", "household.edit", "unit.assign", "household.export", "account.login"}) {
    EXPECT_NE(std::find(by_coordinator.begin(), by_coordinator.end(), action), by_coordinator.end())
        << action << " missing from " << audit.dump(1);
  }
}

// Issue 14, finding 8: every response that carries a household's personal data writes an audit
// entry. A PATCH with nothing in it is refused (400, naming the fields) and hands out nothing; a
// PATCH whose values the household already has changes nothing but returns the whole record, so it
// is audited as a read.
TEST_F(CoordinatorApiTest, PatchThatChangesNothingIsRefusedOrAuditedAsARead) {
  const std::string ref = household("P1"); // district "Centre"
  start();
  const std::string alice = login("coordinator", k_password);
  const std::string subject =
      hwdb::household_subject(setup().store().household_by_reference(ref).value()->id);
  const auto log = [&] {
    return setup().audit_log(subject, 0).value();
  };
  const std::size_t before = log().size();

  for (const std::string& body : {std::string("{}"), std::string()}) {
    const auto empty = http_call(m_port, "PATCH", "/api/v1/households/" + ref, body, alice);
    EXPECT_EQ(empty.status, 400u) << body << ": " << empty.body;
    EXPECT_EQ(empty.body.find("Centre"), std::string::npos) << empty.body; // no personal data
    EXPECT_EQ(log().size(), before) << body;
  }
  const auto empty = http_call(m_port, "PATCH", "/api/v1/households/" + ref, "{}", alice);
  EXPECT_EQ(empty.json()["error"]["code"], "invalid_argument");
  EXPECT_NE(empty.body.find(
                "nothing to change: give at least one of reference, contact, eligibility_basis, "
                "device, uses, needs, district, notes"),
            std::string::npos)
      << empty.body;

  const auto same = http_call(m_port, "PATCH", "/api/v1/households/" + ref,
                              json{{"district", "Centre"}}.dump(), alice);
  ASSERT_EQ(same.status, 200u) << same.body;
  EXPECT_EQ(same.json()["district"], "Centre");
  const auto after = log();
  ASSERT_EQ(after.size(), before + 1) << same.body;
  EXPECT_EQ(after.back().action, "household.read");
  EXPECT_EQ(after.back().actor, "coordinator");
  EXPECT_EQ(after.back().role, "coordinator");
  // A real change is still an edit, naming the field.
  ASSERT_EQ(http_call(m_port, "PATCH", "/api/v1/households/" + ref,
                      json{{"district", "Nord"}}.dump(), alice)
                .status,
            200u);
  EXPECT_EQ(log().back().action, "household.edit");
  EXPECT_EQ(log().back().detail, "changed: district");
}

// A whole distribution cycle over HTTP, as a coordinator's web page would run it.
TEST_F(CoordinatorApiTest, CoordinatorRunsADistributionCycle) {
  const std::string tag = unit_in(hwdb::UnitState::ready, "C1");
  start();
  const std::string token = login("coordinator", k_password);
  const auto added = http_call(m_port, "POST", "/api/v1/households",
                               json{{"reference", "CCAS-2026-0042"},
                                    {"device", "laptop"},
                                    {"uses", {"school"}},
                                    {"district", "Nord"}}
                                   .dump(),
                               token);
  ASSERT_EQ(added.status, 201u) << added.body;
  const auto suggestions =
      http_call(m_port, "GET", "/api/v1/households/CCAS-2026-0042/suggestions", "", token);
  ASSERT_EQ(suggestions.status, 200u) << suggestions.body;
  ASSERT_FALSE(suggestions.json().empty());
  EXPECT_EQ(suggestions.json()[0]["tag"], tag);
  ASSERT_EQ(http_call(m_port, "POST", "/api/v1/units/" + tag + "/assign",
                      json{{"household", "CCAS-2026-0042"}}.dump(), token)
                .status,
            200u);
  const auto delivered =
      http_call(m_port, "POST", "/api/v1/units/" + tag + "/deliver",
                json{{"price_cents", 4500}, {"warranty_months", 6}}.dump(), token);
  ASSERT_EQ(delivered.status, 200u) << delivered.body;
  EXPECT_EQ(delivered.json()["price_cents"], 4500);
  EXPECT_FALSE(delivered.json()["warranty_end"].is_null());
  const auto shown = http_call(m_port, "GET", "/api/v1/units/" + tag, "", token);
  EXPECT_EQ(shown.json()["state"], "delivered");
  const auto report =
      http_call(m_port, "GET", "/api/v1/reports?from=2026-01-01&to=2026-12-31", "", token);
  ASSERT_EQ(report.status, 200u) << report.body;
  EXPECT_EQ(report.json()["distributed"], 1);
  const auto returned = http_call(m_port, "POST", "/api/v1/units/" + tag + "/return",
                                  json{{"reason", "does not start"}}.dump(), token);
  ASSERT_EQ(returned.status, 200u) << returned.body;
  const auto deleted =
      http_call(m_port, "DELETE", "/api/v1/households/CCAS-2026-0042?reason=request", "", token);
  ASSERT_EQ(deleted.status, 200u) << deleted.body;
  EXPECT_EQ(http_call(m_port, "GET", "/api/v1/households/CCAS-2026-0042", "", token).status, 404u);
  // A lifecycle rule the Registry refuses comes back as 422 with its reason.
  const auto again = http_call(m_port, "POST", "/api/v1/units/" + tag + "/deliver",
                               json{{"price_cents", 4500}}.dump(), token);
  EXPECT_GE(again.status, 400u);
  EXPECT_LT(again.status, 500u);
}

} // namespace
} // namespace atelier::daemon
