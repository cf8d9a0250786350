// The codecs against REAL packets captured from QEMU firmware (tests/data/pxe, docs/PXE-PROTOCOL.md
// "Fixtures"): if these fail, a real machine would not boot.
#include "fixtures.h"
#include "pxe/client_info.h"
#include "pxe/tftp_negotiation.h"
#include "pxe/tftp_packet.h"

#include <algorithm>
#include <array>

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using testing::fixture_names;
using testing::fixture_packet;
using testing::load_fixture;

// QEMU ran with -uuid 8c1f4a2e-3b5d-4e6f-9a0b-1c2d3e4f5a6b and this MAC
// (pxe/tools/capture-fixtures.sh).
constexpr std::string_view k_vm_uuid = "8c1f4a2e-3b5d-4e6f-9a0b-1c2d3e4f5a6b";
constexpr std::string_view k_vm_mac = "52:54:00:a7:e1:01";

// Guards the fixture set itself: a capture script change that loses a scenario must fail loudly.
TEST(Fixtures, AllScenariosArePresent) {
  EXPECT_EQ(fixture_names("seabios-ipxe").size(), 12u);
  EXPECT_EQ(fixture_names("ovmf-pxe").size(), 17u);
  EXPECT_EQ(fixture_names("ovmf-ipxe").size(), 12u);
  EXPECT_EQ(fixture_names("ovmf-http").size(), 4u);
}

// Every captured DHCP message, from any firmware or dnsmasq, parses and survives our round trip.
TEST(Fixtures, EveryDhcpCaptureParsesAndRoundTrips) {
  for (const auto& name : fixture_names()) {
    if (name.find("tftp") != std::string::npos) {
      continue;
    }
    const auto decoded = parse_packet(load_fixture(name));
    ASSERT_TRUE(decoded) << name << ": " << decoded.error().message;
    const auto wire = serialize_packet(decoded->packet, EncodeOptions{1472, true});
    ASSERT_TRUE(wire) << name;
    const auto again = parse_packet(*wire);
    ASSERT_TRUE(again) << name;
    EXPECT_EQ(again->packet, decoded->packet) << name;
    (void)classify(decoded->packet, decoded->quirks);
  }
}

// Our encoder writes what dnsmasq writes: its 300-byte offer comes out byte for byte.
TEST(Fixtures, DnsmasqOfferReencodesByteForByte) {
  for (const auto* name : {"ovmf-pxe-02-dhcp-offer-proxy", "ovmf-pxe-03-dhcp-offer-site",
                           "ovmf-pxe-07-pxe4011-ack-proxy"}) {
    const Bytes wire = load_fixture(name);
    const auto decoded = parse_packet(wire);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*serialize_packet(decoded->packet), wire) << name;
  }
}

// EDK2 (OVMF) PXE, seen: option 60 PXEClient:Arch:00007:UNDI:003000, 93 = 7, 94, 17-byte 97,
// broadcast.
TEST(Fixtures, Edk2PxeDiscover) {
  const auto decoded = fixture_packet("ovmf-pxe-01-dhcp-discover-pxe");
  const ClientInfo info = classify(decoded.packet, decoded.quirks);
  EXPECT_EQ(info.message_type, MessageType::discover);
  EXPECT_EQ(info.mac->str(), k_vm_mac);
  EXPECT_EQ(info.arch, arch::k_efi_x64);
  EXPECT_EQ(info.firmware, FirmwareFamily::uefi_pxe);
  EXPECT_EQ(info.vendor_class, "PXEClient:Arch:00007:UNDI:003000");
  EXPECT_EQ(info.vendor.undi_major, 3);
  EXPECT_EQ(info.ndi, (ClientNdi{1, 3, 0}));
  EXPECT_EQ(info.guid, k_vm_uuid);
  EXPECT_FALSE(info.is_ipxe);
  EXPECT_TRUE(decoded.packet.broadcast());
  EXPECT_EQ(decoded.packet.max_message_size(), 1472);
  EXPECT_TRUE(info.quirks.empty());
}

// EDK2's REQUEST advertises a 65280-byte maximum (seen): max_reply_size must still cap it.
TEST(Fixtures, Edk2RequestAdvertisesHugeMaxMessageSize) {
  const auto decoded = fixture_packet("ovmf-pxe-04-dhcp-request-pxe");
  EXPECT_EQ(decoded.packet.max_message_size(), 65280);
  EXPECT_EQ(decoded.packet.requested_address(), Ipv4Address::parse("198.18.0.95"));
  EXPECT_EQ(max_reply_size(decoded.packet), 1472u);
}

