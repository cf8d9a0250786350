// The pipeline: atelierd decides every next step of every unit and records it; the agent only does
// what it is told (docs/AGENT-API.md, docs/PIPELINE.md).
//
//   register → bench → (grade, pick a profile) → wipe → deploy → verify → ready → finish
//   any step may end in `failed` (with a reason a volunteer can act on); grade `parts` skips
//   wipe and imaging.
//
// The unit's lifecycle state (hardware-db/lifecycle.h) IS the pipeline position: inventoried →
// bench, tested → wipe, wiped → deploy, imaged → verify, ready/parts/failed → finish. Each step
// is a job row (pipeline_jobs) bound to the agent session of one boot; a result is accepted only
// for the job that is still issued, in the same transaction as the state change it causes. So
// atelierd can be killed at any moment: after a restart the same job is handed out again to the
// agent that asks, and a result arrives at most once.
//
// Thread model: one Pipeline per database connection, used from atelierd's io thread.
#pragma once

#include "hardware-db/registry.h"
#include "profiles/profile.h"
#include "profiles/program.h"
#include "profiles/server_config.h"
#include "records/agent_protocol.h"
#include "workshop/signing.h"

#include <chrono>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace atelier::daemon {

// Pure: the step a unit in `state` is due for; nullopt for states the pipeline does not drive
// (detected: not registered yet; assigned, delivered, recycled, returned: out of the workshop).
// The steps and their names are the agent protocol's (records/agent_protocol.h).
std::optional<records::Step> step_for(hwdb::UnitState state);

struct PipelineConfig {
  profiles::Program program;
  std::vector<profiles::Profile> profiles;
  std::map<std::string, std::string>
      profile_texts;          // name → the profile file's TOML, sent to agents
  std::string image_base_url; // e.g. "http://198.18.0.2/images"
  profiles::AfterReady after_ready = profiles::AfterReady::poweroff;
  std::string site;
  int bench_budget_seconds = 60;
  // Which machines are erased (docs/OPERATOR-GUIDE.md, "The wipe gate").
  profiles::WipeGate wipe_gate = profiles::WipeGate::expected_or_confirm;
  // The wipe of a machine graded parts: it has no profile, and leaves with no data on its disks.
  profiles::WipePolicy parts_wipe;
  // [pipeline] limits (docs/CONFIG.md). Defaults are the configuration's.
  int max_active_units = 30;                  // units in wipe or deploy at once; more wait
  std::chrono::minutes stall{10};             // no word from the agent this long: presumed gone
  std::chrono::minutes step_timeout{24 * 60}; // a step issued this long ago fails
  std::chrono::seconds slot_retry{30};        // retry_after of a "wait" answer
};

// What one sweep did (for the daemon's log): one line per job given up.
struct SweepReport {
  std::vector<std::string> lines;
};

// What an API call answers: an HTTP status and a JSON body.
struct ApiAnswer {
  unsigned status = 200;
  nlohmann::json body;
};

class Pipeline {
public:
  // registry, clock and key must outlive the pipeline. The key signs the erasure records of
  // erased disks (workshop/erasure_certificate.h); failed ones are filed unsigned as evidence.
  Pipeline(hwdb::Registry& registry, const base::Clock& clock, PipelineConfig config,
           const workshop::SigningKey& key);

  // After a registration redeemed `token` for `unit`: opens the boot's session (or returns the
  // existing one when the agent repeats its registration), supersedes older sessions of the unit
  // and restarts a unit caught mid-pipeline from the beginning (a reboot mid-job redoes
  // everything).
  std::expected<hwdb::AgentSession, std::string> open_session(const hwdb::Unit& unit,
                                                              const std::string& token,
                                                              const std::string& mac,
                                                              const std::string& client_ip);
  // The session a token opened, if any (idempotent registration).
  std::optional<hwdb::AgentSession> session_for(const std::string& token);
  // The unit's session that is working now: its latest job is issued (not the final verdict) and
  // its agent spoke less than `stall` ago. nullopt when the unit is idle.
  std::optional<hwdb::AgentSession> live_session(hwdb::RowId unit_id);

