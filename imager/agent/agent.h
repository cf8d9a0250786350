// `atelier-imager agent`: the loop the boot environment runs. It registers with atelierd (MAC,
// this boot's token, the inventory), then asks "what next?" and does exactly that, reporting
// progress and the result, until the daemon says finish: then it shows the verdict and powers off,
// reboots or waits as told (docs/AGENT-API.md, docs/PIPELINE.md).
//
// Every step runs as a child process of our own binary (`atelier-imager bench|wipe|deploy ...`),
// so a crash or a hang in one step is a failed step the daemon hears about, never a silent agent.
#pragma once

#include "base/clock.h"
#include "base/language.h"
#include "imager/agent/screen_text.h"

#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace atelier::imager {

struct AgentOptions {
  std::string server; // "http://198.18.0.2:80"
  std::string token;  // atelier.token= of the kernel command line
  std::string mac;    // the interface that booted (BOOTIF)
  // The screen's language until atelierd names one at registration (atelier.lang= of the kernel
  // command line, the program's language as atelierd knew it when the machine booted).
  base::Language language = base::Language::en;
  std::string self = "/proc/self/exe"; // the atelier-imager binary to run steps with
  bool power_actions = true;           // false (tests): print the action instead of powering off
  std::string work_dir = "/tmp";       // where the profile of a deploy step is written
  // Paces progress posts and heartbeats and the pauses between polls; must outlive the run.
  const base::Clock* clock = &base::system_clock(); // never null
  // Where a volunteer's keys come from (the confirm step of the wipe gate): the console.
  int keys_fd = 0;
};

// The volunteer's answer in the keys read so far: true for y/Y/o/O (yes, oui), false for n/N,
// nullopt while neither was pressed. Pure.
std::optional<bool> confirmation_in(std::string_view keys);

// The partitions (in table order) that `lsblk --json --paths -o NAME,TYPE DISK` lists under the
// disk; empty for anything else. Pure.
std::vector<std::string> partitions_in_lsblk(std::string_view lsblk_json);

// The read-only check of a filesystem the verify step runs: `fsck -n -t TYPE` (e2fsck for ext4);
// xfs_repair -n and btrfs check --readonly for xfs and btrfs, whose fsck.* are no-op scripts that
// would pass anything. Pure.
std::vector<std::string> filesystem_check_command(std::string_view fstype,
                                                  const std::string& device);

// The last line of a child's stderr that is a message for people: JSON progress lines and blank
// lines are skipped, so a failure's reason is not buried under the progress that came before it.
// Pure.
std::string last_message_line(std::string_view text);

// How the volunteer's screen names a disk of the inventory (atelier.inventory/1 "disks" entry) in
// `language`: "ST500DM002 Z3T1234", "serial ATLE2E1" without a model, or "3.0 GiB, no model or
// serial reported". Fields the drive did not report are null in the inventory; they never throw.
// Pure.
std::string describe_disk(base::Language language, const nlohmann::json& disk);

// How long the bench step's child may run before the agent stops it and fails the step: twice the
// budget plus 60 s (a slow machine overruns its budget a little; a hung one forever). Pure.
std::chrono::seconds bench_timeout(int budget_seconds);

// The bench step: `SELF bench --json --budget N`, stopped after `timeout`. The bench report, or
// the reason the step failed ("benchmark failed: ..."), naming the time limit when it hung, in
// English and in `language`.
std::expected<nlohmann::json, Said> bench_step(base::Language language, const std::string& self,
                                               int budget_seconds, std::chrono::seconds timeout,
                                               const std::function<void(std::string_view)>& on_line,
                                               const std::atomic<bool>* cancel = nullptr);

// What the wipe step runs for one disk and one method of the profile's list (without the program
// itself): `wipe DEVICE ...` for an overwrite, `purge DEVICE ...` for a firmware method, with the
// verification, the hidden-area policy (both honour it), and the record's asset tag, site and
// operator from the step's params. Pure.
std::vector<std::string> erase_command(const std::string& device, const std::string& method,
                                       const nlohmann::json& params);

// Returns when the daemon's finish step was carried out (or a fatal refusal): 0 after READY,
// 1 otherwise.
int run_agent(const AgentOptions& options);

} // namespace atelier::imager
