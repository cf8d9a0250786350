// String helpers (base/text.h): trim, join, split, ASCII lower case, last line, errno text.
#include "base/text.h"

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

using namespace std::string_view_literals;

TEST(Trim, DropsAsciiWhiteSpaceAtBothEnds) {
  EXPECT_EQ(trim("  Intel(R) Core(TM) i5 \t\r\n"), "Intel(R) Core(TM) i5");
  EXPECT_EQ(trim("\v\fx\f\v"), "x");
}

TEST(Trim, KeepsInnerSpaceAndOtherBytes) {
  EXPECT_EQ(trim(" a  b "), "a  b");
  EXPECT_EQ(trim("\xc2\xa0x"), "\xc2\xa0x"); // a UTF-8 no-break space is not ASCII white space
  EXPECT_EQ(trim("a\0"sv), "a\0"sv);         // nor is NUL
}

TEST(Trim, OfNothingButSpaceIsEmpty) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n"), "");
}

TEST(Join, PutsTheSeparatorBetweenEachTwo) {
  EXPECT_EQ(join(std::vector<std::string>{"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(join(std::vector<std::string_view>{"x"}, ","), "x");
  EXPECT_EQ(join(std::vector<std::string>{}, ","), "");
}

TEST(Join, KeepsEmptyParts) {
  EXPECT_EQ(join(std::vector<std::string>{"", "b", ""}, ","), ",b,");
}

TEST(Split, CutsAtEverySeparator) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(split("a,", ','), (std::vector<std::string_view>{"a", ""}));
}

TEST(SplitAndJoin, AreInverses) {
  for (const std::string_view text : {"", ",", "a", "a,b", ",a,,b,"}) {
    EXPECT_EQ(join(split(text, ','), ","), text);
  }
}

TEST(ToLower, ChangesAsciiLettersOnly) {
  EXPECT_EQ(to_lower("SHA256:AbC-09\xc3\x89"), "sha256:abc-09\xc3\x89");
}

TEST(StartsWithIgnoringCase, ComparesAsciiCaseBlind) {
  EXPECT_TRUE(starts_with_ignoring_case("Samsung SSD", "SAMSUNG"));
  EXPECT_TRUE(starts_with_ignoring_case("x", ""));
  EXPECT_FALSE(starts_with_ignoring_case("Sam", "Samsung"));
  EXPECT_FALSE(starts_with_ignoring_case("Seagate", "Samsung"));
}

TEST(LastLine, IsTheLastLineThatIsNotBlank) {
  EXPECT_EQ(last_line("mkfs.ext4 1.47\nmkfs.ext4: Device or resource busy\n"),
            "mkfs.ext4: Device or resource busy");
  EXPECT_EQ(last_line("a\nb  \r\n\t\n \n"), "b");
  EXPECT_EQ(last_line("only"), "only");
}

TEST(LastLine, KeepsTheLinesLeadingSpace) {
  EXPECT_EQ(last_line("a\n  indented\n"), "  indented");
}

TEST(LastLine, OfBlankTextIsEmpty) {
  EXPECT_EQ(last_line(""), "");
  EXPECT_EQ(last_line("\n \r\n\n"), "");
}

TEST(ErrnoText, GivesTheMessageAndTheName) {
  EXPECT_EQ(errno_text(ENOENT), "No such file or directory (ENOENT)");
  EXPECT_EQ(errno_text(EIO), "Input/output error (EIO)");
}

TEST(ErrnoText, NamesAnUnknownNumber) {
  EXPECT_NE(errno_text(123456).find("123456"), std::string::npos) << errno_text(123456);
}

} // namespace
} // namespace atelier::base

TEST(HexDigit, ReadsBothCasesAndNothingElse) {
  EXPECT_EQ(atelier::base::hex_digit('0'), 0);
  EXPECT_EQ(atelier::base::hex_digit('9'), 9);
  EXPECT_EQ(atelier::base::hex_digit('a'), 10);
  EXPECT_EQ(atelier::base::hex_digit('F'), 15);
  EXPECT_FALSE(atelier::base::hex_digit('g'));
  EXPECT_FALSE(atelier::base::hex_digit(':'));
}
