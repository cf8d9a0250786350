// The UnitStore contract (hardware-db/store.h, unit_store.h), run against both the real SQLite
// backend and the in-memory fake of tests/support/fake_unit_store.h: a rule the fake gets wrong
// fails here, so tests that use the fake test what production does.
#include "hardware-db/sqlite_store.h"
#include "support/fake_unit_store.h"
#include "support/temp_dir.h"

#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

using namespace atelier::hwdb;
using atelier::base::MacAddress;
using namespace std::chrono_literals;
using atelier::testing::FakeUnitStore;
using atelier::testing::TempDir;

namespace {

// Each backend behind one way to make a fresh, empty store.
struct SqliteBackend {
  TempDir dir;
  std::unique_ptr<SqliteStore> store = SqliteStore::open((dir / "units.db").string()).value();
  UnitStore& get() { return *store; }
};

struct FakeBackend {
  FakeUnitStore store;
  UnitStore& get() { return store; }
};

const Timestamp k_t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 9h;

MacAddress mac(const char* text) {
  return MacAddress::parse(text).value();
}

NewUnit new_unit(const char* serial, std::optional<MacAddress> wired = std::nullopt,
                 UnitState state = UnitState::detected) {
  NewUnit u;
  u.state = state;
  u.identity = Identity{"Lenovo", "ThinkPad T480", serial, "", wired};
  u.key = IdentityKey{IdentityKind::dmi_serial, serial};
  u.at = k_t0;
  return u;
}

template <typename Backend>
class UnitStoreContract : public ::testing::Test {
protected:
  UnitStore& store() { return m_backend.get(); }

  RowId insert(int number, const NewUnit& unit) {
    return store().insert_unit(AssetTag("AT", static_cast<std::uint64_t>(number)), unit).value();
  }

  Backend m_backend;
};

using Backends = ::testing::Types<SqliteBackend, FakeBackend>;
class BackendNames {
public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, SqliteBackend> ? "Sqlite" : "Fake";
  }
};
TYPED_TEST_SUITE(UnitStoreContract, Backends, BackendNames);

// A unit reads back the same by id, tag, identity key and wired MAC; ids count from 1.
TYPED_TEST(UnitStoreContract, InsertedUnitReadsBackByEveryKey) {
  const RowId id = this->insert(1, new_unit("PF1", mac("52:54:00:00:00:01")));
  EXPECT_EQ(id, 1);
  const Unit by_id = this->store().unit_by_id(id).value().value();
  EXPECT_EQ(by_id.tag.str(), AssetTag("AT", 1).str());
  EXPECT_EQ(by_id.identity.serial, "PF1");
  EXPECT_EQ(by_id.created_at, k_t0);
  EXPECT_EQ(by_id.updated_at, k_t0);
  EXPECT_FALSE(by_id.do_not_boot);
  EXPECT_EQ(this->store().unit_by_tag(AssetTag("AT", 1)).value()->id, id);
  EXPECT_EQ(this->store().latest_unit_by_key(by_id.key).value()->id, id);
  EXPECT_EQ(this->store().latest_unit_by_mac(mac("52:54:00:00:00:01")).value()->id, id);
  EXPECT_FALSE(this->store().unit_by_id(99).value());
  EXPECT_FALSE(this->store().unit_by_tag(AssetTag("AT", 2)).value());
}

// Tags are unique: a second unit with the same tag is a conflict, not a second row.
TYPED_TEST(UnitStoreContract, DuplicateTagIsAConflict) {
  this->insert(1, new_unit("PF1"));
  auto again = this->store().insert_unit(AssetTag("AT", 1), new_unit("PF2"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::conflict);
  EXPECT_EQ(this->store().list_units({}).value().size(), 1u);
}

// Rows that belong to a unit need the unit (foreign key): refused as a conflict.
TYPED_TEST(UnitStoreContract, RowsOfAnUnknownUnitAreRefused) {
  auto event = this->store().append_event(
      Event{0, 42, k_t0, "test", std::nullopt, UnitState::detected, "created"});
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().code, ErrorCode::conflict);
  auto grade = this->store().add_grade(GradeRecord{0, 42, k_t0, "A", 90, ""});
  ASSERT_FALSE(grade);
  EXPECT_EQ(grade.error().code, ErrorCode::conflict);
}

// update_state only moves a unit that is still in `from` (compare-and-set).
TYPED_TEST(UnitStoreContract, UpdateStateIsCompareAndSet) {
  const RowId id = this->insert(1, new_unit("PF1"));
  EXPECT_TRUE(this->store()
                  .update_state(id, UnitState::detected, UnitState::inventoried, k_t0 + 1s)
                  .value());
  EXPECT_FALSE(this->store()
                   .update_state(id, UnitState::detected, UnitState::inventoried, k_t0 + 2s)
                   .value());
  EXPECT_FALSE(
      this->store().update_state(99, UnitState::detected, UnitState::inventoried, k_t0).value());
  const Unit u = this->store().unit_by_id(id).value().value();
  EXPECT_EQ(u.state, UnitState::inventoried);
  EXPECT_EQ(u.updated_at, k_t0 + 1s);
}

