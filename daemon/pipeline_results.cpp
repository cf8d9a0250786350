// Pipeline: what each step's result does to the unit (called inside the transaction that ends the
// job, so a result and its consequences are recorded together or not at all).
#include "base/text.h"
#include "base/time_text.h"
#include "daemon/erasure_check.h"
#include "daemon/pipeline.h"
#include "profiles/grade.h"
#include "profiles/machine_facts.h"
#include "profiles/match.h"
#include "records/agent_protocol.h"
#include "records/bench_grade.h"
#include "records/daemon_reasons.h"
#include "records/erasure_record.h"
#include "records/imaging_record.h"
#include "workshop/erasure_certificate.h"

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

using hwdb::UnitState;
using nlohmann::json;
using records::Step;
namespace field = records::agent_field;
namespace param = records::param_field;
namespace result_field = records::result_field;

std::string string_at(const json& j, std::string_view key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

using base::join;

} // namespace

std::expected<void, std::string> Pipeline::apply_result(const Caller& caller,
                                                        const hwdb::PipelineJob& job, bool ok,
                                                        const json& request, json& stored) {
  const json result = request.contains(field::k_result) ? request[field::k_result] : json::object();
  const std::string reason = string_at(request, field::k_reason);
  const std::optional<Step> step = records::step_from_string(job.step);
  std::expected<void, std::string> applied;
  if (step == Step::bench && ok) {
    applied = apply_bench(caller, result, stored);
  } else if (step == Step::wipe) {
    // Records of a failed wipe are kept too: they are the evidence of what went wrong.
    applied = apply_wipe(caller, job, ok, result, stored);
  } else if (step == Step::deploy) {
    applied = apply_deploy(caller, job, request);
  }
  if (!applied) {
    return applied;
  }
  auto unit = m_registry.store().unit_by_id(caller.unit.id);
  if (!unit || !*unit) {
    return std::unexpected("the unit vanished");
  }
  if (!ok) {
    if (step == Step::finish || (*unit)->state == UnitState::failed) {
      return {};
    }
    auto moved = move(**unit, UnitState::failed, step_failure_reason(job.step, reason));
    return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
  }
  if (step == Step::verify && (*unit)->state == UnitState::imaged) {
    const std::string summary = string_at(result, result_field::k_summary);
    auto moved = move(
        **unit, UnitState::ready,
        records::fill_phrase(
            records::k_event_verified,
            {{"summary", summary.empty() ? std::string(records::k_event_checks_out) : summary}}));
    return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
  }
  return {};
}

