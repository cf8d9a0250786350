// `atelier-imager bench`: runs the CPU, memory and disk benchmarks inside a time budget and builds
// the `atelier.bench/1` report (docs/BENCHMARKS.md). Read-only for disks; the memory test only
// touches memory it allocated itself. Every OS touchpoint comes in through BenchEnvironment.
#pragma once

#include "base/clock.h"
#include "imager/bench/bench_disk.h"
#include "imager/bench/bench_memory.h"
#include "records/bench_report.h"

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace atelier::imager {

struct Inventory;
class FileSystem;

using records::k_bench_schema;

using Millis = std::chrono::milliseconds;

// How the budget is shared (docs/BENCHMARKS.md, "Budget"). Pure.
struct BudgetPlan {
  Millis cpu_single{0};
  Millis cpu_all{0};
  Millis memory_bandwidth{0};
  Millis memtest{0};
  std::vector<Millis> disks; // per disk; half sequential, half random
  Millis total() const;
};
// Weights: CPU single 2, CPU all 2, bandwidth 1, memtest 2 (0 when disabled), disks 3 shared
// equally (0 without disks). Shares are rounded down, so total() <= budget.
BudgetPlan plan_budget(Millis budget, std::size_t disk_count, bool memtest);

// The memory test's region: a quarter of MemAvailable (so the running system and the page cache
// keep room), rounded down to 1 MiB; 0 when under 1 MiB. The stage's time then decides how much of
// it is actually tested (run_memtest goes block by block and stops at its deadline).
std::uint64_t memtest_region_bytes(std::uint64_t mem_available_bytes);

struct Stats {
  double median = 0;
  double spread_percent = 0; // (max - min) / median * 100; 0 for fewer than 2 samples
};
Stats stats_of(std::vector<double> samples);

// One line of "results": also what the hardware database stores (bench_results).
struct BenchMeasurement {
  std::string name; // "cpu.single", "cpu.all", "memory.copy", "disk.seq_read:sda", ...
  double score = 0; // value / reference; 1.0 = the reference machine
  double value = 0; // median of the samples
  std::string unit; // "ops/s", "GB/s", "MB/s", "IOPS"
  std::int64_t duration_ms = 0;
  std::string method;
  std::vector<double> samples;
  double spread_percent = 0;
};

struct MemtestReport {
  bool ran = false;
  std::string skipped; // why it did not run, when it did not
  std::uint64_t bytes_tested = 0;
  std::uint64_t errors = 0;
  std::vector<MemoryError> first_errors;
  std::vector<std::string> patterns;
  bool stopped_early = false;
  std::int64_t duration_ms = 0;
  std::string method;
};

// A disk to benchmark: from the inventory (/dev/<name>, its SMART verdict) or from --disk.
struct BenchTarget {
  std::string name;         // "sda", or the path for --disk
  std::string path;         // "/dev/sda"
  std::string smart_status; // the inventory's health.status; "unknown" when not known
  std::string smart_reason;
};

struct DiskBenchReport {
  BenchTarget target;
  std::optional<double> seq_read_mb_s;
  std::optional<double> rand_read_iops;
  bool direct = false;
  std::string error; // the disk could not be opened or a read failed
};

// Something the grader must know: a fault, not a speed.
struct BenchFinding {
  std::string code;    // "memory-errors", "cpu-wrong-results", "memory-copy-mismatch",
                       // "disk-failing", "disk-read-error"
  std::string subject; // the disk's name for disk findings, else ""
  std::string message; // one sentence for the volunteer
};

struct StageUse {
  std::string name;
  Millis planned{0};
  Millis used{0};
};

struct BenchReport {
  std::string run_at; // set by the caller
  std::string cpu_model;
  unsigned threads = 0;
  std::uint64_t mem_available_bytes = 0;
  Millis budget{0};
  Millis used{0};
  std::vector<StageUse> stages;
  std::vector<BenchMeasurement> results;
  MemtestReport memtest;
  std::vector<DiskBenchReport> disks;
  std::vector<BenchFinding> findings;
  std::vector<std::string> warnings;
};

struct BenchOptions {
  Millis budget{60'000};
  std::vector<BenchTarget> disks;
  bool memtest = true;
  unsigned slices = 3;
  std::uint64_t seed = 0x41544C4945520004ULL;
  // Each of the two copy buffers: 128 MiB, i.e. 256 MiB touched, at least 4x the last-level cache
  // of any desktop CPU a workshop sees (capped at MemAvailable / 8).
  std::size_t bandwidth_buffer_bytes = std::size_t{128} << 20U;
};

using DiskOpener =
    std::function<std::expected<std::unique_ptr<BlockReader>, std::string>(const std::string&)>;
using RegionMaker =
    std::function<std::expected<std::unique_ptr<MemoryRegion>, std::string>(std::size_t)>;

// The machine as the bench sees it. The clock must outlive the run.
struct BenchEnvironment {
  const base::Clock* clock = nullptr;
  unsigned cpus = 1;
  std::uint64_t mem_available_bytes = 0;
  DiskOpener open_disk;
  RegionMaker make_region;
};

// The real machine: SteadyClock, online CPUs, MemAvailable from fs, PosixBlockReader, heap memory.
BenchEnvironment live_environment(const base::Clock& clock, FileSystem& fs);

// Disks of the inventory as targets (/dev/<name>, health status and reason).
std::vector<BenchTarget> targets_from(const Inventory& inventory);

// Runs every stage in order; never fails as a whole: a stage that cannot run leaves a warning (and,
// for faults, a finding). Blocks for about options.budget.
BenchReport run_bench(const BenchOptions& options, BenchEnvironment& env);

nlohmann::json to_json(const BenchReport& report);
std::string to_json_text(const BenchReport& report);
// For the volunteer: one line per result, then the findings and what to do.
std::string to_text(const BenchReport& report);

} // namespace atelier::imager
