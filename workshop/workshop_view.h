// What `atelier watch` shows: every machine in the workshop with its stage, progress and verdict,
// built from the database alone (atelierd writes the jobs and their latest progress there), so
// any number of terminals can watch without talking to the daemon.
#pragma once

#include "hardware-db/types.h"

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace atelier::workshop {

// One machine. The text fields are English (atelierd's API and `watch --json` serve them as they
// are); the fields after them hold the same facts as data, for a reader that words them in its
// own language (`atelier watch` in French: cli/watch.cpp).
struct WorkshopRow {
  std::string tag;
  std::string state;    // the unit's lifecycle state
  std::string stage;    // the current or last step, e.g. "wipe (attempt 2)"
  std::string progress; // "47% 120 MB/s ETA 3m10s", or "" when none
  std::string verdict;  // READY / FAILED: reason / PARTS / "" while working
  std::string updated;  // time of the latest report

  std::string step;              // the job's step ("wipe"), "" when the unit has no job
  int attempt = 0;               // the job's attempt, 1 for the first
  std::string job_status;        // the job's status: "issued", "done", "failed", ...
  bool waiting_for_key = false;  // the wipe gate: a volunteer's key at the machine is awaited
  std::optional<double> percent; // of the step's bytes, while issued
  std::optional<double> bytes_per_second; // while issued
  std::optional<long> eta_seconds;        // while issued
  std::string reason; // the FAILED or PARTS reason, as the unit's last event holds it (English)
};

// Pure. Units in the workshop: everything not yet assigned, delivered or recycled.
std::vector<WorkshopRow>
workshop_rows(const std::vector<hwdb::Unit>& units,
              const std::vector<hwdb::PipelineJob>& latest_jobs,
              const std::vector<std::pair<hwdb::RowId, std::string>>& last_reasons);

nlohmann::json to_json(const WorkshopRow& row);

} // namespace atelier::workshop
