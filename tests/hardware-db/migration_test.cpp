// Schema migrations on real SQLite files, starting from a database written by schema version 1.
#include "hardware-db/migrations.h"
#include "hardware-db/sqlite_store.h"
#include "support/temp_dir.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sqlite3.h>

using namespace atelier::hwdb;
using atelier::base::MacAddress;

namespace {

// Builds a database file from a SQL script, the way an older Atelier left it on disk.
void load_sql(const std::string& db_path, const std::string& sql_path) {
  std::ifstream in(sql_path);
  ASSERT_TRUE(in) << sql_path;
  std::stringstream sql;
  sql << in.rdbuf();
  auto conn = sqlite::Connection::open(db_path).value();
  ASSERT_TRUE(conn.exec(sql.str()));
}

int user_version(const std::string& db_path) {
  auto conn = sqlite::Connection::open(db_path).value();
  auto stmt = conn.prepare("PRAGMA user_version").value();
  EXPECT_TRUE(stmt.step().value());
  return static_cast<int>(stmt.column_int(0));
}

const std::string k_v1_fixture = std::string(ATELIER_TEST_DATA) + "/hwdb/atelier-v1.sql";

} // namespace

// tests/data/hwdb/atelier-v1.sql is a dump of a version-1 database with two units and their events,
// frozen when version 1 was current: it stays what an old installation really has on disk.
TEST(Migrations, OldVersionFileIsUpgradedInPlaceKeepingItsData) {
  atelier::testing::TempDir dir;
  const std::string path = (dir / "old.db").string();
  load_sql(path, k_v1_fixture);
  ASSERT_EQ(user_version(path), 1);

  auto store = SqliteStore::open(path).value();
  EXPECT_EQ(store->schema_version().value(), latest_schema_version());
  const auto units = store->list_units({}).value();
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].tag.str(), "AT-0001-" + std::to_string(AssetTag("AT", 1).check_digit()));
  EXPECT_EQ(units[0].identity.model, "OptiPlex 7010");
  EXPECT_EQ(units[1].state, UnitState::inventoried);
  EXPECT_FALSE(units[0].do_not_boot); // column added by version 2, defaulted
  EXPECT_EQ(store->events(units[1].id).value().size(), 2u);
  // Tables of later versions work with the old rows.
  EXPECT_TRUE(store->add_sighting({0, units[0].id, MacAddress::parse("52:54:00:00:00:01").value(),
                                   0, "bios-pxe", "", "", units[0].created_at}));
  // The tag sequence carries on after the old units.
  EXPECT_EQ(store->reserve_tag_number("AT").value(), 3u);
}

TEST(Migrations, OpeningTwiceIsHarmless) {
  atelier::testing::TempDir dir;
  const std::string path = (dir / "a.db").string();
  ASSERT_TRUE(SqliteStore::open(path));
  ASSERT_TRUE(SqliteStore::open(path));
  EXPECT_EQ(user_version(path), latest_schema_version());
}

// A file from a newer Atelier is refused and left exactly as it was.
TEST(Migrations, NewerDatabaseIsRefusedUntouched) {
  atelier::testing::TempDir dir;
  const std::string path = (dir / "future.db").string();
  {
    auto conn = sqlite::Connection::open(path).value();
    ASSERT_TRUE(conn.exec("CREATE TABLE from_the_future(x); PRAGMA user_version = 99;"));
  }
  const auto r = SqliteStore::open(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unsupported);
  EXPECT_NE(r.error().message.find("99"), std::string::npos);
  EXPECT_EQ(user_version(path), 99);
}

// A migration that fails half-way leaves the file at the previous version, not in between.
TEST(Migrations, FailedMigrationRollsBackCompletely) {
  atelier::testing::TempDir dir;
  const std::string path = (dir / "clash.db").string();
  load_sql(path, k_v1_fixture);
  {
    // Someone created a table that version 2 also creates: version 2 must fail as a whole.
    auto conn = sqlite::Connection::open(path).value();
    ASSERT_TRUE(conn.exec("CREATE TABLE imaging_records(x)"));
  }
  const auto r = SqliteStore::open(path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("schema version 2"), std::string::npos);
  EXPECT_EQ(user_version(path), 1);
  auto conn = sqlite::Connection::open(path).value();
  EXPECT_FALSE(conn.prepare("SELECT do_not_boot FROM units")); // ALTER TABLE of v2 rolled back
}

TEST(Migrations, VersionsAreContiguousFromOne) {
  int expected = 1;
  for (const Migration& m : sqlite_migrations()) {
    EXPECT_EQ(m.version, expected++);
  }
}

// Version 7 adds household needs and district to a database that already holds households and
// deliveries (a version-6 installation): the old rows keep their data and read with empty new
// fields; deleting such a household still keeps its delivery, anonymous.
TEST(Migrations, Version7KeepsEarlierHouseholdsAndDeliveries) {
  atelier::testing::TempDir dir;
  const std::string path = (dir / "v6.db").string();
  {
    auto conn = sqlite::Connection::open(path).value();
    ASSERT_TRUE(migrate(conn, 6));
    ASSERT_TRUE(conn.exec(
        "INSERT INTO units(id, tag, state, identity_kind, identity_value, created_at, updated_at) "
        "VALUES (1, 'AT-0001-7', 'delivered', 'dmi-serial', 'S1', '2025-01-01T00:00:00Z', "
        "'2025-01-01T00:00:00Z');"
        "INSERT INTO households(id, reference, contact, needs, created_at) VALUES "
        "(1, 'OLD-REF', 'old contact', 'laptop for school', '2025-01-01T00:00:00Z');"
        "INSERT INTO assignments(unit_id, household_id, assigned_at, delivered_at, price_cents) "
        "VALUES (1, 1, '2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z', 5000);"));
  }
  auto store = SqliteStore::open(path).value();
  const auto h = store->household_by_reference("OLD-REF").value();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->needs, "laptop for school");
  EXPECT_EQ(h->device, "");
  EXPECT_TRUE(h->uses.empty());
  ASSERT_TRUE(store->delete_household(h->id));
  const auto kept = store->all_assignments().value();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FALSE(kept[0].household_id);
  EXPECT_EQ(kept[0].price_cents, 5000);
}
