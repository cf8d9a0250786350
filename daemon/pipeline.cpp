#include "daemon/pipeline.h"

#include "base/sha256.h"
#include "daemon/erasure_check.h"
#include "profiles/grade.h"
#include "profiles/machine_facts.h"
#include "profiles/match.h"
#include "records/agent_protocol.h"
#include "records/bench_grade.h"
#include "records/daemon_reasons.h"
#include "records/json_fields.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

using hwdb::UnitState;
using nlohmann::json;
using records::Step;
namespace field = records::agent_field;
namespace param = records::param_field;

ApiAnswer refuse(unsigned status, std::string message, bool stop = false) {
  json body{{field::k_error, std::move(message)}};
  if (stop) {
    body[field::k_stop] = true; // the agent must stop working: its session is over
  }
  return {status, std::move(body)};
}

std::string string_at(const json& j, std::string_view key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

std::vector<std::string> method_names(const std::vector<profiles::WipeMethod>& methods) {
  std::vector<std::string> names;
  for (const auto m : methods) {
    names.emplace_back(profiles::to_string(m));
  }
  return names;
}

// The file name an image is served under: the last path component of its source.
std::string image_file_name(const profiles::Image& image) {
  const auto slash = image.source.find_last_of('/');
  return slash == std::string::npos ? image.source : image.source.substr(slash + 1);
}

// Why a job takes no more posts. A job atelierd gave up (sweep: stall or step timeout) says so:
// the agent stops with that sentence on screen, and nothing it did is recorded (a wipe's disks are
// erased again when the machine boots again).
std::string job_over(const hwdb::PipelineJob& job) {
  const json stored = json::parse(job.result_json, nullptr, false);
  const std::string daemon = string_at(stored, "daemon");
  if (!daemon.empty()) {
    return fmt::format("job {} ({}) was given up by atelierd: {}", job.id, job.step, daemon);
  }
  return fmt::format("job {} is already {}", job.id, job.status);
}

// The members of a progress report that atelierd stores and `atelier watch` shows
// (workshop/workshop_view.cpp reads them as numbers), checked for their documented types.
std::optional<std::string> malformed_progress(const json& report) {
  namespace progress = records::progress_field;
  records::FieldReader in(report, std::string(field::k_progress));
  (void)in.text(progress::k_operation);
  (void)in.text(progress::k_device);
  (void)in.text(progress::k_detail);
  for (const std::string_view number : {progress::k_done_bytes, progress::k_total_bytes,
                                        progress::k_bytes_per_second, progress::k_eta_seconds}) {
    (void)in.number(number, 0);
  }
  return in.ok() ? std::nullopt : std::optional(in.error());
}

// The parts of a step's result that atelierd reads, by type: the bench report (parsed here as the
// grader will read it), the verify summary. A wipe's records are read and judged by apply_wipe
// (records::erasure_record_from_json names the field; an unreadable record fails the machine).
std::optional<std::string> malformed_result(const hwdb::PipelineJob& job, bool done,
                                            const json& result) {
  records::FieldReader in(result, std::string(field::k_result));
  const auto step = records::step_from_string(job.step);
  if (step == Step::bench && done) {
    if (const json* bench = in.object(records::result_field::k_bench)) {
      auto summary = records::bench_summary_from_json(*bench, "result.bench");
      if (!summary) {
        return summary.error();
      }
    }
  } else if (step == Step::verify) {
    (void)in.text(records::result_field::k_summary);
  }
  return in.ok() ? std::nullopt : std::optional(in.error());
}

} // namespace

std::optional<Step> step_for(UnitState state) {
  switch (state) {
  case UnitState::inventoried:
    return Step::bench;
  case UnitState::tested:
    return Step::wipe;
  case UnitState::wiped:
    return Step::deploy;
  case UnitState::imaged:
    return Step::verify;
  case UnitState::ready:
  case UnitState::parts:
  case UnitState::failed:
    return Step::finish;
  default:
    return std::nullopt;
  }
}

