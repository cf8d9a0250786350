// The hardware database as callers use it: intake, lookups by asset tag, lifecycle transitions,
// boot sightings. Every business rule of the database lives here or in the pure modules it calls
// (identity.h, lifecycle.h, asset_tag.h), never in a Store backend, so a PostgreSQL Store inherits
// them unchanged.
//
// Thread model: a Registry and its Store are used from one thread at a time. Each operation is one
// Store transaction: it either happens completely, with its event, or not at all.
#pragma once

#include "base/clock.h"
#include "base/mac_address.h"
#include "hardware-db/store.h"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::hwdb {

struct IntakeRequest {
  Identity identity;
  Chassis chassis = Chassis::unknown;
  std::string notes;
  std::string actor; // who records it: "cli:alice", "atelierd"
};

enum class IntakeOutcome {
  created,  // a machine never seen before: new unit
  existing, // the machine is already in the pipeline: same unit (identity refreshed)
  reintake, // the machine left the program before (delivered, recycled): new unit linked to the old
};
std::string_view to_string(IntakeOutcome);

struct IntakeResult {
  Unit unit;
  IntakeOutcome outcome = IntakeOutcome::created;
};

struct BootRequest {
  base::MacAddress mac;
  std::optional<int> arch;
  std::string firmware;
  std::string guid;
  std::string vendor_class;
};

// What record_erasure did: `created` is false when the very same record was already stored.
struct ErasureFiled {
  ErasureRecord record;
  Disk disk;
  bool created = false;
};

struct BootResult {
  Unit unit;
  bool created = false;
  bool ignored =
      false; // the unit is marked "don't boot": nothing recorded, the PXE service must not answer
};

// Household fields as a coordinator gives them. For add, nullopt means empty; for edit, nullopt
// leaves the field as it is. Values are checked by the Registry (device and uses against
// k_household_devices / k_household_uses; the reference must not be empty).
struct HouseholdChanges {
  std::optional<std::string> reference, contact, eligibility_basis, device, needs, district, notes;
  std::optional<std::vector<std::string>> uses;

  // No field given at all (an edit with nothing to change).
  bool empty() const {
    return !reference && !contact && !eligibility_basis && !device && !needs && !district &&
           !notes && !uses;
  }
};

// Everything held about one household (the GDPR right of access): its record, its assignments
// (with the tags of the units), and the audit entries about it.
struct HouseholdRecord {
  Household household;
  std::vector<std::pair<Assignment, std::string>> assignments; // with the unit's tag
  std::vector<AuditEntry> audit;
};

// A ready unit proposed for a household, best first: `reason` says why, in words.
struct Suggestion {
  Unit unit;
  int score = 0;
  std::string reason;
};

struct DeliveryTerms {
  std::int64_t price_cents = 0;
  std::optional<Timestamp> date; // default: now
  int warranty_months = 0;       // 0: no warranty end recorded
  std::optional<std::int64_t> price_min_cents, price_max_cents;
  std::string program; // the program's name, kept on the assignment for reports
};

enum class ReturnTo { pipeline, parts };

// How a unit leaving for `parts` or `recycled` leaves nobody's data behind (Registry::transition).
enum class Disposal {
  erased,        // its disks were wiped since it came in or was last with a household (checked)
  disks_removed, // its disks were taken out (to be erased or destroyed apart); said by a person
  no_disks,      // its inventory lists no disk to erase (the pipeline's word)
};

// What importing a donor's asset list did.
struct DonationImport {
  int listed = 0;                        // serials on the donation's list after the import
  int added = 0;                         // of which new with this import
  std::vector<std::string> matched_tags; // units linked by serial (all of the list, again)
  std::vector<std::string> unmatched;    // listed serials no unit has (yet)
};

class Registry {
public:
  // Takes ownership of the store; `clock` must outlive the Registry.
  Registry(std::unique_ptr<Store> store, const base::Clock& clock);

  Store& store() { return *m_store; }
  // The time every operation stamps its rows and events with.
  const base::Clock& clock() const { return m_clock; }

  // The prefix of new asset tags (program file's asset_tag_prefix; "AT" until set).
  Result<std::string> asset_tag_prefix();
  Result<void> set_asset_tag_prefix(const std::string& prefix);

  // Records a machine by what it says about itself; see IntakeOutcome for the three cases.
  Result<IntakeResult> intake(const IntakeRequest& request);

  // A machine seen booting over PXE. An unknown MAC creates a `detected` unit identified by that
  // MAC; a known one gets a new sighting. See BootResult::ignored.
  Result<BootResult> record_boot(const BootRequest& request, std::string_view actor);

  // Parses the tag (so a mistyped one is reported as such) and finds the unit.
  Result<Unit> find(std::string_view tag_text);