  // POST /api/v1/next, /api/v1/progress, /api/v1/result (bodies in docs/AGENT-API.md).
  ApiAnswer next(const nlohmann::json& request);
  ApiAnswer progress(const nlohmann::json& request);
  ApiAnswer result(const nlohmann::json& request);

  // The periodic check (atelierd runs it every 30 s on its io thread, docs/PIPELINE.md "Limits"):
  // every issued step whose agent has posted nothing (next, progress, result) for `stall`, every
  // wipe or deploy whose reported bytes have not moved for `stall` (posts that repeat the same
  // done_bytes are no progress), and every step handed out longer than `step_timeout` ago is given
  // up: the job ends `failed` with the reason and the unit goes to `failed` with it, in one
  // transaction. Times come from the clock given at construction, so tests drive it with a fake
  // one.
  SweepReport sweep();

  static std::string token_hash(const std::string& token);
  const PipelineConfig& config() const { return m_config; }
  // The program's language as the agent API sends it ("language" of register and next answers):
  // the machine's screen speaks it.
  std::string language_code() const {
    return std::string(base::language_code(m_config.program.language));
  }

private:
  struct Caller {
    hwdb::AgentSession session;
    hwdb::Unit unit;
  };
  std::expected<Caller, ApiAnswer> authenticate(const nlohmann::json& request);
  std::expected<nlohmann::json, std::string> params_for(records::Step step, const hwdb::Unit& unit);
  // The stored result of the unit's latest finished (`done`) job of `step`, if any.
  std::optional<nlohmann::json> latest_result(hwdb::RowId unit_id, records::Step step);
  std::optional<std::string> chosen_profile(hwdb::RowId unit_id);
  // Why the unit is expected (in a running batch, or its serial on an open donation's asset
  // list), or nullopt.
  std::optional<std::string> expected_machine(const hwdb::Unit& unit);
  // The wipe gate before a wipe: nullopt when the wipe may run, the params of a `confirm` step
  // when a volunteer's key is needed first, or the reason the unit fails untouched.
  std::expected<std::optional<nlohmann::json>, std::string>
  pass_wipe_gate(const hwdb::Unit& unit, const hwdb::AgentSession& session,
                 const std::vector<hwdb::PipelineJob>& jobs);
  // True when the unit's latest bench graded it parts (its wipe then uses parts_wipe).
  bool graded_parts(hwdb::RowId unit_id);
  // True when the unit's latest finished wipe left zeros on every disk (deploy's wiped_zero).
  bool wipe_left_zeros(hwdb::RowId unit_id);
  std::expected<void, std::string> apply_result(const Caller& caller, const hwdb::PipelineJob& job,
                                                bool ok, const nlohmann::json& result,
                                                nlohmann::json& stored);
  std::expected<void, std::string> apply_bench(const Caller& caller, const nlohmann::json& result,
                                               nlohmann::json& stored);
  std::expected<void, std::string> apply_wipe(const Caller& caller, const hwdb::PipelineJob& job,
                                              bool ok, const nlohmann::json& result,
                                              nlohmann::json& stored);
  const profiles::Profile* profile_named(std::string_view name) const;
  // The disks the unit's latest inventory lists, or why there are none to judge by.
  std::expected<std::vector<profiles::DiskFact>, std::string> inventory_disks(hwdb::RowId unit_id);
  std::expected<void, std::string> apply_deploy(const Caller& caller, const hwdb::PipelineJob& job,
                                                const nlohmann::json& result);
  // A result that is well formed but cannot be recorded: the job fails and the unit moves to
  // failed with `why`, so the machine stops with a reason instead of retrying forever.
  ApiAnswer refuse_result(const Caller& caller, const hwdb::PipelineJob& job,
                          const nlohmann::json& agent_part, const std::string& why);
  std::expected<hwdb::Unit, std::string> move(const hwdb::Unit& unit, hwdb::UnitState to,
                                              const std::string& reason,
                                              hwdb::Disposal disposal = hwdb::Disposal::erased);
  // The wipe rules of the unit's wipe: its profile's, or for a machine graded parts (no profile)
  // the default policy (docs/PROFILES.md defaults). nullptr when the profile is gone.
  const profiles::WipePolicy* wipe_policy(const nlohmann::json& wipe_params) const;
  // The params of a wipe with `policy` (profile_name "" for a machine graded parts).
  std::expected<nlohmann::json, std::string> wipe_params(const hwdb::Unit& unit,
                                                         const profiles::WipePolicy& policy,
                                                         const std::string& profile_name);
  // Slots: nullopt when the unit may start its heavy step now, else the "wait" answer.
  std::optional<ApiAnswer> wait_for_slot(const hwdb::Unit& unit, records::Step step);
  // Gives up one issued job (sweep); false when it ended meanwhile.
  hwdb::Result<bool> give_up(const hwdb::PipelineJob& job, const std::string& reason);
  // Whether a wipe's or deploy's bytes move: every progress report goes through it (before the
  // throttle of database writes), sweep gives up a step whose bytes stood still for `stall`.
  void note_motion(const hwdb::PipelineJob& job, const nlohmann::json& progress,
                   hwdb::Timestamp now);
  // Why a wipe or deploy counts as stuck now, or nullopt.
  std::optional<std::string> stuck(const hwdb::PipelineJob& job, hwdb::Timestamp now) const;