// A failing transaction takes back everything it did, tag numbers too; a failing inner level
// takes back only its own writes.
TYPED_TEST(UnitStoreContract, TransactionsRollBackLikeSavepoints) {
  auto& s = this->store();
  auto failed = s.transaction([&]() -> Result<void> {
    EXPECT_EQ(s.reserve_tag_number("AT").value(), 1u);
    this->insert(1, new_unit("PF1"));
    return fail(ErrorCode::refused, "changed my mind");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::refused);
  EXPECT_TRUE(s.list_units({}).value().empty());
  EXPECT_EQ(s.reserve_tag_number("AT").value(), 1u); // the rolled-back number is reused

  auto outer = s.transaction([&]() -> Result<void> {
    this->insert(1, new_unit("PF1"));
    auto inner = s.transaction([&]() -> Result<void> {
      this->insert(2, new_unit("PF2"));
      return fail(ErrorCode::conflict, "inner");
    });
    EXPECT_FALSE(inner);
    return {};
  });
  ASSERT_TRUE(outer);
  const auto units = s.list_units({}).value();
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(units[0].identity.serial, "PF1");
  EXPECT_EQ(s.reserve_tag_number("AT").value(), 2u);
  EXPECT_EQ(s.reserve_tag_number("XY").value(), 1u); // one sequence per prefix
}

// An exception out of a transaction's function (a json type error in a request handler, issue 14
// finding 2) rolls it back like an error, at every level, and leaves the store usable: atelierd
// catches it above and must not find its connection stuck inside a transaction that never ends.
TYPED_TEST(UnitStoreContract, AnExceptionRollsBackAndTheStoreGoesOn) {
  auto& s = this->store();
  EXPECT_THROW((void)s.transaction([&]() -> Result<void> {
    this->insert(1, new_unit("PF1"));
    (void)s.transaction([&]() -> Result<void> {
      this->insert(2, new_unit("PF2"));
      throw std::runtime_error("a bug");
    });
    return {};
  }),
               std::runtime_error);
  EXPECT_TRUE(s.list_units({}).value().empty());
  auto after = s.transaction([&]() -> Result<void> {
    this->insert(3, new_unit("PF3"));
    return {};
  });
  ASSERT_TRUE(after);
  EXPECT_EQ(s.list_units({}).value().size(), 1u);
}

// Re-intakes make several units with one key or MAC: the newest one answers. A MAC seen only as a
// network interface finds its unit too.
TYPED_TEST(UnitStoreContract, LatestLookupsAnswerWithTheNewestUnit) {
  const RowId first = this->insert(1, new_unit("PF1", mac("52:54:00:00:00:01")));
  NewUnit again = new_unit("PF1", mac("52:54:00:00:00:01"));
  again.previous = first;
  const RowId second = this->insert(2, again);
  EXPECT_EQ(this->store().latest_unit_by_key(again.key).value()->id, second);
  EXPECT_EQ(this->store().latest_unit_by_mac(mac("52:54:00:00:00:01")).value()->id, second);
  EXPECT_EQ(this->store().unit_by_id(second).value()->previous, first);

  ASSERT_TRUE(this->store().upsert_interface(
      NetworkInterface{0, first, mac("52:54:00:00:00:99"), false, "iwlwifi"}));
  ASSERT_TRUE(this->store().upsert_interface(
      NetworkInterface{0, first, mac("52:54:00:00:00:99"), true, "e1000e"})); // updates in place
  EXPECT_EQ(this->store().latest_unit_by_mac(mac("52:54:00:00:00:99")).value()->id, first);
  const auto nics = this->store().interfaces(first).value();
  ASSERT_EQ(nics.size(), 1u);
  EXPECT_TRUE(nics[0].wired);
  EXPECT_EQ(nics[0].driver, "e1000e");
}

// Listings are in id order; the filter picks a state and the limit counts matching units.
TYPED_TEST(UnitStoreContract, ListUnitsFiltersAndLimitsInIdOrder) {
  this->insert(1, new_unit("PF1", std::nullopt, UnitState::ready));
  this->insert(2, new_unit("PF2"));
  this->insert(3, new_unit("PF3", std::nullopt, UnitState::ready));
  this->insert(4, new_unit("PF4", std::nullopt, UnitState::ready));
  EXPECT_EQ(this->store().list_units({}).value().size(), 4u);
  const auto ready = this->store().list_units({UnitState::ready, 2}).value();
  ASSERT_EQ(ready.size(), 2u);
  EXPECT_EQ(ready[0].identity.serial, "PF1");
  EXPECT_EQ(ready[1].identity.serial, "PF3");
}

// Serial lookups ignore case, match the board serial too, and list the newest first.
TYPED_TEST(UnitStoreContract, UnitsBySerialIgnoreCaseNewestFirst) {
  this->insert(1, new_unit("pf1abc"));
  NewUnit board = new_unit("OTHER");
  board.identity.board_serial = "PF1ABC";
  this->insert(2, board);
  this->insert(3, new_unit("PF2"));
  const auto found = this->store().units_by_serial("Pf1AbC").value();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].identity.serial, "OTHER");
  EXPECT_EQ(found[1].identity.serial, "pf1abc");
}

