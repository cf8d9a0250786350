#include "hardware-db/identity.h"

#include <gtest/gtest.h>

using namespace atelier::hwdb;
using atelier::base::MacAddress;

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

// The spellings themselves are base::MacAddress's (tests/base/mac_address_test.cpp); what hwdb
// adds is the error a person sees for `atelier units add --mac`.
TEST(ParseMac, AcceptsWhatBaseAcceptsAndExplainsTheRest) {
  ASSERT_TRUE(parse_mac("52-54-00-AB-CD-EF"));
  EXPECT_EQ(parse_mac("52-54-00-AB-CD-EF")->str(), "52:54:00:ab:cd:ef");
  const auto bad = parse_mac("52:54:00:ab:cd");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(bad.error().message, "'52:54:00:ab:cd' is not a MAC address (expected six hex bytes "
                                 "such as 52:54:00:12:34:56)");
  EXPECT_FALSE(parse_mac("52:54-00:ab:cd:ef"));
}
