#include "imager/bench/bench.h"

#include "base/version.h"
#include "imager/bench/bench_cpu.h"
#include "imager/bench/bench_reference.h"
#include "imager/inventory/inventory.h"
#include "imager/sys/file_system.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using Json = nlohmann::json;
using Nanos = std::chrono::nanoseconds;

std::int64_t to_ms(Nanos n) {
  return std::chrono::duration_cast<Millis>(n).count();
}

double seconds(Millis m) {
  return std::chrono::duration<double>(m).count();
}

double score(double value, double reference) {
  return reference > 0 ? value / reference : 0.0;
}

BenchMeasurement measurement(std::string name, std::vector<double> samples, double reference,
                             std::string unit, Nanos elapsed, std::string method) {
  const Stats s = stats_of(samples);
  BenchMeasurement m;
  m.name = std::move(name);
  m.value = s.median;
  m.score = score(s.median, reference);
  m.unit = std::move(unit);
  m.duration_ms = to_ms(elapsed);
  m.method = std::move(method);
  m.samples = std::move(samples);
  m.spread_percent = s.spread_percent;
  return m;
}

// MemAvailable from /proc/meminfo ("MemAvailable:   23178784 kB"); 0 when absent.
std::uint64_t read_mem_available(FileSystem& fs) {
  const auto text = fs.read_file("proc/meminfo");
  if (!text) {
    return 0;
  }
  const std::string_view key = "MemAvailable:";
  const auto at = text->find(key);
  if (at == std::string::npos) {
    return 0;
  }
  const auto end = text->find('\n', at);
  std::string_view value =
      trim(std::string_view(*text).substr(at + key.size(), end - at - key.size()));
  if (value.ends_with("kB")) {
    value = trim(value.substr(0, value.size() - 2));
  }
  const auto kib = parse_unsigned(value);
  return kib ? *kib * 1024 : 0;
}

void run_cpu(BenchReport& report, BenchEnvironment& env, const BenchOptions& options,
             const BudgetPlan& plan) {
  const CpuWorkload workload;
  const auto stage = [&](std::string name, unsigned threads, Millis time, double reference) {
    const Nanos slice = Nanos(time) / options.slices;
    const CpuRun run = measure_cpu(workload, *env.clock, threads, slice, options.slices);
    report.results.push_back(measurement(
        name, run.samples_ops_per_s, reference, "ops/s", run.elapsed,
        fmt::format(
            "{}: fixed integer workload v{} (SHA-256 rounds + LZ77 over 16 KiB), {} thread{}, "
            "{} slices of {:.2f} s, median",
            name, CpuWorkload::k_version, threads, threads == 1 ? "" : "s", options.slices,
            std::chrono::duration<double>(slice).count())));
    report.stages.push_back({name, time, Millis(to_ms(run.elapsed))});
    if (run.wrong_results > 0) {
      report.findings.push_back(
          {"cpu-wrong-results", "",
           fmt::format("the CPU returned a wrong checksum in {} of {} runs of the fixed workload "
                       "({}): the processor or memory computes wrong",
                       run.wrong_results, run.ops, name)});
    }
  };
  stage("cpu.single", 1, plan.cpu_single, k_reference.cpu_single_ops_per_s);
  stage("cpu.all", env.cpus, plan.cpu_all, k_reference.cpu_all_ops_per_s);
}

void run_bandwidth(BenchReport& report, BenchEnvironment& env, const BenchOptions& options,
                   Millis time) {
  const std::size_t cap = static_cast<std::size_t>(env.mem_available_bytes / 8);
  const std::size_t bytes = std::max<std::size_t>(
      std::min(options.bandwidth_buffer_bytes, cap > 0 ? cap : options.bandwidth_buffer_bytes),
      4096);
  const Nanos slice = Nanos(time) / options.slices;
  auto run = measure_bandwidth(bytes, *env.clock, slice, options.slices);
  if (!run) {
    report.warnings.push_back("memory.copy: " + run.error());
    return;
  }
  report.results.push_back(measurement(
      "memory.copy", run->samples_gb_s, k_reference.memory_copy_gb_s, "GB/s", run->elapsed,
      fmt::format("memory.copy: memcpy of {} MiB, 1 thread, bytes read + written, {} slices of "
                  "{:.2f} s, median",
                  bytes >> 20U, options.slices, std::chrono::duration<double>(slice).count())));
  report.stages.push_back({"memory.copy", time, Millis(to_ms(run->elapsed))});
  if (!run->copy_verified) {
    report.findings.push_back(
        {"memory-copy-mismatch", "", "a memory copy did not compare equal to its source"});
  }
}

