// Storage of the pipeline's own state (crash safety: atelierd's pipeline keeps all of it here):
// agent sessions, the jobs issued to them with their progress, and batch runs. Contract: store.h.
#pragma once

#include "hardware-db/store_base.h"

#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

class PipelineStore : public virtual Transactional {
public:
  // Agent sessions.
  virtual Result<RowId> add_session(const AgentSession& session) = 0;
  virtual Result<std::optional<AgentSession>> session_by_token(const std::string& token_sha256) = 0;
  virtual Result<std::optional<AgentSession>> session_by_id(RowId id) = 0;
  // Marks every other live session of the unit superseded; returns how many.
  virtual Result<int> supersede_sessions(RowId unit_id, RowId keep_session_id, Timestamp at) = 0;

  // Pipeline jobs.
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
};

} // namespace atelier::hwdb
