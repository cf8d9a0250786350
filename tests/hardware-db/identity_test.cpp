#include "hardware-db/identity.h"

#include <gtest/gtest.h>

using namespace atelier::hwdb;

namespace {
MacAddress mac(const char* text) {
  return MacAddress::parse(text).value();
}
} // namespace

// The placeholder strings of the program notes, in the spellings firmware actually uses.
TEST(Identity, PlaceholderSerialsAreRecognised) {
  const std::vector<std::string> placeholders = {"To Be Filled By O.E.M.",
                                                 "To be filled by O.E.M.",
                                                 "  TO BE FILLED BY O.E.M. ",
                                                 "Default string",
                                                 "System Serial Number",
                                                 "0123456789",
                                                 "None",
                                                 "0",
                                                 "00000000",
                                                 "0000-0000-0000",
                                                 "",
                                                 "   ",
                                                 "Not Specified",
                                                 "N/A",
                                                 "FFFFFFFFFFFF",
                                                 "XXXXXXXX",
                                                 "Chassis Serial Number",
                                                 std::string("\0\0", 2)};
  for (const std::string& s : placeholders) {
    EXPECT_TRUE(is_placeholder_serial(s)) << '"' << s << '"';
  }
}

TEST(Identity, RealSerialsAreNotPlaceholders) {
  for (const char* s :
       {"PC0ABCDE", "5CG1234XYZ", "CZC4321LMN", "R90XYZ12", "7XJ8Q2J", "00C0FFEE"}) {
    EXPECT_FALSE(is_placeholder_serial(s)) << s;
  }
}

TEST(Identity, DmiSerialIsTheKeyWithVendorAndModel) {
  const Identity id{"LENOVO", "10AXS0X", "PC0ABCDE", "L1HF123", mac("52:54:00:12:34:56")};
  const auto key = identity_key(id).value();
  EXPECT_EQ(key.kind, IdentityKind::dmi_serial);
  EXPECT_EQ(key.value, "LENOVO|10AXS0X|PC0ABCDE");
}

// Keys are case- and whitespace-insensitive: the same machine read by two tools must match.
TEST(Identity, KeyIsNormalised) {
  const Identity a{"Dell Inc.", "OptiPlex 7010", "7xj8q2j", "", std::nullopt};
  const Identity b{" DELL INC. ", "OptiPlex  7010", "7XJ8Q2J\0", "", std::nullopt};
  EXPECT_EQ(identity_key(a).value(), identity_key(b).value());
}

TEST(Identity, PlaceholderSystemSerialFallsBackToBoardSerial) {
  const Identity id{"ASUS", "All Series", "System Serial Number", "140525951200123",
                    mac("52:54:00:12:34:56")};
  const auto key = identity_key(id).value();
  EXPECT_EQ(key.kind, IdentityKind::board_serial);
  EXPECT_EQ(key.value, "ASUS|140525951200123");
}

TEST(Identity, BothSerialsPlaceholdersFallsBackToFirstWiredMac) {
  const Identity id{"To Be Filled By O.E.M.", "To Be Filled By O.E.M.", "To Be Filled By O.E.M.",
                    "Default string", mac("AA-BB-CC-00-11-22")};
  const auto key = identity_key(id).value();
  EXPECT_EQ(key.kind, IdentityKind::mac);
  EXPECT_EQ(key.value, "aa:bb:cc:00:11:22");
}

TEST(Identity, NothingUsableIsAnErrorThatSaysWhatToGive) {
  const Identity id{"", "", "None", "0", mac("00:00:00:00:00:00")};
  const auto key = identity_key(id);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(key.error().message.find("serial"), std::string::npos);
}

TEST(MacAddress, ParsesCommonNotations) {
  EXPECT_EQ(mac("52:54:00:AB:cd:EF").str(), "52:54:00:ab:cd:ef");
  EXPECT_EQ(mac("52-54-00-ab-cd-ef").str(), "52:54:00:ab:cd:ef");
  EXPECT_EQ(mac("525400abcdef").str(), "52:54:00:ab:cd:ef");
}

TEST(MacAddress, RejectsMalformed) {
  for (const char* bad : {"", "52:54:00:ab:cd", "52:54:00:ab:cd:eg", "5:254:00:ab:cd:ef",
                          "52:54:00:ab:cd:ef:00", "52.54.00.ab.cd.ef"}) {
    EXPECT_FALSE(MacAddress::parse(bad)) << bad;
  }
}

// Multicast/broadcast never name one machine; QEMU's locally administered 52:54:00 does.
TEST(MacAddress, UsableIdentity) {
  EXPECT_FALSE(mac("ff:ff:ff:ff:ff:ff").is_usable_identity());
  EXPECT_FALSE(mac("01:00:5e:00:00:01").is_usable_identity());
  EXPECT_FALSE(mac("00:00:00:00:00:00").is_usable_identity());
  EXPECT_TRUE(mac("52:54:00:12:34:56").is_usable_identity());
}