void run_memtest_stage(BenchReport& report, BenchEnvironment& env, const BenchOptions& options,
                       Millis time) {
  MemtestReport& m = report.memtest;
  const std::uint64_t bytes = memtest_region_bytes(env.mem_available_bytes);
  if (!options.memtest || bytes == 0) {
    m.skipped = !options.memtest ? "disabled" : "less than 1 MiB of memory available";
    return;
  }
  auto region = env.make_region(static_cast<std::size_t>(bytes));
  if (!region) {
    m.skipped = region.error();
    report.warnings.push_back("memtest: " + region.error());
    return;
  }
  const Nanos deadline = env.clock->monotonic().time_since_epoch() + Nanos(time);
  const MemtestRun run = run_memtest(**region, *env.clock, deadline, options.seed);
  m.ran = true;
  m.bytes_tested = run.bytes_tested;
  m.errors = run.errors;
  m.first_errors = run.first_errors;
  for (const auto p : run.patterns) {
    m.patterns.emplace_back(p);
  }
  m.stopped_early = run.stopped_early;
  m.duration_ms = to_ms(run.elapsed);
  m.method = fmt::format("memtest: up to {} MiB (1/4 of {} MiB available) in 64 MiB blocks until "
                         "{:.1f} s are used; per block patterns walking-ones, address, random "
                         "(seeded): write the block, then read it back",
                         bytes >> 20U, env.mem_available_bytes >> 20U, seconds(time));
  report.stages.push_back({"memtest", time, Millis(m.duration_ms)});
  if (run.errors > 0) {
    report.findings.push_back(
        {"memory-errors", "",
         fmt::format("{} memory word{} read back wrong in {} MiB tested", run.errors,
                     run.errors == 1 ? "" : "s", run.bytes_tested >> 20U)});
  }
}

void run_disk(BenchReport& report, BenchEnvironment& env, const BenchOptions& options,
              const BenchTarget& target, Millis time) {
  DiskBenchReport d;
  d.target = target;
  if (target.smart_status == "failing") {
    report.findings.push_back({"disk-failing", target.name,
                               fmt::format("disk {} is failing by its own SMART verdict: {}",
                                           target.name, target.smart_reason)});
  }
  auto reader = env.open_disk(target.path);
  if (!reader) {
    d.error = reader.error();
    report.warnings.push_back("disk " + target.name + ": " + reader.error());
    report.disks.push_back(std::move(d));
    return;
  }
  d.direct = (*reader)->direct();
  if (!d.direct) {
    report.warnings.push_back(
        "disk " + target.name +
        ": O_DIRECT refused, buffered reads with the page cache dropped after "
        "each read (rates may be optimistic)");
  }
  DiskPlan plan;
  plan.seq_time = Nanos(time) / 2;
  plan.rand_time = Nanos(time) / 2;
  plan.slices = options.slices;
  plan.seed = options.seed;
  auto run = measure_disk(**reader, *env.clock, plan);
  if (!run) {
    d.error = run.error();
    report.findings.push_back(
        {"disk-read-error", target.name,
         fmt::format("disk {} could not be read: {}", target.name, run.error())});
    report.disks.push_back(std::move(d));
    return;
  }
  const std::string io = d.direct ? "O_DIRECT" : "buffered+DONTNEED";
  report.results.push_back(measurement(
      "disk.seq_read:" + target.name, run->seq_samples_mb_s, k_reference.disk_seq_read_mb_s, "MB/s",
      run->seq_elapsed,
      fmt::format("disk.seq_read: {} 1 MiB reads, {} slices at evenly spread offsets, {:.2f} s "
                  "each, median, read-only",
                  io, plan.slices,
                  std::chrono::duration<double>(plan.seq_time / plan.slices).count())));
  d.seq_read_mb_s = report.results.back().value;
  report.results.push_back(measurement(
      "disk.rand_read:" + target.name, run->rand_samples_iops, k_reference.disk_rand_read_iops,
      "IOPS", run->rand_elapsed,
      fmt::format("disk.rand_read: {} 4 KiB reads at seeded random aligned offsets, queue depth 1, "
                  "{} slices of {:.2f} s, median, read-only",
                  io, plan.slices,
                  std::chrono::duration<double>(plan.rand_time / plan.slices).count())));
  d.rand_read_iops = report.results.back().value;
  report.stages.push_back(
      {"disk:" + target.name, time, Millis(to_ms(run->seq_elapsed + run->rand_elapsed))});
  report.disks.push_back(std::move(d));
}

