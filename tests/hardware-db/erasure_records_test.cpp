// Filing erasure records (Registry::record_erasure) on a real SQLite file: the evidence of what
// happened to each disk, stored once, never replaced, never removed.
#include "hardware-db/registry.h"
#include "hardware-db/sqlite_store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

using namespace atelier::hwdb;
using namespace std::chrono_literals;

namespace {

class ErasureRecordsTest : public ::testing::Test {
protected:
  ErasureRecordsTest() : m_registry(open_store((m_dir / "atelier.db").string()).value(), m_clock) {}

  Unit intake(const char* serial) {
    IntakeRequest req;
    req.identity = Identity{"HP", "ProDesk 400 G1", serial, "", std::nullopt};
    req.actor = "test";
    return m_registry.intake(req).value().unit;
  }

  static Disk disk(const char* serial) {
    return Disk{0, 0, "Samsung SSD 860", serial, 250059350016u, "ssd", "sata"};
  }

  ErasureRecord record(const char* id, const char* result = "erased") {
    ErasureRecord r;
    r.record_id = id;
    r.started_at = m_clock.wall_seconds();
    r.finished_at = m_clock.wall_seconds() + 125s;
    r.method = "zero";
    r.level = "clear";
    r.verification = "full";
    r.result = result;
    r.record_json = std::string(R"({"record_id":")") + id + R"(","result":")" + result + "\"}";
    r.signature = std::string(result) == "erased" ? R"({"value":"c2ln"})" : "";
    return r;
  }

  atelier::testing::TempDir m_dir;
  atelier::testing::FakeClock m_clock{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} +
                                      9h};
  Registry m_registry;
};

} // namespace

TEST_F(ErasureRecordsTest, FilingCreatesTheDiskAndTheRecordAgainstTheUnit) {
  // Why: a disk wiped in a USB dock is filed against the unit it came from, found by its serial.
  const Unit u = intake("CZC0000001");
  const auto filed = m_registry.record_erasure(u, disk("S3Z9NB0K1"), record("rec-1"));
  ASSERT_TRUE(filed) << filed.error().message;
  EXPECT_TRUE(filed->created);
  EXPECT_EQ(filed->disk.unit_id, u.id);
  EXPECT_EQ(filed->record.unit_id, u.id);
  const auto records = m_registry.erasure_records_for_unit(u).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].record_id, "rec-1");
  EXPECT_EQ(records[0].disk_id, filed->disk.id);
  EXPECT_EQ(records[0].record_json, record("rec-1").record_json);
  EXPECT_EQ(m_registry.erasure_record("rec-1").value()->id, records[0].id);
  EXPECT_FALSE(m_registry.erasure_record("rec-2").value());
}

TEST_F(ErasureRecordsTest, FilingTheSameRecordTwiceAddsNothing) {
  // Why: `atelier cert sign` run twice on the same file must not create a second certificate.
  const Unit u = intake("CZC0000001");
  ASSERT_TRUE(m_registry.record_erasure(u, disk("S3Z9NB0K1"), record("rec-1")));
  const auto again = m_registry.record_erasure(u, disk("S3Z9NB0K1"), record("rec-1"));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->disk.serial, "S3Z9NB0K1");
  EXPECT_EQ(m_registry.erasure_records_for_unit(u).value().size(), 1u);
}

TEST_F(ErasureRecordsTest, SameRecordIdWithOtherContentIsRefused) {
  // Why: a stored record is evidence; an edited copy must not replace or join it.
  const Unit u = intake("CZC0000001");
  ASSERT_TRUE(m_registry.record_erasure(u, disk("S3Z9NB0K1"), record("rec-1")));
  ErasureRecord edited = record("rec-1");
  edited.record_json = R"({"record_id":"rec-1","result":"erased","serial":"other"})";
  const auto r = m_registry.record_erasure(u, disk("S3Z9NB0K1"), edited);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_NE(r.error().message.find("rec-1"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("different content"), std::string::npos) << r.error().message;
  ErasureRecord resigned = record("rec-1");
  resigned.signature = R"({"value":"b3RoZXI="})";
  EXPECT_NE(m_registry.record_erasure(u, disk("S3Z9NB0K1"), resigned)
                .error()
                .message.find("different signature"),
            std::string::npos);
  EXPECT_EQ(m_registry.erasure_records_for_unit(u).value().size(), 1u);
}

TEST_F(ErasureRecordsTest, FailedErasureIsKeptUnsignedAndNeverSigned) {
  // Why: a failed attempt is evidence (why the disk is not certified), not a certificate.
  const Unit u = intake("CZC0000001");
  const auto failed = m_registry.record_erasure(u, disk("S3Z9NB0K1"), record("rec-f", "failed"));
  ASSERT_TRUE(failed) << failed.error().message;
  EXPECT_EQ(failed->record.signature, "");
  ErasureRecord signed_failure = record("rec-g", "failed");
  signed_failure.signature = R"({"value":"c2ln"})";
  const auto refused = m_registry.record_erasure(u, disk("S3Z9NB0K1"), signed_failure);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().message.find("never signed"), std::string::npos);
}

