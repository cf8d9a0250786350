// The SQLite backend of Store (store.h): one database file, WAL mode, foreign keys on, migrated to
// the newest schema when opened. One SqliteStore per thread.
#pragma once

#include "hardware-db/sqlite.h"
#include "hardware-db/store.h"

#include <memory>
#include <string>

namespace atelier::hwdb {

class SqliteStore final : public Store {
public:
  // Opens or creates `path` and migrates it to the latest schema version.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);

  // Transactional, SettingsStore (sqlite_store.cpp).
  Result<void> transaction(const std::function<Result<void>()>& fn) override;
  Result<int> schema_version() override;
  Result<std::optional<std::string>> setting(const std::string& key) override;
  Result<void> set_setting(const std::string& key, const std::string& value) override;

  // UnitStore (sqlite_store.cpp).
  Result<std::uint64_t> reserve_tag_number(const std::string& prefix) override;
  Result<RowId> insert_unit(const AssetTag& tag, const NewUnit& unit) override;
  Result<std::optional<Unit>> unit_by_id(RowId id) override;
  Result<std::optional<Unit>> unit_by_tag(const AssetTag& tag) override;
  Result<std::optional<Unit>> latest_unit_by_key(const IdentityKey& key) override;
  Result<std::optional<Unit>> latest_unit_by_mac(const base::MacAddress& mac) override;
  Result<std::vector<Unit>> units_by_serial(const std::string& serial) override;
  Result<std::vector<Unit>> list_units(const UnitFilter& filter) override;
  Result<bool> update_state(RowId id, UnitState from, UnitState to, Timestamp at) override;
  Result<void> update_identity(RowId id, const Identity& identity, const IdentityKey& key,
                               Timestamp at) override;
  Result<void> set_do_not_boot(RowId id, bool value, Timestamp at) override;
  Result<RowId> append_event(const Event& event) override;
  Result<std::vector<Event>> events(RowId unit_id) override;
  Result<std::vector<Event>> events_until(Timestamp until) override;
  Result<void> upsert_interface(const NetworkInterface& nic) override;
  Result<std::vector<NetworkInterface>> interfaces(RowId unit_id) override;
  Result<RowId> add_sighting(const BootSighting& sighting) override;
  Result<std::vector<BootSighting>> sightings(RowId unit_id) override;
  Result<std::vector<BootSighting>> latest_sightings() override;
  Result<RowId> add_inventory(const InventorySnapshot& snapshot) override;
  Result<std::optional<InventorySnapshot>> latest_inventory(RowId unit_id) override;
  Result<RowId> add_bench_result(const BenchResult& result) override;
  Result<std::vector<BenchResult>> bench_results(RowId unit_id) override;
  Result<RowId> add_grade(const GradeRecord& grade) override;
  Result<std::optional<GradeRecord>> latest_grade(RowId unit_id) override;
  Result<RowId> upsert_disk(const Disk& disk) override;
  Result<std::vector<Disk>> disks(RowId unit_id) override;
  Result<std::optional<Disk>> disk_by_id(RowId id) override;
  Result<std::optional<Disk>> disk_by_serial(const std::string& model,
                                             const std::string& serial) override;
  Result<RowId> add_erasure_record(const ErasureRecord& record) override;
  Result<std::vector<ErasureRecord>> erasure_records(RowId disk_id) override;
  Result<std::vector<ErasureRecord>> erasure_records_for_unit(RowId unit_id) override;
  Result<std::optional<ErasureRecord>> erasure_record_by_id(const std::string& record_id) override;
  Result<std::vector<ErasureRecord>> erasure_records_between(Timestamp from, Timestamp to) override;
  Result<RowId> add_imaging_record(const ImagingRecord& record) override;
  Result<std::vector<ImagingRecord>> imaging_records(RowId unit_id) override;