  hwdb::Registry& m_registry;
  const base::Clock& m_clock;
  PipelineConfig m_config;
  const workshop::SigningKey& m_key;
  std::map<hwdb::RowId, hwdb::Timestamp> m_last_progress_write; // throttles progress writes
  // What the reports of each running wipe and deploy said, per job. In memory: after a restart the
  // first report of each device counts as a move, so a stuck step is given up one `stall` later.
  struct Motion {
    struct Mark {
      std::string detail; // "pass 1 of 2: aes-128-ctr"; another detail is another pass: a move
      double done_bytes = 0;
    };
    std::map<std::string, Mark> marks; // per device and operation
    hwdb::Timestamp moved_at{};        // the latest report that moved (or could not be judged)
    nlohmann::json latest;             // the latest report that counts bytes
  };
  std::map<hwdb::RowId, Motion> m_motion;
  // Units waiting for a slot, in arrival order, with when each last asked. In memory: after a
  // restart the line forms again as the agents ask (they retry every slot_retry).
  struct Waiting {
    hwdb::RowId unit_id = 0;
    hwdb::Timestamp last_asked{};
  };
  std::vector<Waiting> m_line;
};

// Joins the unit to the first open batch run that wants it: its MAC is listed, or the batch takes
// "the next N machines" and still has room. A unit already in an open batch stays there.
hwdb::Result<void> claim_for_batch(hwdb::PipelineStore& store, hwdb::RowId unit_id,
                                   const std::string& mac, hwdb::Timestamp at);

// The reason a unit fails with when a step the agent ran failed: "wipe failed: <the agent's
// reason>" (the unit's event, atelier watch, the finish step's English message).
std::string step_failure_reason(std::string_view step, std::string_view agent_reason);
// The step and the agent's reason of a reason step_failure_reason wrote; nullopt for any other
// reason (atelierd's own: a stall, a refused result, a grade).
struct StepFailure {
  records::Step step;
  std::string agent_reason;
};
std::optional<StepFailure> parse_step_failure(std::string_view reason);

// What the volunteer reads at the machine when it is done, e.g. "READY — stick label AT-0042-7
// and shelve the machine": the finish step's params. `message` is the English sentence (what
// agents older than issue 21 show); `tag`, `reason` and, for a failed step, `failed_step` are the
// pieces the agent words in the program's language (docs/AGENT-API.md).
nlohmann::json verdict_for(const hwdb::Unit& unit, const std::string& reason,
                           profiles::AfterReady after_ready);

} // namespace atelier::daemon