namespace {

records::Action action_after_ready(profiles::AfterReady after_ready) {
  switch (after_ready) {
  case profiles::AfterReady::poweroff:
    return records::Action::poweroff;
  case profiles::AfterReady::reboot:
    return records::Action::reboot;
  case profiles::AfterReady::wait:
    return records::Action::wait;
  }
  return records::Action::wait;
}

json finish_params(records::Verdict verdict, std::string message, records::Action action,
                   const std::string& tag, const std::string& reason) {
  json params{{param::k_verdict, records::to_string(verdict)},
              {param::k_message, std::move(message)},
              {param::k_action, records::to_string(action)},
              {param::k_tag, tag}};
  if (verdict != records::Verdict::ready) {
    if (auto failure = parse_step_failure(reason)) {
      params[param::k_failed_step] = records::to_string(failure->step);
      params[param::k_reason] = failure->agent_reason;
    } else {
      params[param::k_reason] = reason;
      // atelierd's own sentence: its code and values, for the agent to word in the screen's
      // language (docs/AGENT-API.md).
      if (auto known = records::recognise_daemon_reason(reason)) {
        params[param::k_reason_code] = known->reason.code;
        json values = json::object();
        for (const auto& [name, value] : known->values) {
          values[name] = value;
        }
        params[param::k_reason_values] = std::move(values);
      }
    }
  }
  return params;
}

constexpr std::string_view k_step_failed = " failed: ";

} // namespace

std::string step_failure_reason(std::string_view step, std::string_view agent_reason) {
  return records::fill_phrase(records::k_event_step_failed,
                              {{"step", std::string(step)}, {"why", std::string(agent_reason)}});
}

std::optional<StepFailure> parse_step_failure(std::string_view reason) {
  const auto at = reason.find(k_step_failed);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const auto step = records::step_from_string(reason.substr(0, at));
  if (!step || *step == Step::finish) {
    return std::nullopt;
  }
  return StepFailure{*step, std::string(reason.substr(at + k_step_failed.size()))};
}

json verdict_for(const hwdb::Unit& unit, const std::string& reason,
                 profiles::AfterReady after_ready) {
  const std::string tag = unit.tag.str();
  switch (unit.state) {
  case UnitState::ready:
    return finish_params(records::Verdict::ready,
                         fmt::format("stick label {} and shelve the machine", tag),
                         action_after_ready(after_ready), tag, reason);
  case UnitState::parts:
    return finish_params(records::Verdict::parts,
                         fmt::format("label {} \"parts\" and set it aside: {}", tag, reason),
                         records::Action::poweroff, tag, reason);
  default:
    return finish_params(records::Verdict::failed, fmt::format("{}: {}", tag, reason),
                         records::Action::wait, tag, reason);
  }
}

std::string Pipeline::token_hash(const std::string& token) {
  return base::sha256_hex(token);
}

Pipeline::Pipeline(hwdb::Registry& registry, const base::Clock& clock, PipelineConfig config,
                   const workshop::SigningKey& key)
    : m_registry(registry), m_clock(clock), m_config(std::move(config)), m_key(key) {}

std::optional<hwdb::AgentSession> Pipeline::session_for(const std::string& token) {
  auto found = m_registry.store().session_by_token(token_hash(token));
  return found ? *found : std::nullopt;
}

std::expected<hwdb::Unit, std::string> Pipeline::move(const hwdb::Unit& unit, UnitState to,
                                                      const std::string& reason,
                                                      hwdb::Disposal disposal) {
  auto moved = m_registry.transition(unit, to, "atelierd", reason, disposal);
  if (!moved) {
    return std::unexpected(moved.error().message);
  }
  return *moved;
}

