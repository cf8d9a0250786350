// `atelier-imager grade`: the program file's rules (profiles::grade) on the inventory, then the
// faults the bench found as overrides. The program file has no bench rules yet, so speeds are shown
// but not scored; faults are never a matter of points: memory errors, a CPU that computes wrong, or
// a machine whose every disk is failing by SMART goes to parts with the reason (docs/BENCHMARKS.md,
// "Grading").
#pragma once

#include "profiles/grade.h"
#include "profiles/machine_facts.h"
#include "profiles/program.h"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace atelier::records {

// A disk's SMART verdict as the inventory (or the bench report) recorded it.
struct DiskVerdict {
  std::string name;
  std::string status; // "ok", "warning", "failing", "unknown"
  std::string reason;
};

// What the grader reads from an atelier.bench/1 document.
struct BenchSummary {
  bool memtest_ran = false;
  std::uint64_t memtest_errors = 0;
  std::uint64_t memtest_bytes = 0;
  std::vector<std::string> finding_codes; // "cpu-wrong-results", ...
  std::vector<DiskVerdict> disks;
  struct Score {
    std::string name;
    double score = 0;
    double value = 0;
    std::string unit;
  };
  std::vector<Score> scores;
};

// Errors: not JSON (or nested deeper than records::k_max_json_depth), another schema, a required
// field missing, or any field read of the wrong type; the sentence names the field by its path
// (records/json_fields.h), e.g. "field 'memtest.ran' must be true or false". Never throws.
std::expected<BenchSummary, std::string> bench_summary_from_json(std::string_view json_text);
// The same, of a document already parsed that sits at `path` of a larger one: atelierd reads the
// report inside a result post as "result.bench", so its errors name "result.bench.memtest.ran".
std::expected<BenchSummary, std::string> bench_summary_from_json(const nlohmann::json& document,
                                                                 std::string_view path);
// disks[].name and disks[].health.status of an atelier.inventory/1 document; a disk without health
// is "unknown". Errors as above.
std::expected<std::vector<DiskVerdict>, std::string>
disk_verdicts_from_inventory_json(std::string_view json_text);

struct MachineGrade {
  profiles::GradeResult rules;                    // the program file's verdict and its breakdown
  profiles::Grade grade = profiles::Grade::parts; // after overrides
  std::vector<std::string> overrides;             // each forces parts: "parts: memory errors (...)"
  std::vector<std::string> notes;                // findings that matter but do not change the grade
  std::vector<BenchSummary::Score> bench_scores; // shown, not scored
};

// Pure. Disk verdicts from the inventory and the bench are merged by name (failing wins).
MachineGrade grade_machine(const profiles::Program& program, const profiles::MachineFacts& facts,
                           const std::vector<DiskVerdict>& inventory_disks,
                           const std::optional<BenchSummary>& bench);

nlohmann::json to_json(const MachineGrade& grade);
std::string to_text(const MachineGrade& grade);

} // namespace atelier::records
