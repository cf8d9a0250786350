// Filling and recognising the sentences records and events keep in English (records/phrases.h).
#include "records/phrases.h"

#include <string>

#include <gtest/gtest.h>

namespace atelier::records {
namespace {

TEST(Phrases, EachPlaceholderTakesTheShortestTextThatLetsTheWholeMatch) {
  // Why: a tool's own words after a colon must stay in the last value, not split the first.
  EXPECT_EQ(match_phrase("{program} exited with {code}: {why}", "bench exited with 3: a: b"),
            (PhraseValues{{"program", "bench"}, {"code", "3"}, {"why", "a: b"}}));
  // The earliest separator is taken even when it appears again later.
  EXPECT_EQ(match_phrase("{a}: {b} end", "x: y: z end"), (PhraseValues{{"a", "x"}, {"b", "y: z"}}));
  EXPECT_EQ(match_phrase("intake", "intake"), PhraseValues{});
  EXPECT_FALSE(match_phrase("intake", "intake!"));
}

TEST(Phrases, EveryPlaceholderNeedsAtLeastOneCharacter) {
  EXPECT_FALSE(match_phrase("{a}: {b}", ": b"));
  EXPECT_FALSE(match_phrase("{a}: {b}", "a: "));
  EXPECT_FALSE(match_phrase("{a}x{b}y", "1xy"));
  EXPECT_FALSE(match_phrase("{step} failed: {why}", "payment is due"));
}

TEST(Phrases, ValuesMayHoldAnything) {
  // Why: an agent's reason may carry a tool's multi-line output or braces; it is data.
  const std::string text =
      fill_phrase("{step} failed: {why}", {{"step", "wipe"}, {"why", "a\nb {x}"}});
  EXPECT_EQ(text, "wipe failed: a\nb {x}");
  EXPECT_EQ(match_phrase("{step} failed: {why}", text),
            (PhraseValues{{"step", "wipe"}, {"why", "a\nb {x}"}}));
  // "{{" and "}}" are single braces, as filled.
  EXPECT_EQ(fill_phrase("set {{{name}}}", {{"name", "x"}}), "set {x}");
  EXPECT_EQ(match_phrase("set {{{name}}}", "set {x}"), (PhraseValues{{"name", "x"}}));
}

TEST(Phrases, AMegabytesLongReasonIsReadWithoutTroubleEitherWay) {
  // Why: an agent may post a reason of up to 4 MiB; atelierd and `atelier watch` read it back
  // (a recursive regular expression overflowed the stack at about 100 KB).
  const std::string huge(4 * 1024 * 1024, 'x');
  const auto matched = match_phrase("{step} result could not be recorded: {why}",
                                    "wipe result could not be recorded: " + huge);
  ASSERT_TRUE(matched);
  EXPECT_EQ((*matched)[1].second.size(), huge.size());
  EXPECT_FALSE(match_phrase("{program} exited with {code}: {why}", huge));
  std::string separators;
  for (int i = 0; i < 200'000; ++i) {
    separators += ": ";
  }
  EXPECT_FALSE(match_phrase("{a}: {b} end", separators));
}

} // namespace
} // namespace atelier::records