std::expected<hwdb::AgentSession, std::string>
Pipeline::open_session(const hwdb::Unit& unit, const std::string& token, const std::string& mac,
                       const std::string& client_ip) {
  if (auto existing = session_for(token)) {
    return *existing;
  }
  hwdb::Store& store = m_registry.store();
  hwdb::AgentSession session;
  session.unit_id = unit.id;
  session.token_sha256 = token_hash(token);
  session.mac = mac;
  session.client_ip = client_ip;
  session.started_at = m_clock.wall_seconds();
  std::string failure;
  auto done = store.transaction([&]() -> hwdb::Result<void> {
    auto id = store.add_session(session);
    if (!id) {
      return std::unexpected(id.error());
    }
    session.id = *id;
    // Older boots of this machine are over: their agents are told to stop, their jobs abandoned.
    auto jobs = store.jobs(unit.id);
    if (!jobs) {
      return std::unexpected(jobs.error());
    }
    for (const auto& job : *jobs) {
      if (job.status == "issued" && job.session_id != session.id) {
        if (auto r = store.abandon_jobs(job.session_id, session.started_at); !r) {
          return r;
        }
      }
    }
    if (auto r = store.supersede_sessions(unit.id, session.id, session.started_at); !r) {
      return std::unexpected(r.error());
    }
    // A technician's batch run claims the machine if it wants it (batch_run.h).
    if (auto r = claim_for_batch(store, unit.id, mac, session.started_at); !r) {
      return r;
    }
    // A machine that boots again mid-pipeline starts over: half-done work is never trusted.
    auto current = store.unit_by_id(unit.id);
    if (!current || !*current) {
      return hwdb::fail(hwdb::ErrorCode::not_found, "unit vanished");
    }
    hwdb::Unit u = **current;
    const bool mid_pipeline = u.state == UnitState::tested || u.state == UnitState::wiped ||
                              u.state == UnitState::imaged || u.state == UnitState::failed ||
                              u.state == UnitState::returned;
    if (mid_pipeline) {
      auto back = m_registry.transition(
          u, UnitState::detected, "atelierd",
          records::fill_phrase(records::k_event_booted_again,
                               {{"state", std::string(hwdb::to_string(u.state))}}));
      if (!back) {
        return std::unexpected(back.error());
      }
      auto inventoried = m_registry.transition(*back, UnitState::inventoried, "atelierd",
                                               records::k_event_inventory_received);
      if (!inventoried) {
        return std::unexpected(inventoried.error());
      }
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error().message);
  }
  return session;
}

hwdb::Result<void> claim_for_batch(hwdb::PipelineStore& store, hwdb::RowId unit_id,
                                   const std::string& mac, hwdb::Timestamp at) {
  auto current = store.batch_of_unit(unit_id);
  if (!current) {
    return std::unexpected(current.error());
  }
  if (*current && !(*current)->closed_at) {
    return {}; // already in an open batch
  }
  auto batches = store.open_batches();
  if (!batches) {
    return std::unexpected(batches.error());
  }
  for (const auto& batch : *batches) {
    bool wanted = false;
    if (!batch.macs.empty()) {
      wanted = std::find(batch.macs.begin(), batch.macs.end(), mac) != batch.macs.end();
    } else {
      auto members = store.batch_units(batch.id);
      if (!members) {
        return std::unexpected(members.error());
      }
      wanted = batch.max_units == 0 || static_cast<int>(members->size()) < batch.max_units;
    }
    if (wanted) {
      return store.add_batch_unit(batch.id, unit_id, at);
    }
  }
  return {};
}

std::expected<Pipeline::Caller, ApiAnswer> Pipeline::authenticate(const json& request) {
  records::FieldReader in(request, "");
  const std::string token = in.text(field::k_token);
  if (!in.ok()) {
    return std::unexpected(refuse(400, in.error()));
  }
  if (token.empty()) {
    return std::unexpected(refuse(400, "field 'token' is missing"));
  }
  auto session = session_for(token);
  if (!session) {
    return std::unexpected(refuse(403, "unknown token: register first (POST /api/v1/register)"));
  }
  if (session->superseded_at) {
    return std::unexpected(refuse(
        409, "this boot's session is over: the machine registered again from a newer boot", true));
  }
  auto unit = m_registry.store().unit_by_id(session->unit_id);
  if (!unit || !*unit) {
    return std::unexpected(refuse(500, "the session's unit is missing from the database"));
  }
  return Caller{*session, **unit};
}

std::optional<json> Pipeline::latest_result(hwdb::RowId unit_id, Step step) {
  auto jobs = m_registry.store().jobs(unit_id);
  if (!jobs) {
    return std::nullopt;
  }
  for (auto it = jobs->rbegin(); it != jobs->rend(); ++it) {
    if (it->step == records::to_string(step) && it->status == "done") {
      const json stored = json::parse(it->result_json, nullptr, false);
      return stored.is_object() ? std::optional(stored) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Pipeline::chosen_profile(hwdb::RowId unit_id) {
  const auto bench = latest_result(unit_id, Step::bench);
  const std::string name = bench ? string_at(*bench, "profile") : "";
  return name.empty() ? std::nullopt : std::optional(name);
}

bool Pipeline::wipe_left_zeros(hwdb::RowId unit_id) {
  const auto wipe = latest_result(unit_id, Step::wipe);
  return wipe && wipe->contains("zeroed") && (*wipe)["zeroed"] == true;
}

bool Pipeline::graded_parts(hwdb::RowId unit_id) {
  const auto bench = latest_result(unit_id, Step::bench);
  return bench && string_at(*bench, "grade") == profiles::to_string(profiles::Grade::parts);
}

const profiles::WipePolicy* Pipeline::wipe_policy(const json& wipe_params) const {
  if (wipe_params.is_object() && wipe_params.contains(param::k_parts) &&
      wipe_params[param::k_parts] == true) {
    return &m_config.parts_wipe;
  }
  const profiles::Profile* profile = profile_named(string_at(wipe_params, param::k_profile));
  return profile == nullptr ? nullptr : &profile->wipe;
}

std::optional<std::string> Pipeline::expected_machine(const hwdb::Unit& unit) {
  hwdb::Store& store = m_registry.store();
  if (auto batch = store.batch_of_unit(unit.id); batch && *batch && !(*batch)->closed_at) {
    return fmt::format("it is in batch \"{}\"", (*batch)->name);
  }
  auto donations = store.list_donations();
  if (!donations) {
    return std::nullopt;
  }
  for (const auto& d : *donations) {
    if (d.closed_at) {
      continue;
    }
    auto listed = store.donation_assets(d.id);
    if (!listed) {
      continue;
    }
    for (const std::string& serial : {unit.identity.serial, unit.identity.board_serial}) {
      if (!serial.empty() && std::ranges::find(*listed, serial) != listed->end()) {
        return fmt::format("its serial {} is on the asset list of donation #{} ({})", serial, d.id,
                           d.donor);
      }
    }
  }
  return std::nullopt;
}

std::expected<std::optional<json>, std::string>
Pipeline::pass_wipe_gate(const hwdb::Unit& unit, const hwdb::AgentSession& session,
                         const std::vector<hwdb::PipelineJob>& jobs) {
  using profiles::WipeGate;
  const WipeGate gate = m_config.wipe_gate;
  if (gate == WipeGate::open) {
    return std::nullopt;
  }
  if (gate != WipeGate::confirm && expected_machine(unit)) {
    return std::nullopt;
  }
  if (gate == WipeGate::expected) {
    return std::unexpected(fmt::format(
        "{} was not erased: it is not expected ([pipeline] wipe_gate = \"expected\": its serial "
        "is on no open donation's asset list and it is in no running batch). Nothing was "
        "written; add it to a donation or a batch and boot it again, or take it off the network",
        unit.tag.str()));
  }
  const bool confirmed = std::ranges::any_of(jobs, [&](const hwdb::PipelineJob& j) {
    return j.session_id == session.id && j.step == records::to_string(Step::confirm) &&
           j.status == "done";
  });
  if (confirmed) {
    return std::nullopt;
  }
  auto inventory = inventory_disks(unit.id);
  if (!inventory) {
    return std::unexpected(inventory.error());
  }
  const profiles::WipePolicy* policy = nullptr;
  if (graded_parts(unit.id)) {
    policy = &m_config.parts_wipe;
  } else if (auto name = chosen_profile(unit.id)) {
    const profiles::Profile* profile = profile_named(*name);
    policy = profile == nullptr ? nullptr : &profile->wipe;
  }
  json disks = json::array();
  for (const auto& d :
       disks_to_erase(*inventory, policy == nullptr ? m_config.parts_wipe : *policy)) {
    disks.push_back(d.describe());
  }
  return json{{param::k_tag, unit.tag.str()},
              {param::k_disks, disks},
              {param::k_why, gate == WipeGate::confirm
                                 ? std::string("[pipeline] wipe_gate = \"confirm\": every machine "
                                               "is erased only after a key at its own screen")
                                 : std::string("this machine is not expected (on no open "
                                               "donation's asset list, in no running batch)")},
              {param::k_gate,
               records::to_string(gate == WipeGate::confirm ? records::ConfirmGate::every_machine
                                                            : records::ConfirmGate::unexpected)}};
}

std::expected<json, std::string> Pipeline::wipe_params(const hwdb::Unit& unit,
                                                       const profiles::WipePolicy& policy,
                                                       const std::string& profile_name) {
  // The server names the disks to erase (fixed ones, removable ones by the profile's rule) from
  // the inventory it recorded; the result is judged against the same list.
  auto inventory = inventory_disks(unit.id);
  if (!inventory) {
    return std::unexpected(inventory.error());
  }
  json disks = json::array();
  for (const auto& d : disks_to_erase(*inventory, policy)) {
    if (!d.name.empty()) {
      disks.push_back(d.name);
    }
  }
  json params{{param::k_profile, profile_name},
              {param::k_disks, disks},
              {param::k_methods,
               {{"hdd", method_names(policy.hdd)},
                {"ssd", method_names(policy.ssd)},
                {"nvme", method_names(policy.nvme)},
                {"usb", method_names(policy.usb)}}},
              {param::k_verify, std::string(profiles::to_string(policy.verify))},
              {param::k_hidden_areas, std::string(profiles::to_string(policy.hidden_areas))},
              {param::k_site, m_config.site},
              {param::k_tag, unit.tag.str()}};
  if (profile_name.empty()) {
    params[param::k_parts] = true;
  }
  return params;
}

std::expected<json, std::string> Pipeline::params_for(Step step, const hwdb::Unit& unit) {
  if (step == Step::wipe && graded_parts(unit.id)) {
    // Not worth refurbishing, but it leaves the workshop (for spare parts or recycling) only
    // without the donor's data: wiped with the default policy, then `parts`.
    return wipe_params(unit, m_config.parts_wipe, "");
  }
  const profiles::Profile* profile = nullptr;
  if (step == Step::wipe || step == Step::deploy || step == Step::verify) {
    const auto name = chosen_profile(unit.id);
    if (!name) {
      return std::unexpected("no profile was chosen for this machine (no benchmark result)");
    }
    for (const auto& p : m_config.profiles) {
      if (p.name == *name) {
        profile = &p;
      }
    }
    if (profile == nullptr) {
      return std::unexpected(
          fmt::format("profile \"{}\" is no longer installed on the server", *name));
    }
  }
  switch (step) {
  case Step::bench:
    return json{{param::k_budget_seconds, m_config.bench_budget_seconds}};
  case Step::confirm:
    return std::unexpected("a confirm step is only given by the wipe gate");
  case Step::wipe:
    return wipe_params(unit, profile->wipe, profile->name);
  case Step::deploy: {
    if (!profile->image.sha256) {
      return std::unexpected(fmt::format(
          "profile \"{}\" names no image sha256: build the image and record its checksum",
          profile->name));
    }
    const auto text = m_config.profile_texts.find(profile->name);
    return json{{param::k_profile, profile->name},
                {param::k_profile_toml, text == m_config.profile_texts.end() ? "" : text->second},
                {param::k_image_url, profile->image.is_url ? profile->image.source
                                                           : m_config.image_base_url + "/" +
                                                                 image_file_name(profile->image)},
                {param::k_image_sha256, *profile->image.sha256},
                {param::k_wiped_zero, wipe_left_zeros(unit.id)},
                {param::k_tag, unit.tag.str()}};
  }
  case Step::verify:
    return json{{param::k_tag, unit.tag.str()},
                {param::k_hostname,
                 profiles::expand_hostname(profile->tailoring.hostname, unit.tag.str())}};
  case Step::finish: {
    std::string reason;
    if (auto events = m_registry.store().events(unit.id); events && !events->empty()) {
      reason = events->back().reason;
    }
    return verdict_for(unit, reason, m_config.after_ready);
  }
  }
  return json::object();
}

ApiAnswer Pipeline::next(const json& request) {
  auto caller = authenticate(request);
  if (!caller) {
    return caller.error();
  }
  hwdb::Store& store = m_registry.store();
  auto jobs = store.jobs(caller->unit.id);
  if (!jobs) {
    return refuse(500, jobs.error().message);
  }
  // The agent lost our answer, or atelierd restarted: the issued job is handed out again.
  for (const auto& job : *jobs) {
    if (job.session_id == caller->session.id && job.status == "issued") {
      // Asking again is word from the agent too (stall_minutes counts from the latest word).
      if (auto r = store.set_job_progress(job.id, job.progress_json, m_clock.wall_seconds()); !r) {
        return refuse(500, r.error().message);
      }
      return {200, json{{field::k_job, job.id},
                        {field::k_step, job.step},
                        {field::k_attempt, job.attempt},
                        {field::k_unit, caller->unit.tag.str()},
                        {field::k_params, json::parse(job.params_json, nullptr, false)},
                        {field::k_language, language_code()}}};
    }
  }
  hwdb::Unit unit = caller->unit;
  auto step = step_for(unit.state);
  if (!step) {
    return refuse(409,
                  fmt::format("{} is {}: not in the workshop pipeline", unit.tag.str(),
                              hwdb::to_string(unit.state)),
                  true);
  }
  // The wipe gate: an unexpected machine is erased only after a volunteer's key at its screen.
  std::expected<json, std::string> params;
  if (*step == Step::wipe) {
    auto gate = pass_wipe_gate(unit, caller->session, *jobs);
    if (!gate) {
      params = std::unexpected(gate.error());
    } else if (*gate) {
      step = Step::confirm;
      params = std::move(**gate);
    }
  }
  if (*step != Step::confirm && params.has_value()) {
    params = params_for(*step, unit);
  }
  if (!params) {
    // The server cannot give this step (e.g. a profile without image): the machine waits as
    // failed with the reason, and the volunteer sees it.
    auto failed = move(unit, UnitState::failed, params.error());
    if (!failed) {
      return refuse(500, failed.error());
    }
    unit = *failed;
    step = Step::finish;
    params = params_for(Step::finish, unit);
  }
  // max_active_units: a heavy step waits for a free slot (the agent asks again later).
  if (auto wait = wait_for_slot(unit, *step)) {
    return *wait;
  }
  hwdb::PipelineJob job;
  job.unit_id = unit.id;
  job.session_id = caller->session.id;
  job.step = std::string(records::to_string(*step));
  job.attempt = 1 + static_cast<int>(std::count_if(jobs->begin(), jobs->end(), [&](const auto& j) {
                  return j.step == job.step;
                }));
  job.status = "issued";
  job.issued_at = m_clock.wall_seconds();
  job.params_json = params->dump();
  auto id = store.add_job(job);
  if (!id) {
    return refuse(500, id.error().message);
  }
  return {200, json{{field::k_job, *id},
                    {field::k_step, job.step},
                    {field::k_attempt, job.attempt},
                    {field::k_unit, unit.tag.str()},
                    {field::k_params, *params},
                    {field::k_language, language_code()}}};
}

ApiAnswer Pipeline::progress(const json& request) {
  auto caller = authenticate(request);
  if (!caller) {
    return caller.error();
  }
  records::FieldReader in(request, "");
  const hwdb::RowId job_id = in.required_integer(field::k_job);
  const json* report = in.required_object(field::k_progress);
  if (!in.ok()) {
    return refuse(400, in.error());
  }
  // The members atelierd and `atelier watch` read must have their documented types; the rest of
  // the step's report is stored as it came.
  if (auto malformed = malformed_progress(*report)) {
    return refuse(400, *malformed);
  }
  auto job = m_registry.store().job_by_id(job_id);
  if (!job || !*job || (*job)->session_id != caller->session.id) {
    return refuse(404, fmt::format("job {} is not a job of this boot", job_id));
  }
  if ((*job)->status != "issued") {
    return refuse(409, job_over(**job), true);
  }
  const auto now = m_clock.wall_seconds();
  // Every report counts for whether a wipe's or deploy's bytes move (sweep, "Limits").
  note_motion(**job, request[field::k_progress], now);
  // At most one database write per job and second: 30 machines reporting 5 times a second must
  // not keep the writer busy. The latest report in between is simply dropped.
  auto& last = m_last_progress_write[job_id];
  if (last != hwdb::Timestamp{} && now - last < std::chrono::seconds(1)) {
    return {200, json{{field::k_ok, true}, {field::k_stored, false}}};
  }
  last = now;
  if (auto r = m_registry.store().set_job_progress(job_id, report->dump(), now); !r) {
    return refuse(500, r.error().message);
  }
  return {200, json{{field::k_ok, true}, {field::k_stored, true}}};
}

ApiAnswer Pipeline::refuse_result(const Caller& caller, const hwdb::PipelineJob& job,
                                  const json& agent_part, const std::string& why) {
  hwdb::Store& store = m_registry.store();
  const std::string reason =
      records::daemon_reason(records::k_reason_not_recorded, {{"step", job.step}, {"why", why}});
  const json stored{{"agent", agent_part}, {"refused", why}};
  auto done = store.transaction([&]() -> hwdb::Result<void> {
    auto finished = store.finish_job(job.id, "failed", stored.dump(), m_clock.wall_seconds());
    if (!finished) {
      return std::unexpected(finished.error());
    }
    if (!*finished) {
      return hwdb::fail(hwdb::ErrorCode::conflict, "the job ended meanwhile");
    }
    auto unit = store.unit_by_id(caller.unit.id);
    if (!unit || !*unit) {
      return hwdb::fail(hwdb::ErrorCode::not_found, "the unit vanished");
    }
    if ((*unit)->state == UnitState::failed || job.step == records::to_string(Step::finish)) {
      return {};
    }
    auto moved = m_registry.transition(**unit, UnitState::failed, "atelierd", reason);
    if (!moved) {
      return std::unexpected(moved.error());
    }
    return {};
  });
  if (!done) {
    return refuse(500, done.error().message);
  }
  return {200, json{{field::k_accepted, false},
                    {field::k_state, hwdb::to_string(UnitState::failed)},
                    {field::k_error, reason}}};
}

ApiAnswer Pipeline::result(const json& request) {
  auto caller = authenticate(request);
  if (!caller) {
    return caller.error();
  }
  records::FieldReader in(request, "");
  const hwdb::RowId job_id = in.required_integer(field::k_job);
  const std::string status_text = in.required_text(field::k_status);
  const json* result_field = in.object(field::k_result);
  const std::string reason = in.text(field::k_reason);
  if (!in.ok()) {
    return refuse(400, in.error());
  }
  const auto status = records::result_status_from_string(status_text);
  if (!status) {
    return refuse(
        400, fmt::format("field 'status' must be \"done\" or \"failed\", not \"{}\"", status_text));
  }
  const bool done = *status == records::ResultStatus::done;
  const json result = result_field != nullptr ? *result_field : json::object();
  if (!done && reason.empty()) {
    return refuse(400, "a failed step needs field 'reason' (what the volunteer should know)");
  }
  hwdb::Store& store = m_registry.store();
  auto job = store.job_by_id(job_id);
  if (!job || !*job || (*job)->session_id != caller->session.id) {
    return refuse(404, fmt::format("job {} is not a job of this boot", job_id));
  }
  // The parts of the result atelierd reads must have their types before anything is recorded: a
  // wrong one is the agent's mistake (400, the job stays issued), not the machine's failure.
  if (auto malformed = malformed_result(**job, done, result)) {
    return refuse(400, *malformed);
  }
  json agent_part{{field::k_status, records::to_string(*status)},
                  {field::k_result, result},
                  {field::k_reason, reason}};
  if ((*job)->status != "issued") {
    // A retry of a result we already have is answered the same; anything else is a conflict.
    const json stored = json::parse((*job)->result_json, nullptr, false);
    if (stored.is_object() && stored.contains("agent") && stored["agent"] == agent_part) {
      return {200, json{{field::k_accepted, true},
                        {field::k_repeat, true},
                        {field::k_state, hwdb::to_string(caller->unit.state)}}};
    }
    return refuse(409, job_over(**job), true);
  }
  json stored{{"agent", agent_part}};
  std::string failure;
  auto recorded = store.transaction([&]() -> hwdb::Result<void> {
    auto applied = apply_result(*caller, **job, done, request, stored);
    if (!applied) {
      failure = applied.error();
      return hwdb::fail(hwdb::ErrorCode::refused, applied.error());
    }
    auto finished =
        store.finish_job(job_id, done ? "done" : "failed", stored.dump(), m_clock.wall_seconds());
    if (!finished) {
      return std::unexpected(finished.error());
    }
    if (!*finished) {
      return hwdb::fail(hwdb::ErrorCode::conflict, "the job ended meanwhile");
    }
    return {};
  });
  if (!recorded && failure.empty()) {
    return refuse(500, recorded.error().message); // the database failed: the agent retries
  }
  if (!recorded) {
    // Well formed but not recordable (e.g. an erased disk's record that cannot say which disk):
    // waiting would not change it, so the step fails and the machine stops with the reason, on
    // the screen like any failed step, instead of the agent retrying or stalling.
    return refuse_result(*caller, **job, agent_part, failure);
  }
  auto unit = store.unit_by_id(caller->unit.id);
  const std::string state = unit && *unit ? std::string(hwdb::to_string((*unit)->state)) : "";
  return {200, json{{field::k_accepted, true}, {field::k_state, state}}};
}

} // namespace atelier::daemon