// Events come back oldest first; events_until includes its bound.
TYPED_TEST(UnitStoreContract, EventsInOrderAndUntilInclusive) {
  const RowId id = this->insert(1, new_unit("PF1"));
  auto& s = this->store();
  ASSERT_TRUE(s.append_event(Event{0, id, k_t0, "test", std::nullopt, UnitState::detected, "a"}));
  ASSERT_TRUE(s.append_event(
      Event{0, id, k_t0 + 5s, "test", UnitState::detected, UnitState::inventoried, "b"}));
  ASSERT_TRUE(s.append_event(
      Event{0, id, k_t0 + 9s, "test", UnitState::inventoried, UnitState::tested, "c"}));
  const auto all = s.events(id).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].reason, "a");
  EXPECT_FALSE(all[0].from);
  EXPECT_EQ(all[2].from, UnitState::inventoried);
  EXPECT_EQ(s.events_until(k_t0 + 5s).value().size(), 2u);
}

// latest_sightings gives each unit's newest boot once, in unit order; per-unit reads keep order.
TYPED_TEST(UnitStoreContract, LatestSightingsOnePerUnit) {
  const RowId a = this->insert(1, new_unit("PF1"));
  const RowId b = this->insert(2, new_unit("PF2"));
  this->insert(3, new_unit("PF3"));
  auto& s = this->store();
  ASSERT_TRUE(
      s.add_sighting(BootSighting{0, b, mac("52:54:00:00:00:02"), 7, "uefi-pxe", "", "", k_t0}));
  ASSERT_TRUE(
      s.add_sighting(BootSighting{0, a, mac("52:54:00:00:00:01"), 0, "bios-pxe", "", "", k_t0}));
  ASSERT_TRUE(
      s.add_sighting(BootSighting{0, b, mac("52:54:00:00:00:02"), 7, "ipxe", "", "", k_t0 + 1s}));
  const auto latest = s.latest_sightings().value();
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].unit_id, a);
  EXPECT_EQ(latest[1].unit_id, b);
  EXPECT_EQ(latest[1].firmware, "ipxe");
  EXPECT_EQ(s.sightings(b).value().size(), 2u);
  EXPECT_EQ(s.sightings(a).value()[0].firmware, "bios-pxe");
}

// The newest inventory and grade answer; bench and imaging results keep every row.
TYPED_TEST(UnitStoreContract, LatestInventoryAndGradeAnswer) {
  const RowId id = this->insert(1, new_unit("PF1"));
  auto& s = this->store();
  EXPECT_FALSE(s.latest_inventory(id).value());
  EXPECT_FALSE(s.latest_grade(id).value());
  InventorySnapshot inv;
  inv.unit_id = id;
  inv.taken_at = k_t0;
  inv.cpu_threads = 4;
  ASSERT_TRUE(s.add_inventory(inv));
  inv.cpu_threads = 8;
  ASSERT_TRUE(s.add_inventory(inv));
  EXPECT_EQ(s.latest_inventory(id).value()->cpu_threads, 8);
  ASSERT_TRUE(s.add_grade(GradeRecord{0, id, k_t0, "B", 70, "old"}));
  ASSERT_TRUE(s.add_grade(GradeRecord{0, id, k_t0, "A", 90, "new"}));
  EXPECT_EQ(s.latest_grade(id).value()->grade, "A");
  ASSERT_TRUE(s.add_bench_result(BenchResult{0, id, k_t0, "cpu.single", 1.0, 2.0, "x", 5, "m"}));
  EXPECT_EQ(s.bench_results(id).value().size(), 1u);
  ASSERT_TRUE(s.add_imaging_record(ImagingRecord{0, id, k_t0, k_t0, "p", "h", "imaged", ""}));
  EXPECT_EQ(s.imaging_records(id).value().size(), 1u);
}

