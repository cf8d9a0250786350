#include "hardware-db/lifecycle.h"

#include <gtest/gtest.h>

using namespace atelier::hwdb;
using enum UnitState;

// The main line of the pipeline is walkable end to end.
TEST(Lifecycle, MainLineIsAllowed) {
  const UnitState line[] = {detected, inventoried, tested,   wiped,
                            imaged,   ready,       assigned, delivered};
  for (std::size_t i = 0; i + 1 < std::size(line); ++i) {
    EXPECT_TRUE(check_transition(line[i], line[i + 1], "")) << to_string(line[i]);
  }
}

// Skipping the wipe would put a donor's data in a household's hands.
TEST(Lifecycle, CannotSkipWipe) {
  const auto r = check_transition(tested, imaged, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::refused);
  EXPECT_NE(r.error().message.find("'tested' cannot go to 'imaged'"), std::string::npos);
  EXPECT_NE(r.error().message.find("wiped"), std::string::npos); // lists what is allowed
}

TEST(Lifecycle, OnlyReadyUnitsCanBeAssigned) {
  for (UnitState s : all_unit_states()) {
    EXPECT_EQ(static_cast<bool>(check_transition(s, assigned, "")), s == ready) << to_string(s);
  }
}

TEST(Lifecycle, SideExitsNeedAReason) {
  EXPECT_FALSE(check_transition(tested, failed, ""));
  EXPECT_FALSE(check_transition(tested, failed, "   "));
  EXPECT_TRUE(check_transition(tested, failed, "disk SMART status FAILED"));
  EXPECT_FALSE(check_transition(delivered, returned, ""));
  EXPECT_TRUE(check_transition(delivered, returned, "screen broken"));
}

TEST(Lifecycle, RecycledIsTerminal) {
  EXPECT_TRUE(allowed_next(recycled).empty());
  const auto r = check_transition(recycled, detected, "");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("final"), std::string::npos);
}

TEST(Lifecycle, ReturnedUnitsReenterThePipelineOrGoToParts) {
  EXPECT_TRUE(check_transition(returned, detected, ""));
  EXPECT_TRUE(check_transition(returned, parts, "motherboard dead"));
  EXPECT_FALSE(check_transition(returned, ready, ""));
}

TEST(Lifecycle, StateNamesRoundTrip) {
  for (UnitState s : all_unit_states()) {
    EXPECT_EQ(parse_unit_state(to_string(s)), s);
  }
  EXPECT_FALSE(parse_unit_state("Ready"));
}

TEST(Lifecycle, NoStateTransitionsToItself) {
  for (UnitState s : all_unit_states()) {
    EXPECT_FALSE(check_transition(s, s, "reason")) << to_string(s);
  }
}
