// Specification of the per-machine iPXE script (pxe/boot_script.h).
#include "pxe/boot_script.h"

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

const base::MacAddress k_mac{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};
constexpr std::string_view k_token = "0123456789abcdef0123456789abcdef";

BootScriptConfig config() {
  BootScriptConfig c;
  c.server_url = "http://198.18.0.1:8080";
  c.files_url = "http://198.18.0.1:8080/boot";
  return c;
}

// The whole script, byte for byte: this is what iPXE on BIOS and UEFI executes.
TEST(BootScript, RendersTheDocumentedScript) {
  const auto script = make_boot_script(config(), k_mac, k_token);
  ASSERT_TRUE(script) << script.error();
  EXPECT_EQ(*script,
            "#!ipxe\n"
            "# Atelier boot script for 52:54:00:a7:e1:01\n"
            "kernel http://198.18.0.1:8080/boot/vmlinuz initrd=initrd.img "
            "atelier.server=http://198.18.0.1:8080 atelier.token=0123456789abcdef0123456789abcdef "
            "atelier.mac=52:54:00:a7:e1:01 console=tty0 console=ttyS0,115200 || goto failed\n"
            "initrd http://198.18.0.1:8080/boot/initrd.img || goto failed\n"
            "boot || goto failed\n"
            ":failed\n"
            "echo Atelier: could not download or start the boot environment for "
            "52:54:00:a7:e1:01.\n"
            "echo Check the network cable and that the Atelier server is running.\n"
            "echo Restarting the network boot in 30 seconds.\n"
            "sleep 30\n"
            "reboot\n");
}

// The 2019 Debian ipxe.efi needs initrd=<name> or the EFI stub finds no initrd (PXE-NOTES); the
// name must be the last component of the initrd URL, because iPXE names images that way.
TEST(BootScript, InitrdArgumentMatchesTheInitrdFileName) {
  auto c = config();
  c.initrd_name = "atelier-initrd.cpio.gz";
  const auto script = make_boot_script(c, k_mac, k_token);
  ASSERT_TRUE(script);
  EXPECT_NE(script->find(" initrd=atelier-initrd.cpio.gz "), std::string::npos);
  EXPECT_NE(script->find("initrd http://198.18.0.1:8080/boot/atelier-initrd.cpio.gz "),
            std::string::npos);
}

// Extra arguments go last, after the ones the boot environment's init relies on.
TEST(BootScript, AppendsExtraArguments) {
  auto c = config();
  c.extra_args = {"quiet", "loglevel=4"};
  const auto line = boot_kernel_command_line(c, k_mac, k_token);
  ASSERT_TRUE(line);
  EXPECT_TRUE(line->ends_with("console=ttyS0,115200 quiet loglevel=4")) << *line;
}

// The program's language rides on the command line, so the boot environment speaks it before the
// agent registers; without one nothing is added (the boot environment speaks English).
TEST(BootScript, NamesTheProgramsLanguage) {
  auto c = config();
  c.language = "fr";
  const auto line = boot_kernel_command_line(c, k_mac, k_token);
  ASSERT_TRUE(line) << line.error();
  EXPECT_NE(line->find("atelier.mac=52:54:00:a7:e1:01 atelier.lang=fr console=tty0"),
            std::string::npos)
      << *line;
  const auto none = boot_kernel_command_line(config(), k_mac, k_token);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->find("atelier.lang"), std::string::npos) << *none;
  for (const std::string bad : {"FR", "f", "fr_FR", "fr fr", "fr$x", "abcdefghi"}) {
    c.language = bad;
    const auto refused = boot_kernel_command_line(c, k_mac, k_token);
    ASSERT_FALSE(refused) << bad;
    EXPECT_NE(refused.error().find("language"), std::string::npos) << refused.error();
  }
}

// Nothing is quoted, so anything that would need quoting is refused instead of mangled: a space
// would split an argument, `$` would be expanded by iPXE, `#` would start a comment.
TEST(BootScript, RefusesArgumentsThatWouldNeedQuoting) {
  for (const std::string bad :
       {"a b", "x=$y", "a#b", "q\"uote", "back\\slash", "", "tab\t", "new\nline", "caf\xc3\xa9"}) {
    auto c = config();
    c.extra_args = {bad};
    EXPECT_FALSE(make_boot_script(c, k_mac, k_token)) << bad;
  }
}

// A malformed token is a programming error upstream; it must not end up on a command line.
TEST(BootScript, RefusesAMalformedToken) {
  EXPECT_FALSE(make_boot_script(config(), k_mac, "not a token"));
  EXPECT_FALSE(make_boot_script(config(), k_mac, "0123456789ABCDEF0123456789ABCDEF"));
}

// URLs must be http(s) and unquotable-safe; a trailing slash would double the separator.
TEST(BootScript, RefusesBadUrls) {
  auto c = config();
  c.server_url = "ftp://x";
  EXPECT_FALSE(make_boot_script(c, k_mac, k_token));
  c = config();
  c.files_url = "http://x/boot/";
  EXPECT_FALSE(make_boot_script(c, k_mac, k_token));
  c = config();
  c.files_url = "http://x/${mac}";
  EXPECT_FALSE(make_boot_script(c, k_mac, k_token));
  c = config();
  c.initrd_name = "dir/initrd.img";
  EXPECT_FALSE(make_boot_script(c, k_mac, k_token));
}

// On a workshop bench "exit" hands the machine back to the firmware's boot order instead.
TEST(BootScript, FailureActionCanBeExit) {
  auto c = config();
  c.on_failure = BootFailureAction::exit;
  c.failure_pause_seconds = 5;
  const auto script = make_boot_script(c, k_mac, k_token);
  ASSERT_TRUE(script);
  EXPECT_TRUE(script->ends_with("sleep 5\nexit\n")) << *script;
}

} // namespace
} // namespace atelier::pxe
