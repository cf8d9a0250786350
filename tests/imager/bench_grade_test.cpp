// Grading with bench findings: the program's rules on fixture inventories, then memory errors and
// SMART failures as overrides with their reason.
#include "imager/bench/bench.h"
#include "records/bench_grade.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using profiles::Grade;

records::MachineGrade grade_fixtures(std::string_view inventory,
                                     std::optional<std::string_view> bench) {
  auto program = profiles::load_program(test::fixture_path("bench/program.toml"));
  EXPECT_TRUE(program.has_value());
  const std::string inventory_text = test::read_fixture(inventory);
  auto facts = profiles::facts_from_inventory_json(inventory_text);
  EXPECT_TRUE(facts.has_value()) << facts.error();
  auto disks = records::disk_verdicts_from_inventory_json(inventory_text);
  EXPECT_TRUE(disks.has_value()) << disks.error();
  std::optional<records::BenchSummary> summary;
  if (bench) {
    auto parsed = records::bench_summary_from_json(test::read_fixture(*bench));
    EXPECT_TRUE(parsed.has_value()) << parsed.error();
    summary = *parsed;
  }
  return records::grade_machine(*program, *facts, *disks, summary);
}

bool contains(const std::vector<std::string>& lines, std::string_view text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(BenchGrade, CleanBenchKeepsTheRulesGradeAndShowsEveryRule) {
  // Why: the coordinator must see why a machine got its grade, rule by rule.
  const records::MachineGrade g =
      grade_fixtures("bench/inventory-laptop-ok.json", "bench/bench-clean.json");
  EXPECT_EQ(g.grade, Grade::A); // 35 + 25 + 5 + 20 + 10 = 95
  EXPECT_EQ(g.grade, g.rules.grade);
  EXPECT_TRUE(g.overrides.empty());
  EXPECT_TRUE(contains(g.rules.breakdown, "RAM 8.0 GiB: +35"));
  EXPECT_TRUE(contains(g.rules.breakdown, "grade A"));
  EXPECT_EQ(g.bench_scores.size(), 5U);
}

TEST(BenchGrade, MemtestErrorsForcePartsWithTheReason) {
  // Why: a machine with bad memory must never reach a household, whatever its score.
  const records::MachineGrade g =
      grade_fixtures("bench/inventory-laptop-ok.json", "bench/bench-memory-errors.json");
  EXPECT_EQ(g.rules.grade, Grade::A);
  EXPECT_EQ(g.grade, Grade::parts);
  EXPECT_TRUE(contains(g.overrides, "parts: memory errors (3 words wrong in 1024 MiB tested)"));
  EXPECT_NE(to_text(g).find("Override: parts: memory errors"), std::string::npos);
  EXPECT_EQ(to_json(g)["grade"], "parts");
  EXPECT_EQ(to_json(g)["rules_grade"], "A");
}

TEST(BenchGrade, SmartFailedOnlyDiskForcesPartsWithTheReason) {
  // Why: a machine whose only disk is dying cannot be imaged; the volunteer must see why.
  const records::MachineGrade g =
      grade_fixtures("bench/inventory-laptop-smart-failed.json", "bench/bench-clean.json");
  EXPECT_EQ(g.grade, Grade::parts);
  EXPECT_TRUE(contains(g.overrides, "disk failing"));
  EXPECT_TRUE(contains(g.overrides, "sda (the drive's SMART self-assessment says FAILED)"));
}

TEST(BenchGrade, SmartFailedSecondDiskIsANoteNotParts) {
  // Why: a desktop with one good disk is still a machine once the bad disk is pulled.
  const records::MachineGrade g =
      grade_fixtures("bench/inventory-desktop-two-disks-one-failed.json", "bench/bench-clean.json");
  EXPECT_NE(g.grade, Grade::parts);
  EXPECT_TRUE(g.overrides.empty());
  EXPECT_TRUE(contains(g.notes, "disk failing: sdb"));
}

TEST(BenchGrade, WithoutBenchTheRulesGradeStandsAndMemoryIsUntested) {
  // Why: grading works from the inventory alone; the gap is stated, not hidden.
  const records::MachineGrade g = grade_fixtures("bench/inventory-laptop-ok.json", std::nullopt);
  EXPECT_EQ(g.grade, Grade::A);
  EXPECT_TRUE(contains(g.notes, "no bench report"));
}

TEST(BenchGrade, ReadsWhatTheBenchWrites) {
  // Why: the grader must understand the report the agent produces, not only the fixtures.
  BenchReport report;
  report.memtest.ran = true;
  report.memtest.errors = 2;
  report.memtest.bytes_tested = std::uint64_t{64} << 20U;
  report.results.push_back({"cpu.single", 1.5, 15.0, "ops/s", 10, "m", {15.0}, 0.0});
  report.disks.push_back({{"sda", "/dev/sda", "failing", "FAILED"}, 100.0, 10.0, true, ""});
  const auto summary = records::bench_summary_from_json(to_json_text(report));
  ASSERT_TRUE(summary.has_value()) << summary.error();
  EXPECT_EQ(summary->memtest_errors, 2U);
  EXPECT_EQ(summary->disks.at(0).status, "failing");
  EXPECT_DOUBLE_EQ(summary->scores.at(0).score, 1.5);
}

TEST(BenchGrade, RejectsAnotherSchema) {
  // Why: an inventory passed as --bench by mistake must not grade as "no faults".
  const auto summary =
      records::bench_summary_from_json(test::read_fixture("bench/inventory-laptop-ok.json"));
  ASSERT_FALSE(summary.has_value());
  EXPECT_NE(summary.error().find("atelier.bench/1"), std::string::npos);
}

} // namespace
} // namespace atelier::imager
