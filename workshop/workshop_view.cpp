#include "workshop/workshop_view.h"

#include <cmath>
#include <map>

#include <fmt/format.h>

namespace atelier::workshop {
namespace {

struct Progress {
  std::optional<double> percent;
  std::optional<double> bytes_per_second;
  std::optional<long> eta_seconds;
};

Progress progress_of(const std::string& progress_json) {
  const auto p = nlohmann::json::parse(progress_json, nullptr, false);
  Progress out;
  if (!p.is_object()) {
    return out;
  }
  auto number = [&](const char* key) -> double {
    const auto it = p.find(key);
    return it != p.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  if (const double total = number("total_bytes"); total > 0) {
    out.percent = 100.0 * number("done_bytes") / total;
  }
  if (const double rate = number("bytes_per_second"); rate > 0) {
    out.bytes_per_second = rate;
  }
  // The agent's estimate, as posted: one beyond a year (or negative) says nothing and is not shown.
  if (const double eta = number("eta_seconds"); p.contains("eta_seconds") &&
                                                p["eta_seconds"].is_number() && eta >= 0 &&
                                                eta <= 366.0 * 24 * 3600) {
    out.eta_seconds = static_cast<long>(std::lround(eta));
  }
  return out;
}

std::string progress_text(const Progress& p) {
  std::string out;
  if (p.percent) {
    out += fmt::format("{:.0f}%", *p.percent);
  }
  if (p.bytes_per_second) {
    out += fmt::format("{}{:.0f} MB/s", out.empty() ? "" : " ", *p.bytes_per_second / 1e6);
  }
  if (p.eta_seconds) {
    out += fmt::format("{}ETA {}m{:02}s", out.empty() ? "" : " ", *p.eta_seconds / 60,
                       *p.eta_seconds % 60);
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
      row.step = j.step;
      row.attempt = static_cast<int>(j.attempt);
      row.job_status = j.status;
      row.stage = j.attempt > 1 ? fmt::format("{} (attempt {})", j.step, j.attempt) : j.step;
      if (j.status == "issued" && j.step == "confirm") {
        // The wipe gate: nothing happens until a volunteer presses a key at that machine.
        row.waiting_for_key = true;
        row.progress = "WAITING FOR A KEY AT THE MACHINE (erase its disks?)";
      } else if (j.status == "issued") {
        const Progress p = progress_of(j.progress_json);
        row.percent = p.percent;
        row.bytes_per_second = p.bytes_per_second;
        row.eta_seconds = p.eta_seconds;
        row.progress = progress_text(p);
        if (j.progress_at) {
          row.updated = base::format_rfc3339(*j.progress_at);
        }
      } else if (j.status != "done") {
        row.stage += " " + j.status;
      }
    }
    const std::string reason = reasons.count(u.id) != 0 ? reasons[u.id] : "";
    if (u.state == UnitState::failed || u.state == UnitState::parts) {
      row.reason = reason;
    }
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