// EDK2 on port 4011: a REQUEST from 198.18.0.95:4011 without broadcast flag and without option 43.
TEST(Fixtures, Edk2Port4011Request) {
  const auto decoded = fixture_packet("ovmf-pxe-06-pxe4011-request-pxe");
  EXPECT_EQ(decoded.packet.message_type(), MessageType::request);
  EXPECT_EQ(decoded.packet.ciaddr, Ipv4Address::parse("198.18.0.95"));
  EXPECT_FALSE(decoded.packet.broadcast());
  EXPECT_FALSE(decoded.packet.options.contains(opt::vendor_specific));
  EXPECT_EQ(classify(decoded.packet).firmware, FirmwareFamily::uefi_pxe);
}

// EDK2 HTTP boot (seen after PXE failed, and alone with PXE disabled): HTTPClient, arch 16.
TEST(Fixtures, Edk2HttpBootDiscover) {
  for (const auto* name : {"ovmf-http-01-dhcp-discover-http", "ovmf-pxe-15-dhcp-discover-http"}) {
    const auto decoded = fixture_packet(name);
    const ClientInfo info = classify(decoded.packet, decoded.quirks);
    EXPECT_EQ(info.firmware, FirmwareFamily::uefi_http) << name;
    EXPECT_EQ(info.arch, arch::k_efi_x64_http) << name;
    EXPECT_EQ(info.vendor.kind, VendorClass::Kind::http_client) << name;
    EXPECT_EQ(info.guid, k_vm_uuid) << name;
  }
}

// dnsmasq sends option 67 with a trailing NUL (seen): stripped and counted, URL intact.
TEST(Fixtures, DnsmasqHttpOfferHasNulTerminatedBootfile) {
  const auto decoded = fixture_packet("ovmf-http-02-dhcp-offer-site");
  EXPECT_TRUE(decoded.quirks.contains(Quirk::nul_terminated_string));
  EXPECT_EQ(decoded.packet.options.text(opt::bootfile_name),
            "http://198.18.0.1:8080/boot/ipxe.efi");
  EXPECT_EQ(decoded.packet.vendor_class(), "HTTPClient");
  EXPECT_EQ(decoded.packet.yiaddr, Ipv4Address::parse("198.18.0.95"));
}

// iPXE BIOS ROM (SeaBIOS + QEMU's virtio ROM), seen: arch 0, raw user class iPXE, option 175.
TEST(Fixtures, IpxeBiosDiscover) {
  const auto decoded = fixture_packet("seabios-ipxe-01-dhcp-discover-ipxe");
  const ClientInfo info = classify(decoded.packet, decoded.quirks);
  EXPECT_EQ(info.arch, arch::k_bios);
  EXPECT_TRUE(info.is_ipxe);
  EXPECT_EQ(info.firmware, FirmwareFamily::ipxe);
  EXPECT_EQ(info.vendor_class, "PXEClient:Arch:00000:UNDI:002001");
  EXPECT_EQ(info.user_classes, std::vector<std::string>{"iPXE"});
  EXPECT_EQ(info.guid, k_vm_uuid);
  EXPECT_EQ(info.quirks.list(), std::vector<Quirk>{Quirk::unframed_user_class});
  const auto& features = info.ipxe_features;
  for (const std::uint8_t feature : std::array<std::uint8_t, 4>{
           0x13 /* HTTP */, 0x18 /* bzImage */, 0x21 /* PXE */, 0xb1 /* bus id */}) {
    EXPECT_NE(std::find(features.begin(), features.end(), feature), features.end()) << int(feature);
  }
  EXPECT_EQ(*decoded.packet.options.find(opt::client_id),
            (Bytes{1, 0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}));
}

// iPXE EFI ROM (OVMF + efi-virtio.rom), seen: arch 7, UNDI 3.10, EFI feature 0x24, no bzImage.
TEST(Fixtures, IpxeEfiDiscover) {
  const auto decoded = fixture_packet("ovmf-ipxe-01-dhcp-discover-ipxe");
  const ClientInfo info = classify(decoded.packet, decoded.quirks);
  EXPECT_EQ(info.arch, arch::k_efi_x64);
  EXPECT_TRUE(info.is_ipxe);
  EXPECT_EQ(info.ndi, (ClientNdi{1, 3, 10}));
  EXPECT_FALSE(decoded.packet.broadcast());
  const auto& features = info.ipxe_features;
  EXPECT_NE(std::find(features.begin(), features.end(), 0x24), features.end());
  EXPECT_EQ(std::find(features.begin(), features.end(), 0x18), features.end());
}

// iPXE's PXE boot-server request (PXEBS, seen): vendor class without Arch, boot item 0x8000 layer
// 0.
TEST(Fixtures, IpxePort4011RequestNamesBootItem) {
  const auto decoded = fixture_packet("seabios-ipxe-06-pxe4011-request-ipxe");
  EXPECT_EQ(decoded.packet.vendor_class(), "PXEClient");
  EXPECT_EQ(pxe_boot_item(decoded.packet), (BootItem{0x8000, 0}));
  const ClientInfo info = classify(decoded.packet);
  EXPECT_EQ(info.arch, 0); // from option 93: the vendor class has no Arch here
}

