// Pipeline: the limits of [pipeline] (docs/CONFIG.md, docs/PIPELINE.md "Limits"): slots for the
// heavy steps (max_active_units), and the sweep that gives up steps whose agent went silent or
// whose bytes stopped moving (stall_minutes), or that ran too long (step_timeout_minutes).
#include "daemon/pipeline.h"
#include "records/agent_protocol.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

using hwdb::UnitState;
using nlohmann::json;
using records::Step;
namespace field = records::agent_field;
namespace progress_field = records::progress_field;

// The steps that hold a slot: they load the server (image downloads) and the workshop's power and
// network most, and are the ones a workshop wants to run a bounded number of at once.
bool is_heavy(Step step) {
  return step == Step::wipe || step == Step::deploy;
}
// A job's step as stored (its protocol name).
bool is_heavy(std::string_view step_name) {
  const auto step = records::step_from_string(step_name);
  return step && is_heavy(*step);
}

std::string text_at(const json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
double number_at(const json& j, std::string_view key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

// A report whose done_bytes say whether work moves: a count of bytes with a known total. A
// firmware purge's is the drive's own estimate, which may stand still for hours (SECURITY ERASE
// UNIT reports nothing until it is done): it only says the agent is alive, like a heartbeat.
bool counts_bytes(const json& progress) {
  const auto done = progress.find(progress_field::k_done_bytes);
  return done != progress.end() && done->is_number() &&
         number_at(progress, progress_field::k_total_bytes) > 0 &&
         text_at(progress, progress_field::k_operation) != "purge";
}

std::string ordinal(std::size_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    suffix = n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
  }
  return fmt::format("{}{}", n, suffix);
}

} // namespace

std::optional<ApiAnswer> Pipeline::wait_for_slot(const hwdb::Unit& unit, Step step) {
  if (!is_heavy(step)) {
    return std::nullopt;
  }
  auto latest = m_registry.store().latest_jobs();
  if (!latest) {
    return ApiAnswer{500, json{{field::k_error, latest.error().message}}};
  }
  // An issued job is always its unit's newest (a new session abandons the old one's), so the
  // newest jobs are all the running ones.
  const auto active =
      static_cast<int>(std::count_if(latest->begin(), latest->end(), [&](const auto& j) {
        return j.status == "issued" && is_heavy(j.step) && j.unit_id != unit.id;
      }));
  const auto now = m_clock.wall_seconds();
  // An agent that stopped asking (switched off while waiting) leaves the line after three missed
  // retries, so it never holds up the others.
  std::erase_if(m_line, [&](const Waiting& w) {
    return w.unit_id != unit.id && now - w.last_asked > 3 * m_config.slot_retry;
  });
  auto me = std::find_if(m_line.begin(), m_line.end(),
                         [&](const Waiting& w) { return w.unit_id == unit.id; });
  const int free = std::max(0, m_config.max_active_units - active);
  if (me == m_line.end()) {
    if (m_line.empty() && free > 0) {
      return std::nullopt;
    }
    m_line.push_back({unit.id, now});
    me = std::prev(m_line.end());
  }
  me->last_asked = now;
  const auto position = static_cast<std::size_t>(me - m_line.begin());
  if (position < static_cast<std::size_t>(free)) {
    m_line.erase(me); // its turn: first come, first served
    return std::nullopt;
  }
  const auto place = position + 1 - static_cast<std::size_t>(free);
  return ApiAnswer{200,
                   json{{field::k_wait, true},
                        {field::k_retry_after, m_config.slot_retry.count()},
                        {field::k_position, place},
                        {field::k_unit, unit.tag.str()},
                        {field::k_language, language_code()},
                        {field::k_message,
                         fmt::format("waiting for a free slot to {}: {} in line ({} machine{} "
                                     "wiping or installing, [pipeline] max_active_units = {})",
                                     records::to_string(step), ordinal(place), active,
                                     active == 1 ? " is" : "s are", m_config.max_active_units)}}};
}

