// The Registry on a real SQLite file in a temporary directory.
#include "hardware-db/registry.h"
#include "hardware-db/sqlite_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

using namespace atelier::hwdb;
using atelier::base::MacAddress;
using namespace std::chrono_literals;

namespace {

MacAddress mac(const char* text) {
  return MacAddress::parse(text).value();
}

class RegistryTest : public ::testing::Test {
protected:
  RegistryTest() : m_registry(open_store((m_dir / "atelier.db").string()).value(), m_clock) {}

  Unit intake(const char* vendor, const char* model, const char* serial,
              const char* mac_text = nullptr) {
    IntakeRequest req;
    req.identity = Identity{vendor, model, serial, "", std::nullopt};
    if (mac_text) {
      req.identity.wired_mac = mac(mac_text);
    }
    req.actor = "test";
    return m_registry.intake(req).value().unit;
  }

  atelier::testing::TempDir m_dir;
  atelier::testing::FakeClock m_clock{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} +
                                      9h};
  Registry m_registry;
};

} // namespace

TEST_F(RegistryTest, IntakeCreatesDetectedUnitWithTagAndEvent) {
  const Unit u = intake("LENOVO", "10AXS0X", "PC0ABCDE");
  EXPECT_EQ(u.state, UnitState::detected);
  EXPECT_EQ(u.tag.prefix(), "AT");
  EXPECT_EQ(u.tag.number(), 1u);
  const auto events = m_registry.store().events(u.id).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].from);
  EXPECT_EQ(events[0].to, UnitState::detected);
  EXPECT_EQ(events[0].actor, "test");
}

TEST_F(RegistryTest, TagsAreSequentialPerPrefixAndUseTheConfiguredPrefix) {
  EXPECT_EQ(intake("HP", "ProDesk", "CZC0000001").tag.number(), 1u);
  ASSERT_TRUE(m_registry.set_asset_tag_prefix("ORDI"));
  const Unit u = intake("HP", "ProDesk", "CZC0000002");
  EXPECT_EQ(u.tag.prefix(), "ORDI");
  EXPECT_EQ(u.tag.number(), 1u);
  EXPECT_FALSE(m_registry.set_asset_tag_prefix("ordi1"));
}

// The same machine entered twice while still in the pipeline is one unit, not two.
TEST_F(RegistryTest, SameMachineAgainIsTheSameUnit) {
  const Unit a = intake("Dell Inc.", "OptiPlex 7010", "7XJ8Q2J");
  IntakeRequest again;
  again.identity = Identity{"DELL INC.", "OptiPlex 7010", " 7xj8q2j", "", std::nullopt};
  const auto r = m_registry.intake(again).value();
  EXPECT_EQ(r.outcome, IntakeOutcome::existing);
  EXPECT_EQ(r.unit.id, a.id);
  EXPECT_EQ(m_registry.store().list_units({}).value().size(), 1u);
}

// A second intake that says less (no MAC, no board serial) keeps what was recorded before.
TEST_F(RegistryTest, RepeatedIntakeKeepsWhatItDoesNotRepeat) {
  const Unit a = intake("Dell Inc.", "OptiPlex 7010", "7XJ8Q2J", "18:03:73:aa:bb:01");
  IntakeRequest again;
  again.identity = Identity{"", "", "7XJ8Q2J", "", std::nullopt};
  again.identity.vendor = "Dell Inc.";
  again.identity.model = "OptiPlex 7010";
  const Unit b = m_registry.intake(again).value().unit;
  EXPECT_EQ(b.id, a.id);
  ASSERT_TRUE(b.identity.wired_mac);
  EXPECT_EQ(b.identity.wired_mac->str(), "18:03:73:aa:bb:01");
}

// Two boards with the same placeholder serial are two machines (told apart by their MAC).
TEST_F(RegistryTest, PlaceholderSerialsDoNotMergeMachines) {
  const Unit a = intake("To Be Filled By O.E.M.", "To Be Filled By O.E.M.",
                        "To Be Filled By O.E.M.", "52:54:00:00:00:01");
  const Unit b = intake("To Be Filled By O.E.M.", "To Be Filled By O.E.M.",
                        "To Be Filled By O.E.M.", "52:54:00:00:00:02");
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.key.kind, IdentityKind::mac);
}

// A delivered machine that comes back as a new donation gets a new record linked to the old one.
TEST_F(RegistryTest, ReintakeAfterDeliveryLinksToEarlierRecord) {
  Unit u = intake("LENOVO", "ThinkPad T440", "R90XYZ12");
  for (UnitState s :
       {UnitState::inventoried, UnitState::tested, UnitState::wiped, UnitState::imaged,
        UnitState::ready, UnitState::assigned, UnitState::delivered}) {
    u = m_registry.transition(u, s, "test", "").value();
  }
  IntakeRequest again;
  again.identity = Identity{"LENOVO", "ThinkPad T440", "R90XYZ12", "", std::nullopt};
  const auto r = m_registry.intake(again).value();
  EXPECT_EQ(r.outcome, IntakeOutcome::reintake);
  EXPECT_NE(r.unit.id, u.id);
  EXPECT_EQ(r.unit.previous, u.id);
  const auto events = m_registry.store().events(r.unit.id).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].reason.find(u.tag.str()), std::string::npos);
}

