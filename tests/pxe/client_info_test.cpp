// Specification of classify() and the PXE option decoders (pxe/client_info.h, pxe/pxe_options.h):
// what the server learns about a machine from one request, and which leniencies it counts.
#include "fixtures.h"
#include "pxe/client_info.h"
#include "pxe/pxe_options.h"

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using testing::edk2_discover;

// The PXE spec's vendor class is the fallback source of the architecture and UNDI version.
TEST(VendorClass, ParsesPxeClientArchAndUndi) {
  const VendorClass vc = parse_vendor_class("PXEClient:Arch:00007:UNDI:003000");
  EXPECT_EQ(vc.kind, VendorClass::Kind::pxe_client);
  EXPECT_EQ(vc.arch, 7);
  EXPECT_EQ(vc.undi_major, 3);
  EXPECT_EQ(vc.undi_minor, 0);
}

// UEFI HTTP boot uses the same shape with another word; its kind drives the reply's option 60.
TEST(VendorClass, ParsesHttpClientWithoutUndi) {
  const VendorClass vc = parse_vendor_class("HTTPClient:Arch:00016");
  EXPECT_EQ(vc.kind, VendorClass::Kind::http_client);
  EXPECT_EQ(vc.arch, 16);
  EXPECT_FALSE(vc.undi_major);
}

// Malformed or foreign vendor classes must not invent an architecture.
TEST(VendorClass, ToleratesGarbageWithoutInventingFields) {
  EXPECT_EQ(parse_vendor_class("PXEClient").kind, VendorClass::Kind::pxe_client);
  EXPECT_FALSE(parse_vendor_class("PXEClient:Arch:7x").arch);
  EXPECT_FALSE(parse_vendor_class("PXEClient:Arch:99999").arch);
  EXPECT_FALSE(parse_vendor_class("PXEClient:Arch").arch);
  EXPECT_EQ(parse_vendor_class("MSFT 5.0").kind, VendorClass::Kind::other);
  EXPECT_EQ(parse_vendor_class("pxeclient:Arch:00007").kind,
            VendorClass::Kind::other);                                             // case matters
  EXPECT_EQ(parse_vendor_class("PXEClientX").kind, VendorClass::Kind::pxe_client); // 9-byte prefix
  EXPECT_EQ(parse_vendor_class("").kind, VendorClass::Kind::other);
}

// The GUID must print like QEMU's -uuid, dmidecode and iPXE's ${uuid}: EFI mixed-endian fields.
TEST(Guid, FormatsFirstThreeFieldsLittleEndian) {
  const Guid guid = {0x2e, 0x4a, 0x1f, 0x8c, 0x5d, 0x3b, 0x6f, 0x4e,
                     0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b};
  EXPECT_EQ(format_guid(guid), "8c1f4a2e-3b5d-4e6f-9a0b-1c2d3e4f5a6b");
}

// A PXE client tells us everything in one DISCOVER; nothing here is a quirk.
TEST(Classify, Edk2DiscoverIsUefiPxeWithGuid) {
  const ClientInfo info = classify(edk2_discover());
  EXPECT_EQ(info.message_type, MessageType::discover);
  EXPECT_EQ(info.mac->str(), "52:54:00:a7:e1:01");
  EXPECT_EQ(info.arch, 7);
  EXPECT_EQ(info.firmware, FirmwareFamily::uefi_pxe);
  EXPECT_FALSE(info.is_ipxe);
  EXPECT_EQ(info.guid, "8c1f4a2e-3b5d-4e6f-9a0b-1c2d3e4f5a6b");
  EXPECT_EQ(info.ndi, (ClientNdi{1, 3, 0}));
  EXPECT_TRUE(info.quirks.empty());
}

// Loop avoidance depends on this: iPXE's raw user class must be recognised, and it is a counted
// quirk.
TEST(Classify, RawIpxeUserClassMeansIpxe) {
  Packet packet = edk2_discover();
  packet.options.set_text(opt::user_class, "iPXE");
  const ClientInfo info = classify(packet);
  EXPECT_TRUE(info.is_ipxe);
  EXPECT_EQ(info.firmware, FirmwareFamily::ipxe);
  EXPECT_EQ(info.user_classes, std::vector<std::string>{"iPXE"});
  EXPECT_TRUE(info.quirks.contains(Quirk::unframed_user_class));
}

// RFC 3004 framing (as a rebuilt iPXE or other clients send) must work too, without a quirk.
TEST(Classify, Rfc3004FramedUserClassesAreSplit) {
  Packet packet = edk2_discover();
  packet.options.set(opt::user_class, {4, 'i', 'P', 'X', 'E', 3, 'a', 'b', 'c'});
  const ClientInfo info = classify(packet);
  EXPECT_TRUE(info.is_ipxe);
  EXPECT_EQ(info.user_classes, (std::vector<std::string>{"iPXE", "abc"}));
  EXPECT_FALSE(info.quirks.contains(Quirk::unframed_user_class));
}

