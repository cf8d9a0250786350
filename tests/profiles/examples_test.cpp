// The files shipped in profiles/ are documentation people copy: they must always load, and
// match the machines they were written for.
#include "matchers.h"
#include "profiles/detail/text.h"
#include "profiles/file_kind.h"
#include "profiles/grade.h"
#include "profiles/match.h"
#include "profiles/program.h"
#include "support/temp_dir.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;

const std::filesystem::path k_examples = std::filesystem::path(ATELIER_SOURCE_DIR) / "profiles";
const std::filesystem::path k_data = std::filesystem::path(ATELIER_TEST_DATA) / "profiles";

MachineFacts inventory(const std::string& name) {
  auto text = detail::read_text_file(k_data / name);
  EXPECT_TRUE(text) << name;
  auto facts = facts_from_inventory_json(text.value_or(""));
  EXPECT_TRUE(facts) << name << ": " << (facts ? "" : facts.error());
  return facts.value_or(MachineFacts{});
}

std::string chosen(const MatchResult& result) {
  return result.chosen ? result.candidates[*result.chosen].profile_name : "(none)";
}

TEST(ShippedExamples, EveryTomlFileChecksWithoutErrors) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(k_examples)) {
    if (entry.path().extension() != ".toml") {
      continue;
    }
    const CheckResult result = check_file(entry.path());
    EXPECT_TRUE(result.ok()) << ::testing::PrintToString(result.diagnostics);
    EXPECT_TRUE(result.kind) << entry.path();
    ++checked;
  }
  // The issue asks for three profiles and a program file.
  EXPECT_GE(checked, 4);
}

TEST(ShippedExamples, TheDirectoryHoldsTheThreeExampleProfiles) {
  const auto profiles = load_profile_directory(k_examples);
  ASSERT_TRUE(profiles) << ::testing::PrintToString(profiles.error());
  std::vector<std::string> names;
  for (const auto& profile : *profiles) {
    names.push_back(profile.name);
    // Images are built later; a missing checksum is the only thing allowed to warn.
    for (const auto& warning : profile.warnings) {
      EXPECT_EQ(warning.key, "image.sha256") << warning.to_string();
    }
  }
  EXPECT_THAT(names, ElementsAre("family-desktop", "light", "student-laptop"));
}

TEST(ShippedExamples, ProfilesFitTheMachinesTheyWereWrittenFor) {
  const auto profiles = load_profile_directory(k_examples);
  ASSERT_TRUE(profiles);
  EXPECT_EQ(chosen(match(*profiles, inventory("old-desktop-2gb-bios.json"))), "light");
  EXPECT_EQ(chosen(match(*profiles, inventory("laptop-8gb-uefi-ssd.json"))), "student-laptop");
  // No chassis reported: only the profile that does not ask for one fits.
  const MatchResult tower = match(*profiles, inventory("tower-4gb-uefi-no-chassis.json"));
  EXPECT_EQ(chosen(tower), "light");
  EXPECT_THAT(tower.candidates[0].reasons,
              ElementsAre("needs a laptop chassis, machine's chassis is unknown"));

  MachineFacts desktop = inventory("tower-4gb-uefi-no-chassis.json");
  desktop.chassis = Chassis::desktop;
  EXPECT_EQ(chosen(match(*profiles, desktop)), "family-desktop");
}

TEST(ShippedExamples, TheExampleProgramGradesTheSampleMachines) {
  const auto program = load_program(k_examples / "program.example.toml");
  ASSERT_TRUE(program) << ::testing::PrintToString(program.error());
  EXPECT_EQ(program->asset_tag_prefix, "AT");
  // The 2 GB Core 2 desktop is kept for the light profile:
  // 10 (2 GiB) + 0 (v1) + 0 (2 threads) + 5 (hdd) + 5 (160 GB) = 20 = the C threshold.
  const auto old_desktop = grade(*program, inventory("old-desktop-2gb-bios.json"));
  EXPECT_EQ(old_desktop.score, 20);
  EXPECT_EQ(old_desktop.grade, Grade::C);
  // 35 (8 GiB) + 25 (v3) + 5 (4 threads) + 20 (ssd) + 10 (256 GB) = 95.
  const auto laptop = grade(*program, inventory("laptop-8gb-uefi-ssd.json"));
  EXPECT_EQ(laptop.score, 95);
  EXPECT_EQ(laptop.grade, Grade::A);
}

// Two profiles with one name would make match results and imaging records ambiguous.
TEST(ProfileDirectory, RefusesTwoProfilesWithTheSameName) {
  const testing::TempDir dir;
  for (const char* name : {"a.toml", "b.toml"}) {
    std::filesystem::copy_file(k_examples / "light.toml", dir / name);
  }
  const auto profiles = load_profile_directory(dir.path());
  ASSERT_FALSE(profiles);
  EXPECT_THAT(profiles.error(),
              ::testing::Contains(testing_support::error_at(6, "profile.name", "already defined")));
}

TEST(ProfileDirectory, SkipsProgramFilesAndReportsBrokenOnes) {
  const testing::TempDir dir;
  std::filesystem::copy_file(k_examples / "program.example.toml", dir / "program.toml");
  std::filesystem::copy_file(k_examples / "light.toml", dir / "light.toml");
  EXPECT_TRUE(load_profile_directory(dir.path()));
  std::ofstream(dir / "notes.toml") << "[todo]\nitem = 1\n";
  const auto profiles = load_profile_directory(dir.path());
  ASSERT_FALSE(profiles);
  EXPECT_THAT(profiles.error(), ElementsAre(testing_support::error_at(1, "", "neither a profile")));
}

TEST(FileChecking, ReportsAFileThatCannotBeRead) {
  const CheckResult result = check_file("/nonexistent/atelier.toml");
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(result.kind);
}

} // namespace
} // namespace atelier::profiles