std::expected<void, std::string> Pipeline::apply_bench(const Caller& caller, const json& result,
                                                       json& stored) {
  hwdb::Store& store = m_registry.store();
  auto inventory = store.latest_inventory(caller.unit.id);
  if (!inventory || !*inventory) {
    return std::unexpected("no inventory recorded for this unit");
  }
  auto facts = profiles::facts_from_inventory_json((*inventory)->raw_json);
  if (!facts) {
    return std::unexpected("the unit's inventory cannot be graded: " + facts.error());
  }
  auto disks = records::disk_verdicts_from_inventory_json((*inventory)->raw_json);
  std::optional<records::BenchSummary> bench;
  if (result.contains(result_field::k_bench) && result[result_field::k_bench].is_object()) {
    // Typed reading: a wrong type is an error naming "result.bench...", never an exception
    // (Pipeline::result refused such a report with a 400 before this transaction began).
    auto summary = records::bench_summary_from_json(result[result_field::k_bench], "result.bench");
    if (!summary) {
      return std::unexpected("the bench report is malformed: " + summary.error());
    }
    bench = *summary;
    for (const auto& score : summary->scores) {
      hwdb::BenchResult row;
      row.unit_id = caller.unit.id;
      row.run_at = m_clock.wall_seconds();
      row.name = score.name;
      row.score = score.score;
      row.value = score.value;
      row.value_unit = score.unit;
      if (auto added = store.add_bench_result(row); !added) {
        return std::unexpected(added.error().message);
      }
    }
  }
  const records::MachineGrade graded = records::grade_machine(
      m_config.program, *facts, disks ? *disks : std::vector<records::DiskVerdict>{}, bench);
  hwdb::GradeRecord grade;
  grade.unit_id = caller.unit.id;
  grade.graded_at = m_clock.wall_seconds();
  grade.grade = std::string(profiles::to_string(graded.grade));
  grade.score = graded.rules.score;
  grade.explanation = records::to_text(graded);
  if (auto added = store.add_grade(grade); !added) {
    return std::unexpected(added.error().message);
  }
  stored["grade"] = grade.grade;
  if (graded.grade == profiles::Grade::parts) {
    std::vector<std::string> why = graded.overrides;
    if (why.empty() && !graded.rules.breakdown.empty()) {
      why.push_back(graded.rules.breakdown.back());
    }
    const std::string listed = join(why, "; ");
    const std::string reason =
        records::daemon_reason(records::k_reason_graded_parts, {{"why", listed}});
    // It leaves for parts only without the donor's data: wiped first (the wipe step then moves it
    // to parts), unless its inventory lists no disk to erase.
    if (disks_to_erase(facts->disks, m_config.parts_wipe).empty()) {
      auto moved = move(caller.unit, UnitState::parts, reason, hwdb::Disposal::no_disks);
      return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
    }
    auto moved =
        move(caller.unit, UnitState::tested,
             records::daemon_reason(records::k_reason_graded_parts_wipe_first, {{"why", listed}}));
    return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
  }
  // A batch run may force the profile of its machines; it must still fit the machine.
  if (auto batch = store.batch_of_unit(caller.unit.id);
      batch && *batch && !(*batch)->profile.empty()) {
    const std::string& forced = (*batch)->profile;
    const profiles::Profile* profile = nullptr;
    for (const auto& p : m_config.profiles) {
      profile = p.name == forced ? &p : profile;
    }
    std::string why;
    if (profile == nullptr) {
      why = records::daemon_reason(records::k_reason_batch_profile_missing,
                                   {{"batch", (*batch)->name}, {"profile", forced}});
    } else if (auto unmet = profiles::unmet_requirements(profile->requirements, *facts);
               !unmet.empty()) {
      why = records::daemon_reason(
          records::k_reason_batch_profile_unfit,
          {{"batch", (*batch)->name}, {"profile", forced}, {"why", join(unmet, ", ")}});
    }
    if (!why.empty()) {
      auto moved = move(caller.unit, UnitState::failed, why);
      return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
    }
    stored["profile"] = forced;
    auto moved = move(caller.unit, UnitState::tested,
                      records::fill_phrase(records::k_event_graded_batch,
                                           {{"grade", grade.grade},
                                            {"score", fmt::format("{}", grade.score)},
                                            {"profile", forced},
                                            {"batch", (*batch)->name}}));
    return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
  }
  const profiles::MatchResult match = profiles::match(m_config.profiles, *facts);
  if (!match.chosen) {
    std::vector<std::string> why;
    for (const auto& c : match.candidates) {
      why.push_back(fmt::format("{}: {}", c.profile_name, join(c.reasons, ", ")));
    }
    auto moved =
        move(caller.unit, UnitState::failed,
             records::daemon_reason(records::k_reason_no_profile, {{"why", join(why, "; ")}}));
    return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
  }
  const std::string profile = match.candidates[*match.chosen].profile_name;
  stored["profile"] = profile;
  auto moved =
      move(caller.unit, UnitState::tested,
           records::fill_phrase(records::k_event_graded, {{"grade", grade.grade},
                                                          {"score", fmt::format("{}", grade.score)},
                                                          {"profile", profile}}));
  return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
}