// A disk with a serial keeps its row when it moves to another unit; one without always gets a
// new row. Erasure records are unique by record_id and found by disk, unit, id and time.
TYPED_TEST(UnitStoreContract, DisksMoveWithTheirErasureHistory) {
  const RowId a = this->insert(1, new_unit("PF1"));
  const RowId b = this->insert(2, new_unit("PF2"));
  auto& s = this->store();
  const RowId disk = s.upsert_disk(Disk{0, a, "Samsung", "S1", 256, "ssd", "sata"}).value();
  EXPECT_EQ(s.upsert_disk(Disk{0, b, "Samsung", "S1", 256, "ssd", "sata"}).value(), disk);
  EXPECT_TRUE(s.disks(a).value().empty());
  EXPECT_EQ(s.disk_by_id(disk).value()->unit_id, b);
  const RowId anon1 = s.upsert_disk(Disk{0, a, "USB", "", 8, "usb", "usb"}).value();
  const RowId anon2 = s.upsert_disk(Disk{0, a, "USB", "", 8, "usb", "usb"}).value();
  EXPECT_NE(anon1, anon2);

  ErasureRecord rec;
  rec.disk_id = disk;
  rec.unit_id = b;
  rec.started_at = k_t0;
  rec.finished_at = k_t0 + 10s;
  rec.method = "nvme-sanitize-crypto";
  rec.level = "purge";
  rec.verification = "full";
  rec.result = "erased";
  rec.record_id = "r-1";
  ASSERT_TRUE(s.add_erasure_record(rec));
  auto twice = s.add_erasure_record(rec);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::conflict);
  rec.record_id.clear(); // records without an id are not unique
  rec.finished_at = k_t0 + 20s;
  ASSERT_TRUE(s.add_erasure_record(rec));
  ASSERT_TRUE(s.add_erasure_record(rec));
  EXPECT_EQ(s.erasure_records(disk).value().size(), 3u);
  EXPECT_EQ(s.erasure_records_for_unit(b).value().size(), 3u);
  EXPECT_TRUE(s.erasure_records_for_unit(a).value().empty());
  EXPECT_EQ(s.erasure_record_by_id("r-1").value()->finished_at, k_t0 + 10s);
  EXPECT_FALSE(s.erasure_record_by_id("r-2").value());
  EXPECT_EQ(s.erasure_records_between(k_t0, k_t0 + 10s).value().size(), 1u);
  EXPECT_EQ(s.erasure_records_between(k_t0 + 11s, k_t0 + 20s).value().size(), 2u);
}

// The schema's word lists hold for every backend: an undocumented grade, erasure level or
// imaging result is refused as a conflict.
TYPED_TEST(UnitStoreContract, UndocumentedWordsAreRefused) {
  const RowId id = this->insert(1, new_unit("PF1"));
  auto& s = this->store();
  auto grade = s.add_grade(GradeRecord{0, id, k_t0, "A+", 99, ""});
  ASSERT_FALSE(grade);
  EXPECT_EQ(grade.error().code, ErrorCode::conflict);
  auto imaged = s.add_imaging_record(ImagingRecord{0, id, k_t0, k_t0, "p", "h", "done", ""});
  ASSERT_FALSE(imaged);
  EXPECT_EQ(imaged.error().code, ErrorCode::conflict);
  const RowId disk = s.upsert_disk(Disk{0, id, "Samsung", "S1", 256, "ssd", "sata"}).value();
  ErasureRecord rec;
  rec.disk_id = disk;
  rec.unit_id = id;
  rec.level = "shred";
  rec.verification = "full";
  rec.result = "erased";
  auto erased = s.add_erasure_record(rec);
  ASSERT_FALSE(erased);
  EXPECT_EQ(erased.error().code, ErrorCode::conflict);
  EXPECT_FALSE(s.latest_grade(id).value());
  EXPECT_TRUE(s.erasure_records(disk).value().empty());
}

// Identity and the do-not-boot mark change in place and stamp updated_at.
TYPED_TEST(UnitStoreContract, IdentityAndDoNotBootChangeInPlace) {
  const RowId id = this->insert(1, new_unit("PF1"));
  auto& s = this->store();
  Identity changed{"Dell", "OptiPlex", "D1", "B1", mac("52:54:00:00:00:07")};
  const IdentityKey key{IdentityKind::dmi_serial, "D1"};
  ASSERT_TRUE(s.update_identity(id, changed, key, k_t0 + 1s));
  ASSERT_TRUE(s.set_do_not_boot(id, true, k_t0 + 2s));
  const Unit u = s.unit_by_id(id).value().value();
  EXPECT_EQ(u.identity.vendor, "Dell");
  EXPECT_EQ(u.key, key);
  EXPECT_TRUE(u.do_not_boot);
  EXPECT_EQ(u.updated_at, k_t0 + 2s);
  EXPECT_EQ(s.latest_unit_by_mac(mac("52:54:00:00:00:07")).value()->id, id);
}

} // namespace
