// Storage interface of the hardware database. The Registry (registry.h) is the only caller that
// applies business rules; a Store only persists and queries. Backends: SQLite (sqlite_store.h, the
// embedded default). A PostgreSQL backend for multi-site programs implements this same interface;
// nothing above it names a backend (open_store() picks one from a location string).
//
// Contract for every backend:
// - Methods are atomic on their own; transaction() groups several into one atomic unit and may nest
//   (inner levels are savepoints). If fn returns an error, everything it did is rolled back.
// - A Store is used from one thread at a time; open one Store per thread (SQLite in WAL mode lets
//   readers and one writer work concurrently across connections and processes).
// - Errors are values; storage failures come back as ErrorCode::storage with the backend's message.
#pragma once

#include "hardware-db/accounts.h"
#include "hardware-db/types.h"

#include <functional>
#include <memory>
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

class Store {
public:
  virtual ~Store() = default;

  virtual Result<void> transaction(const std::function<Result<void>()>& fn) = 0;
  // The schema version of the open database (after migration, the newest this build knows).
  virtual Result<int> schema_version() = 0;

  // Settings of the installation (e.g. "asset_tag_prefix").
  virtual Result<std::optional<std::string>> setting(const std::string& key) = 0;
  virtual Result<void> set_setting(const std::string& key, const std::string& value) = 0;

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
  virtual Result<std::optional<Unit>> latest_unit_by_mac(const MacAddress& mac) = 0;
  virtual Result<std::vector<Unit>> list_units(const UnitFilter& filter) = 0;
  // Sets state to `to` only if it is still `from` (compare-and-set); false if it changed meanwhile.
  virtual Result<bool> update_state(RowId id, UnitState from, UnitState to, Timestamp at) = 0;
  virtual Result<void> update_identity(RowId id, const Identity& identity, const IdentityKey& key,
                                       Timestamp at) = 0;
  virtual Result<void> set_do_not_boot(RowId id, bool value, Timestamp at) = 0;

  // The append-only event log.
  virtual Result<RowId> append_event(const Event& event) = 0;
  virtual Result<std::vector<Event>> events(RowId unit_id) = 0;

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
  virtual Result<RowId> add_erasure_record(const ErasureRecord& record) = 0;
  virtual Result<std::vector<ErasureRecord>> erasure_records(RowId disk_id) = 0;
  // Records of erasures done while the disk was in this unit, oldest first.
  virtual Result<std::vector<ErasureRecord>> erasure_records_for_unit(RowId unit_id) = 0;
  virtual Result<std::optional<ErasureRecord>>
  erasure_record_by_id(const std::string& record_id) = 0;
  virtual Result<std::optional<Disk>> disk_by_id(RowId id) = 0;
  virtual Result<RowId> add_imaging_record(const ImagingRecord& record) = 0;
  virtual Result<std::vector<ImagingRecord>> imaging_records(RowId unit_id) = 0;

  // Agent sessions and pipeline jobs (crash safety: the pipeline's whole state is here).
  virtual Result<RowId> add_session(const AgentSession& session) = 0;
  virtual Result<std::optional<AgentSession>> session_by_token(const std::string& token_sha256) = 0;
  virtual Result<std::optional<AgentSession>> session_by_id(RowId id) = 0;
  // Marks every other live session of the unit superseded; returns how many.
  virtual Result<int> supersede_sessions(RowId unit_id, RowId keep_session_id, Timestamp at) = 0;
  virtual Result<RowId> add_job(const PipelineJob& job) = 0;
  virtual Result<std::optional<PipelineJob>> job_by_id(RowId id) = 0;
  // Every job of the unit, oldest first.
  virtual Result<std::vector<PipelineJob>> jobs(RowId unit_id) = 0;
  // Compare-and-set: ends the job only if it is still `issued`; false otherwise.
  virtual Result<bool> finish_job(RowId id, const std::string& status,
                                  const std::string& result_json, Timestamp at) = 0;
  virtual Result<void> set_job_progress(RowId id, const std::string& progress_json,
                                        Timestamp at) = 0;
  // Ends the session's issued jobs as `abandoned`.
  virtual Result<void> abandon_jobs(RowId session_id, Timestamp at) = 0;
  // The newest job of every unit that has one (one query, for `atelier watch`).
  virtual Result<std::vector<PipelineJob>> latest_jobs() = 0;

  // Batch runs.
  virtual Result<RowId> add_batch(const Batch& batch) = 0;
  virtual Result<std::vector<Batch>> open_batches() = 0;
  virtual Result<std::optional<Batch>> batch_by_id(RowId id) = 0;
  virtual Result<void> close_batch(RowId id, Timestamp at) = 0;
  virtual Result<void> add_batch_unit(RowId batch_id, RowId unit_id, Timestamp at) = 0;
  virtual Result<std::vector<RowId>> batch_units(RowId batch_id) = 0;
  // The batch a unit joined, if any (a unit joins at most one open batch).
  virtual Result<std::optional<Batch>> batch_of_unit(RowId unit_id) = 0;

