// Specification of choose_boot (pxe/boot_choice.h): the "boot file by option 93" table of
// PXE-NOTES, including loop avoidance and the refusals that mean "send no reply".
#include "fixtures.h"
#include "pxe/boot_choice.h"

#include <array>

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

BootConfig config() {
  BootConfig c;
  c.server = *Ipv4Address::parse("198.18.0.1");
  c.http_port = 8080;
  return c;
}

ClientInfo client(FirmwareFamily family, std::optional<std::uint16_t> arch, bool ipxe = false) {
  ClientInfo info;
  info.firmware = family;
  info.arch = arch;
  info.is_ipxe = ipxe;
  info.mac = base::MacAddress{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};
  return info;
}

// Vendor BIOS ROMs chain into iPXE through UNDI.
TEST(ChooseBoot, BiosPxeGetsUndionlyOverTftp) {
  const auto choice = choose_boot(client(FirmwareFamily::bios_pxe, 0), config());
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->transport, BootTransport::tftp);
  EXPECT_EQ(choice->file, "undionly.kpxe");
}

// Loop avoidance: iPXE (ours or a NIC ROM) goes to the script, never to the first stage again.
TEST(ChooseBoot, IpxeGetsTheScriptUrlWhateverItsArch) {
  for (const std::uint16_t arch : std::array<std::uint16_t, 3>{0, 7, 9}) {
    const auto choice = choose_boot(client(FirmwareFamily::ipxe, arch, true), config());
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->transport, BootTransport::http);
    EXPECT_EQ(choice->file, "http://198.18.0.1:8080/boot/52:54:00:a7:e1:01.ipxe");
  }
}

// x64 firmware really sends 7; old firmware sends 9 (RFC 4578 erratum): both get x86-64 iPXE.
TEST(ChooseBoot, UefiX64AndArch9GetX64Efi) {
  for (const std::uint16_t arch : std::array<std::uint16_t, 2>{7, 9}) {
    const auto choice = choose_boot(client(FirmwareFamily::uefi_pxe, arch), config());
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->file, "ipxe.efi");
    EXPECT_EQ(choice->transport, BootTransport::tftp);
  }
}

// Sites with NICs iPXE has no driver for use snponly.efi (the firmware's own driver).
TEST(ChooseBoot, X64FileIsConfigurable) {
  BootConfig c = config();
  c.efi_x64_file = "snponly.efi";
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_pxe, 7), c)->file, "snponly.efi");
}

// 32-bit UEFI (cheap tablets, early Macs) needs the i386 build.
// Secure Boot (docs/PXE.md): with the signed chain on, x86-64 UEFI PXE machines get Debian's
// signed shim instead of iPXE; other architectures, BIOS and iPXE itself are unchanged.
TEST(ChooseBoot, SignedChainGivesUefiX64TheShim) {
  BootConfig c = config();
  c.efi_x64_signed = true;
  for (const std::uint16_t arch : std::array<std::uint16_t, 2>{7, 9}) {
    const auto choice = choose_boot(client(FirmwareFamily::uefi_pxe, arch), c);
    ASSERT_TRUE(choice) << arch;
    EXPECT_EQ(choice->transport, BootTransport::tftp);
    EXPECT_EQ(choice->file, "shimx64.efi");
    EXPECT_NE(choice->rule.find("signed shim"), std::string::npos) << choice->rule;
  }
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_pxe, 6), c)->file, "ipxe-i386.efi");
  EXPECT_EQ(choose_boot(client(FirmwareFamily::bios_pxe, 0), c)->file, "undionly.kpxe");
  EXPECT_EQ(choose_boot(client(FirmwareFamily::ipxe, 7, true), c)->transport, BootTransport::http);
}

// UEFI HTTP boot: x86-64 gets the disk image holding shim and GRUB when atelierd made it (the
// chain on for HTTP boot, in either mode), iPXE over HTTP when not; ia32 is unchanged.
TEST(ChooseBoot, SignedChainGivesHttpBootX64TheDiskWhenThereIsOne) {
  BootConfig c = config();
  c.efi_x64_signed = true;
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_http, 16), c)->file,
            "http://198.18.0.1:8080/ipxe/ipxe.efi");
  c.efi_x64_signed_http_url = "http://{server}:{port}/boot/uefi-http-x64.img";
  const auto choice = choose_boot(client(FirmwareFamily::uefi_http, 16), c);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->transport, BootTransport::http);
  EXPECT_EQ(choice->file, "http://198.18.0.1:8080/boot/uefi-http-x64.img");
  EXPECT_NE(choice->rule.find("RAM disk"), std::string::npos) << choice->rule;
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_http, 15), c)->file,
            "http://198.18.0.1:8080/ipxe/ipxe-i386.efi");
  c.efi_x64_signed = false; // proxy mode: PXE gets iPXE, HTTP boot still the disk
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_http, 16), c)->file,
            "http://198.18.0.1:8080/boot/uefi-http-x64.img");
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_pxe, 7), c)->file, "ipxe.efi");
}