  // Moves a unit to `to` if lifecycle.h allows it, appending the event in the same transaction.
  // A unit leaves for `parts` or `recycled` only without anybody's data: with Disposal::erased
  // (the default) it must have been `wiped` since it was taken in or last delivered
  // (unerased_data); the other dispositions are written into the event's reason.
  Result<Unit> transition(const Unit& unit, UnitState to, std::string_view actor,
                          std::string_view reason, Disposal disposal = Disposal::erased);
  // Why the unit's disks may still hold a donor's or a household's data: no `wiped` event since
  // it was taken in (DataRisk::delivered_at empty), or since it was last delivered (its time).
  // nullopt when they were erased since.
  struct DataRisk {
    std::optional<Timestamp> delivered_at;
  };
  Result<std::optional<DataRisk>> unerased_data(const Unit& unit);

  // Files the record of one disk's erasure in `unit` (registry_erasure.cpp). The disk is found by
  // model + serial, or created (a disk without a serial always gets a new row); it is then recorded
  // as being in `unit`. In `record`, id, disk_id and unit_id are ignored and filled here.
  // Rules: record_id is required; level/verification/result must be the documented words; an
  // `erased` record must carry its signature and a `failed` one must not (a failed erasure is kept
  // as evidence, never as a certificate). Storing the same record again (same record_id, same
  // record_json and signature) adds nothing and reports created = false; the same record_id with
  // other content is refused as a conflict: records are never replaced.
  Result<ErasureFiled> record_erasure(const Unit& unit, const Disk& disk, ErasureRecord record);
  // Erasure records filed against this unit, oldest first.
  Result<std::vector<ErasureRecord>> erasure_records_for_unit(const Unit& unit);
  // The record with this record_id, if stored.
  Result<std::optional<ErasureRecord>> erasure_record(std::string_view record_id);

  // Marks a machine the PXE service must ignore (the workshop's own PCs), or clears the mark.
  Result<void> set_do_not_boot(const Unit& unit, bool value);

  // ---- Coordinator workflow (registry_households.cpp, registry_handover.cpp). Every operation
  // below writes an audit entry with the actor in the same transaction; reads of household data
  // are audited too. Logs and events name households household_subject(id), never by their data.

  // Appends one audit entry (for callers outside the Registry, e.g. the HTTP API's reads).
  Result<void> audit(const Actor& actor, std::string_view action, std::string_view subject,
                     std::string_view detail = {});
  Result<std::vector<AuditEntry>> audit_log(const std::string& subject, std::size_t limit);

  Result<Household> add_household(const HouseholdChanges& fields, const Actor& actor);
  Result<Household> household(std::string_view reference, const Actor& actor);
  Result<std::vector<Household>> households(const Actor& actor);
  // Changes the fields given. No field at all is refused (invalid_argument, nothing read); fields
  // that all hold their current values change nothing, and since the household is returned, that
  // is audited as a read (household.read).
  Result<Household> edit_household(std::string_view reference, const HouseholdChanges& changes,
                                   const Actor& actor);
  Result<HouseholdRecord> export_household(std::string_view reference, const Actor& actor);
  // Deletes the household's personal data; its assignments stay as anonymous facts (unit, dates,
  // price, district). Returns the deleted household's id. Then scrubs the storage's files.
  Result<RowId> delete_household(std::string_view reference, std::string_view reason,
                                 const Actor& actor);
  // Deletes every household whose last activity (recorded, edited, assigned, delivered,
  // returned) is more than retention_days before now. Returns the deleted ids.
  Result<std::vector<RowId>> purge_expired(int retention_days, const Actor& actor);

  Result<std::vector<Suggestion>> suggest(std::string_view reference, const Actor& actor);
  // ready → assigned, for a household.
  Result<Assignment> assign(std::string_view tag, std::string_view reference, const Actor& actor);
  // assigned → ready: an assignment cancelled before handover.
  Result<Unit> unassign(std::string_view tag, std::string_view reason, const Actor& actor);
  // assigned → delivered, with the price and the warranty end.
  Result<Assignment> deliver(std::string_view tag, const DeliveryTerms& terms, const Actor& actor);
  // delivered (or assigned) → returned → detected (back into the pipeline: wiped and imaged again)
  // or parts. Parts only with Disposal::disks_removed: a machine back from a household still holds
  // the household's data until it is wiped (transition).
  Result<Unit> return_unit(std::string_view tag, std::string_view reason, ReturnTo to,
                           const Actor& actor, Disposal disposal = Disposal::erased);

  // Donations: at most one is open; units created while it is open are linked to it.
  Result<Donation> open_donation(Donation donation, const Actor& actor);
  Result<Donation> close_donation(RowId id, const Actor& actor);
  // Adds the donor's serials to the donation's list and links every unit whose system or board
  // serial is listed (a serial link replaces a boot-time link to another donation).
  Result<DonationImport> import_donation_assets(RowId id, const std::vector<std::string>& serials,
                                                const Actor& actor);
  // Re-links the donation's listed serials (units inventoried since the import) without auditing.
  Result<DonationImport> match_donation_assets(RowId id);

private:
  Result<Household> find_household(std::string_view reference);
  Result<void> audit_entry(const Actor& actor, std::string_view action, std::string_view subject,
                           std::string_view detail, Timestamp at);
  Result<Unit> create_unit(NewUnit unit, std::string_view actor, std::string_view reason);

  std::unique_ptr<Store> m_store;
  const base::Clock& m_clock;
};

} // namespace atelier::hwdb