std::string hex(std::uint64_t v) {
  return fmt::format("0x{:016x}", v);
}

} // namespace

Millis BudgetPlan::total() const {
  Millis sum = cpu_single + cpu_all + memory_bandwidth + memtest;
  for (const Millis d : disks) {
    sum += d;
  }
  return sum;
}

BudgetPlan plan_budget(Millis budget, std::size_t disk_count, bool memtest) {
  const std::int64_t w_memtest = memtest ? 2 : 0;
  const std::int64_t w_disks = disk_count > 0 ? 3 : 0;
  const std::int64_t weights = 2 + 2 + 1 + w_memtest + w_disks;
  const std::int64_t ms = std::max<std::int64_t>(budget.count(), 0);
  const auto share = [&](std::int64_t w) {
    return Millis(ms * w / weights);
  };
  BudgetPlan plan;
  plan.cpu_single = share(2);
  plan.cpu_all = share(2);
  plan.memory_bandwidth = share(1);
  plan.memtest = share(w_memtest);
  if (disk_count > 0) {
    const Millis each = share(w_disks) / static_cast<std::int64_t>(disk_count);
    plan.disks.assign(disk_count, each);
  }
  return plan;
}

std::uint64_t memtest_region_bytes(std::uint64_t mem_available_bytes) {
  constexpr std::uint64_t k_mib = std::uint64_t{1} << 20U;
  return mem_available_bytes / 4 / k_mib * k_mib;
}

Stats stats_of(std::vector<double> samples) {
  Stats s;
  if (samples.empty()) {
    return s;
  }
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  s.median = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
  if (n >= 2 && s.median > 0) {
    s.spread_percent = (samples.back() - samples.front()) / s.median * 100.0;
  }
  return s;
}

BenchEnvironment live_environment(const base::Clock& clock, FileSystem& fs) {
  BenchEnvironment env;
  env.clock = &clock;
  env.cpus = online_cpus();
  env.mem_available_bytes = read_mem_available(fs);
  env.open_disk =
      [](const std::string& path) -> std::expected<std::unique_ptr<BlockReader>, std::string> {
    auto r = PosixBlockReader::open(path);
    if (!r) {
      return std::unexpected(r.error());
    }
    return std::unique_ptr<BlockReader>(std::move(*r));
  };
  env.make_region =
      [](std::size_t bytes) -> std::expected<std::unique_ptr<MemoryRegion>, std::string> {
    auto r = HeapMemoryRegion::allocate(bytes);
    if (!r) {
      return std::unexpected(r.error());
    }
    return std::unique_ptr<MemoryRegion>(std::move(*r));
  };
  return env;
}

std::vector<BenchTarget> targets_from(const Inventory& inventory) {
  std::vector<BenchTarget> targets;
  for (const Disk& disk : inventory.disks) {
    BenchTarget t;
    t.name = disk.name;
    t.path = "/dev/" + disk.name;
    t.smart_status = disk.health ? std::string(to_string(disk.health->status)) : "unknown";
    t.smart_reason = disk.health ? disk.health->reason : "";
    targets.push_back(std::move(t));
  }
  return targets;
}

BenchReport run_bench(const BenchOptions& options, BenchEnvironment& env) {
  BenchReport report;
  report.threads = env.cpus;
  report.mem_available_bytes = env.mem_available_bytes;
  report.budget = options.budget;
  BenchOptions opts = options;
  opts.slices = std::max(opts.slices, 1U);
  const BudgetPlan plan = plan_budget(options.budget, options.disks.size(), options.memtest);
  const Nanos start = env.clock->monotonic().time_since_epoch();

  run_cpu(report, env, opts, plan);
  run_bandwidth(report, env, opts, plan.memory_bandwidth);
  run_memtest_stage(report, env, opts, plan.memtest);
  for (std::size_t i = 0; i < options.disks.size(); ++i) {
    run_disk(report, env, opts, options.disks[i], plan.disks[i]);
  }
  report.used = Millis(to_ms(env.clock->monotonic().time_since_epoch() - start));
  return report;
}

