// The reasons atelierd writes itself when it stops a machine (a step given up, a grade, a result
// it could not record): one pattern each, with a stable code, shared by atelierd, which writes
// the English into the unit's events and names the code in the `finish` step's params
// (`reason_code`, `reason_values`: docs/AGENT-API.md), and the agent, which words the machine's
// screen from the code in the program's language. The events keep the English (`atelier watch`
// and the unit's history read the same in every workshop).
//
// Contract: a code and its pattern are protocol: a code is never reused for another sentence; a
// changed sentence gets a new code. The patterns are record_phrase()-marked message ids
// (docs/TRANSLATING.md). Placeholder values are data (a step name, minutes, the grading rules'
// own words) and are shown as written. Pure.
#pragma once

#include "records/phrases.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::records {

struct DaemonReason {
  std::string_view code;
  const char* pattern;
};

inline constexpr DaemonReason k_reason_step_timeout{
    "step_timeout",
    record_phrase("step {step} ran longer than {minutes} min ([pipeline] step_timeout_minutes): "
                  "boot the machine again over the network to redo it")};
inline constexpr DaemonReason k_reason_no_word{
    "no_word", record_phrase("no word from the agent for {minutes} min during {step} (powered off, "
                             "hung or unplugged?): boot the machine again over the network to "
                             "resume")};
inline constexpr DaemonReason k_reason_no_progress{
    "no_progress",
    record_phrase("{step} made no progress for {minutes} min (stuck at {where}): the disk or the "
                  "machine hung; boot the machine again over the network to redo it, and if it "
                  "stops at the same place again, set the disk aside")};
inline constexpr DaemonReason k_reason_graded_parts{"graded_parts",
                                                    record_phrase("graded parts: {why}")};
inline constexpr DaemonReason k_reason_graded_parts_wipe_first{
    "graded_parts_wipe_first",
    record_phrase("graded parts: {why}; its disks are wiped before it goes to parts")};
inline constexpr DaemonReason k_reason_graded_parts_erased{
    "graded_parts_erased", record_phrase("graded parts; its disks are erased")};
inline constexpr DaemonReason k_reason_no_profile{
    "no_profile", record_phrase("no profile fits this machine ({why}): add a profile or set the "
                                "machine aside")};
inline constexpr DaemonReason k_reason_batch_profile_missing{
    "batch_profile_missing",
    record_phrase("batch \"{batch}\" names profile \"{profile}\", which is not installed on the "
                  "server")};
inline constexpr DaemonReason k_reason_batch_profile_unfit{
    "batch_profile_unfit",
    record_phrase("batch \"{batch}\" installs profile \"{profile}\", which does not fit this "
                  "machine: {why}")};
// The `why` of result_not_recorded when atelierd's own check of a wipe refuses it
// (daemon/erasure_check.h); each problem is the check's own words.
inline constexpr DaemonReason k_reason_erasure_not_certified{
    "erasure_not_certified", record_phrase("the erasure cannot be certified: {problems}")};
inline constexpr DaemonReason k_reason_not_recorded{
    "result_not_recorded", record_phrase("{step} result could not be recorded: {why}")};

// Not a reason of its own but how atelierd files the reason of a step the agent reported failed,
// in the unit's events ("wipe failed: <the agent's reason>", daemon/pipeline.cpp
// step_failure_reason): a reader renders the step's name and the agent's sentence in its language
// (papers/record_phrases.h). Never sent as a `reason_code` (the agent words its own reason).
inline constexpr const char* k_event_step_failed = record_phrase("{step} failed: {why}");

// The reasons atelierd writes into a unit's events for its ordinary steps (a grade, a wipe, an
// install, a check, a machine booted again): never sent as a `reason_code`; recognised and
// rendered by readers like the reasons above (papers/record_phrases.h).
inline constexpr const char* k_event_inventory_received =
    record_phrase("inventory received from the agent");
inline constexpr const char* k_event_booted_again =
    record_phrase("booted again while {state}: starting over");
inline constexpr const char* k_event_graded =
    record_phrase("grade {grade} (score {score}); profile {profile}");
inline constexpr const char* k_event_graded_batch =
    record_phrase("grade {grade} (score {score}); profile {profile} (batch \"{batch}\")");
inline constexpr const char* k_event_one_disk_erased =
    record_phrase("1 disk erased and verified, checked against the inventory and {policy}");
inline constexpr const char* k_event_disks_erased =
    record_phrase("{count} disks erased and verified, checked against the inventory and {policy}");
inline constexpr const char* k_event_policy_parts =
    record_phrase("the default wipe policy (graded parts)");
inline constexpr const char* k_event_policy_profile = record_phrase("profile {profile}");
inline constexpr const char* k_event_installed = record_phrase("profile {profile} installed");
inline constexpr const char* k_event_verified = record_phrase("verified: {summary}");
inline constexpr const char* k_event_checks_out = record_phrase("the installed system checks out");

// Every event sentence, the most specific first.
inline constexpr std::array k_daemon_event_phrases{
    k_event_inventory_received, k_event_booted_again, k_event_graded_batch, k_event_graded,
    k_event_one_disk_erased,    k_event_disks_erased, k_event_policy_parts, k_event_installed,
    k_event_policy_profile,     k_event_verified,     k_event_checks_out};

// Every reason, the most specific first (a reader tries them in this order).
inline constexpr std::array k_daemon_reasons{k_reason_step_timeout,
                                             k_reason_no_word,
                                             k_reason_no_progress,
                                             k_reason_graded_parts_erased,
                                             k_reason_graded_parts_wipe_first,
                                             k_reason_graded_parts,
                                             k_reason_no_profile,
                                             k_reason_batch_profile_missing,
                                             k_reason_batch_profile_unfit,
                                             k_reason_erasure_not_certified,
                                             k_reason_not_recorded};

// The English of `reason` filled with `values`.
std::string daemon_reason(const DaemonReason& reason, const PhraseValues& values);

// The reason a code names; nullopt for a code this build does not know.
std::optional<DaemonReason> daemon_reason_from_code(std::string_view code);

// Which reason `text` (an event's English) was made from, with its values; nullopt for any other
// text (an agent's reason, a coordinator's note).
struct RecognisedReason {
  DaemonReason reason;
  PhraseValues values;
};
std::optional<RecognisedReason> recognise_daemon_reason(std::string_view text);

} // namespace atelier::records