// Option 175 alone identifies iPXE (a user class can be changed by a script; 175 cannot).
TEST(Classify, Option175AloneMeansIpxe) {
  Packet packet = edk2_discover();
  packet.options.set(opt::ipxe_encap, {0x13, 1, 1, 0x24, 1, 1});
  const ClientInfo info = classify(packet);
  EXPECT_TRUE(info.is_ipxe);
  EXPECT_EQ(info.ipxe_features, (std::vector<std::uint8_t>{0x13, 0x24}));
  EXPECT_EQ(ipxe_feature_name(0x13), "HTTP");
}

// Without option 93 the vendor class still tells the architecture; counted so we see such ROMs.
TEST(Classify, ArchFallsBackToVendorClass) {
  Packet packet = edk2_discover();
  packet.options.erase(opt::client_arch);
  const ClientInfo info = classify(packet);
  EXPECT_EQ(info.arch, 7);
  EXPECT_EQ(info.firmware, FirmwareFamily::uefi_pxe);
  EXPECT_TRUE(info.quirks.contains(Quirk::arch_from_vendor_class));
}

// RFC 4578 makes option 93 authoritative when the two disagree.
TEST(Classify, Option93WinsOverVendorClassAndMismatchIsCounted) {
  Packet packet = edk2_discover();
  packet.options.set(opt::client_arch, {0, 9, 0, 7});
  const ClientInfo info = classify(packet);
  EXPECT_EQ(info.arch, 9);
  EXPECT_EQ(info.archs, (std::vector<std::uint16_t>{9, 7}));
  EXPECT_TRUE(info.quirks.contains(Quirk::arch_mismatch));
  EXPECT_TRUE(info.quirks.contains(Quirk::several_client_archs));
}

// Old BIOS ROMs send neither 93 nor Arch: treated as BIOS, and counted.
TEST(Classify, PxeClientWithoutAnyArchIsBios) {
  Packet packet = edk2_discover();
  packet.options.erase(opt::client_arch);
  packet.options.set_text(opt::vendor_class, "PXEClient");
  const ClientInfo info = classify(packet);
  EXPECT_FALSE(info.arch);
  EXPECT_EQ(info.firmware, FirmwareFamily::bios_pxe);
  EXPECT_TRUE(info.quirks.contains(Quirk::missing_client_arch));
}

// HTTP boot clients need a URL and "HTTPClient" back; misfiling them as PXE breaks their boot.
TEST(Classify, HttpClientIsUefiHttp) {
  Packet packet = edk2_discover();
  packet.options.set_u16(opt::client_arch, 16);
  packet.options.set_text(opt::vendor_class, "HTTPClient:Arch:00016:UNDI:003000");
  EXPECT_EQ(classify(packet).firmware, FirmwareFamily::uefi_http);
}

// Option 97 is not an identity when missing or zero (PXE-NOTES); both are counted.
TEST(Classify, MissingAndZeroUuidAreQuirksNotIdentities) {
  Packet packet = edk2_discover();
  packet.options.erase(opt::client_uuid);
  ClientInfo info = classify(packet);
  EXPECT_FALSE(info.guid);
  EXPECT_TRUE(info.quirks.contains(Quirk::missing_client_uuid));

  packet.options.set(opt::client_uuid, Bytes(17, 0));
  info = classify(packet);
  EXPECT_FALSE(info.guid);
  EXPECT_TRUE(info.quirks.contains(Quirk::zero_client_uuid));

  Bytes typed(17, 0x11);
  typed[0] = 1;
  packet.options.set(opt::client_uuid, typed);
  info = classify(packet);
  EXPECT_FALSE(info.guid);
  EXPECT_TRUE(info.quirks.contains(Quirk::unknown_client_uuid_type));
}

// Ordinary DHCP clients on the site LAN must be recognised so proxy mode leaves them alone.
TEST(Classify, PlainDhcpClientIsNotPxe) {
  Packet packet;
  packet.chaddr = {1, 2, 3, 4, 5, 6};
  packet.options.set_u8(opt::message_type, 1);
  packet.options.set_text(opt::vendor_class, "MSFT 5.0");
  const ClientInfo info = classify(packet);
  EXPECT_EQ(info.firmware, FirmwareFamily::not_pxe);
  EXPECT_TRUE(info.quirks.empty()); // no UUID is expected from a non-PXE client
}

// Decode quirks travel with the classification so the server has one set to count.
TEST(Classify, CarriesDecodeQuirks) {
  QuirkSet decode;
  decode.add(Quirk::trailing_data_after_end);
  const ClientInfo info = classify(edk2_discover(), decode);
  EXPECT_TRUE(info.quirks.contains(Quirk::trailing_data_after_end));
}

// Counter names are part of the operator interface; they must stay stable and unique.
TEST(Quirks, NamesAreStableAndListed) {
  QuirkSet set;
  set.add(Quirk::zero_client_uuid);
  set.add(Quirk::trailing_data_after_end);
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.list(),
            (std::vector<Quirk>{Quirk::trailing_data_after_end, Quirk::zero_client_uuid}));
  EXPECT_EQ(quirk_name(Quirk::zero_client_uuid), "zero_client_uuid");
  EXPECT_EQ(quirk_name(Quirk::tftp_trailing_bytes), "tftp_trailing_bytes");
}

} // namespace
} // namespace atelier::pxe
