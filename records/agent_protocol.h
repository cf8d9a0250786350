// The words of the agent API (docs/AGENT-API.md), shared by the agent that speaks it
// (imager/agent/) and atelierd that answers it (daemon/agent_api.cpp, daemon/pipeline*.cpp), so
// that each word exists once. Enums for the closed sets of values (endpoints, steps, result
// statuses, verdicts, actions) with their JSON spelling, and constants for the JSON member names.
//
// Contract: the spellings are the wire format. Renaming one breaks every agent already booted, so
// a change here is a change of the documented protocol (and of tests/records/agent_protocol_test).
// The from_string functions never throw: an unknown word is std::nullopt, for the caller to refuse.
// Pure: no I/O.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::records {

// Every path of the API is k_agent_api_prefix + the endpoint's name: "/api/v1/next".
inline constexpr std::string_view k_agent_api_prefix = "/api/v1/";

enum class Endpoint { register_unit, next, progress, result };
inline constexpr std::array k_endpoints{Endpoint::register_unit, Endpoint::next, Endpoint::progress,
                                        Endpoint::result};
std::string_view to_string(Endpoint); // "register", "next", "progress", "result"
std::optional<Endpoint> endpoint_from_string(std::string_view name);
// The request path of `endpoint`: "/api/v1/register".
std::string agent_api_path(Endpoint endpoint);
// The endpoint a request path names; nullopt for any other path.
std::optional<Endpoint> endpoint_from_path(std::string_view path);

// The step a job asks the agent to do ("step" of a `next` answer); the pipeline order.
// `confirm` comes before a wipe the wipe gate does not let through on its own: the agent shows the
// tag and the disks and waits for a volunteer's key at the machine (docs/OPERATOR-GUIDE.md).
enum class Step { bench, confirm, wipe, deploy, verify, finish };
inline constexpr std::array k_steps{Step::bench,  Step::confirm, Step::wipe,
                                    Step::deploy, Step::verify,  Step::finish};
std::string_view to_string(Step); // "bench", "confirm", "wipe", "deploy", "verify", "finish"
std::optional<Step> step_from_string(std::string_view name);

// "status" of a `result` post: whether the step did its work.
enum class ResultStatus { done, failed };
inline constexpr std::array k_result_statuses{ResultStatus::done, ResultStatus::failed};
std::string_view to_string(ResultStatus); // "done", "failed"
std::optional<ResultStatus> result_status_from_string(std::string_view name);

// "verdict" of the finish step: what the volunteer reads at the machine, in capitals.
enum class Verdict { ready, parts, failed };
inline constexpr std::array k_verdicts{Verdict::ready, Verdict::parts, Verdict::failed};
std::string_view to_string(Verdict); // "READY", "PARTS", "FAILED"
std::optional<Verdict> verdict_from_string(std::string_view name);

// "action" of the finish step: what the agent does once the verdict is on screen.
enum class Action { poweroff, reboot, wait };
inline constexpr std::array k_actions{Action::poweroff, Action::reboot, Action::wait};
std::string_view to_string(Action); // "poweroff", "reboot", "wait"
std::optional<Action> action_from_string(std::string_view name);

// "gate" of the confirm step: why the machine needs a volunteer's key, as a code the agent puts
// into words in the screen's language ("why" carries atelierd's English sentence besides).
enum class ConfirmGate { every_machine, unexpected };
inline constexpr std::array k_confirm_gates{ConfirmGate::every_machine, ConfirmGate::unexpected};
std::string_view to_string(ConfirmGate); // "every_machine", "unexpected"
std::optional<ConfirmGate> confirm_gate_from_string(std::string_view name);

