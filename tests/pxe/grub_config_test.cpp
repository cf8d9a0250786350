// The signed chain's GRUB side (pxe/grub_config.h): which TFTP names are GRUB's generated files,
// and what they say. The chain itself boots in tests/vm/pxe_boot_test.sh under OVMF with Secure
// Boot on.
#include "pxe/grub_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const base::MacAddress k_mac{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};
constexpr std::string_view k_token = "0123456789abcdef0123456789abcdef";

BootScriptConfig script() {
  BootScriptConfig c;
  c.server_url = "http://198.18.0.1:8080";
  c.files_url = "http://198.18.0.1:8080/boot";
  return c;
}

TEST(GrubRequest, TheMainConfigAndEachMachinesEntryWithOrWithoutALeadingSlash) {
  for (std::string_view name : {"grub/grub.cfg", "/grub/grub.cfg"}) {
    const auto request = parse_grub_request(name);
    ASSERT_TRUE(request) << name;
    EXPECT_EQ(request->kind, GrubRequest::Kind::main_config);
  }
  for (std::string_view name :
       {"/grub/atelier/52:54:00:a7:e1:01.cfg", "grub/atelier/52-54-00-A7-E1-01.cfg"}) {
    const auto request = parse_grub_request(name);
    ASSERT_TRUE(request) << name;
    EXPECT_EQ(request->kind, GrubRequest::Kind::machine_entry);
    EXPECT_EQ(request->mac, k_mac);
  }
}

TEST(GrubRequest, AnythingElseIsNotGenerated) {
  for (std::string_view name :
       {"grub/x86_64-efi/command.lst", "grub/atelier/not-a-mac.cfg", "grub/atelier/.cfg",
        "grub/atelier/52:54:00:a7:e1:01.cfg/../x", "shimx64.efi", "grub/grub.cfg-01-52-54-00",
        "grub/atelier/52:54:00:a7:e1:01", ""}) {
    EXPECT_FALSE(parse_grub_request(name)) << name;
  }
}

TEST(GrubConfig, TheMainConfigSourcesTheMachinesEntryFromUsAndElseReturnsToTheFirmware) {
  const std::string text = grub_main_config("198.18.0.1");
  EXPECT_THAT(text, HasSubstr("source (tftp,198.18.0.1)/grub/atelier/${net_default_mac}.cfg\n"));
  EXPECT_THAT(text, HasSubstr("set timeout=0\n"));
  EXPECT_TRUE(text.ends_with("exit\n")) << text;
}

// From a RAM disk GRUB sees no network setting of the firmware's: it asks DHCP itself, and the
// entry is named after the card that got an address, in order.
TEST(GrubConfig, TheHttpDiskConfigTakesAnAddressThenAsksUsForEachCardsEntryInOrder) {
  const std::string text = grub_http_disk_config("198.18.0.1");
  const auto bootp = text.find("net_bootp\n");
  const auto first = text.find("source (tftp,198.18.0.1)/grub/atelier/$net_efinet0_dhcp_mac.cfg\n");
  const auto second =
      text.find("source (tftp,198.18.0.1)/grub/atelier/$net_efinet1_dhcp_mac.cfg\n");
  ASSERT_NE(bootp, std::string::npos) << text;
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(bootp, first);
  EXPECT_LT(first, second);
  EXPECT_THAT(text, HasSubstr("if [ -n \"$net_efinet0_dhcp_mac\" ]; then\n"));
  EXPECT_THAT(text, Not(HasSubstr("efinet4")));
  EXPECT_TRUE(text.ends_with("exit\n")) << text;
}

TEST(GrubConfig, TheEntryBootsTheEnvironmentWithTheTokenAndNoInitrdArgument) {
  const auto entry = grub_machine_entry(script(), "198.18.0.1", k_mac, k_token);
  ASSERT_TRUE(entry) << entry.error();
  EXPECT_THAT(*entry, HasSubstr("linux (tftp,198.18.0.1)/boot/vmlinuz atelier.server="
                                "http://198.18.0.1:8080 atelier.token=" +
                                std::string(k_token) +
                                " atelier.mac=52:54:00:a7:e1:01 console=tty0 "
                                "console=ttyS0,115200\n"));
  EXPECT_THAT(*entry, HasSubstr("initrd (tftp,198.18.0.1)/boot/initrd.img\n"));
  EXPECT_THAT(*entry, Not(HasSubstr("initrd=")));
  EXPECT_TRUE(entry->ends_with("boot\n"));
}

TEST(GrubConfig, AValueThatWouldNeedQuotingIsRefused) {
  BootScriptConfig c = script();
  c.extra_args = {"quiet;reboot"};
  const auto entry = grub_machine_entry(c, "198.18.0.1", k_mac, k_token);
  ASSERT_FALSE(entry);
  EXPECT_THAT(entry.error(), HasSubstr("contains ';'"));
  EXPECT_FALSE(grub_machine_entry(script(), "198.18.0.1", k_mac, "not-a-token"));
}

} // namespace
} // namespace atelier::pxe
