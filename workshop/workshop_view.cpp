#include "workshop/workshop_view.h"

#include <cmath>
#include <map>

#include <fmt/format.h>

namespace atelier::workshop {
namespace {

std::string progress_text(const std::string& progress_json) {
  const auto p = nlohmann::json::parse(progress_json, nullptr, false);
  if (!p.is_object()) {
    return "";
  }
  std::string out;
  const double total = p.value("total_bytes", 0.0);
  if (total > 0) {
    out += fmt::format("{:.0f}%", 100.0 * p.value("done_bytes", 0.0) / total);
  }
  if (const double rate = p.value("bytes_per_second", 0.0); rate > 0) {
    out += fmt::format("{}{:.0f} MB/s", out.empty() ? "" : " ", rate / 1e6);
  }
  if (p.contains("eta_seconds") && p["eta_seconds"].is_number()) {
    const auto s = static_cast<long>(std::lround(p["eta_seconds"].get<double>()));
    out += fmt::format("{}ETA {}m{:02}s", out.empty() ? "" : " ", s / 60, s % 60);
  }
  return out;
}

} // namespace

std::vector<WorkshopRow>
workshop_rows(const std::vector<hwdb::Unit>& units,
              const std::vector<hwdb::PipelineJob>& latest_jobs,
              const std::vector<std::pair<hwdb::RowId, std::string>>& last_reasons) {
  std::map<hwdb::RowId, const hwdb::PipelineJob*> jobs;
  for (const auto& j : latest_jobs) {
    jobs[j.unit_id] = &j;
  }
  std::map<hwdb::RowId, std::string> reasons(last_reasons.begin(), last_reasons.end());
  std::vector<WorkshopRow> rows;
  for (const auto& u : units) {
    using hwdb::UnitState;
    if (u.state == UnitState::assigned || u.state == UnitState::delivered ||
        u.state == UnitState::recycled) {
      continue;
    }
    WorkshopRow row;
    row.tag = u.tag.str();
    row.state = std::string(hwdb::to_string(u.state));
    row.updated = base::format_rfc3339(u.updated_at);
    if (auto it = jobs.find(u.id); it != jobs.end()) {
      const hwdb::PipelineJob& j = *it->second;
      row.stage = j.attempt > 1 ? fmt::format("{} (attempt {})", j.step, j.attempt) : j.step;
      if (j.status == "issued" && j.step == "confirm") {
        // The wipe gate: nothing happens until a volunteer presses a key at that machine.
        row.progress = "WAITING FOR A KEY AT THE MACHINE (erase its disks?)";
      } else if (j.status == "issued") {
        row.progress = progress_text(j.progress_json);
        if (j.progress_at) {
          row.updated = base::format_rfc3339(*j.progress_at);
        }
      } else if (j.status != "done") {
        row.stage += " " + j.status;
      }
    }
    const std::string reason = reasons.count(u.id) != 0 ? reasons[u.id] : "";
    if (u.state == UnitState::ready) {
      row.verdict = "READY";
    } else if (u.state == UnitState::failed) {
      row.verdict = "FAILED: " + reason;
    } else if (u.state == UnitState::parts) {
      row.verdict = "PARTS: " + reason;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::json to_json(const WorkshopRow& r) {
  return {{"tag", r.tag},           {"state", r.state},     {"stage", r.stage},
          {"progress", r.progress}, {"verdict", r.verdict}, {"updated", r.updated}};
}

} // namespace atelier::workshop