hwdb::Result<bool> Pipeline::give_up(const hwdb::PipelineJob& job, const std::string& reason) {
  hwdb::Store& store = m_registry.store();
  bool ended = false;
  auto done = store.transaction([&]() -> hwdb::Result<void> {
    auto finished =
        store.finish_job(job.id, "failed", json{{"daemon", reason}}.dump(), m_clock.wall_seconds());
    if (!finished) {
      return std::unexpected(finished.error());
    }
    ended = *finished;
    if (!ended) {
      return {}; // the agent's result came first
    }
    auto unit = store.unit_by_id(job.unit_id);
    if (!unit || !*unit) {
      return hwdb::fail(hwdb::ErrorCode::not_found, "the unit vanished");
    }
    // Only a unit the pipeline still drives moves (a volunteer may have set it aside meanwhile).
    const UnitState state = (*unit)->state;
    const bool driven = state == UnitState::inventoried || state == UnitState::tested ||
                        state == UnitState::wiped || state == UnitState::imaged;
    if (!driven) {
      return {};
    }
    auto moved = m_registry.transition(**unit, UnitState::failed, "atelierd", reason);
    if (!moved) {
      return std::unexpected(moved.error());
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return ended;
}

std::optional<hwdb::AgentSession> Pipeline::live_session(hwdb::RowId unit_id) {
  hwdb::Store& store = m_registry.store();
  auto jobs = store.jobs(unit_id);
  if (!jobs || jobs->empty()) {
    return std::nullopt;
  }
  const hwdb::PipelineJob& job = jobs->back();
  if (job.status != "issued" || job.step == records::to_string(Step::finish)) {
    return std::nullopt;
  }
  const auto last_word =
      job.progress_at ? std::max(job.issued_at, *job.progress_at) : job.issued_at;
  if (m_clock.wall_seconds() - last_word >= m_config.stall) {
    return std::nullopt;
  }
  auto session = store.session_by_id(job.session_id);
  if (!session || !*session || (*session)->superseded_at) {
    return std::nullopt;
  }
  return **session;
}

void Pipeline::note_motion(const hwdb::PipelineJob& job, const json& progress,
                           hwdb::Timestamp now) {
  if (!is_heavy(job.step)) {
    return;
  }
  Motion& motion = m_motion[job.id];
  if (!counts_bytes(progress)) {
    motion.moved_at = now; // nothing to judge by: word from the agent is all it says
    return;
  }
  const std::string key = text_at(progress, progress_field::k_device) + "\n" +
                          text_at(progress, progress_field::k_operation);
  const std::string detail = text_at(progress, progress_field::k_detail);
  const double done = number_at(progress, progress_field::k_done_bytes);
  auto mark = motion.marks.find(key);
  if (mark == motion.marks.end() || mark->second.detail != detail) {
    motion.marks[key] = {detail, done}; // a device, operation or pass not seen before
    motion.moved_at = now;
  } else if (done > mark->second.done_bytes) {
    mark->second.done_bytes = done;
    motion.moved_at = now;
  }
  motion.latest = progress;
}

std::optional<std::string> Pipeline::stuck(const hwdb::PipelineJob& job,
                                           hwdb::Timestamp now) const {
  const auto it = m_motion.find(job.id);
  if (it == m_motion.end() || !it->second.latest.is_object() ||
      now - it->second.moved_at < m_config.stall) {
    return std::nullopt;
  }
  const json& p = it->second.latest;
  const double done = number_at(p, progress_field::k_done_bytes);
  const double total = number_at(p, progress_field::k_total_bytes);
  std::string where = text_at(p, progress_field::k_operation);
  for (const auto key : {progress_field::k_device, progress_field::k_detail}) {
    if (const std::string part = text_at(p, key); !part.empty()) {
      where += (where.empty() ? "" : key == progress_field::k_detail ? ", " : " ") + part;
    }
  }
  return fmt::format(
      "{} made no progress for {} min (stuck at {:.0f} %, {:.1f} GB of {:.1f} GB{}): the disk or "
      "the machine hung; boot the machine again over the network to redo it, and if it stops at "
      "the same place again, set the disk aside",
      job.step, m_config.stall.count(), std::floor(100.0 * done / total), done / 1e9, total / 1e9,
      where.empty() ? "" : ": " + where);
}

SweepReport Pipeline::sweep() {
  SweepReport report;
  auto latest = m_registry.store().latest_jobs();
  if (!latest) {
    report.lines.push_back("sweep: " + latest.error().message);
    return report;
  }
  const auto now = m_clock.wall_seconds();
  std::set<hwdb::RowId> issued;
  for (const auto& job : *latest) {
    if (job.status != "issued" || job.step == records::to_string(Step::finish)) {
      continue; // a finish job asks nothing more of the agent than to show the verdict
    }
    issued.insert(job.id);
    const auto last_word =
        job.progress_at ? std::max(job.issued_at, *job.progress_at) : job.issued_at;
    std::string reason;
    if (now - job.issued_at >= m_config.step_timeout) {
      reason = fmt::format("step {} ran longer than {} min ([pipeline] step_timeout_minutes): boot "
                           "the machine again over the network to redo it",
                           job.step, m_config.step_timeout.count());
    } else if (now - last_word >= m_config.stall) {
      reason = fmt::format("no word from the agent for {} min during {} (powered off, hung or "
                           "unplugged?): boot the machine again over the network to resume",
                           m_config.stall.count(), job.step);
    } else if (auto why = stuck(job, now)) {
      // The agent still posts, but the bytes stand still: a heartbeat is not progress.
      reason = *why;
    } else {
      continue;
    }
    auto ended = give_up(job, reason);
    if (!ended) {
      report.lines.push_back(fmt::format("sweep: job {}: {}", job.id, ended.error().message));
    } else if (*ended) {
      m_last_progress_write.erase(job.id);
      m_motion.erase(job.id);
      // The log names the machine by its asset tag, as every pipeline log line does.
      const auto unit = m_registry.store().unit_by_id(job.unit_id);
      const std::string who =
          unit && *unit ? (*unit)->tag.str() : fmt::format("unit {}", job.unit_id);
      report.lines.push_back(
          fmt::format("{} {}: given up (job {}): {}", who, job.step, job.id, reason));
    }
  }
  // Steps that ended (a result, a new boot) leave nothing behind.
  std::erase_if(m_motion, [&](const auto& entry) { return !issued.contains(entry.first); });
  return report;
}

} // namespace atelier::daemon
