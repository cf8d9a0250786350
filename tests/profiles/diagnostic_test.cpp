#include "profiles/diagnostic.h"

#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

// Compiler-style lines let editors and CI annotations jump to the mistake.
TEST(DiagnosticFormatting, ReadsLikeACompilerMessage) {
  const Diagnostic error{"light.toml", 12, 8, "partitioning.swap", "invalid size \"2 G\""};
  EXPECT_EQ(error.to_string(), "light.toml:12:8: partitioning.swap: invalid size \"2 G\"");
}

TEST(DiagnosticFormatting, MarksWarnings) {
  const Diagnostic warning{"a.toml", 9, 1, "image.sha256", "no checksum", Severity::warning};
  EXPECT_EQ(warning.to_string(), "a.toml:9:1: warning: image.sha256: no checksum");
}

// Syntax errors have no key; unreadable files have no line.
TEST(DiagnosticFormatting, LeavesOutWhatIsUnknown) {
  EXPECT_EQ((Diagnostic{"a.toml", 3, 5, "", "TOML syntax error"}).to_string(),
            "a.toml:3:5: TOML syntax error");
  EXPECT_EQ((Diagnostic{"a.toml", 0, 0, "", "cannot read file"}).to_string(),
            "a.toml: cannot read file");
}

// Tables are visited in key order; people read files top to bottom.
TEST(DiagnosticSorting, OrdersByFileThenLineThenColumn) {
  Diagnostics list{
      {"b", 1, 1, "", "4"}, {"a", 9, 1, "", "3"}, {"a", 2, 7, "", "2"}, {"a", 2, 3, "", "1"}};
  sort_by_location(list);
  EXPECT_EQ(list[0].message, "1");
  EXPECT_EQ(list[1].message, "2");
  EXPECT_EQ(list[2].message, "3");
  EXPECT_EQ(list[3].message, "4");
}

} // namespace
} // namespace atelier::profiles
