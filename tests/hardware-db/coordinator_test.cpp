// The Registry's coordinator operations below the CLI: what the HTTP API will reuse (the audit
// API, donations linked at boot) and the date arithmetic of a warranty.
#include "hardware-db/registry.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

using namespace atelier::hwdb;
using atelier::base::MacAddress;
using namespace std::chrono_literals;

namespace {

class CoordinatorRegistry : public ::testing::Test {
protected:
  CoordinatorRegistry()
      : m_registry(open_store((m_dir / "atelier.db").string()).value(), m_clock) {}

  Unit ready_unit(const std::string& serial) {
    IntakeRequest req;
    req.identity = Identity{"HP", "EliteBook 840", serial, "", std::nullopt};
    req.chassis = Chassis::laptop;
    Unit u = m_registry.intake(req).value().unit;
    for (UnitState s : {UnitState::inventoried, UnitState::tested, UnitState::wiped,
                        UnitState::imaged, UnitState::ready}) {
      u = m_registry.transition(u, s, "atelierd", "").value();
    }
    return u;
  }

  atelier::testing::TempDir m_dir;
  atelier::testing::FakeClock m_clock{std::chrono::sys_days{std::chrono::year{2026} / 8 / 31} +
                                      10h};
  Registry m_registry;
  const Actor m_admin{"cli:root", "admin"};
};

// A machine that PXE-boots while a donation is open came with that donation.
TEST_F(CoordinatorRegistry, MachinesBootingWhileADonationIsOpenAreLinkedToIt) {
  Donation d;
  d.donor = "Lycée Jean Moulin";
  d.received_on = "2026-08-31";
  const Donation opened = m_registry.open_donation(d, m_admin).value();
  const auto boot = m_registry
                        .record_boot(BootRequest{MacAddress::parse("52:54:00:12:34:56").value(), 0,
                                                 "bios-pxe", "", ""},
                                     "atelierd")
                        .value();
  EXPECT_EQ(m_registry.store().donation_of_unit(boot.unit.id).value(), opened.id);
  ASSERT_TRUE(m_registry.close_donation(opened.id, m_admin));
  const auto later = m_registry
                         .record_boot(BootRequest{MacAddress::parse("52:54:00:12:34:57").value(), 0,
                                                  "bios-pxe", "", ""},
                                      "atelierd")
                         .value();
  EXPECT_FALSE(m_registry.store().donation_of_unit(later.unit.id).value());
}

// The HTTP API writes its own entries (e.g. a read through a browser) with the same call.
TEST_F(CoordinatorRegistry, AuditEntriesCarryActorRoleActionAndSubject) {
  ASSERT_TRUE(m_registry.audit(Actor{"web:alice", "coordinator"}, "household.read",
                               household_subject(12), "via /api/v1/households"));
  const auto log = m_registry.audit_log("household#12", 0).value();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].actor, "web:alice");
  EXPECT_EQ(log[0].role, "coordinator");
  EXPECT_EQ(log[0].action, "household.read");
  EXPECT_EQ(log[0].at, m_clock.wall_seconds());
}

// 31 August + 6 months is the last day of February, not 3 March.
TEST_F(CoordinatorRegistry, WarrantyEndClampsToTheLastDayOfTheMonth) {
  const Unit u = ready_unit("5CG1234567");
  HouseholdChanges h;
  h.reference = "REF-1";
  ASSERT_TRUE(m_registry.add_household(h, m_admin));
  ASSERT_TRUE(m_registry.assign(u.tag.str(), "REF-1", m_admin));
  DeliveryTerms terms;
  terms.price_cents = 5000;
  terms.warranty_months = 6;
  const Assignment a = m_registry.deliver(u.tag.str(), terms, m_admin).value();
  EXPECT_EQ(atelier::base::format_rfc3339(*a.warranty_end), "2027-02-28T10:00:00Z");
}

// Every field but the reference is optional; an edit changes only what it names.
TEST_F(CoordinatorRegistry, EditChangesOnlyTheGivenFieldsAndLogsTheirNames) {
  HouseholdChanges add;
  add.reference = "  REF-2 ";
  add.contact = "06 00 00 00 00";
  add.uses = std::vector<std::string>{"school", "school", "family"};
  const Household h = m_registry.add_household(add, m_admin).value();
  EXPECT_EQ(h.reference, "REF-2");
  EXPECT_EQ(h.uses, (std::vector<std::string>{"school", "family"}));
  HouseholdChanges edit;
  edit.district = "Nord";
  const Household edited = m_registry.edit_household("REF-2", edit, m_admin).value();
  EXPECT_EQ(edited.contact, "06 00 00 00 00");
  EXPECT_EQ(edited.district, "Nord");
  EXPECT_EQ(m_registry.audit_log(household_subject(h.id), 0).value().back().detail,
            "changed: district");
}

// Issue 14, finding 8: an edit hands back the whole record, so one that changes nothing is still
// audited (as a read); one that names no field at all is refused before anything is read.
TEST_F(CoordinatorRegistry, EditThatChangesNothingIsAuditedAsAReadAndAnEmptyOneIsRefused) {
  HouseholdChanges add;
  add.reference = "REF-3";
  add.district = "Nord";
  const Household h = m_registry.add_household(add, m_admin).value();
  const std::string subject = household_subject(h.id);
  const std::size_t before = m_registry.audit_log(subject, 0).value().size();

  const auto empty = m_registry.edit_household("REF-3", HouseholdChanges{}, m_admin);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(empty.error().message.find("nothing to change"), std::string::npos)
      << empty.error().message;
  EXPECT_EQ(m_registry.audit_log(subject, 0).value().size(), before);

  HouseholdChanges same;
  same.district = " Nord "; // trimmed: the value it already has
  const Household unchanged = m_registry.edit_household("REF-3", same, m_admin).value();
  EXPECT_EQ(unchanged.district, "Nord");
  EXPECT_FALSE(unchanged.updated_at);
  const auto log = m_registry.audit_log(subject, 0).value();
  ASSERT_EQ(log.size(), before + 1);
  EXPECT_EQ(log.back().action, "household.read");
  EXPECT_EQ(log.back().actor, "cli:root");
}

} // namespace

// A mistyped far-future date must still print in its error message (nanosecond-based formatting
// overflows after 2262).
TEST(Timestamps, FormatDatesFarFromNow) {
  for (const char* text :
       {"2999-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2026-02-28T23:59:59Z"}) {
    EXPECT_EQ(atelier::base::format_rfc3339(atelier::base::parse_rfc3339(text).value()), text);
  }
}
