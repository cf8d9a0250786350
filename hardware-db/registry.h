// The hardware database as callers use it: intake, lookups by asset tag, lifecycle transitions,
// boot sightings. Every business rule of the database lives here or in the pure modules it calls
// (identity.h, lifecycle.h, asset_tag.h), never in a Store backend, so a PostgreSQL Store inherits
// them unchanged.
//
// Thread model: a Registry and its Store are used from one thread at a time. Each operation is one
// Store transaction: it either happens completely, with its event, or not at all.
#pragma once

#include "hardware-db/store.h"

#include <memory>
#include <string>
#include <string_view>

namespace atelier::hwdb {

class Clock {
public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
public:
  Timestamp now() const override;
};

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
  MacAddress mac;
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

class Registry {
public:
  // Takes ownership of the store; `clock` must outlive the Registry.
  Registry(std::unique_ptr<Store> store, const Clock& clock);

  Store& store() { return *m_store; }

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
  Result<Unit> transition(const Unit& unit, UnitState to, std::string_view actor,
                          std::string_view reason);

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

private:
  Result<Unit> create_unit(NewUnit unit, std::string_view actor, std::string_view reason);

  std::unique_ptr<Store> m_store;
  const Clock& m_clock;
};

} // namespace atelier::hwdb