// dnsmasq's BIOS proxy offer: PXE menu in option 43, discovery control 3 (seen).
TEST(Fixtures, DnsmasqBiosProxyOfferHasPxeMenu) {
  const auto decoded = fixture_packet("seabios-ipxe-02-dhcp-offer-proxy");
  const auto sub = pxe_suboptions(decoded.packet);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->u8(pxe_subopt::discovery_control), 3);
  EXPECT_TRUE(sub->contains(pxe_subopt::boot_menu));
  EXPECT_TRUE(decoded.packet.yiaddr.is_zero());
}

// EDK2 TFTP, seen: first RRQ only to learn tsize (blksize 1468, windowsize 4), then ERROR 8, then
// the real RRQ without tsize.
TEST(Fixtures, Edk2TftpRequestsAndAbort) {
  const auto first = tftp::parse_message(load_fixture("ovmf-pxe-08-tftp-rrq-client"));
  ASSERT_TRUE(first) << first.error().message;
  const auto& rrq = std::get<tftp::Request>(first->message);
  EXPECT_EQ(rrq.filename, "boot-efi.0");
  EXPECT_EQ(rrq.mode, tftp::Mode::octet);
  EXPECT_EQ(rrq.options,
            (std::vector<tftp::Option>{{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}}));

  const auto negotiation = tftp::negotiate(rrq, 3453);
  EXPECT_EQ(negotiation.block_size, 1468);
  EXPECT_EQ(negotiation.window_size, 4);
  EXPECT_EQ(negotiation.transfer_size, 3453u);

  const auto abort = tftp::parse_message(load_fixture("ovmf-pxe-10-tftp-error-client"));
  ASSERT_TRUE(abort);
  EXPECT_EQ(std::get<tftp::Error>(abort->message),
            (tftp::Error{tftp::ErrorCode::option_refused, "User aborted the transfer"}));

  const auto second = tftp::parse_message(load_fixture("ovmf-pxe-11-tftp-rrq-client"));
  ASSERT_TRUE(second);
  EXPECT_EQ(std::get<tftp::Request>(second->message).options.size(), 2u);
}

// iPXE TFTP, seen: blksize 1432 and tsize only; our OACK matches what dnsmasq sent it.
TEST(Fixtures, IpxeTftpNegotiationMatchesDnsmasqOack) {
  const auto rrq = tftp::parse_message(load_fixture("seabios-ipxe-08-tftp-rrq-client"));
  ASSERT_TRUE(rrq);
  const auto negotiation = tftp::negotiate(std::get<tftp::Request>(rrq->message), 3453);
  const Bytes dnsmasq_oack = load_fixture("seabios-ipxe-09-tftp-oack-proxy");
  EXPECT_EQ(tftp::serialize_message(negotiation.oack()), dnsmasq_oack);
}

// DATA as sent by dnsmasq: full blocks of the negotiated size, a short last block, block
// numbers 1..3.
TEST(Fixtures, TftpDataBlocks) {
  const auto first = tftp::parse_message(load_fixture("ovmf-pxe-14-tftp-data-proxy"));
  ASSERT_TRUE(first);
  EXPECT_EQ(std::get<tftp::Data>(first->message).block, 1);
  EXPECT_EQ(std::get<tftp::Data>(first->message).payload.size(), 1468u);
  const auto last = tftp::parse_message(load_fixture("ovmf-pxe-17-tftp-data-proxy-last"));
  ASSERT_TRUE(last);
  EXPECT_EQ(std::get<tftp::Data>(last->message).block, 3);
  EXPECT_EQ(std::get<tftp::Data>(last->message).payload.size(), 3453u - 2 * 1468u);
  EXPECT_EQ(tftp::block_count(3453, 1468), 3u);
}

// Every captured TFTP message parses, re-encodes byte for byte, and survives every truncation.
TEST(Fixtures, EveryTftpCaptureRoundTripsExactly) {
  for (const auto& name : fixture_names("tftp")) {
    const Bytes wire = load_fixture(name);
    const auto decoded = tftp::parse_message(wire);
    ASSERT_TRUE(decoded) << name << ": " << decoded.error().message;
    EXPECT_EQ(tftp::serialize_message(decoded->message), wire) << name;
    EXPECT_TRUE(decoded->quirks.empty()) << name;
    for (std::size_t size = 0; size < wire.size(); ++size) {
      const auto cut = tftp::parse_message(ByteView(wire.data(), size));
      if (!cut) {
        EXPECT_LE(cut.error().offset, size) << name << " cut at " << size;
      }
    }
  }
}

} // namespace
} // namespace atelier::pxe
