#include "hardware-db/asset_tag.h"

#include <gtest/gtest.h>

using atelier::hwdb::AssetTag;
using atelier::hwdb::damm_check_digit;

// The worked example from the Damm algorithm's literature: 572 → check digit 4.
TEST(AssetTag, DammCheckDigitMatchesPublishedExample) {
  EXPECT_EQ(damm_check_digit("572"), 4);
}

// A number followed by its own check digit always reduces to 0: the property the check relies on.
TEST(AssetTag, NumberWithItsCheckDigitReducesToZero) {
  for (int n = 1; n < 5000; ++n) {
    const std::string digits = std::to_string(n);
    EXPECT_EQ(damm_check_digit(digits + std::to_string(damm_check_digit(digits))), 0) << n;
  }
}

TEST(AssetTag, FormatsWithFourDigitsAndCheck) {
  const AssetTag tag("AT", 42);
  EXPECT_EQ(tag.str(), "AT-0042-" + std::to_string(damm_check_digit("42")));
  EXPECT_EQ(AssetTag("ORDI", 123456).str().substr(0, 12), "ORDI-123456-");
}

TEST(AssetTag, ParsesItsOwnOutputAndSloppyTyping) {
  const AssetTag tag("AT", 42);
  const std::string s = tag.str();
  EXPECT_EQ(AssetTag::parse(s).value(), tag);
  std::string lower = s;
  for (auto& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  EXPECT_EQ(AssetTag::parse(lower).value(), tag);
  std::string spaced = s;
  for (auto& c : spaced) {
    c = c == '-' ? ' ' : c;
  }
  EXPECT_EQ(AssetTag::parse("  " + spaced + " ").value(), tag);
  // Leading zeros are presentation only.
  EXPECT_EQ(AssetTag::parse("AT-42-" + std::to_string(tag.check_digit())).value(), tag);
}

// Every single-digit typo in the number is caught by the check digit (Damm's guarantee).
TEST(AssetTag, EverySingleDigitTypoIsCaught) {
  const AssetTag tag("AT", 4271);
  const std::string s = tag.str(); // AT-4271-c
  for (std::size_t pos = 3; pos < 7; ++pos) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == s[pos]) {
        continue;
      }
      std::string typo = s;
      typo[pos] = d;
      EXPECT_FALSE(AssetTag::parse(typo)) << typo;
    }
  }
}

// Swapping two adjacent digits (the other common copying mistake) is caught too.
TEST(AssetTag, AdjacentTranspositionsAreCaught) {
  for (int n = 1000; n < 3000; ++n) {
    const AssetTag tag("AT", static_cast<std::uint64_t>(n));
    const std::string s = tag.str();
    for (std::size_t pos = 3; pos + 1 < 7; ++pos) {
      if (s[pos] == s[pos + 1]) {
        continue;
      }
      std::string swapped = s;
      std::swap(swapped[pos], swapped[pos + 1]);
      EXPECT_FALSE(AssetTag::parse(swapped)) << swapped;
    }
  }
}

// A forgotten check digit must not be read as a different, shorter tag.
TEST(AssetTag, MissingCheckDigitIsAShapeError) {
  const auto r = AssetTag::parse("AT-0042");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("PREFIX-NUMBER-CHECK"), std::string::npos);
}

TEST(AssetTag, RejectsMalformedInput) {
  for (const char* bad : {"", "-", "AT--1", "AT-0000-0", "12-0042-7", "ABCDE-0042-1", "AT-00x2-7",
                          "AT-0042-77", "AT-0042-", "AT-1234567890123-0"}) {
    EXPECT_FALSE(AssetTag::parse(bad)) << bad;
  }
}
