#include "profiles/size.h"

#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

constexpr std::uint64_t k_gib = 1024ULL * 1024 * 1024;

// Disks are sold in GB and RAM in GiB; confusing them moves a requirement by 7 %.
TEST(SizeParsing, DecimalAndBinaryUnitsAreDifferent) {
  EXPECT_EQ(parse_size("64GB"), 64'000'000'000ULL);
  EXPECT_EQ(parse_size("4GiB"), 4 * k_gib);
  EXPECT_EQ(parse_size("512MiB"), 512ULL * 1024 * 1024);
  EXPECT_EQ(parse_size("1TB"), 1'000'000'000'000ULL);
  EXPECT_EQ(parse_size("1kB"), 1000U);
  EXPECT_EQ(parse_size("1KB"), 1000U);
  EXPECT_EQ(parse_size("1KiB"), 1024U);
  EXPECT_EQ(parse_size("512B"), 512U);
}

// Messages speak the unit family the file used.
TEST(SizeParsing, RemembersTheBaseItWasWrittenIn) {
  EXPECT_EQ(parse_byte_size("64GB")->base, SizeBase::decimal);
  EXPECT_EQ(parse_byte_size("4GiB")->base, SizeBase::binary);
}

// "0" needs no unit: zero bytes are zero in every unit.
TEST(SizeParsing, AcceptsZeroWithoutUnit) {
  EXPECT_EQ(parse_size("0"), 0U);
  EXPECT_EQ(parse_size("0GiB"), 0U);
}

// "1.5GiB" is a common way to write a swap size.
TEST(SizeParsing, AcceptsFractionsThatAreWholeBytes) {
  EXPECT_EQ(parse_size("1.5GiB"), 3 * k_gib / 2);
  EXPECT_EQ(parse_size("0.5TB"), 500'000'000'000ULL);
  EXPECT_FALSE(parse_size("1.5B"));
  EXPECT_FALSE(parse_size("1.0001GiB"));
  EXPECT_FALSE(parse_size("1.GiB"));
}

// "4 G" could be GB or GiB and the space hides a typo-prone form: refuse, do not guess.
TEST(SizeParsing, RejectsSpacesAndAmbiguousUnits) {
  EXPECT_NE(parse_size("4 G").error().find("without a space"), std::string::npos);
  EXPECT_FALSE(parse_size("4 GiB"));
  EXPECT_NE(parse_size("4G").error().find("unknown unit 'G'"), std::string::npos);
  EXPECT_FALSE(parse_size("4gb"));
  EXPECT_FALSE(parse_size("4gib"));
  EXPECT_FALSE(parse_size(" 4GiB"));
}

// A bare number is ambiguous for the same reason.
TEST(SizeParsing, RejectsMissingUnit) {
  const auto result = parse_size("4");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find("missing unit"), std::string::npos);
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("GiB"));
}

TEST(SizeParsing, RejectsNegativeSizes) {
  const auto result = parse_size("-1GiB");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().find("negative"), std::string::npos);
}

// A wrapped-around size would turn a huge requirement into a tiny one.
TEST(SizeParsing, RejectsOverflow) {
  EXPECT_EQ(parse_size("16777215TiB"), 16777215ULL * 1024 * k_gib); // just under 2^64
  EXPECT_NE(parse_size("16777216TiB").error().find("too large"), std::string::npos);
  EXPECT_FALSE(parse_size("18446744073709551616B"));
  EXPECT_FALSE(parse_size("99999999999999999999999GB"));
}

TEST(SizeFormatting, UsesOneDecimalInTheLargestUnit) {
  EXPECT_EQ(format_size(4 * k_gib), "4.0 GiB");
  EXPECT_EQ(format_size(2 * k_gib + k_gib / 2), "2.5 GiB");
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(0), "0 B");
  EXPECT_EQ(format_size(64'000'000'000ULL, SizeBase::decimal), "64.0 GB");
  EXPECT_EQ(format_size(64'000'000'000ULL), "59.6 GiB");
}

// 1023.96 GiB must not print as "1024.0 GiB".
TEST(SizeFormatting, MovesToTheNextUnitWhenRoundingReachesIt) {
  EXPECT_EQ(format_size(1024 * k_gib - 1), "1.0 TiB");
  EXPECT_EQ(format_size(999'999'999ULL, SizeBase::decimal), "1.0 GB");
}

} // namespace
} // namespace atelier::profiles
