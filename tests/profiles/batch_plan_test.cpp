// Batch plans (`atelier batch run PLAN.toml`): "the next N machines" or a list of MACs, an optional
// forced profile, validated with line and key like every other file.
#include "matchers.h"
#include "profiles/batch_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;
using testing_support::body;
using testing_support::error_at;

Diagnostics errors_of(std::string_view text) {
  auto result = parse_batch_plan(body(text), "plan.toml");
  return result ? Diagnostics{} : result.error();
}

TEST(BatchPlan, NextTwelveMachinesWithAProfile) {
  auto plan = parse_batch_plan(body(R"(
[batch]
name = "Collège Jean Moulin"
profile = "student-laptop"
count = 12
timeout_minutes = 300
)"),
                               "plan.toml");
  ASSERT_TRUE(plan) << plan.error().front().to_string();
  EXPECT_EQ(plan->name, "Collège Jean Moulin");
  EXPECT_EQ(plan->profile, "student-laptop");
  EXPECT_EQ(plan->count, 12);
  EXPECT_TRUE(plan->macs.empty());
  EXPECT_EQ(plan->timeout_minutes, 300);
}

TEST(BatchPlan, ListedMachinesAreNormalised) {
  auto plan = parse_batch_plan(body(R"(
[batch]
name = "two towers"
macs = ["52:54:00:AB:CD:EF", "52-54-00-12-34-56"]
)"),
                               "plan.toml");
  ASSERT_TRUE(plan);
  EXPECT_THAT(plan->macs, ElementsAre("52:54:00:ab:cd:ef", "52:54:00:12:34:56"));
  EXPECT_EQ(plan->timeout_minutes, 240);
}

TEST(BatchPlan, MistakesAreNamed) {
  EXPECT_THAT(errors_of(R"(
[batch]
name = "x"
macs = ["52:54:00:ab:cd", "52:54:00:12:34:56", "52:54:00:12:34:56"]
)"),
              ElementsAre(error_at(3, "batch.macs[0]", "not a MAC address"),
                          error_at(3, "batch.macs[2]", "listed twice")));
  EXPECT_THAT(errors_of(R"(
[batch]
name = "x"
count = 2
macs = ["52:54:00:12:34:56"]
)"),
              ElementsAre(error_at(4, "batch.macs", "not both")));
  EXPECT_THAT(errors_of(R"(
[batch]
name = "x"
)"),
              ElementsAre(error_at(1, "batch.count", "say which machines")));
  EXPECT_THAT(errors_of(R"(
[batch]
name = "x"
count = 0
)"),
              ElementsAre(error_at(3, "batch.count", "")));
}

} // namespace
} // namespace atelier::profiles
