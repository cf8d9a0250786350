// Matching: which profile a machine gets, and a reason with numbers for every profile it does not.
#include "profiles/match.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr std::uint64_t k_gib = 1ULL << 30;

Profile make_profile(std::string name, int priority, Requirements requirements = {}) {
  Profile profile;
  profile.name = std::move(name);
  profile.priority = priority;
  profile.requirements = std::move(requirements);
  if (profile.requirements.firmware.empty()) {
    profile.requirements.firmware = {Firmware::bios, Firmware::uefi};
  }
  return profile;
}

MachineFacts office_desktop() {
  MachineFacts facts;
  facts.ram_bytes = 8 * k_gib;
  facts.largest_disk_bytes = 256'060'514'304ULL;
  facts.main_disk_media = DiskMedia::ssd;
  facts.x86_64_level = 3;
  facts.firmware = Firmware::uefi;
  facts.chassis = Chassis::desktop;
  facts.cpu_threads = 4;
  return facts;
}

TEST(RequirementMatching, FitsWhenEveryRequirementIsMet) {
  Requirements need;
  need.min_ram = {4 * k_gib, SizeBase::binary};
  need.min_disk = {64'000'000'000ULL, SizeBase::decimal};
  need.cpu_level = 2;
  need.firmware = {Firmware::uefi};
  need.chassis = {Chassis::desktop, Chassis::mini};
  EXPECT_THAT(unmet_requirements(need, office_desktop()), IsEmpty());
}

// Exactly the minimum is enough: "at least 4 GiB".
TEST(RequirementMatching, AcceptsExactlyTheMinimum) {
  Requirements need;
  need.min_ram = {8 * k_gib, SizeBase::binary};
  need.min_disk = {256'060'514'304ULL, SizeBase::decimal};
  need.cpu_level = 3;
  need.firmware = {Firmware::uefi};
  EXPECT_THAT(unmet_requirements(need, office_desktop()), IsEmpty());
}

// Volunteers read these sentences; each names the requirement and both numbers.
TEST(RequirementMatching, ExplainsEachUnmetRequirementWithNumbers) {
  Requirements need;
  need.min_ram = {4 * k_gib, SizeBase::binary};
  need.min_disk = {120'000'000'000ULL, SizeBase::decimal};
  need.cpu_level = 2;
  need.firmware = {Firmware::uefi};
  need.chassis = {Chassis::laptop, Chassis::all_in_one};
  MachineFacts old;
  old.ram_bytes = 2 * k_gib;
  old.largest_disk_bytes = 80'026'361'856ULL;
  old.x86_64_level = 1;
  old.firmware = Firmware::bios;
  old.chassis = Chassis::desktop;
  EXPECT_THAT(unmet_requirements(need, old),
              ElementsAre("needs 4.0 GiB RAM, machine has 2.0 GiB",
                          "needs a 120.0 GB disk, machine's largest is 80.0 GB",
                          "needs x86-64-v2, machine's CPU is x86-64-v1",
                          "needs UEFI firmware, machine has BIOS",
                          "needs a laptop or all-in-one chassis, machine is a desktop"));
}

TEST(RequirementMatching, ExplainsMissingFacts) {
  Requirements need;
  need.min_disk = {32'000'000'000ULL, SizeBase::decimal};
  need.cpu_level = 2;
  need.firmware = {Firmware::uefi};
  need.chassis = {Chassis::laptop};
  const MachineFacts unknown{};
  EXPECT_THAT(unmet_requirements(need, unknown),
              ElementsAre("needs a 32.0 GB disk, machine has none",
                          "needs x86-64-v2, machine's CPU level is unknown",
                          "needs UEFI firmware, machine's firmware is unknown",
                          "needs a laptop chassis, machine's chassis is unknown"));
}

// Every x86-64 CPU is level 1, and a profile booting both ways does not care about firmware.
TEST(RequirementMatching, UnknownFactsOnlyFailRequirementsTheyCouldBreak) {
  Requirements need;
  need.cpu_level = 1;
  need.firmware = {Firmware::bios, Firmware::uefi};
  EXPECT_THAT(unmet_requirements(need, MachineFacts{}), IsEmpty());
}

TEST(ProfileMatching, ChoosesTheHighestPriorityAmongFittingProfiles) {
  Requirements big;
  big.min_ram = {16 * k_gib, SizeBase::binary};
  const std::vector<Profile> profiles{make_profile("light", 10), make_profile("family", 50),
                                      make_profile("workstation", 90, big)};
  const MatchResult result = match(profiles, office_desktop());
  ASSERT_TRUE(result.chosen);
  EXPECT_EQ(result.candidates[*result.chosen].profile_name, "family");
  // Candidates come in order of preference, each with its verdict.
  ASSERT_EQ(result.candidates.size(), 3U);
  EXPECT_EQ(result.candidates[0].profile_name, "workstation");
  EXPECT_FALSE(result.candidates[0].fits);
  EXPECT_THAT(result.candidates[0].reasons, ElementsAre("needs 16.0 GiB RAM, machine has 8.0 GiB"));
  EXPECT_EQ(result.candidates[1].profile_name, "family");
  EXPECT_TRUE(result.candidates[1].fits);
  EXPECT_THAT(result.candidates[1].reasons, IsEmpty());
  EXPECT_EQ(result.candidates[2].profile_name, "light");
  EXPECT_TRUE(result.candidates[2].fits);
}

// Two workshops with the same files must image the same machine the same way.
TEST(ProfileMatching, BreaksPriorityTiesByName) {
  std::vector<Profile> profiles{make_profile("zeta", 50), make_profile("alpha", 50)};
  const MatchResult result = match(profiles, office_desktop());
  EXPECT_EQ(result.candidates[*result.chosen].profile_name, "alpha");
}

TEST(ProfileMatching, DoesNotDependOnTheOrderOfProfiles) {
  std::vector<Profile> profiles{make_profile("b", 20), make_profile("a", 20), make_profile("c", 70),
                                make_profile("d", 5)};
  const auto names = [](const MatchResult& result) {
    std::vector<std::string> out;
    for (const auto& candidate : result.candidates) {
      out.push_back(candidate.profile_name);
    }
    return out;
  };
  const auto first = names(match(profiles, office_desktop()));
  std::reverse(profiles.begin(), profiles.end());
  EXPECT_EQ(names(match(profiles, office_desktop())), first);
  EXPECT_THAT(first, ElementsAre("c", "a", "b", "d"));
}

TEST(ProfileMatching, LeavesChosenEmptyWhenNothingFits) {
  Requirements laptop_only;
  laptop_only.chassis = {Chassis::laptop};
  const std::vector<Profile> profiles{make_profile("student-laptop", 60, laptop_only)};
  const MatchResult result = match(profiles, office_desktop());
  EXPECT_FALSE(result.chosen);
  ASSERT_EQ(result.candidates.size(), 1U);
  EXPECT_THAT(result.candidates[0].reasons,
              ElementsAre("needs a laptop chassis, machine is a desktop"));
}

TEST(ProfileMatching, HandlesNoProfiles) {
  const MatchResult result = match({}, office_desktop());
  EXPECT_FALSE(result.chosen);
  EXPECT_THAT(result.candidates, IsEmpty());
}

} // namespace
} // namespace atelier::profiles
