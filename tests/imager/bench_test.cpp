// Benchmarks: every measuring loop runs on a fake clock, so nothing here depends on this machine's
// speed (no timing thresholds); disks are temp files, never a real device.
#include "imager/bench/bench.h"
#include "imager/bench/bench_cpu.h"
#include "imager/bench/bench_disk.h"
#include "imager/bench/bench_memory.h"
#include "imager/bench/bench_reference.h"
#include "support/fake_clock.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

// The tests' clocks move 1 ms at every reading (FakeClock::step_every_reading), so every measuring
// loop ends after a known number of iterations.
using atelier::testing::FakeClock;

// A vector-backed region that flips one bit of one word after every write pass covering it.
class FlippingRegion final : public MemoryRegion {
public:
  FlippingRegion(std::size_t words, std::optional<std::size_t> victim)
      : m_words(words), m_victim(victim) {}
  std::span<std::uint64_t> words() override { return m_words; }
  void settle(std::span<std::uint64_t> written) override {
    if (m_victim && &m_words[*m_victim] >= written.data() &&
        &m_words[*m_victim] < written.data() + written.size()) {
      m_words[*m_victim] ^= std::uint64_t{1} << 5U;
    }
  }
  const std::uint64_t* victim_address() const { return &m_words[*m_victim]; }

private:
  std::vector<std::uint64_t> m_words;
  std::optional<std::size_t> m_victim;
};

// Answers every read with an I/O error: errors must never turn into a rate.
class FailingReader final : public BlockReader {
public:
  std::uint64_t size_bytes() const override { return 1U << 20U; }
  std::uint32_t alignment() const override { return 4096; }
  bool direct() const override { return true; }
  std::expected<void, std::string> read_at(std::uint64_t, std::span<std::byte>) override {
    return std::unexpected("read at 0: Input/output error");
  }
};