  // Households and assignments (personal data: kept apart from hardware records).
  virtual Result<RowId> add_household(const Household& household) = 0;
  virtual Result<std::optional<Household>> household_by_reference(const std::string& ref) = 0;
  virtual Result<std::optional<Household>> household_by_id(RowId id) = 0;
  virtual Result<std::vector<Household>> list_households() = 0;
  // Replaces every field but id and created_at.
  virtual Result<void> update_household(const Household& household) = 0;
  // Removes the row; its assignments keep their anonymous facts with household_id set to NULL.
  virtual Result<void> delete_household(RowId id) = 0;
  // Makes deleted data unrecoverable from the storage's files (SQLite: deleted content is zeroed
  // by secure_delete; this checkpoints and truncates the write-ahead log, which may still hold
  // the old pages). Outside any transaction.
  virtual Result<void> scrub() = 0;
  virtual Result<RowId> add_assignment(const Assignment& assignment) = 0;
  virtual Result<std::vector<Assignment>> assignments(RowId unit_id) = 0;
  virtual Result<std::vector<Assignment>> household_assignments(RowId household_id) = 0;
  virtual Result<std::vector<Assignment>> all_assignments() = 0;
  // Replaces delivered_at, price_cents, warranty_end, returned_at, return_reason, program.
  virtual Result<void> update_assignment(const Assignment& assignment) = 0;

  // The audit log (append-only). subject empty: every entry. limit 0: no limit. Oldest first.
  virtual Result<RowId> append_audit(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> audit_entries(const std::string& subject,
                                                        std::size_t limit) = 0;

  // Donation batches.
  virtual Result<RowId> add_donation(const Donation& donation) = 0;
  virtual Result<std::optional<Donation>> donation_by_id(RowId id) = 0;
  virtual Result<std::vector<Donation>> list_donations() = 0;
  virtual Result<void> close_donation(RowId id, Timestamp at) = 0;
  // Links a unit to a donation, replacing any earlier link of that unit.
  virtual Result<void> link_donation_unit(RowId donation_id, const DonationLink& link) = 0;
  virtual Result<std::vector<DonationLink>> donation_units(RowId donation_id) = 0;
  // The donation a unit is linked to, if any.
  virtual Result<std::optional<RowId>> donation_of_unit(RowId unit_id) = 0;
  // Adds serials to the donor's asset list (already listed ones are ignored); returns how many
  // were new.
  virtual Result<int> add_donation_assets(RowId donation_id,
                                          const std::vector<std::string>& serials) = 0;
  virtual Result<std::vector<std::string>> donation_assets(RowId donation_id) = 0;
  // Units whose system or board serial is `serial` (case-insensitive), newest first.
  virtual Result<std::vector<Unit>> units_by_serial(const std::string& serial) = 0;

  // For reports: every lifecycle event up to `until` (inclusive), oldest first; erasure records
  // finished in [from, to].
  virtual Result<std::vector<Event>> events_until(Timestamp until) = 0;
  virtual Result<std::vector<ErasureRecord>> erasure_records_between(Timestamp from,
                                                                     Timestamp to) = 0;

  // Accounts of the coordinator API and their bearer tokens (accounts.h).
  // add_account: a name already taken (in any case) is ErrorCode::conflict.
  virtual Result<RowId> add_account(const Account& account) = 0;
  // Lookups by name ignore case ("Alice" is "alice").
  virtual Result<std::optional<Account>> account_by_name(const std::string& name) = 0;
  virtual Result<std::optional<Account>> account_by_id(RowId id) = 0;
  virtual Result<std::vector<Account>> list_accounts() = 0;
  // Writes role, password_hash and disabled of the account with this id; updated_at = at.
  virtual Result<void> update_account(const Account& account, Timestamp at) = 0;
  virtual Result<RowId> add_api_token(const ApiToken& token) = 0;
  virtual Result<std::optional<ApiToken>> api_token_by_hash(const std::string& token_sha256) = 0;
  // Revokes one token (no-op when already revoked); returns whether it was live.
  virtual Result<bool> revoke_api_token(RowId id, Timestamp at) = 0;
  // Revokes every live token of the account; returns how many.
  virtual Result<int> revoke_account_tokens(RowId account_id, Timestamp at) = 0;
};

// Opens (creating and migrating as needed) the database at `location`:
//   "path/to/file.db" or "sqlite:path/to/file.db"  → SQLite
//   "postgresql://..."                              → not yet available (ErrorCode::unsupported)
Result<std::unique_ptr<Store>> open_store(const std::string& location);

} // namespace atelier::hwdb
