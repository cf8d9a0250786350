// The sentences atelier-imager's agent posts as the reason of a step it could not do (the
// `reason` of a `result`, kept in the unit's events) and shows on the machine's screen in the
// program's language (imager/agent/screen_text.h, say): patterns with named placeholders, so that
// a reader renders an event written in English in its own language (`atelier watch`, `units
// history`: papers/record_phrases.h; docs/TRANSLATING.md, "Records").
//
// Contract: the English here is what the events hold: a changed pattern leaves older events
// recognised no more (shown as written); add a new pattern rather than change one. Placeholder
// values (a program's name, a device, a tool's own error) are shown as written or, when one is
// itself a known sentence, rendered the same way. record_phrase() marks each for the catalogue.
// Pure.
#pragma once

#include "records/phrases.h"

#include <array>

namespace atelier::records {

inline constexpr const char* k_bench_failed = record_phrase("benchmark failed: {error}");
inline constexpr const char* k_bench_given_up =
    record_phrase("benchmark stopped: atelierd gave this step up");
inline constexpr const char* k_bench_too_long =
    record_phrase("benchmark failed: it ran longer than {seconds} s (budget {budget} s, twice that "
                  "plus {margin} s allowed) and was stopped: the machine hung or is very slow; "
                  "often bad RAM: run a memory test");
inline constexpr const char* k_bench_killed =
    record_phrase("benchmark failed: bench was killed by signal {signal}: {why}");
inline constexpr const char* k_bench_exited =
    record_phrase("benchmark failed: bench exited with {code}: {why}");
inline constexpr const char* k_bench_no_report =
    record_phrase("benchmark failed: bench printed no JSON report");
inline constexpr const char* k_program_given_up =
    record_phrase("{program} was stopped: atelierd gave this step up");
inline constexpr const char* k_program_too_long =
    record_phrase("{program} ran longer than {seconds} s and was stopped");
inline constexpr const char* k_program_killed =
    record_phrase("{program} was killed by signal {signal}: {why}");
inline constexpr const char* k_program_exited =
    record_phrase("{program} exited with {code}: {why}");
inline constexpr const char* k_program_no_report =
    record_phrase("{program} printed no JSON report");
inline constexpr const char* k_device_given_up =
    record_phrase("{device}: stopped, atelierd gave this step up");
inline constexpr const char* k_no_disk_to_erase =
    record_phrase("no disk to erase was found in this machine");
inline constexpr const char* k_volunteer_said_no =
    record_phrase("a volunteer answered N at the machine: nothing was erased; take the machine off "
                  "the network boot");
inline constexpr const char* k_no_answer_read =
    record_phrase("no answer could be read from the console: nothing was erased");
inline constexpr const char* k_no_disk_to_install = record_phrase("no internal disk to install on");
inline constexpr const char* k_cannot_write = record_phrase("cannot write {file}");
inline constexpr const char* k_install_failed = record_phrase("installation failed: {why}");
inline constexpr const char* k_install_failed_at =
    record_phrase("installation failed at step {step}: {why}");
inline constexpr const char* k_no_disk_to_check = record_phrase("no internal disk to check");
inline constexpr const char* k_lsblk_failed =
    record_phrase("{device}: lsblk cannot list its partitions: {why}");
inline constexpr const char* k_no_root_filesystem =
    record_phrase("{device}: no root filesystem found after installation");
inline constexpr const char* k_fsck_errors =
    record_phrase("{partition}: the filesystem check found errors: {why}");
inline constexpr const char* k_cannot_mount =
    record_phrase("{partition}: cannot be mounted to check it");
inline constexpr const char* k_wrong_hostname =
    record_phrase("{partition}: hostname is '{found}', expected '{expected}'");
inline constexpr const char* k_no_grub_cfg =
    record_phrase("{partition}: /boot/grub/grub.cfg is missing");
inline constexpr const char* k_unknown_step =
    record_phrase("this agent does not know step '{step}'");

// The summary of a verify step that passed (the `summary` of its result, which atelierd files as
// "verified: <summary>").
inline constexpr const char* k_verified_summary =
    record_phrase("{partition} ({fstype}) clean, hostname {hostname}, GRUB configured");

// Every pattern, the most specific first (a reader tries them in this order).
inline constexpr std::array k_agent_reasons{
    k_bench_given_up,   k_bench_too_long,     k_bench_killed,      k_bench_exited,
    k_bench_no_report,  k_bench_failed,       k_program_given_up,  k_program_too_long,
    k_program_killed,   k_program_exited,     k_program_no_report, k_device_given_up,
    k_no_disk_to_erase, k_volunteer_said_no,  k_no_answer_read,    k_no_disk_to_install,
    k_cannot_write,     k_install_failed,     k_install_failed_at, k_no_disk_to_check,
    k_lsblk_failed,     k_no_root_filesystem, k_fsck_errors,       k_cannot_mount,
    k_wrong_hostname,   k_no_grub_cfg,        k_unknown_step,      k_verified_summary};

} // namespace atelier::records