// A temp file of pseudo-random bytes, removed at the end of the test.
class TempFile {
public:
  explicit TempFile(std::size_t bytes) {
    std::string templ = (std::filesystem::temp_directory_path() / "atelier-bench-XXXXXX").string();
    const int fd = ::mkstemp(templ.data());
    ::close(fd);
    m_path = templ;
    std::ofstream out(m_path, std::ios::binary);
    std::uint64_t x = 88172645463325252ULL;
    for (std::size_t i = 0; i < bytes; ++i) {
      x ^= x << 13U;
      x ^= x >> 7U;
      x ^= x << 17U;
      out.put(static_cast<char>(x & 0xFFU));
    }
  }
  ~TempFile() { std::filesystem::remove(m_path); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return m_path; }
  std::string content() const {
    std::ifstream in(m_path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

private:
  std::string m_path;
};

struct timespec mtime_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mtim;
}

// An environment with small buffers and a fake clock: the whole bench runs in milliseconds.
BenchEnvironment fake_environment(const base::Clock& clock,
                                  std::optional<std::size_t> victim = std::nullopt) {
  BenchEnvironment env;
  env.clock = &clock;
  env.cpus = 2;
  env.mem_available_bytes = std::uint64_t{8} << 20U; // -> a 2 MiB memtest region
  env.open_disk =
      [](const std::string& path) -> std::expected<std::unique_ptr<BlockReader>, std::string> {
    auto r = PosixBlockReader::open(path);
    if (!r) {
      return std::unexpected(r.error());
    }
    return std::unique_ptr<BlockReader>(std::move(*r));
  };
  env.make_region =
      [victim](std::size_t bytes) -> std::expected<std::unique_ptr<MemoryRegion>, std::string> {
    return std::make_unique<FlippingRegion>(bytes / 8, victim);
  };
  return env;
}

BenchOptions small_options() {
  BenchOptions options;
  options.budget = 100ms;
  options.bandwidth_buffer_bytes = 64U << 10U;
  return options;
}

TEST(BenchCpu, WorkloadChecksumIsDeterministic) {
  // Why: scores compare machines only if every machine runs exactly the same work, and a wrong
  // checksum is how a miscomputing CPU is caught.
  const CpuWorkload a;
  const CpuWorkload b;
  EXPECT_EQ(a.run_once(), CpuWorkload::k_expected_checksum);
  EXPECT_EQ(a.run_once(), b.run_once());
}

TEST(BenchCpu, AllThreadsStageTakesOneSamplePerSliceAndChecksEveryRun) {
  // Why: the median and spread need >= 3 samples; every unit's result must be checked, on every
  // thread.
  FakeClock clock;
  clock.step_every_reading(1ms);
  const CpuRun run = measure_cpu(CpuWorkload{}, clock, 2, 10ms, 3);
  ASSERT_EQ(run.samples_ops_per_s.size(), 3U);
  EXPECT_GT(run.ops, 0U);
  EXPECT_EQ(run.wrong_results, 0U);
  for (const double s : run.samples_ops_per_s) {
    EXPECT_GT(s, 0.0);
  }
}

TEST(BenchStats, MedianAndSpreadOfSamples) {
  // Why: the report's value is the median and the spread states repeatability.
  const Stats s = stats_of({110.0, 90.0, 100.0});
  EXPECT_DOUBLE_EQ(s.median, 100.0);
  EXPECT_DOUBLE_EQ(s.spread_percent, 20.0);
  EXPECT_DOUBLE_EQ(stats_of({4.0, 2.0}).median, 3.0);
  EXPECT_DOUBLE_EQ(stats_of({}).median, 0.0);
}

TEST(BenchScore, ScoresNormaliseAgainstTheReference) {
  // Why: score 1.0 must mean "as fast as the reference machine" on every result.
  FakeClock clock;
  clock.step_every_reading(1ms);
  BenchEnvironment env = fake_environment(clock);
  const BenchReport report = run_bench(small_options(), env);
  ASSERT_GE(report.results.size(), 3U);
  for (const auto& r : report.results) {
    const double reference = r.name == "cpu.single" ? k_reference.cpu_single_ops_per_s
                             : r.name == "cpu.all"  ? k_reference.cpu_all_ops_per_s
                                                    : k_reference.memory_copy_gb_s;
    EXPECT_DOUBLE_EQ(r.score, r.value / reference) << r.name;
    EXPECT_EQ(r.samples.size(), 3U) << r.name;
  }
}

TEST(BenchBudget, SplitsByWeightAndNeverExceedsTheBudget) {
  // Why: --budget is a promise to the volunteer waiting at the machine.
  const BudgetPlan plan = plan_budget(60s, 2, true);
  EXPECT_LE(plan.total(), Millis(60s));
  EXPECT_GE(plan.total(), Millis(60s) - Millis(5)); // only rounding is lost
  EXPECT_EQ(plan.cpu_single, plan.cpu_all);
  EXPECT_EQ(plan.cpu_single, 2 * plan.memory_bandwidth);
  ASSERT_EQ(plan.disks.size(), 2U);
  EXPECT_EQ(plan.disks[0], plan.disks[1]);
}

TEST(BenchBudget, StagesThatDoNotRunGiveTheirTimeToTheOthers) {
  // Why: without disks (--no-disks) or memtest the whole budget still goes to measuring.
  const BudgetPlan with = plan_budget(60s, 1, true);
  const BudgetPlan without = plan_budget(60s, 0, false);
  EXPECT_TRUE(without.disks.empty());
  EXPECT_EQ(without.memtest, Millis(0));
  EXPECT_GT(without.cpu_single, with.cpu_single);
  EXPECT_LE(without.total(), Millis(60s));
}

TEST(Memtest, CleanMemoryHasNoErrors) {
  // Why: a healthy machine must not be sent to parts by its own test.
  FakeClock clock;
  clock.step_every_reading(1ms);
  FlippingRegion region(4096, std::nullopt);
  const MemtestRun run =
      run_memtest(region, clock, clock.monotonic().time_since_epoch() + 1h, 7, 8 * 1024);
  EXPECT_EQ(run.errors, 0U);
  EXPECT_EQ(run.bytes_tested, 4096U * 8U);
  EXPECT_EQ(run.patterns.size(), 3U);
  EXPECT_FALSE(run.stopped_early);
}

TEST(Memtest, FindsAnInjectedBitFlipInEveryPattern) {
  // Why: the memory test exists to find exactly this; its address goes to the report.
  FakeClock clock;
  clock.step_every_reading(1ms);
  FlippingRegion region(4096, 1000);
  const MemtestRun run =
      run_memtest(region, clock, clock.monotonic().time_since_epoch() + 1h, 7, 8 * 1024);
  EXPECT_EQ(run.errors, 3U); // once per pattern
  ASSERT_EQ(run.first_errors.size(), 3U);
  EXPECT_EQ(run.first_errors[0].address, reinterpret_cast<std::uintptr_t>(region.victim_address()));
  EXPECT_EQ(run.first_errors[0].expected ^ run.first_errors[0].actual, std::uint64_t{1} << 5U);
  EXPECT_EQ(run.first_errors[0].pattern, "walking-ones");
}

TEST(Memtest, StopsBetweenBlocksAtTheDeadline) {
  // Why: the budget bounds the test; bytes_tested must say how much was really tested.
  FakeClock clock;
  clock.step_every_reading(1ms);
  FlippingRegion region(4096, std::nullopt);
  const MemtestRun run = run_memtest(region, clock, clock.monotonic().time_since_epoch(), 7, 1024);
  EXPECT_TRUE(run.stopped_early);
  EXPECT_EQ(run.bytes_tested, 1024U); // the first block always runs
}

TEST(Memtest, ErrorsBecomeAFindingNotACrash) {
  // Why: a bad DIMM is a fact about the machine for the grader, not a failure of the agent.
  FakeClock clock;
  clock.step_every_reading(1ms);
  BenchEnvironment env = fake_environment(clock, 1000);
  const BenchReport report = run_bench(small_options(), env);
  EXPECT_GT(report.memtest.errors, 0U);
  ASSERT_FALSE(report.findings.empty());
  EXPECT_EQ(report.findings[0].code, "memory-errors");
  EXPECT_FALSE(to_json(report)["memtest"]["first_error_addresses"].empty());
}

TEST(BenchDisk, ReadsATempFileWithoutChangingIt) {
  // Why: the bench runs on donors' disks before they are wiped: it must only ever read.
  TempFile file(std::size_t{3} << 20U);
  const std::string before = file.content();
  const auto mtime_before = mtime_of(file.path());
  auto reader = PosixBlockReader::open(file.path());
  ASSERT_TRUE(reader.has_value()) << reader.error();
  FakeClock clock;
  clock.step_every_reading(1ms);
  DiskPlan plan;
  plan.seq_time = 30ms;
  plan.rand_time = 30ms;
  const auto run = measure_disk(**reader, clock, plan);
  ASSERT_TRUE(run.has_value()) << run.error();
  EXPECT_EQ(run->seq_samples_mb_s.size(), 3U);
  EXPECT_GT(stats_of(run->seq_samples_mb_s).median, 0.0);
  EXPECT_GT(stats_of(run->rand_samples_iops).median, 0.0);
  reader->reset();
  EXPECT_EQ(file.content(), before);
  const auto mtime_after = mtime_of(file.path());
  EXPECT_EQ(mtime_after.tv_sec, mtime_before.tv_sec);
  EXPECT_EQ(mtime_after.tv_nsec, mtime_before.tv_nsec);
}

TEST(BenchDisk, AReadErrorIsAnErrorNeverARate) {
  // Why: a disk that cannot be read must not come out with a speed (fault injection).
  FailingReader reader;
  FakeClock clock;
  clock.step_every_reading(1ms);
  DiskPlan plan;
  plan.seq_time = 10ms;
  plan.rand_time = 10ms;
  const auto run = measure_disk(reader, clock, plan);
  ASSERT_FALSE(run.has_value());
  EXPECT_NE(run.error().find("Input/output error"), std::string::npos);
}

TEST(BenchDisk, MissingDeviceIsReportedPerDisk) {
  // Why: one unreadable disk must not stop the bench of the others.
  FakeClock clock;
  clock.step_every_reading(1ms);
  BenchEnvironment env = fake_environment(clock);
  BenchOptions options = small_options();
  options.disks.push_back({"nope", "/nonexistent/atelier-disk", "unknown", ""});
  const BenchReport report = run_bench(options, env);
  ASSERT_EQ(report.disks.size(), 1U);
  EXPECT_FALSE(report.disks[0].seq_read_mb_s.has_value());
  EXPECT_NE(report.disks[0].error.find("No such file"), std::string::npos);
}

TEST(BenchReport, JsonHasTheDocumentedShape) {
  // Why: docs/BENCHMARKS.md promises these names; the daemon and the grader read them.
  TempFile file(std::size_t{2} << 20U);
  FakeClock clock;
  clock.step_every_reading(1ms);
  BenchEnvironment env = fake_environment(clock);
  BenchOptions options = small_options();
  options.disks.push_back({"test", file.path(), "failing", "SMART FAILED"});
  BenchReport report = run_bench(options, env);
  report.run_at = "2025-01-15T10:00:00Z";
  const Json j = to_json(report);
  EXPECT_EQ(j["schema"], "atelier.bench/1");
  for (const char* key : {"generator", "run_at", "reference", "machine", "budget", "results",
                          "memtest", "disks", "findings", "warnings"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["budget"]["requested_ms"], 100);
  // The project version (CMake PROJECT_VERSION), not a constant of its own that drifts.
  EXPECT_EQ(j["generator"]["version"], ATELIER_EXPECTED_VERSION);
  for (const auto& r : j["results"]) {
    for (const char* key :
         {"name", "score", "value", "unit", "duration_ms", "method", "samples", "spread_percent"}) {
      EXPECT_TRUE(r.contains(key)) << key;
    }
  }
  std::vector<std::string> names;
  for (const auto& r : j["results"]) {
    names.push_back(r["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cpu.single", "cpu.all", "memory.copy",
                                             "disk.seq_read:test", "disk.rand_read:test"}));
  for (const char* key : {"bytes_tested", "errors", "first_error_addresses"}) {
    EXPECT_TRUE(j["memtest"].contains(key)) << key;
  }
  ASSERT_EQ(j["disks"].size(), 1U);
  EXPECT_GT(j["disks"][0]["seq_read_mb_s"].get<double>(), 0.0);
  EXPECT_GT(j["disks"][0]["rand_read_iops"].get<double>(), 0.0);
  EXPECT_EQ(j["disks"][0]["smart"]["status"], "failing");
  EXPECT_EQ(j["findings"][0]["code"], "disk-failing");
  EXPECT_FALSE(to_text(report).empty());
}

} // namespace
} // namespace atelier::imager
