// Grading: score from the program's rules, grade from thresholds and floors.
#include "profiles/grade.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::uint64_t k_gib = 1ULL << 30;

// The grading of the example program file, built in code so each test shows its numbers.
Program example_program() {
  Program program;
  GradingRules& rules = program.grading;
  rules.ram = {{{2 * k_gib, SizeBase::binary}, 5},
               {{4 * k_gib, SizeBase::binary}, 20},
               {{8 * k_gib, SizeBase::binary}, 35}};
  rules.cpu_level = std::array<int, 4>{0, 15, 25, 30};
  rules.cpu_threads = {{4, 5}};
  rules.disk_media = MediaPoints{5, 20, 25};
  rules.disk_size = {{{120'000'000'000ULL, SizeBase::decimal}, 5},
                     {{240'000'000'000ULL, SizeBase::decimal}, 10}};
  rules.grades = GradeThresholds{70, 50, 30};
  return program;
}

MachineFacts machine(std::uint64_t ram, int level, int threads, DiskMedia media,
                     std::uint64_t disk) {
  MachineFacts facts;
  facts.ram_bytes = ram;
  facts.x86_64_level = level;
  facts.cpu_threads = threads;
  facts.main_disk_media = media;
  facts.largest_disk_bytes = disk;
  facts.firmware = Firmware::uefi;
  return facts;
}

// The breakdown is what a coordinator shows a funder: one line per rule, then the verdict.
TEST(Grading, AddsThePointsOfTheHighestStepOfEachRule) {
  const auto result =
      grade(example_program(), machine(8 * k_gib, 3, 4, DiskMedia::ssd, 256'000'000'000ULL));
  EXPECT_EQ(result.score, 35 + 25 + 5 + 20 + 10);
  EXPECT_EQ(result.grade, Grade::A);
  EXPECT_THAT(result.breakdown,
              ElementsAre("RAM 8.0 GiB: +35", "CPU x86-64-v3: +25", "CPU 4 threads: +5",
                          "Disk ssd: +20", "Disk 256.0 GB: +10", "score 95 >= 70: grade A"));
}

// "min" means at least: a machine exactly on a step or threshold gets it.
TEST(Grading, CountsValuesExactlyOnAStepOrThreshold) {
  // 20 (4 GiB) + 15 (v2) + 5 (4 threads) + 5 (hdd) + 5 (120 GB) = 50: exactly B.
  const auto result =
      grade(example_program(), machine(4 * k_gib, 2, 4, DiskMedia::hdd, 120'000'000'000ULL));
  EXPECT_EQ(result.score, 50);
  EXPECT_EQ(result.grade, Grade::B);
  EXPECT_EQ(result.breakdown.back(), "score 50 >= 50: grade B");
}

TEST(Grading, OneBelowAThresholdGetsTheGradeBelow) {
  // As above with 119.9 GB: the disk-size step is missed, score 45.
  const auto result =
      grade(example_program(), machine(4 * k_gib, 2, 4, DiskMedia::hdd, 119'999'999'999ULL));
  EXPECT_EQ(result.score, 45);
  EXPECT_EQ(result.grade, Grade::C);
  const auto just_under_ram =
      grade(example_program(), machine(4 * k_gib - 1, 2, 4, DiskMedia::hdd, 120'000'000'000ULL));
  EXPECT_EQ(just_under_ram.score, 35); // the 2 GiB step: 5 points instead of 20
}

TEST(Grading, BelowCIsParts) {
  const auto result =
      grade(example_program(), machine(2 * k_gib, 1, 2, DiskMedia::hdd, 80'000'000'000ULL));
  EXPECT_EQ(result.score, 10);
  EXPECT_EQ(result.grade, Grade::parts);
  EXPECT_EQ(result.breakdown.back(), "score 10 < 30 (grade C): grade parts");
}

// Emmaüs Connect's floor: under 4 GB of RAM or a weak CPU, a machine is parts whatever its score.
TEST(Grading, AFloorMakesPartsWhateverTheScore) {
  Program program = example_program();
  program.grading.floor.ram = ByteSize{4 * k_gib, SizeBase::binary};
  program.grading.floor.cpu_level = 2;
  const auto result =
      grade(program, machine(2 * k_gib, 4, 16, DiskMedia::nvme, 1'000'000'000'000ULL));
  EXPECT_EQ(result.score, 5 + 30 + 5 + 25 + 10);
  EXPECT_EQ(result.grade, Grade::parts);
  EXPECT_THAT(result.breakdown, Contains("floor: RAM 2.0 GiB is below the 4.0 GiB floor"));
  EXPECT_EQ(result.breakdown.back(), "score 75, under a floor: grade parts");
}

TEST(Grading, ExactlyOnTheFloorPasses) {
  Program program = example_program();
  program.grading.floor.ram = ByteSize{4 * k_gib, SizeBase::binary};
  program.grading.floor.cpu_level = 2;
  const auto result = grade(program, machine(4 * k_gib, 2, 4, DiskMedia::hdd, 120'000'000'000ULL));
  EXPECT_EQ(result.grade, Grade::B);
}

// An unknown CPU cannot prove it meets the floor.
TEST(Grading, AnUnknownCpuLevelIsUnderACpuFloor) {
  Program program = example_program();
  program.grading.floor.cpu_level = 2;
  const auto result = grade(program, machine(8 * k_gib, 0, 4, DiskMedia::ssd, 256'000'000'000ULL));
  EXPECT_EQ(result.grade, Grade::parts);
  EXPECT_THAT(result.breakdown, Contains("CPU level unknown: +0"));
  EXPECT_THAT(result.breakdown, Contains("floor: CPU level unknown, the floor is x86-64-v2"));
}

// A program may grade on RAM alone; absent rules add nothing and print nothing.
TEST(Grading, SkipsRulesTheProgramDoesNotHave) {
  Program program;
  program.grading.ram = {{{4 * k_gib, SizeBase::binary}, 10}};
  program.grading.grades = GradeThresholds{10, 5, 1};
  const auto result = grade(program, machine(4 * k_gib, 2, 4, DiskMedia::ssd, 1));
  EXPECT_THAT(result.breakdown, ElementsAre("RAM 4.0 GiB: +10", "score 10 >= 10: grade A"));
}

// "note": the state and what to do, no points; "require": a floor; absent: nothing.
TEST(Grading, TheSecureBootRuleNotesTheStateOrMakesItAFloor) {
  Program program = example_program();
  MachineFacts facts = machine(8 * k_gib, 3, 4, DiskMedia::ssd, 256'000'000'000ULL);
  facts.secure_boot = SecureBoot::off;
  EXPECT_THAT(grade(program, facts).breakdown, Not(Contains(HasSubstr("Secure Boot"))));
  program.grading.secure_boot = SecureBootRule::note;
  auto result = grade(program, facts);
  EXPECT_EQ(result.grade, Grade::A);
  EXPECT_THAT(result.breakdown, Contains("Secure Boot: off (turn it on in the firmware setup)"));
  program.grading.secure_boot = SecureBootRule::require;
  result = grade(program, facts);
  EXPECT_EQ(result.grade, Grade::parts);
  EXPECT_THAT(result.breakdown,
              Contains("floor: Secure Boot: off (turn it on in the firmware setup); the program "
                       "requires it on"));
  facts.secure_boot = SecureBoot::setup_mode;
  EXPECT_THAT(grade(program, facts).breakdown,
              Contains(HasSubstr("setup mode, no keys (restore the factory keys")));
  facts.secure_boot = std::nullopt;
  EXPECT_EQ(grade(program, facts).grade, Grade::parts); // unknown cannot prove it boots with it
  facts.firmware = Firmware::bios;
  EXPECT_THAT(grade(program, facts).breakdown,
              Contains("floor: Secure Boot: none (BIOS firmware); the program requires it on"));
  facts.firmware = Firmware::uefi;
  facts.secure_boot = SecureBoot::on;
  result = grade(program, facts);
  EXPECT_EQ(result.grade, Grade::A);
  EXPECT_THAT(result.breakdown, Not(Contains(HasSubstr("Secure Boot"))));
  program.grading.secure_boot = SecureBootRule::note;
  EXPECT_THAT(grade(program, facts).breakdown, Contains("Secure Boot: on"));
}

TEST(Grading, NamesGrades) {
  EXPECT_EQ(to_string(Grade::A), "A");
  EXPECT_EQ(to_string(Grade::parts), "parts");
}

} // namespace
} // namespace atelier::profiles
