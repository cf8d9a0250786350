// Disk health from smartctl's and nvme-cli's JSON output: pure parsers on their text, plus the
// probe that runs the tools through a ProcessRunner. Read-only: only `smartctl -a` and
// `nvme smart-log` are ever run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::base {
class ProcessRunner;
} // namespace atelier::base

namespace atelier::imager {

enum class HealthStatus { ok, warning, failing, unknown };
std::string_view to_string(HealthStatus);

struct DiskHealth {
  HealthStatus status = HealthStatus::unknown;
  std::string reason;               // why warning/failing/unknown, one sentence for a volunteer
  std::string source;               // "smartctl", "nvme-cli" or "" when nothing answered
  std::optional<bool> smart_passed; // smart_status.passed (the drive's own verdict)
  // ATA attribute raw values, kept when the drive reports them. Raw > 0 on any of these predicts
  // failure (Backblaze's and Google's drive studies).
  std::optional<std::uint64_t> reallocated_sectors;    // 5
  std::optional<std::uint64_t> reported_uncorrectable; // 187
  std::optional<std::uint64_t> command_timeout;        // 188 (some vendors pack 3 counters in it)
  std::optional<std::uint64_t> pending_sectors;        // 197
  std::optional<std::uint64_t> offline_uncorrectable;  // 198
  std::optional<std::uint64_t> power_on_hours;
  std::optional<std::uint64_t> power_cycles;
  std::optional<int> temperature_c;
  // NVMe health log.
  std::optional<std::uint64_t> percentage_used; // may exceed 100
  std::optional<std::uint64_t> available_spare; // percent
  std::optional<std::uint64_t> media_errors;
  std::optional<std::uint64_t> critical_warning; // bit field; non-zero is bad
  // Identity smartctl saw (through a USB bridge this can be the only way to get them).
  std::string model;
  std::string serial;
  std::string firmware;
  std::optional<std::uint64_t> rotation_rate_rpm; // 0 means solid state
};

// Parses `smartctl --json=c -a` output. Never fails: output that is not JSON, or JSON with no SMART
// data (a USB bridge that passes nothing through), gives status unknown and a reason.
DiskHealth parse_smartctl_json(std::string_view text);

// Parses `nvme smart-log -o json` output (nvme-cli 1.x and 2.x field names; temperature in kelvin).
DiskHealth parse_nvme_smart_log_json(std::string_view text);

// Sets status and reason from the values present (shared by both parsers).
void grade_health(DiskHealth& health);

// What running the tools left behind, for the report's raw section.
struct HealthProbe {
  DiskHealth health;
  struct Run {
    std::vector<std::string> argv;
    int exit_code = -1;
    bool timed_out = false;
    std::string out;   // verbatim standard output
    std::string error; // set when the tool could not be started
  };
  std::vector<Run> runs;
};

// Runs smartctl on /dev/<name>; for NVMe, falls back to nvme-cli when smartctl gave nothing.
// Missing tools or silent devices give status unknown with the reason, never an error.
HealthProbe probe_health(base::ProcessRunner& runner, std::string_view device_name, bool is_nvme);

} // namespace atelier::imager