TEST_F(RegistryTest, TransitionRecordsEventWithActorAndReason) {
  Unit u = intake("HP", "EliteBook 840", "5CG1234XYZ");
  m_clock.advance(60s);
  u = m_registry.transition(u, UnitState::failed, "cli:alice", "no POST").value();
  EXPECT_EQ(u.state, UnitState::failed);
  const auto events = m_registry.store().events(u.id).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].from, UnitState::detected);
  EXPECT_EQ(events[1].to, UnitState::failed);
  EXPECT_EQ(events[1].actor, "cli:alice");
  EXPECT_EQ(events[1].reason, "no POST");
  EXPECT_EQ(events[1].at - events[0].at, 60s);
}

// A refused transition changes nothing and writes no event.
TEST_F(RegistryTest, RefusedTransitionLeavesNoTrace) {
  const Unit u = intake("HP", "EliteBook 840", "5CG1234XYZ");
  const auto r = m_registry.transition(u, UnitState::assigned, "test", "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::refused);
  EXPECT_NE(r.error().message.find(u.tag.str()), std::string::npos);
  EXPECT_EQ(m_registry.find(u.tag.str()).value().state, UnitState::detected);
  EXPECT_EQ(m_registry.store().events(u.id).value().size(), 1u);
}

// Two actors reading the same state: the second writer is told it changed, not silently applied.
TEST_F(RegistryTest, StaleTransitionIsAConflict) {
  const Unit stale = intake("HP", "EliteBook 840", "5CG1234XYZ");
  ASSERT_TRUE(m_registry.transition(stale, UnitState::inventoried, "atelierd", ""));
  const auto r = m_registry.transition(stale, UnitState::failed, "cli:bob", "broken");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_EQ(m_registry.store().events(stale.id).value().size(), 2u);
}

TEST_F(RegistryTest, EventLogIsAppendOnlyInTheDatabase) {
  const Unit u = intake("HP", "EliteBook 840", "5CG1234XYZ");
  auto store = SqliteStore::open((m_dir / "atelier.db").string()).value();
  EXPECT_FALSE(store->connection().exec("UPDATE unit_events SET actor = 'mallory'"));
  EXPECT_FALSE(store->connection().exec("DELETE FROM unit_events"));
  EXPECT_EQ(m_registry.store().events(u.id).value()[0].actor, "test");
}

TEST_F(RegistryTest, FindRejectsMistypedTagAndReportsUnknownTag) {
  const Unit u = intake("HP", "EliteBook 840", "5CG1234XYZ");
  std::string typo = u.tag.str();
  typo[5] = typo[5] == '9' ? '8' : static_cast<char>(typo[5] + 1);
  EXPECT_EQ(m_registry.find(typo).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(m_registry.find(AssetTag("AT", 999).str()).error().code, ErrorCode::not_found);
  EXPECT_EQ(m_registry.find(u.tag.str()).value().id, u.id);
}

TEST_F(RegistryTest, FirstPxeBootCreatesDetectedUnitAndLaterBootsAddSightings) {
  BootRequest boot{mac("52:54:00:aa:bb:01"), 7, "uefi-pxe", "", "PXEClient:Arch:00007:UNDI:003000"};
  const auto first = m_registry.record_boot(boot, "atelierd").value();
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.unit.state, UnitState::detected);
  EXPECT_EQ(first.unit.key.kind, IdentityKind::mac);
  const auto second = m_registry.record_boot(boot, "atelierd").value();
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.unit.id, first.unit.id);
  const auto sightings = m_registry.store().sightings(first.unit.id).value();
  ASSERT_EQ(sightings.size(), 2u);
  EXPECT_EQ(sightings[0].arch, 7);
  EXPECT_EQ(sightings[0].vendor_class, "PXEClient:Arch:00007:UNDI:003000");
  // Listings get the latest sighting of each unit in one query.
  BootRequest http = boot;
  http.firmware = "ipxe";
  ASSERT_TRUE(m_registry.record_boot(http, "atelierd"));
  const auto latest = m_registry.store().latest_sightings().value();
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].firmware, "ipxe");
}