TEST(ChooseBoot, UefiIa32GetsI386Efi) {
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_pxe, 6), config())->file, "ipxe-i386.efi");
}

// ARM has no default file (Debian ships none): refused with a reason until configured.
TEST(ChooseBoot, ArmIsRefusedUntilConfigured) {
  const auto refused = choose_boot(client(FirmwareFamily::uefi_pxe, 11), config());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().reason.find("11 (ARM 64-bit UEFI)"), std::string::npos);
  BootConfig c = config();
  c.efi_arm64_file = "arm64/ipxe.efi";
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_pxe, 11), c)->file, "arm64/ipxe.efi");
}

// HTTP boot firmware gets an http:// URL of the EFI file for its CPU.
TEST(ChooseBoot, HttpBootGetsUrlOfItsEfiFile) {
  const auto x64 = choose_boot(client(FirmwareFamily::uefi_http, 16), config());
  ASSERT_TRUE(x64);
  EXPECT_EQ(x64->transport, BootTransport::http);
  EXPECT_EQ(x64->file, "http://198.18.0.1:8080/ipxe/ipxe.efi");
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_http, 15), config())->file,
            "http://198.18.0.1:8080/ipxe/ipxe-i386.efi");
  EXPECT_FALSE(
      choose_boot(client(FirmwareFamily::uefi_http, 19), config())); // no ARM file by default
  BootConfig c = config();
  c.efi_arm64_file = "arm64.efi";
  EXPECT_EQ(choose_boot(client(FirmwareFamily::uefi_http, 19), c)->file,
            "http://198.18.0.1:8080/ipxe/arm64.efi");
}

// Architectures we have nothing for get no reply, and the log says why.
TEST(ChooseBoot, UnsupportedArchIsRefusedWithReason) {
  const auto refused = choose_boot(client(FirmwareFamily::uefi_pxe, 2), config());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, "client architecture 2 (unknown) is not supported");
  EXPECT_FALSE(choose_boot(client(FirmwareFamily::uefi_http, 20), config())); // BIOS HTTP boot
}

// Proxy mode must stay silent for ordinary DHCP clients: the site's server handles them.
TEST(ChooseBoot, NonPxeClientsAreRefused) {
  const auto refused = choose_boot(client(FirmwareFamily::not_pxe, std::nullopt), config());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().reason.find("not a network-boot client"), std::string::npos);
}

// Placeholders let sites shape URLs; unknown MACs fall back to iPXE's own expansion.
TEST(ChooseBoot, TemplatesExpandPlaceholders) {
  BootConfig c = config();
  ClientInfo info = client(FirmwareFamily::ipxe, 7, true);
  EXPECT_EQ(expand_boot_template("{server}:{port}/{mac_hyphens}/{arch}/${serial}/{other}", info, c),
            "198.18.0.1:8080/52-54-00-a7-e1-01/7/${serial}/{other}");
  info.mac.reset();
  EXPECT_EQ(expand_boot_template("/boot/{mac}.ipxe", info, c), "/boot/${mac}.ipxe");
}

// The real captures, end to end through classify: each firmware lands on its row.
TEST(ChooseBoot, RealCapturesLandOnTheirRows) {
  auto choose = [](std::string_view name) {
    const auto decoded = testing::fixture_packet(name);
    return choose_boot(classify(decoded.packet, decoded.quirks), config());
  };
  EXPECT_EQ(choose("ovmf-pxe-01-dhcp-discover-pxe")->file, "ipxe.efi");
  EXPECT_EQ(choose("ovmf-http-01-dhcp-discover-http")->file,
            "http://198.18.0.1:8080/ipxe/ipxe.efi");
  EXPECT_EQ(choose("seabios-ipxe-01-dhcp-discover-ipxe")->file,
            "http://198.18.0.1:8080/boot/52:54:00:a7:e1:01.ipxe");
  EXPECT_EQ(choose("ovmf-ipxe-01-dhcp-discover-ipxe")->file,
            "http://198.18.0.1:8080/boot/52:54:00:a7:e1:01.ipxe");
}

} // namespace
} // namespace atelier::pxe
