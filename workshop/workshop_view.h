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

struct WorkshopRow {
  std::string tag;
  std::string state;    // the unit's lifecycle state
  std::string stage;    // the current or last step, e.g. "wipe (attempt 2)"
  std::string progress; // "47% 120 MB/s ETA 3m10s", or "" when none
  std::string verdict;  // READY / FAILED: reason / PARTS / "" while working
  std::string updated;  // time of the latest report
};

// Pure. Units in the workshop: everything not yet assigned, delivered or recycled.
std::vector<WorkshopRow>
workshop_rows(const std::vector<hwdb::Unit>& units,
              const std::vector<hwdb::PipelineJob>& latest_jobs,
              const std::vector<std::pair<hwdb::RowId, std::string>>& last_reasons);

nlohmann::json to_json(const WorkshopRow& row);

} // namespace atelier::workshop