// JSON member names, grouped by where they appear (docs/AGENT-API.md has the bodies).
namespace agent_field {
// Every request.
inline constexpr std::string_view k_token = "token";
// register: request, then answer.
inline constexpr std::string_view k_mac = "mac";
inline constexpr std::string_view k_inventory = "inventory";
inline constexpr std::string_view k_unit = "unit"; // also in `next` answers
inline constexpr std::string_view k_state = "state";
inline constexpr std::string_view k_outcome = "outcome";
// register and next answers (a job or a wait): the program's language ("fr", "en"), in which the
// agent writes the machine's screen. An atelierd that sends none (older than issue 21) means "en".
inline constexpr std::string_view k_language = "language";
// next answer: a job ...
inline constexpr std::string_view k_job = "job"; // also in progress and result posts
inline constexpr std::string_view k_step = "step";
inline constexpr std::string_view k_attempt = "attempt";
inline constexpr std::string_view k_params = "params";
// ... or no free slot yet.
inline constexpr std::string_view k_wait = "wait";
inline constexpr std::string_view k_retry_after = "retry_after";
inline constexpr std::string_view k_position = "position";
inline constexpr std::string_view k_message = "message"; // also a finish parameter
// progress: request, then answer.
inline constexpr std::string_view k_progress = "progress";
inline constexpr std::string_view k_ok = "ok";
inline constexpr std::string_view k_stored = "stored";
// result: request, then answer.
inline constexpr std::string_view k_status = "status";
inline constexpr std::string_view k_result = "result";
inline constexpr std::string_view k_reason = "reason";
inline constexpr std::string_view k_accepted = "accepted";
inline constexpr std::string_view k_repeat = "repeat";
// Any refusal.
inline constexpr std::string_view k_error = "error";
inline constexpr std::string_view k_stop = "stop";
} // namespace agent_field

// Members of a progress report (the step's own JSON progress lines, posted as they are).
namespace progress_field {
inline constexpr std::string_view k_operation = "operation";
inline constexpr std::string_view k_device = "device";
inline constexpr std::string_view k_done_bytes = "done_bytes";
inline constexpr std::string_view k_total_bytes = "total_bytes";
inline constexpr std::string_view k_bytes_per_second = "bytes_per_second";
inline constexpr std::string_view k_eta_seconds = "eta_seconds";
inline constexpr std::string_view k_detail = "detail";
} // namespace progress_field

// Members of "params" in a `next` answer, per step.
namespace param_field {
inline constexpr std::string_view k_budget_seconds = "budget_seconds"; // bench
inline constexpr std::string_view k_profile = "profile";               // wipe, deploy
inline constexpr std::string_view k_methods = "methods";               // wipe: per media
inline constexpr std::string_view k_verify = "verify";                 // wipe
inline constexpr std::string_view k_hidden_areas = "hidden_areas";     // wipe
inline constexpr std::string_view k_site = "site";                     // wipe
inline constexpr std::string_view k_disks = "disks"; // wipe: kernel names of the disks to erase
inline constexpr std::string_view k_parts = "parts"; // wipe: of a machine graded parts
inline constexpr std::string_view k_wiped_zero = "wiped_zero"; // deploy: the disk reads as zeros
inline constexpr std::string_view k_tag = "tag"; // wipe, deploy, verify, confirm, finish
inline constexpr std::string_view k_profile_toml = "profile_toml"; // deploy
inline constexpr std::string_view k_image_url = "image_url";       // deploy
inline constexpr std::string_view k_image_sha256 = "image_sha256"; // deploy
inline constexpr std::string_view k_hostname = "hostname";         // verify
inline constexpr std::string_view k_why = "why"; // confirm: why the machine needs a volunteer's key
inline constexpr std::string_view k_gate = "gate";       // confirm: the same as a ConfirmGate code
inline constexpr std::string_view k_verdict = "verdict"; // finish
inline constexpr std::string_view k_message = "message"; // finish
inline constexpr std::string_view k_action = "action";   // finish
// finish, besides `message` (atelierd's English sentence, shown by agents older than issue 21):
// the pieces the agent puts into words in the screen's language. `failed_step` (a Step name) is
// present when the unit failed because a step the agent ran failed, `reason` then being the
// reason the agent posted; otherwise `reason` is atelierd's own reason, as recorded.
inline constexpr std::string_view k_failed_step = "failed_step"; // finish
inline constexpr std::string_view k_reason = "reason";           // finish
} // namespace param_field

// Members of "result" in a `result` post, per step (deploy posts the imaging record itself).
namespace result_field {
inline constexpr std::string_view k_bench = "bench";     // bench: the atelier.bench/1 report
inline constexpr std::string_view k_records = "records"; // wipe: one erasure record per disk
inline constexpr std::string_view k_summary = "summary"; // verify: the agent's own check
} // namespace result_field

} // namespace atelier::records
