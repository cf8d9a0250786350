// The one MAC address type (base/mac_address.h): the three spellings parse reads, what it refuses,
// the printed forms and which addresses may name a machine. Folded from pxe's and hwdb's tests.
#include "base/mac_address.h"

#include <array>
#include <cstdint>
#include <optional>

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

constexpr MacAddress k_qemu{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};

MacAddress mac(const char* text) {
  return MacAddress::parse(text).value();
}

// iPXE's ${mac} and ${mac:hexhyp}, Windows' getmac and the bare form, upper or lower case.
TEST(MacAddress, ParsesEverySpelling) {
  EXPECT_EQ(MacAddress::parse("52:54:00:a7:e1:01"), k_qemu);
  EXPECT_EQ(MacAddress::parse("52-54-00-a7-e1-01"), k_qemu);
  EXPECT_EQ(MacAddress::parse("525400a7e101"), k_qemu);
  EXPECT_EQ(MacAddress::parse("52:54:00:A7:E1:01"), k_qemu);
  EXPECT_EQ(MacAddress::parse("52-54-00-A7-e1-01"), k_qemu);
  EXPECT_EQ(MacAddress::parse("525400A7E101"), k_qemu);
  EXPECT_EQ(mac("52:54:00:AB:cd:EF").str(), "52:54:00:ab:cd:ef");
  EXPECT_EQ(mac("ff:ff:ff:ff:ff:ff").octets,
            (std::array<std::uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

TEST(MacAddress, RejectsWrongLength) {
  for (const char* bad :
       {"", "52", "52:54:00:a7:e1", "52:54:00:a7:e1:1", "52:54:00:a7:e1:011", "525400a7e1",
        "525400a7e1011", "525400a7e10101", " 52:54:00:a7:e1:01", "52:54:00:a7:e1:01 "}) {
    EXPECT_EQ(MacAddress::parse(bad), std::nullopt) << '"' << bad << '"';
  }
}

TEST(MacAddress, RejectsBadHex) {
  for (const char* bad : {"52:54:00:a7:e1:0g", "52:54:00:ab:cd:eg", "g2:54:00:a7:e1:01",
                          "525400a7e10z", "52:54:0x:a7:e1:01", "+2:54:00:a7:e1:01"}) {
    EXPECT_EQ(MacAddress::parse(bad), std::nullopt) << bad;
  }
}

// Five or seven groups, or pairs split in the wrong places, are not six octets.
TEST(MacAddress, RejectsWrongGrouping) {
  for (const char* bad : {"52:54:00:a7:e1", "52:54:00:a7:e1:01:00", "52-54-00-a7-e1",
                          "52-54-00-a7-e1-01-00", "5:254:00:ab:cd:ef", "5254:00a7:e101"}) {
    EXPECT_EQ(MacAddress::parse(bad), std::nullopt) << bad;
  }
}

// One separator style throughout, and only ':' or '-'.
TEST(MacAddress, RejectsMixedOrForeignSeparators) {
  for (const char* bad :
       {"52:54-00:a7:e1:01", "52-54-00-a7-e1:01", "52:54:00:a7:e1-01", "52.54.00.a7.e1.01",
        "52 54 00 a7 e1 01", "52_54_00_a7_e1_01", "52::54:00:a7:e101"}) {
    EXPECT_EQ(MacAddress::parse(bad), std::nullopt) << bad;
  }
}

// Lower case always: iPXE prints ${mac} that way and the hardware database stores that form.
TEST(MacAddress, PrintsLowerCaseWithTheSeparatorAsked) {
  const MacAddress upper{{0x00, 0x1b, 0x21, 0xAB, 0xCD, 0xEF}};
  EXPECT_EQ(upper.str(), "00:1b:21:ab:cd:ef");
  EXPECT_EQ(upper.str(':'), "00:1b:21:ab:cd:ef");
  EXPECT_EQ(upper.str('-'), "00-1b-21-ab-cd-ef");
  EXPECT_EQ(MacAddress{}.str(), "00:00:00:00:00:00");
  EXPECT_EQ(MacAddress::parse(upper.str('-')), upper);
}

// Multicast/broadcast never name one machine; QEMU's locally administered 52:54:00 does.
TEST(MacAddress, UsableIdentity) {
  EXPECT_FALSE(mac("ff:ff:ff:ff:ff:ff").is_usable_identity());
  EXPECT_FALSE(mac("01:00:5e:00:00:01").is_usable_identity());
  EXPECT_FALSE(mac("00:00:00:00:00:00").is_usable_identity());
  EXPECT_FALSE(MacAddress{}.is_usable_identity());
  EXPECT_TRUE(mac("52:54:00:12:34:56").is_usable_identity());
  EXPECT_TRUE(mac("00:1b:21:ab:cd:ef").is_usable_identity());

  EXPECT_TRUE(MacAddress{}.is_zero());
  EXPECT_FALSE(k_qemu.is_zero());
  EXPECT_TRUE(mac("33:33:00:00:00:01").is_multicast());
  EXPECT_FALSE(k_qemu.is_multicast());
}

// Ordered byte by byte, first octet first, so sorted MACs read in the order they print.
TEST(MacAddress, ComparesByOctets) {
  EXPECT_EQ(mac("52:54:00:a7:e1:01"), mac("525400A7E101"));
  EXPECT_NE(mac("52:54:00:a7:e1:01"), mac("52:54:00:a7:e1:02"));
  EXPECT_LT(mac("52:54:00:a7:e1:01"), mac("52:54:00:a7:e1:02"));
  EXPECT_LT(mac("00:ff:ff:ff:ff:ff"), mac("01:00:00:00:00:00"));
}

} // namespace
} // namespace atelier::base