std::expected<void, std::string> Pipeline::apply_wipe(const Caller& caller,
                                                      const hwdb::PipelineJob& job, bool ok,
                                                      const json& result, json& stored) {
  if (!result.contains(result_field::k_records) || !result[result_field::k_records].is_array()) {
    if (ok) {
      return std::unexpected("result.records is missing: a wipe must report every disk");
    }
    return {}; // a wipe that failed before any disk was touched carries no record
  }
  hwdb::Store& store = m_registry.store();
  const json& sent = result[result_field::k_records];
  std::vector<records::ErasureRecord> records;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    auto record = records::erasure_record_from_json(sent[i]);
    if (!record) {
      return std::unexpected(fmt::format("result.records[{}]: {}", i, record.error()));
    }
    records.push_back(std::move(*record));
  }
  if (ok && records.empty()) {
    return std::unexpected("result.records is empty: a wipe must report every disk");
  }
  // The server's own judgement (daemon/erasure_check.h): the disks come from the inventory it
  // recorded, the rules from the profile the wipe was issued with, never from the post.
  const json params = json::parse(job.params_json, nullptr, false);
  const profiles::WipePolicy* policy = wipe_policy(params);
  if (policy == nullptr) {
    return std::unexpected(fmt::format("the wipe's profile \"{}\" is no longer installed",
                                       string_at(params, param::k_profile)));
  }
  const bool for_parts =
      params.is_object() && params.contains(param::k_parts) && params[param::k_parts] == true;
  auto inventory = inventory_disks(caller.unit.id);
  if (!inventory) {
    return std::unexpected(inventory.error());
  }
  const auto to_erase = disks_to_erase(*inventory, *policy);
  std::vector<std::string> problems =
      check_wipe(records, to_erase, *policy, caller.unit.tag.str(), ok);
  // A record id names one erasure: one already filed (for this unit by an earlier wipe, or for
  // another unit) is not this job's work.
  for (std::size_t i = 0; i < records.size(); ++i) {
    const std::string& id = records[i].record_id;
    for (std::size_t j = 0; j < i; ++j) {
      if (records[j].record_id == id) {
        problems.push_back(fmt::format("record {} is sent twice", id));
      }
    }
    auto existing = store.erasure_record_by_id(id);
    if (!existing) {
      return std::unexpected(existing.error().message);
    }
    if (*existing) {
      auto owner = store.unit_by_id((*existing)->unit_id.value_or(0));
      problems.push_back(fmt::format(
          "record {} was already filed for {} on {}: a wipe reports the erasure it just did", id,
          owner && *owner ? (*owner)->tag.str() : std::string("another unit"),
          base::format_rfc3339((*existing)->finished_at)));
    }
  }
  if (!problems.empty()) {
    // Nothing is signed or filed; the refused post stays in the job as evidence (refuse_result).
    return std::unexpected(records::daemon_reason(records::k_reason_erasure_not_certified,
                                                  {{"problems", join(problems, "; ")}}));
  }
  int erased = 0;
  int failed = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    // Signed when erased, stored unsigned as evidence when failed.
    auto filed = workshop::file_erasure(m_registry, caller.unit, records[i], m_key);
    if (!filed) {
      return std::unexpected(fmt::format("result.records[{}]: {}", i, filed.error()));
    }
    (records[i].result == records::ErasureResult::erased ? erased : failed) += 1;
  }
  stored["erased"] = erased;
  stored["failed"] = failed;
  stored["zeroed"] = failed == 0 && leaves_zeros(records);
  auto unit = store.unit_by_id(caller.unit.id);
  if (!ok || !unit || !*unit || (*unit)->state != UnitState::tested) {
    return {}; // the agent's "failed" status moves the unit to failed with its reason
  }
  const std::string policy_words =
      for_parts ? std::string(records::k_event_policy_parts)
                : records::fill_phrase(records::k_event_policy_profile,
                                       {{"profile", string_at(params, param::k_profile)}});
  auto moved = move(
      **unit, UnitState::wiped,
      erased == 1
          ? records::fill_phrase(records::k_event_one_disk_erased, {{"policy", policy_words}})
          : records::fill_phrase(records::k_event_disks_erased,
                                 {{"count", std::to_string(erased)}, {"policy", policy_words}}));
  if (!moved || !for_parts) {
    return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
  }
  auto parked = move(*moved, UnitState::parts,
                     records::daemon_reason(records::k_reason_graded_parts_erased, {}));
  return parked ? std::expected<void, std::string>{} : std::unexpected(parked.error());
}

const profiles::Profile* Pipeline::profile_named(std::string_view name) const {
  for (const auto& p : m_config.profiles) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

std::expected<std::vector<profiles::DiskFact>, std::string>
Pipeline::inventory_disks(hwdb::RowId unit_id) {
  auto inventory = m_registry.store().latest_inventory(unit_id);
  if (!inventory) {
    return std::unexpected(inventory.error().message);
  }
  if (!*inventory) {
    return std::unexpected("no inventory recorded for this unit");
  }
  auto facts = profiles::facts_from_inventory_json((*inventory)->raw_json);
  if (!facts) {
    return std::unexpected("the unit's inventory cannot be read: " + facts.error());
  }
  return facts->disks;
}

std::expected<void, std::string>
Pipeline::apply_deploy(const Caller& caller, const hwdb::PipelineJob& job, const json& request) {
  const json result = request.contains(field::k_result) ? request[field::k_result] : json::object();
  const bool ok = records::result_status_from_string(string_at(request, field::k_status)) ==
                  records::ResultStatus::done;
  const json params = json::parse(job.params_json, nullptr, false);
  hwdb::ImagingRecord record;
  record.unit_id = caller.unit.id;
  record.started_at = job.issued_at;
  record.finished_at = m_clock.wall_seconds();
  record.profile = string_at(params, param::k_profile);
  record.image_sha256 = string_at(params, param::k_image_sha256);
  record.result =
      records::to_string(ok ? records::ImagingResult::imaged : records::ImagingResult::failed);
  // The imaging record the agent sent (a failed one names the step and whether the disk was left
  // unbootable), else the reason alone (the deploy could not even start).
  record.detail = ok || (result.is_object() && !result.empty())
                      ? result.dump()
                      : string_at(request, field::k_reason);
  if (auto added = m_registry.store().add_imaging_record(record); !added) {
    return std::unexpected(added.error().message);
  }
  if (!ok || caller.unit.state != UnitState::wiped) {
    return {};
  }
  auto moved =
      move(caller.unit, UnitState::imaged,
           records::fill_phrase(records::k_event_installed, {{"profile", record.profile}}));
  return moved ? std::expected<void, std::string>{} : std::unexpected(moved.error());
}

} // namespace atelier::daemon
