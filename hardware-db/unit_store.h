// Storage of the units themselves and of everything measured or done to their hardware: asset tag
// numbers, units and their identities, the lifecycle event log, network interfaces and boot
// sightings, inventory snapshots, bench results, grades, disks, erasure and imaging records. This
// is what the Registry's lifecycle rules (registry.h) and the pipeline's results write. Contract:
// store.h. In-memory fake for tests: tests/support/fake_unit_store.h.
#pragma once

#include "base/mac_address.h"
#include "hardware-db/store_base.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

struct NewUnit {
  UnitState state = UnitState::detected;
  Identity identity;
  IdentityKey key;
  std::optional<RowId> previous;
  Chassis chassis = Chassis::unknown;
  std::string notes;
  Timestamp at{};
};

struct UnitFilter {
  std::optional<UnitState> state;
  std::size_t limit = 0; // 0: no limit
};

class UnitStore : public virtual Transactional {
public:
  // Reserves the next number for asset tags with this prefix (1, 2, 3, ...). Within a transaction
  // that rolls back, the reservation rolls back too (no unit holds the number, so it is reused).
  virtual Result<std::uint64_t> reserve_tag_number(const std::string& prefix) = 0;

  // Units. insert_unit assigns id; tag must be unique.
  virtual Result<RowId> insert_unit(const AssetTag& tag, const NewUnit& unit) = 0;
  virtual Result<std::optional<Unit>> unit_by_id(RowId id) = 0;
  virtual Result<std::optional<Unit>> unit_by_tag(const AssetTag& tag) = 0;
  // The most recent unit with this identity key (re-intakes create several).
  virtual Result<std::optional<Unit>> latest_unit_by_key(const IdentityKey& key) = 0;
  // The most recent unit that has this MAC as a network interface or as its identity.
  virtual Result<std::optional<Unit>> latest_unit_by_mac(const base::MacAddress& mac) = 0;
  // Units whose system or board serial is `serial` (case-insensitive), newest first.
  virtual Result<std::vector<Unit>> units_by_serial(const std::string& serial) = 0;
  virtual Result<std::vector<Unit>> list_units(const UnitFilter& filter) = 0;
  // Sets state to `to` only if it is still `from` (compare-and-set); false if it changed meanwhile.
  virtual Result<bool> update_state(RowId id, UnitState from, UnitState to, Timestamp at) = 0;
  virtual Result<void> update_identity(RowId id, const Identity& identity, const IdentityKey& key,
                                       Timestamp at) = 0;
  virtual Result<void> set_do_not_boot(RowId id, bool value, Timestamp at) = 0;

  // The append-only event log.
  virtual Result<RowId> append_event(const Event& event) = 0;
  virtual Result<std::vector<Event>> events(RowId unit_id) = 0;
  // For reports: every lifecycle event up to `until` (inclusive), oldest first.
  virtual Result<std::vector<Event>> events_until(Timestamp until) = 0;

  // What the pipeline writes.
  virtual Result<void> upsert_interface(const NetworkInterface& nic) = 0;
  virtual Result<std::vector<NetworkInterface>> interfaces(RowId unit_id) = 0;
  virtual Result<RowId> add_sighting(const BootSighting& sighting) = 0;
  virtual Result<std::vector<BootSighting>> sightings(RowId unit_id) = 0;
  // The most recent sighting of every unit that has one (one query, for listings).
  virtual Result<std::vector<BootSighting>> latest_sightings() = 0;
  virtual Result<RowId> add_inventory(const InventorySnapshot& snapshot) = 0;
  virtual Result<std::optional<InventorySnapshot>> latest_inventory(RowId unit_id) = 0;
  virtual Result<RowId> add_bench_result(const BenchResult& result) = 0;
  virtual Result<std::vector<BenchResult>> bench_results(RowId unit_id) = 0;
  virtual Result<RowId> add_grade(const GradeRecord& grade) = 0;
  virtual Result<std::optional<GradeRecord>> latest_grade(RowId unit_id) = 0;
  // Disks are identified by (model, serial) when the serial is known: a disk moved between machines
  // keeps its erasure history.
  virtual Result<RowId> upsert_disk(const Disk& disk) = 0;
  virtual Result<std::vector<Disk>> disks(RowId unit_id) = 0;
  virtual Result<std::optional<Disk>> disk_by_id(RowId id) = 0;
  // The disk with this model and serial, in whichever unit it is (serial must not be empty).
  virtual Result<std::optional<Disk>> disk_by_serial(const std::string& model,
                                                     const std::string& serial) = 0;
  virtual Result<RowId> add_erasure_record(const ErasureRecord& record) = 0;
  virtual Result<std::vector<ErasureRecord>> erasure_records(RowId disk_id) = 0;
  // Records of erasures done while the disk was in this unit, oldest first.
  virtual Result<std::vector<ErasureRecord>> erasure_records_for_unit(RowId unit_id) = 0;
  virtual Result<std::optional<ErasureRecord>>
  erasure_record_by_id(const std::string& record_id) = 0;
  // For reports: erasure records finished in [from, to].
  virtual Result<std::vector<ErasureRecord>> erasure_records_between(Timestamp from,
                                                                     Timestamp to) = 0;
  virtual Result<RowId> add_imaging_record(const ImagingRecord& record) = 0;
  virtual Result<std::vector<ImagingRecord>> imaging_records(RowId unit_id) = 0;
};

} // namespace atelier::hwdb