TEST_F(ErasureRecordsTest, InvalidRecordsAreRefusedNamingTheField) {
  // Why: the database columns have fixed vocabularies; the error must say which value is wrong.
  const Unit u = intake("CZC0000001");
  const auto error_for = [&](auto change) {
    ErasureRecord r = record("rec-x");
    change(r);
    const auto filed = m_registry.record_erasure(u, disk("S1"), r);
    return filed ? std::string("accepted") : filed.error().message;
  };
  EXPECT_EQ(error_for([](ErasureRecord& r) { r.record_id.clear(); }),
            "erasure record (no id): the record id is missing");
  EXPECT_EQ(error_for([](ErasureRecord& r) { r.level = "destroy"; }),
            "erasure record rec-x: level 'destroy' is not clear or purge");
  EXPECT_EQ(error_for([](ErasureRecord& r) { r.verification = "partial"; }),
            "erasure record rec-x: verification 'partial' is not none, sample or full");
  EXPECT_EQ(error_for([](ErasureRecord& r) { r.signature.clear(); }),
            "erasure record rec-x: an erased disk's record must be signed before it is filed");
  EXPECT_EQ(error_for([](ErasureRecord& r) { r.finished_at = r.started_at - 1s; }),
            "erasure record rec-x: it finished (2026-11-23T08:59:59Z) before it started "
            "(2026-11-23T09:00:00Z)");
  EXPECT_TRUE(m_registry.erasure_records_for_unit(u).value().empty());
}

TEST_F(ErasureRecordsTest, RecordsStayWithTheUnitWhenTheDiskMoves) {
  // Why: the certificate of a machine lists the disks erased in it, even if one moved on later
  // (harvested from a machine set aside for parts).
  const Unit first = intake("CZC0000001");
  const Unit second = intake("CZC0000002");
  const auto a = m_registry.record_erasure(first, disk("S3Z9NB0K1"), record("rec-1")).value();
  ASSERT_TRUE(m_registry.transition(first, UnitState::parts, "cli:test", "board dead",
                                    Disposal::disks_removed));
  const auto b = m_registry.record_erasure(second, disk("S3Z9NB0K1"), record("rec-2")).value();
  EXPECT_EQ(a.disk.id, b.disk.id); // one disk, found by model + serial
  EXPECT_EQ(m_registry.erasure_records_for_unit(first).value().at(0).record_id, "rec-1");
  EXPECT_EQ(m_registry.erasure_records_for_unit(second).value().at(0).record_id, "rec-2");
  EXPECT_EQ(m_registry.store().erasure_records(a.disk.id).value().size(), 2u);
}

// Issue 14: a machine's post cannot take a disk that another machine still has.
TEST_F(ErasureRecordsTest, ADiskOfAnActiveUnitIsNotMovedByAnErasureRecord) {
  const Unit first = intake("CZC0000001");
  const Unit second = intake("CZC0000002");
  const auto a = m_registry.record_erasure(first, disk("S3Z9NB0K1"), record("rec-1")).value();
  const auto refused = m_registry.record_erasure(second, disk("S3Z9NB0K1"), record("rec-2"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("is recorded in unit " + first.tag.str()),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(m_registry.store().disk_by_id(a.disk.id).value()->unit_id, first.id);
}

// Issue 14: a record id names one erasure of one machine.
TEST_F(ErasureRecordsTest, ARecordIdOfAnotherUnitIsRefused) {
  const Unit first = intake("CZC0000001");
  const Unit second = intake("CZC0000002");
  ASSERT_TRUE(m_registry.record_erasure(first, disk("S3Z9NB0K1"), record("rec-1")));
  const auto refused = m_registry.record_erasure(second, disk("S3Z9NB0K2"), record("rec-1"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("is filed for unit " + first.tag.str()), std::string::npos)
      << refused.error().message;
}

TEST_F(ErasureRecordsTest, StoredRecordsCannotBeEditedOrDeleted) {
  // Why: append-only by trigger, whatever program opens the file.
  const Unit u = intake("CZC0000001");
  ASSERT_TRUE(m_registry.record_erasure(u, disk("S3Z9NB0K1"), record("rec-1")));
  auto store = SqliteStore::open((m_dir / "atelier.db").string()).value();
  const auto update = store->connection().exec(
      "UPDATE erasure_records SET record_json = '{}' WHERE record_id = 'rec-1'");
  ASSERT_FALSE(update);
  EXPECT_NE(update.error().message.find("append-only"), std::string::npos);
  EXPECT_FALSE(store->connection().exec("DELETE FROM erasure_records"));
  // And the unique record id holds even below the Registry.
  ErasureRecord copy = m_registry.erasure_record("rec-1").value().value();
  EXPECT_FALSE(store->add_erasure_record(copy));
  EXPECT_EQ(store->erasure_records_for_unit(u.id).value().size(), 1u);
}

TEST_F(ErasureRecordsTest, WhatTheRecordDoesNotKnowIsKeptFromTheInventory) {
  // Why: an imager record names no bus; filing it must not blank what the inventory recorded.
  const Unit u = intake("CZC0000001");
  Store& s = m_registry.store();
  ASSERT_TRUE(
      s.upsert_disk({0, u.id, "Samsung SSD 860", "S3Z9NB0K1", 250059350016u, "ssd", "sata"}));
  Disk from_record = disk("S3Z9NB0K1");
  from_record.bus = "";
  ASSERT_TRUE(m_registry.record_erasure(u, from_record, record("rec-1")));
  const auto disks = s.disks(u.id).value();
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].bus, "sata");
}