Json to_json(const BenchReport& r) {
  Json results = Json::array();
  for (const auto& m : r.results) {
    results.push_back({{"name", m.name},
                       {"score", m.score},
                       {"value", m.value},
                       {"unit", m.unit},
                       {"duration_ms", m.duration_ms},
                       {"method", m.method},
                       {"samples", m.samples},
                       {"spread_percent", m.spread_percent}});
  }
  Json addresses = Json::array();
  Json first_errors = Json::array();
  for (const auto& e : r.memtest.first_errors) {
    addresses.push_back(hex(e.address));
    first_errors.push_back({{"address", hex(e.address)},
                            {"expected", hex(e.expected)},
                            {"actual", hex(e.actual)},
                            {"pattern", e.pattern}});
  }
  const auto& mt = r.memtest;
  Json memtest{{"ran", mt.ran},
               {"skipped", mt.skipped.empty() ? Json(nullptr) : Json(mt.skipped)},
               {"bytes_tested", mt.bytes_tested},
               {"errors", mt.errors},
               {"first_error_addresses", addresses},
               {"first_errors", first_errors},
               {"patterns", mt.patterns},
               {"stopped_early", mt.stopped_early},
               {"duration_ms", mt.duration_ms},
               {"method", mt.method}};
  Json disks = Json::array();
  for (const auto& d : r.disks) {
    disks.push_back({{"name", d.target.name},
                     {"path", d.target.path},
                     {"seq_read_mb_s", d.seq_read_mb_s ? Json(*d.seq_read_mb_s) : Json(nullptr)},
                     {"rand_read_iops", d.rand_read_iops ? Json(*d.rand_read_iops) : Json(nullptr)},
                     {"direct_io", d.direct},
                     {"smart",
                      {{"status", d.target.smart_status},
                       {"reason", d.target.smart_reason.empty() ? Json(nullptr)
                                                                : Json(d.target.smart_reason)}}},
                     {"error", d.error.empty() ? Json(nullptr) : Json(d.error)}});
  }
  Json stages = Json::array();
  for (const auto& s : r.stages) {
    stages.push_back(
        {{"name", s.name}, {"planned_ms", s.planned.count()}, {"used_ms", s.used.count()}});
  }
  Json findings = Json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"code", f.code},
                        {"subject", f.subject.empty() ? Json(nullptr) : Json(f.subject)},
                        {"message", f.message}});
  }
  return Json{
      {"schema", k_bench_schema},
      {"generator", {{"name", "atelier-imager"}, {"version", base::version()}}},
      {"run_at", r.run_at.empty() ? Json(nullptr) : Json(r.run_at)},
      {"reference", k_reference.id},
      {"machine",
       {{"cpu_model", r.cpu_model.empty() ? Json(nullptr) : Json(r.cpu_model)},
        {"threads", r.threads},
        {"mem_available_bytes", r.mem_available_bytes}}},
      {"budget",
       {{"requested_ms", r.budget.count()}, {"used_ms", r.used.count()}, {"stages", stages}}},
      {"results", results},
      {"memtest", memtest},
      {"disks", disks},
      {"findings", findings},
      {"warnings", r.warnings}};
}

std::string to_json_text(const BenchReport& report) {
  return to_json(report).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string to_text(const BenchReport& r) {
  std::string out =
      fmt::format("Benchmarks ({:.0f} s of {:.0f} s budget; 1.00 = reference machine)\n",
                  seconds(r.used), seconds(r.budget));
  for (const auto& m : r.results) {
    out += fmt::format("  {:<22} {:>6.2f}  ({:.1f} {}, spread {:.1f} %)\n", m.name, m.score,
                       m.value, m.unit, m.spread_percent);
  }
  const auto& mt = r.memtest;
  if (mt.ran) {
    out += fmt::format("  memory test: {} MiB, {} error{}\n", mt.bytes_tested >> 20U, mt.errors,
                       mt.errors == 1 ? "" : "s");
  } else {
    out += fmt::format("  memory test: not run ({})\n", mt.skipped);
  }
  for (const auto& d : r.disks) {
    out += fmt::format("  disk {}: SMART {}{}\n", d.target.name, d.target.smart_status,
                       d.error.empty() ? "" : ", not measured: " + d.error);
  }
  if (r.findings.empty()) {
    out += "No faults found.\n";
  } else {
    out += "FAULTS — set this machine aside and tell the coordinator:\n";
    for (const auto& f : r.findings) {
      out += "  - " + f.message + "\n";
    }
  }
  for (const auto& w : r.warnings) {
    out += "  note: " + w + "\n";
  }
  return out;
}

} // namespace atelier::imager