  // PipelineStore: sessions and jobs (sqlite_store_pipeline.cpp), batches (sqlite_store_batch.cpp).
  Result<RowId> add_session(const AgentSession& session) override;
  Result<std::optional<AgentSession>> session_by_token(const std::string& token_sha256) override;
  Result<std::optional<AgentSession>> session_by_id(RowId id) override;
  Result<int> supersede_sessions(RowId unit_id, RowId keep_session_id, Timestamp at) override;
  Result<RowId> add_job(const PipelineJob& job) override;
  Result<std::optional<PipelineJob>> job_by_id(RowId id) override;
  Result<std::vector<PipelineJob>> jobs(RowId unit_id) override;
  Result<bool> finish_job(RowId id, const std::string& status, const std::string& result_json,
                          Timestamp at) override;
  Result<void> set_job_progress(RowId id, const std::string& progress_json, Timestamp at) override;
  Result<void> abandon_jobs(RowId session_id, Timestamp at) override;
  Result<std::vector<PipelineJob>> latest_jobs() override;
  Result<RowId> add_batch(const Batch& batch) override;
  Result<std::vector<Batch>> open_batches() override;
  Result<std::optional<Batch>> batch_by_id(RowId id) override;
  Result<void> close_batch(RowId id, Timestamp at) override;
  Result<void> add_batch_unit(RowId batch_id, RowId unit_id, Timestamp at) override;
  Result<std::vector<RowId>> batch_units(RowId batch_id) override;
  Result<std::optional<Batch>> batch_of_unit(RowId unit_id) override;

  // AuditStore, CoordinatorStore (sqlite_store_coordinator.cpp).
  Result<RowId> append_audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_entries(const std::string& subject,
                                                std::size_t limit) override;
  Result<RowId> add_household(const Household& household) override;
  Result<std::optional<Household>> household_by_reference(const std::string& ref) override;
  Result<std::optional<Household>> household_by_id(RowId id) override;
  Result<std::vector<Household>> list_households() override;
  Result<void> update_household(const Household& household) override;
  Result<void> delete_household(RowId id) override;
  Result<void> scrub() override;
  Result<RowId> add_assignment(const Assignment& assignment) override;
  Result<std::vector<Assignment>> assignments(RowId unit_id) override;
  Result<std::vector<Assignment>> household_assignments(RowId household_id) override;
  Result<std::vector<Assignment>> all_assignments() override;
  Result<void> update_assignment(const Assignment& assignment) override;
  Result<RowId> add_donation(const Donation& donation) override;
  Result<std::optional<Donation>> donation_by_id(RowId id) override;
  Result<std::vector<Donation>> list_donations() override;
  Result<void> close_donation(RowId id, Timestamp at) override;
  Result<void> link_donation_unit(RowId donation_id, const DonationLink& link) override;
  Result<std::vector<DonationLink>> donation_units(RowId donation_id) override;
  Result<std::optional<RowId>> donation_of_unit(RowId unit_id) override;
  Result<int> add_donation_assets(RowId donation_id,
                                  const std::vector<std::string>& serials) override;
  Result<std::vector<std::string>> donation_assets(RowId donation_id) override;

  // AccountStore (sqlite_store_accounts.cpp).
  Result<RowId> add_account(const Account& account) override;
  Result<std::optional<Account>> account_by_name(const std::string& name) override;
  Result<std::optional<Account>> account_by_id(RowId id) override;
  Result<std::vector<Account>> list_accounts() override;
  Result<void> update_account(const Account& account, Timestamp at) override;
  Result<RowId> add_api_token(const ApiToken& token) override;
  Result<std::optional<ApiToken>> api_token_by_hash(const std::string& token_sha256) override;
  Result<bool> revoke_api_token(RowId id, Timestamp at) override;
  Result<int> revoke_account_tokens(RowId account_id, Timestamp at) override;

  sqlite::Connection& connection() { return m_db; }

private:
  explicit SqliteStore(sqlite::Connection db) : m_db(std::move(db)) {}
  Result<std::optional<Unit>> one_unit(std::string_view where,
                                       const std::function<void(sqlite::Statement&)>& bind);
  Result<RowId> insert(std::string_view sql, const std::function<void(sqlite::Statement&)>& bind);

  sqlite::Connection m_db;
  int m_depth = 0; // transaction nesting; levels > 0 use savepoints
};

} // namespace atelier::hwdb