// Once the agent reports a real serial, the unit first known by its MAC keeps its tag.
TEST_F(RegistryTest, InventoryAfterPxeBootUpgradesIdentityOfSameUnit) {
  const auto boot =
      m_registry.record_boot({mac("52:54:00:aa:bb:02"), 0, "bios-pxe", "", ""}, "atelierd").value();
  IntakeRequest inv;
  inv.identity = Identity{"LENOVO", "10AXS0X", "PC0ABCDE", "", mac("52:54:00:aa:bb:02")};
  const auto r = m_registry.intake(inv).value();
  EXPECT_EQ(r.outcome, IntakeOutcome::existing);
  EXPECT_EQ(r.unit.id, boot.unit.id);
  EXPECT_EQ(r.unit.key.kind, IdentityKind::dmi_serial);
}

TEST_F(RegistryTest, DoNotBootMachinesAreIgnored) {
  const auto boot =
      m_registry.record_boot({mac("52:54:00:aa:bb:03"), 0, "bios-pxe", "", ""}, "atelierd").value();
  ASSERT_TRUE(m_registry.set_do_not_boot(boot.unit, true));
  const auto again =
      m_registry.record_boot({mac("52:54:00:aa:bb:03"), 0, "bios-pxe", "", ""}, "atelierd").value();
  EXPECT_TRUE(again.ignored);
  EXPECT_EQ(m_registry.store().sightings(boot.unit.id).value().size(), 1u);
}

// Pipeline records round-trip through the store (the raw inventory kept verbatim).
TEST_F(RegistryTest, PipelineRecordsRoundTrip) {
  const Unit u = intake("HP", "EliteBook 840", "5CG1234XYZ");
  Store& s = m_registry.store();
  const std::string raw = R"({"schema":"atelier.inventory/1","memory":{"total_bytes":8589934592}})";
  ASSERT_TRUE(s.add_inventory({0, u.id, m_clock.wall_seconds(), "atelier.inventory/1", raw,
                               "Intel Core i5-4300U", 4, 3, 8589934592u, "uefi"}));
  EXPECT_EQ(s.latest_inventory(u.id).value()->raw_json, raw);
  const RowId disk =
      s.upsert_disk({0, u.id, "Samsung SSD 860", "S3Z9NB0K123456", 250059350016u, "ssd", "sata"})
          .value();
  // The same disk seen again (or in another unit) keeps its row and history.
  EXPECT_EQ(
      s.upsert_disk({0, u.id, "Samsung SSD 860", "S3Z9NB0K123456", 250059350016u, "ssd", "sata"})
          .value(),
      disk);
  ASSERT_TRUE(s.add_erasure_record({0, disk, m_clock.wall_seconds(), m_clock.wall_seconds(),
                                    "ata-sanitize-crypto", "purge", "sample", "erased", "{}", ""}));
  EXPECT_EQ(s.erasure_records(disk).value().size(), 1u);
  // Only the three NIST verification levels exist.
  EXPECT_FALSE(s.add_erasure_record({0, disk, m_clock.wall_seconds(), m_clock.wall_seconds(),
                                     "zero", "clear", "partial", "erased", "{}", ""}));
  ASSERT_TRUE(s.add_grade({0, u.id, m_clock.wall_seconds(), "B", 55, "RAM 8 GiB: +35"}));
  EXPECT_EQ(s.latest_grade(u.id).value()->grade, "B");
  ASSERT_TRUE(s.add_imaging_record({0, u.id, m_clock.wall_seconds(), m_clock.wall_seconds(),
                                    "family-desktop", std::string(64, 'a'), "imaged", ""}));
  EXPECT_EQ(s.imaging_records(u.id).value().size(), 1u);
  Household household;
  household.reference = "CCAS-2026-0042";
  household.eligibility_basis = "RSA";
  household.device = "laptop";
  household.uses = {"school"};
  household.created_at = m_clock.wall_seconds();
  const RowId hh = s.add_household(household).value();
  EXPECT_EQ(s.household_by_id(hh).value()->uses, std::vector<std::string>{"school"});
  Assignment assignment;
  assignment.unit_id = u.id;
  assignment.household_id = hh;
  assignment.assigned_at = m_clock.wall_seconds();
  assignment.price_cents = 4500;
  ASSERT_TRUE(s.add_assignment(assignment));
  const auto a = s.assignments(u.id).value();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].price_cents, 4500);
  EXPECT_EQ(a[0].household_id, hh);
}

TEST_F(RegistryTest, TransactionRollsBackEverythingOnError) {
  Store& s = m_registry.store();
  const auto r = s.transaction([&]() -> Result<void> {
    EXPECT_TRUE(s.set_setting("k", "v"));
    return fail(ErrorCode::refused, "changed my mind");
  });
  EXPECT_FALSE(r);
  EXPECT_FALSE(s.setting("k").value());
}

TEST(OpenStore, PostgresIsNotYetAvailableAndSaysSo) {
  const auto r = open_store("postgresql://atelier@localhost/atelier");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::unsupported);
}

TEST(OpenStore, UnwritableLocationNamesThePath) {
  const auto r = open_store("/nonexistent-dir/atelier.db");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("/nonexistent-dir/atelier.db"), std::string::npos);
}
