// The coordinator's workflow through `atelier`, run in-process against a real SQLite file and a
// real program file: donation intake, households, suggest, assign, deliver, return, the GDPR export
// and erasure (the test reads every table and every byte of the database files afterwards), the
// audit log and the report's reconciliation with the database.
#include "cli/cli.h"
#include "hardware-db/registry.h"
#include "support/temp_dir.h"
#include "workshop/settings.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace {

using atelier::cli::run_cli;
using namespace atelier::hwdb;
using nlohmann::json;
using ::testing::HasSubstr;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

constexpr std::string_view k_program = R"([program]
name = "Ordi 2.0"
site = "Atelier"
asset_tag_prefix = "AT"
language = "fr"

[grading]
ram = [ { min = "2GiB", points = 10 } ]
[grading.grades]
A = 9
B = 5
C = 1

[households]
retention_days = 365

[handover]
warranty_months = 6
price_min_eur = 30
price_max_eur = 150

[report]
kg_source = "test scale"
kg_per_unit = { laptop = 2.5, desktop = 8 }
)";

// The contents of every text cell of every table of the SQLite file, one string per cell.
std::vector<std::string> every_cell(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  std::vector<std::string> cells;
  for (const auto& t : tables) {
    sqlite3_prepare_v2(db, ("SELECT * FROM \"" + t + "\"").c_str(), -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        if (const auto* text = sqlite3_column_text(st, c)) {
          cells.emplace_back(t + ": " + reinterpret_cast<const char*>(text));
        }
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return cells;
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int count_rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  int n = -1;
  if (sqlite3_step(st) == SQLITE_ROW) {
    n = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

class CoordinatorCli : public ::testing::Test {
protected:
  CoordinatorCli() {
    std::ofstream(m_program) << k_program;
    EXPECT_EQ(run({"db", "init", "--program", m_program}).status, 0);
  }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", m_db, "--actor", "cli:test", "--program", m_program});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }

  Registry registry() { return Registry(open_store(m_db).value(), m_clock); }

  // A unit taken through the pipeline to `ready` the way atelierd records it: intake, inventory,
  // grade, imaging record, every lifecycle step.
  std::string make_unit(const std::string& serial, Chassis chassis, const std::string& grade,
                        UnitState until = UnitState::ready) {
    Registry r = registry();
    IntakeRequest req;
    req.identity = Identity{"Dell", "Latitude 5490", serial, "", std::nullopt};
    req.chassis = chassis;
    req.actor = "atelierd";
    Unit u = r.intake(req).value().unit;
    const Timestamp now = m_clock.wall_seconds();
    InventorySnapshot inv;
    inv.unit_id = u.id;
    inv.taken_at = now;
    inv.schema = "atelier.inventory/1";
    inv.raw_json = "{}";
    inv.ram_bytes = 8ULL << 30;
    EXPECT_TRUE(r.store().add_inventory(inv));
    EXPECT_TRUE(r.store().add_grade(GradeRecord{0, u.id, now, grade, 50, ""}));
    Disk disk{0, u.id, "Samsung SSD", serial + "-disk", 256ULL << 30, "ssd", "sata"};
    const RowId disk_id = r.store().upsert_disk(disk).value();
    ErasureRecord er;
    er.disk_id = disk_id;
    er.unit_id = u.id;
    er.started_at = er.finished_at = now;
    er.method = "zero";
    er.level = "clear";
    er.verification = "sample";
    er.result = "erased";
    er.record_json = "{}";
    er.record_id = serial + "-erasure";
    EXPECT_TRUE(r.store().add_erasure_record(er));
    EXPECT_TRUE(r.store().add_imaging_record(
        ImagingRecord{0, u.id, now, now, "student-laptop", "", "imaged", ""}));
    for (UnitState s : {UnitState::inventoried, UnitState::tested, UnitState::wiped,
                        UnitState::imaged, UnitState::ready}) {
      if (u.state == until) {
        break;
      }
      u = r.transition(u, s, "atelierd", "").value();
    }
    return u.tag.str();
  }

  std::string state_of(const std::string& tag) {
    return std::string(to_string(registry().find(tag).value().state));
  }

  atelier::testing::TempDir m_dir;
  std::string m_db = (m_dir / "atelier.db").string();
  std::string m_program = (m_dir / "program.toml").string();
  atelier::base::SystemClock m_clock;
};

// The whole cycle: a donation comes in, a unit gets ready, a household is recorded, the unit is
// suggested, assigned, delivered (warranty from the program file) and comes back.
TEST_F(CoordinatorCli, RunsADistributionCycleFromIntakeToReturn) {
  ASSERT_EQ(run({"intake", "open", "--donor", "Mairie annexe", "--expected", "2"}).status, 0);
  const std::string tag = make_unit("CZC1234567", Chassis::laptop, "A");
  const std::string desktop = make_unit("CZC7654321", Chassis::desktop, "A");
  EXPECT_THAT(run({"intake", "show", "1"}).out, HasSubstr(tag + " (linked by boot)"));

  const CliRun added = run({"households", "add", "CCAS-2026-0142", "--contact", "06 12 34 56 78",
                            "--device", "laptop", "--use", "school,family", "--district", "Nord"});
  ASSERT_EQ(added.status, 0) << added.err;

  const CliRun suggested = run({"suggest", "CCAS-2026-0142", "--json"});
  ASSERT_EQ(suggested.status, 0) << suggested.err;
  const json s = json::parse(suggested.out);
  ASSERT_EQ(s.size(), 1U) << "a desktop does not fit a household that needs a laptop";
  EXPECT_EQ(s[0].at("tag"), tag);
  EXPECT_THAT(s[0].at("reason").get<std::string>(),
              HasSubstr("laptop as asked; grade A (score 50); 8 GiB RAM; profile student-laptop"));

  ASSERT_EQ(run({"assign", tag, "CCAS-2026-0142"}).status, 0);
  EXPECT_EQ(state_of(tag), "assigned");
  const CliRun delivered = run({"deliver", tag, "--price", "60", "--json"});
  ASSERT_EQ(delivered.status, 0) << delivered.err;
  const json d = json::parse(delivered.out);
  EXPECT_EQ(d.at("price_cents"), 6000);
  EXPECT_EQ(d.at("program"), "Ordi 2.0");
  const auto at = atelier::base::parse_rfc3339(d.at("delivered_at").get<std::string>()).value();
  const auto end = atelier::base::parse_rfc3339(d.at("warranty_end").get<std::string>()).value();
  const auto months = std::chrono::duration_cast<std::chrono::days>(end - at).count();
  EXPECT_GE(months, 181) << "six months from the program file";
  EXPECT_LE(months, 184);
  EXPECT_EQ(state_of(tag), "delivered");

  const CliRun back = run({"return", tag, "--reason", "screen broken after a fall"});
  ASSERT_EQ(back.status, 0) << back.err;
  EXPECT_EQ(state_of(tag), "detected") << "back into the pipeline: wiped and imaged again";
  const auto assignments = registry().store().assignments(registry().find(tag)->id).value();
  ASSERT_EQ(assignments.size(), 1U);
  EXPECT_TRUE(assignments[0].returned_at);
  EXPECT_EQ(assignments[0].return_reason, "screen broken after a fall");
  EXPECT_EQ(assignments[0].district, "Nord");
  const CliRun shown = run({"units", "show", tag});
  EXPECT_THAT(shown.out, HasSubstr("Donation      #1 from Mairie annexe"));
  EXPECT_THAT(shown.out, HasSubstr("Assignment    household#1, assigned "));
  EXPECT_THAT(shown.out, ::testing::Not(HasSubstr("CCAS-2026-0142")));
  const CliRun history = run({"units", "history", tag});
  EXPECT_THAT(history.out, HasSubstr("delivered to household#1"));
  EXPECT_THAT(history.out, HasSubstr("screen broken after a fall"));

  ASSERT_EQ(run({"return", desktop, "--reason", "x"}).status, 1);
  EXPECT_EQ(run({"intake", "close", "1"}).status, 0);
}

// Finding 6 of issue 14: a machine back from a household holds the household's data; sent to
// parts, it must either go through the pipeline's wipe or have its disks taken out.
TEST_F(CoordinatorCli, ReturnToPartsNeedsTheDisksWipedOrRemoved) {
  const std::string tag = make_unit("CZC1234568", Chassis::laptop, "A");
  ASSERT_EQ(run({"households", "add", "H-9"}).status, 0);
  ASSERT_EQ(run({"assign", tag, "H-9"}).status, 0);
  ASSERT_EQ(run({"deliver", tag, "--price", "60"}).status, 0);
  const CliRun refused = run({"return", tag, "--reason", "board dead", "--to", "parts"});
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.err, HasSubstr("not wiped since it was delivered"));
  EXPECT_THAT(refused.err, HasSubstr("--disks-removed"));
  EXPECT_EQ(state_of(tag), "delivered") << "nothing changed";
  const CliRun parted =
      run({"return", tag, "--reason", "board dead", "--to", "parts", "--disks-removed"});
  ASSERT_EQ(parted.status, 0) << parted.err;
  EXPECT_EQ(state_of(tag), "parts");
  EXPECT_THAT(run({"units", "history", tag}).out, HasSubstr("disks removed from the machine"));
}

// Each refusal says what is wrong and what to do; nothing changes.
TEST_F(CoordinatorCli, RefusesWhatTheLifecycleAndTheProgramForbidWithReasons) {
  const std::string imaged = make_unit("CZC0000111", Chassis::laptop, "B", UnitState::imaged);
  const std::string ready = make_unit("CZC0000222", Chassis::laptop, "B");
  ASSERT_EQ(run({"households", "add", "REF-1"}).status, 0);

  CliRun r = run({"assign", imaged, "REF-1"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr(imaged + " is 'imaged', not 'ready': only a ready unit can be "
                                        "assigned; finish its pipeline first"));
  r = run({"assign", ready, "REF-404"});
  EXPECT_THAT(r.err, HasSubstr("no household has the reference 'REF-404'"));
  EXPECT_EQ(state_of(ready), "ready");

  r = run({"deliver", ready, "--price", "60"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("is 'ready', not 'assigned': assign it to a household first"));

  ASSERT_EQ(run({"assign", ready, "REF-1"}).status, 0);
  r = run({"assign", ready, "REF-1"});
  EXPECT_THAT(r.err, HasSubstr("it is already assigned"));
  r = run({"deliver", ready, "--price", "200"});
  EXPECT_THAT(r.err, HasSubstr("price: 200.00 EUR is above the program's maximum of 150.00 EUR"));
  r = run({"deliver", ready, "--price", "sixty"});
  EXPECT_THAT(r.err, HasSubstr("--price: 'sixty' is not an amount in euros"));
  r = run({"deliver", ready, "--price", "60", "--date", "2999-01-01"});
  EXPECT_THAT(r.err, HasSubstr("date: 2999-01-01 is in the future"));
  EXPECT_EQ(state_of(ready), "assigned");

  r = run({"households", "add", "REF-1"});
  EXPECT_THAT(r.err, HasSubstr("a household with the reference 'REF-1' is already recorded"));
  r = run({"households", "add", "REF-2", "--device", "tablet"});
  EXPECT_THAT(r.err, HasSubstr("device: 'tablet' is not one of desktop, laptop, any"));
  r = run({"households", "add", "REF-2", "--use", "gaming"});
  EXPECT_THAT(r.err, HasSubstr("use: 'gaming' is not one of school, job-search, family"));
  r = run({"households", "delete", "REF-1"});
  EXPECT_THAT(r.err, HasSubstr("run again with --yes"));
  EXPECT_EQ(run({"households", "show", "REF-1"}).status, 0);
  r = run({"intake", "open", "--donor", "A"});
  ASSERT_EQ(r.status, 0);
  r = run({"intake", "open", "--donor", "B"});
  EXPECT_THAT(r.err, HasSubstr("donation #1 (A) is still open"));
}

// GDPR access: the export holds the household's data, its units and the log of who touched it.
TEST_F(CoordinatorCli, ExportsEverythingHeldAboutAHousehold) {
  const std::string tag = make_unit("CZC0000333", Chassis::laptop, "A");
  ASSERT_EQ(run({"households", "add", "CCAS-77", "--contact", "Jeanne Martin, 06 11 22 33 44",
                 "--eligibility", "RSA", "--needs", "webcam", "--notes", "two children"})
                .status,
            0);
  ASSERT_EQ(run({"assign", tag, "CCAS-77"}).status, 0);
  const CliRun exported = run({"households", "export", "CCAS-77"});
  ASSERT_EQ(exported.status, 0) << exported.err;
  const json j = json::parse(exported.out);
  EXPECT_EQ(j.at("household").at("contact"), "Jeanne Martin, 06 11 22 33 44");
  EXPECT_EQ(j.at("household").at("eligibility"), "RSA");
  EXPECT_EQ(j.at("household").at("notes"), "two children");
  ASSERT_EQ(j.at("assignments").size(), 1U);
  EXPECT_EQ(j.at("assignments")[0].at("unit"), tag);
  std::set<std::string> actions;
  for (const auto& e : j.at("audit_log")) {
    actions.insert(e.at("action"));
  }
  EXPECT_TRUE(actions.contains("household.add"));
  EXPECT_TRUE(actions.contains("household.export"));
}

// GDPR erasure: after delete, no table and no byte of the database files holds the household's
// data; the delivery stays as an anonymous fact that reports still count.
TEST_F(CoordinatorCli, DeleteLeavesNoPersonalDataAnywhereButKeepsTheDelivery) {
  const std::string tag = make_unit("CZC0000444", Chassis::laptop, "A");
  const std::vector<std::string> personal = {
      "CCAS-SECRET-99", "Jeanne Martin",      "jeanne.martin@example.org",
      "AAH-allocation", "needs-a-big-screen", "lives-on-3rd-floor"};
  // Others stay: the deleted row shares its pages with rows that remain.
  ASSERT_EQ(run({"households", "add", "KEEP-1", "--contact", "stays"}).status, 0);
  ASSERT_EQ(run({"households", "add", personal[0], "--contact", personal[1] + " " + personal[2],
                 "--eligibility", personal[3], "--needs", personal[4], "--notes", personal[5],
                 "--district", "Sud"})
                .status,
            0);
  ASSERT_EQ(run({"households", "show", personal[0]}).status, 0);
  ASSERT_EQ(run({"households", "edit", personal[0], "--notes", personal[5] + " again"}).status, 0);
  ASSERT_EQ(run({"suggest", personal[0]}).status, 0);
  ASSERT_EQ(run({"assign", tag, personal[0]}).status, 0);
  ASSERT_EQ(run({"deliver", tag, "--price", "45.50"}).status, 0);
  ASSERT_EQ(run({"households", "export", personal[0]}).status, 0);
  ASSERT_EQ(run({"households", "add", "KEEP-2", "--contact", "stays too"}).status, 0);

  const CliRun deleted =
      run({"households", "delete", personal[0], "--reason", "request of 2026-03-02", "--yes"});
  ASSERT_EQ(deleted.status, 0) << deleted.err;

  for (const auto& cell : every_cell(m_db)) {
    for (const auto& word : personal) {
      EXPECT_THAT(cell, ::testing::Not(HasSubstr(word)));
    }
  }
  for (const char* suffix : {"", "-wal", "-journal"}) {
    const std::string bytes = file_bytes(m_db + suffix);
    for (const auto& word : personal) {
      EXPECT_EQ(bytes.find(word), std::string::npos) << word << " still in atelier.db" << suffix;
    }
  }
  EXPECT_EQ(count_rows(m_db, "SELECT count(*) FROM households"), 2);
  EXPECT_EQ(count_rows(m_db, "SELECT count(*) FROM assignments WHERE household_id IS NULL AND "
                             "delivered_at IS NOT NULL AND price_cents = 4550"),
            1);
  EXPECT_EQ(state_of(tag), "delivered");
  const json report =
      json::parse(run({"report", "--from", "2000-01-01", "--to", "2999-12-31", "--json"}).out);
  EXPECT_EQ(report.at("distributed").at("by_district").at("Sud"), 1);
  EXPECT_EQ(run({"households", "show", personal[0]}).status, 1);
}

// Issue 14, finding 8: `households edit REF` without a field to change is a usage error that
// prints nothing about the household (it used to print the whole record, unaudited).
TEST_F(CoordinatorCli, EditWithoutAFieldIsRefusedAndPrintsNothing) {
  ASSERT_EQ(run({"households", "add", "REF-E", "--contact", "someone", "--district", "Est"}).status,
            0);
  const std::size_t before = json::parse(run({"audit", "--json"}).out).size();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"households", "edit", "REF-E"},
        std::vector<std::string>{"households", "edit", "REF-E", "--json"}}) {
    const CliRun r = run(args);
    EXPECT_EQ(r.status, 2) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("nothing to change: give at least one of --reference, --contact"));
    EXPECT_THAT(r.out + r.err, ::testing::Not(HasSubstr("someone")));
  }
  // The refusals read nothing, so they wrote nothing to the audit log.
  EXPECT_EQ(json::parse(run({"audit", "--json"}).out).size(), before);
}

// Every change and every read of household data is in the audit log with the actor and its role
// (root's CLI is admin); the log itself names households only by number.
TEST_F(CoordinatorCli, WritesEveryChangeAndReadOfHouseholdDataToTheAuditLog) {
  const std::string tag = make_unit("CZC0000555", Chassis::laptop, "A");
  ASSERT_EQ(run({"households", "add", "REF-A", "--contact", "someone"}).status, 0);
  ASSERT_EQ(run({"households", "list"}).status, 0);
  ASSERT_EQ(run({"households", "show", "REF-A"}).status, 0);
  ASSERT_EQ(run({"households", "edit", "REF-A", "--contact", "someone else"}).status, 0);
  ASSERT_EQ(run({"assign", tag, "REF-A"}).status, 0);
  ASSERT_EQ(run({"deliver", tag, "--price", "30"}).status, 0);

  const CliRun log = run({"audit", "--json"});
  ASSERT_EQ(log.status, 0) << log.err;
  const json entries = json::parse(log.out);
  std::vector<std::string> actions;
  for (const auto& e : entries) {
    EXPECT_EQ(e.at("actor"), "cli:test");
    EXPECT_EQ(e.at("role"), atelier::workshop::default_role());
    EXPECT_THAT(e.dump(), ::testing::Not(HasSubstr("REF-A")));
    EXPECT_THAT(e.dump(), ::testing::Not(HasSubstr("someone")));
    actions.push_back(e.at("action"));
  }
  EXPECT_THAT(actions, ::testing::ElementsAre("household.add", "household.list", "household.read",
                                              "household.edit", "unit.assign", "unit.deliver"));
  EXPECT_EQ(entries[3].at("detail"), "changed: contact");
  EXPECT_EQ(entries[4].at("subject"), "unit " + tag);
  EXPECT_EQ(entries[4].at("detail"), "to household#1");
  if (::geteuid() == 0) {
    EXPECT_EQ(entries[0].at("role"), "admin");
  }
  // Append-only: the database itself refuses to rewrite history.
  sqlite3* db = nullptr;
  sqlite3_open(m_db.c_str(), &db);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit_log", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

// Retention: households whose last activity is older than the program's period are deleted;
// recent ones stay.
TEST_F(CoordinatorCli, PurgesHouseholdsPastTheRetentionPeriod) {
  {
    Registry r = registry();
    Household old;
    old.reference = "OLD-1";
    old.contact = "old contact";
    old.created_at = m_clock.wall_seconds() - std::chrono::days{400};
    ASSERT_TRUE(r.store().add_household(old));
  }
  ASSERT_EQ(run({"households", "add", "NEW-1"}).status, 0);
  const CliRun purged = run({"households", "purge-expired"});
  ASSERT_EQ(purged.status, 0) << purged.err;
  EXPECT_THAT(purged.out, HasSubstr("1 household past the retention period of 365 days"));
  EXPECT_EQ(run({"households", "show", "OLD-1"}).status, 1);
  EXPECT_EQ(run({"households", "show", "NEW-1"}).status, 0);
  const json log = json::parse(run({"audit", "--subject", "household#1", "--json"}).out);
  EXPECT_THAT(log.back().at("detail").get<std::string>(), HasSubstr("retention of 365 days"));
}

// The report's totals reconcile with the database: each unit counts once per line (a unit
// delivered, returned and delivered again in the period is one distributed unit), the breakdowns
// add up to the total, and every unit existing at the end is in exactly one state.
TEST_F(CoordinatorCli, ReportTotalsReconcileWithTheDatabase) {
  const std::string twice = make_unit("CZC0000601", Chassis::laptop, "A");
  const std::string once = make_unit("CZC0000602", Chassis::desktop, "B");
  const std::string parts = make_unit("CZC0000603", Chassis::laptop, "C", UnitState::tested);
  make_unit("CZC0000604", Chassis::laptop, "B");
  make_unit("CZC0000605", Chassis::laptop, "B", UnitState::wiped);
  ASSERT_EQ(run({"households", "add", "H-1", "--district", "Nord"}).status, 0);
  ASSERT_EQ(run({"households", "add", "H-2", "--district", "Sud"}).status, 0);
  ASSERT_EQ(run({"assign", twice, "H-1"}).status, 0);
  ASSERT_EQ(run({"deliver", twice, "--price", "60"}).status, 0);
  ASSERT_EQ(run({"return", twice, "--reason", "wrong keyboard"}).status, 0);
  {
    Registry r = registry();
    Unit u = r.find(twice).value();
    for (UnitState s : {UnitState::inventoried, UnitState::tested, UnitState::wiped,
                        UnitState::imaged, UnitState::ready}) {
      u = r.transition(u, s, "atelierd", "").value();
    }
    Unit p = r.find(parts).value();
    ASSERT_TRUE(
        r.transition(p, UnitState::parts, "cli:test", "cracked board", Disposal::disks_removed));
  }
  ASSERT_EQ(run({"assign", twice, "H-1"}).status, 0);
  ASSERT_EQ(run({"deliver", twice, "--price", "60"}).status, 0);
  ASSERT_EQ(run({"assign", once, "H-2"}).status, 0);
  ASSERT_EQ(run({"deliver", once, "--price", "80"}).status, 0);

  const CliRun out = run({"report", "--from", "2000-01-01", "--to", "2999-12-31", "--json"});
  ASSERT_EQ(out.status, 0) << out.err;
  const json r = json::parse(out.out);
  EXPECT_EQ(r.at("received"), 5);
  EXPECT_EQ(r.at("refurbished"), 3) << "a unit that became ready twice counts once";
  EXPECT_EQ(r.at("distributed").at("total"), 2) << "a unit delivered twice counts once";
  EXPECT_EQ(r.at("returned"), 1);
  EXPECT_EQ(r.at("parts"), 1);
  for (const char* breakdown : {"by_program", "by_district", "by_profile", "by_chassis"}) {
    int sum = 0;
    for (const auto& [key, n] : r.at("distributed").at(breakdown).items()) {
      sum += n.get<int>();
    }
    EXPECT_EQ(sum, 2) << breakdown;
  }
  EXPECT_EQ(r.at("distributed").at("by_district").at("Nord"), 1);
  EXPECT_EQ(r.at("distributed").at("by_program").at("Ordi 2.0"), 2);
  EXPECT_EQ(r.at("distributed").at("by_profile").at("student-laptop"), 2);
  EXPECT_EQ(r.at("kg_diverted"), 10.5) << "one laptop at 2.5 kg and one desktop at 8 kg";
  EXPECT_EQ(r.at("co2e_kg_avoided"), 54) << "2 units x ADEME 2022's 27 kg";
  EXPECT_THAT(r.at("co2e_source").get<std::string>(), HasSubstr("ADEME 2022"));
  EXPECT_EQ(r.at("disks_erased")[0].at("disks"), 5);

  const int units = count_rows(m_db, "SELECT count(*) FROM units");
  EXPECT_EQ(r.at("units_at_end").at("total"), units);
  int by_state = 0;
  for (const auto& [state, n] : r.at("units_at_end").at("by_state").items()) {
    EXPECT_EQ(n.get<int>(),
              count_rows(m_db, "SELECT count(*) FROM units WHERE state = '" + state + "'"))
        << state;
    by_state += n.get<int>();
  }
  EXPECT_EQ(by_state, units);

  const CliRun text = run({"report", "--from", "2000-01-01", "--to", "2999-12-31"});
  EXPECT_THAT(text.out, HasSubstr("about 54 kg (2 distributed x 27 kg; ADEME 2022"));
  const CliRun csv = run({"report", "--from", "2000-01-01", "--to", "2999-12-31", "--csv"});
  EXPECT_THAT(csv.out, HasSubstr("units,distributed,2\n"));
  EXPECT_THAT(run({"report", "--from", "2026-13-01", "--to", "2026-01-01"}).err,
              HasSubstr("--from: '2026-13-01' is not a date"));
}

// A donor's asset list links the units it lists by serial, whatever batch they booted in.
TEST_F(CoordinatorCli, ImportsADonorsAssetListAndMatchesUnitsBySerial) {
  const std::string listed = make_unit("CZC0000701", Chassis::laptop, "A");
  make_unit("CZC0000702", Chassis::laptop, "A");
  ASSERT_EQ(run({"intake", "open", "--donor", "Entreprise X", "--date", "2026-03-02"}).status, 0);
  const std::string csv = (m_dir / "assets.csv").string();
  std::ofstream(csv) << "Asset;Numéro de série;Model\r\n1;\"CZC0000701\";Latitude\r\n2;CZC9999999;"
                        "Latitude\r\n";
  const CliRun imported = run({"intake", "import", "1", csv});
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("2 serials on the list, 1 matched to units: " + listed));
  EXPECT_THAT(imported.out, HasSubstr("not seen yet: CZC9999999"));
  const json shown = json::parse(run({"intake", "show", "1", "--json"}).out);
  ASSERT_EQ(shown.at("units").size(), 1U);
  EXPECT_EQ(shown.at("units")[0].at("linked_by"), "serial");

  const std::string bad = (m_dir / "bad.csv").string();
  std::ofstream(bad) << "Asset,Model\n1,Latitude\n";
  EXPECT_THAT(run({"intake", "import", "1", bad}).err,
              HasSubstr("line 1: no serial number column (columns: Asset, Model)"));
}

} // namespace
