// Specification of the DHCP codec (pxe/dhcp_packet.h): framing, RFC 3396 long options, overload,
// errors with offsets, and the quirks it counts.
#include "fixtures.h"
#include "pxe/dhcp_options.h"
#include "pxe/dhcp_packet.h"

#include <array>

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

using testing::edk2_discover;
using testing::raw_message;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

Bytes serialize_ok(const Packet& packet, const EncodeOptions& options = {}) {
  auto wire = serialize_packet(packet, options);
  EXPECT_TRUE(wire.has_value()) << (wire ? "" : wire.error().message);
  return wire.value_or(Bytes{});
}

// The basic contract: what we build is what the other side reads.
TEST(DhcpPacket, SerializeThenParseGivesTheSamePacket) {
  Packet packet = edk2_discover();
  packet.secs = 4;
  packet.ciaddr = *Ipv4Address::parse("198.18.0.7");
  packet.giaddr = *Ipv4Address::parse("198.18.1.1");
  packet.sname = "atelier";
  packet.file = "undionly.kpxe";
  const auto decoded = parse_packet(serialize_ok(packet));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->packet, packet);
  EXPECT_TRUE(decoded->quirks.empty());
}

// Some PXE ROMs drop replies shorter than a BOOTP message.
TEST(DhcpPacket, SerializedMessagesArePaddedTo300Bytes) {
  Packet packet;
  packet.options.set_u8(opt::message_type, 2);
  const Bytes wire = serialize_ok(packet);
  EXPECT_EQ(wire.size(), k_bootp_min_size);
  EXPECT_EQ(wire[k_options_offset + 3], opt::end);
}

// The brief's own example: a wrong length must name the option, offset and expectation.
TEST(DhcpPacket, WrongOptionLengthNamesOptionOffsetAndExpectation) {
  Bytes options(20, opt::pad); // option 93 lands at offset 260
  for (const std::uint8_t byte : Bytes{opt::client_arch, 1, 0x07, opt::end}) {
    options.push_back(byte);
  }
  const auto decoded = parse_packet(raw_message(options));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().field, "option 93");
  EXPECT_EQ(decoded.error().offset, 260u);
  EXPECT_EQ(decoded.error().message,
            "option 93 at offset 260: length 1, expected a non-zero multiple of 2");
}

// Fixed-size options are checked against the option table, not trusted.
TEST(DhcpPacket, FixedLengthOptionsAreChecked) {
  for (const auto& [code, length] :
       std::vector<std::pair<std::uint8_t, std::uint8_t>>{{opt::message_type, 2},
                                                          {opt::server_id, 3},
                                                          {opt::max_message_size, 1},
                                                          {opt::client_ndi, 2},
                                                          {opt::client_uuid, 16},
                                                          {opt::lease_time, 8},
                                                          {opt::client_id, 1},
                                                          {opt::vendor_class, 0}}) {
    Bytes options = {code, length};
    options.resize(2 + length, 1);
    options.push_back(opt::end);
    const auto decoded = parse_packet(raw_message(options));
    ASSERT_FALSE(decoded) << "option " << int(code) << " length " << int(length);
    EXPECT_EQ(decoded.error().offset, k_options_offset);
  }
}

// Unknown options are someone else's business: kept verbatim, never refused.
TEST(DhcpPacket, UnknownOptionsAreKeptAsOpaqueBytes) {
  const auto decoded = parse_packet(raw_message({224, 3, 'a', 'b', 'c', opt::end}));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded->packet.options.find(224), (Bytes{'a', 'b', 'c'}));
}

// Truncated headers must fail with the offset where the data ran out.
TEST(DhcpPacket, ShortMessagesAreRefusedWithTheirLength) {
  const Bytes full = raw_message({opt::end});
  for (std::size_t size : {0u, 1u, 100u, 235u, 236u, 239u}) {
    const auto decoded = parse_packet(ByteView(full.data(), size));
    ASSERT_FALSE(decoded) << size;
    EXPECT_EQ(decoded.error().offset, size);
  }
}

// Not DHCP (BOOTP without vendor extensions, or garbage) must not be read as options.
TEST(DhcpPacket, WrongMagicCookieIsRefused) {
  Bytes wire = raw_message({opt::end});
  wire[k_header_size] = 1;
  const auto decoded = parse_packet(wire);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message,
            "magic cookie at offset 236: 01 82 53 63, expected 63 82 53 63");
}

// hlen indexes chaddr; a lie here would read past the 16-byte field.
TEST(DhcpPacket, HardwareLengthIsSanityChecked) {
  Bytes wire = raw_message({opt::end});
  wire[2] = 17;
  EXPECT_FALSE(parse_packet(wire));
  wire[2] = 5; // Ethernet addresses are 6 bytes
  EXPECT_FALSE(parse_packet(wire));
  wire[1] = 32; // InfiniBand (RFC 4390) sends hlen 0
  wire[2] = 0;
  const auto decoded = parse_packet(wire);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->packet.mac());
}

// op is 1 or 2 and nothing else (RFC 2131 §2).
TEST(DhcpPacket, UnknownOpIsRefused) {
  const auto decoded = parse_packet(raw_message({opt::end}, 3));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().field, "header op");
}

// An option whose value runs past the packet is truncation, reported at the option's offset.
TEST(DhcpPacket, OptionRunningPastTheEndIsAnError) {
  const auto decoded = parse_packet(raw_message({opt::vendor_class, 9, 'P', 'X', 'E'}));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message,
            "option 60 at offset 240: length 9 but only 3 bytes remain in the packet");
  const auto no_length = parse_packet(raw_message({opt::pad, opt::vendor_class}));
  ASSERT_FALSE(no_length);
  EXPECT_EQ(no_length.error().offset, 241u);
}

// Pad bytes may appear anywhere (RFC 2132 §3.1); zero padding after END is normal.
TEST(DhcpPacket, PadIsSkippedAndZeroPaddingAfterEndIsNotAQuirk) {
  Bytes options = {opt::pad, opt::pad, opt::message_type, 1, 1, opt::pad, opt::end};
  options.resize(100, 0);
  const auto decoded = parse_packet(raw_message(options));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->packet.message_type(), MessageType::discover);
  EXPECT_TRUE(decoded->quirks.empty());
}

// Garbage after END is tolerated (the options are complete) but counted.
TEST(DhcpPacket, TrailingGarbageAfterEndIsCounted) {
  const auto decoded =
      parse_packet(raw_message({opt::message_type, 1, 1, opt::end, 0, 0xde, 0xad}));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->quirks.contains(Quirk::trailing_data_after_end));
  EXPECT_EQ(decoded->packet.options.size(), 1u);
}

// A missing END loses nothing when every option was complete; counted.
TEST(DhcpPacket, MissingEndIsCounted) {
  const auto decoded = parse_packet(raw_message({opt::message_type, 1, 1}));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->quirks.contains(Quirk::missing_end_option));
}

// RFC 3396: instances of one option are concatenated, in order, into one value.
TEST(DhcpPacket, SplitOptionInstancesAreConcatenated) {
  const Bytes options = concat({{opt::vendor_class, 10},
                                Bytes{'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':'},
                                {opt::message_type, 1, 1},
                                {opt::vendor_class, 5},
                                Bytes{'A', 'r', 'c', 'h', ':'},
                                {opt::end}});
  const auto decoded = parse_packet(raw_message(options));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->packet.vendor_class(), "PXEClient:Arch:");
  EXPECT_EQ(decoded->packet.options.begin()->first, opt::vendor_class); // order of first appearance
}

// RFC 3396 §4: a value over 255 bytes goes out as several instances and comes back whole.
TEST(DhcpPacket, LongValuesAreSplitIntoInstancesAndJoinedBack) {
  Packet packet;
  packet.options.set_u8(opt::message_type, 5);
  Bytes long_value(600);
  for (std::size_t i = 0; i < long_value.size(); ++i) {
    long_value[i] = static_cast<std::uint8_t>(i % 251);
  }
  packet.options.set(224, long_value);
  EncodeOptions options;
  options.max_size = 1400;
  const Bytes wire = serialize_ok(packet, options);
  // 53 (3 bytes) then 224 as 255 + 255 + 90.
  EXPECT_EQ(wire[k_options_offset + 3], 224);
  EXPECT_EQ(wire[k_options_offset + 4], 255);
  EXPECT_EQ(wire[k_options_offset + 3 + 257], 224);
  EXPECT_EQ(wire[k_options_offset + 3 + 514 + 1], 90);
  const auto decoded = parse_packet(wire);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded->packet.options.find(224), long_value);
}

// RFC 2132 §9.3 / RFC 3396 §7: options continue in file, then sname; those fields then hold no
// names.
TEST(DhcpPacket, OverloadedOptionsAreReadFromFileThenSname) {
  Bytes wire =
      raw_message({opt::overload, 1, 3, opt::vendor_class, 4, 'P', 'X', 'E', 'C', opt::end});
  const Bytes in_file = {opt::vendor_class, 5, 'l', 'i',     'e', 'n', 't',
                         opt::message_type, 1, 2,   opt::end};
  const Bytes in_sname = {opt::vendor_class, 3, ':', 'x', 'y', opt::end};
  std::copy(in_file.begin(), in_file.end(), wire.begin() + k_file_offset);
  std::copy(in_sname.begin(), in_sname.end(), wire.begin() + k_sname_offset);
  const auto decoded = parse_packet(wire);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->packet.vendor_class(), "PXEClient:xy");
  EXPECT_EQ(decoded->packet.message_type(), MessageType::offer);
  EXPECT_TRUE(decoded->packet.file.empty());
  EXPECT_TRUE(decoded->packet.sname.empty());
  EXPECT_FALSE(decoded->packet.options.contains(opt::overload)); // framing, not data
}

// Overload with value 1 leaves sname a name.
TEST(DhcpPacket, OverloadOfFileOnlyKeepsSnameAsText) {
  Bytes wire = raw_message({opt::overload, 1, 1, opt::end});
  const Bytes in_file = {opt::message_type, 1, 2, opt::end};
  std::copy(in_file.begin(), in_file.end(), wire.begin() + k_file_offset);
  const std::string name = "boot-server";
  std::copy(name.begin(), name.end(), wire.begin() + k_sname_offset);
  const auto decoded = parse_packet(wire);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->packet.sname, name);
  EXPECT_EQ(decoded->packet.message_type(), MessageType::offer);
}

// RFC 2131 §4.1: option 52 lives only in the options field, with value 1-3.
TEST(DhcpPacket, MisplacedOrInvalidOverloadIsRefused) {
  Bytes wire = raw_message({opt::overload, 1, 1, opt::end});
  const Bytes in_file = {opt::overload, 1, 2, opt::end};
  std::copy(in_file.begin(), in_file.end(), wire.begin() + k_file_offset);
  const auto nested = parse_packet(wire);
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().offset, k_file_offset);
  const auto bad_value = parse_packet(raw_message({opt::overload, 1, 4, opt::end}));
  ASSERT_FALSE(bad_value);
  EXPECT_EQ(bad_value.error().message, "option 52 at offset 240: value 4, expected 1, 2 or 3");
  const auto twice =
      parse_packet(raw_message({opt::overload, 1, 1, opt::overload, 1, 1, opt::end}));
  EXPECT_FALSE(twice);
}

// An option in the overloaded file field may not run into sname: each area is bounded.
TEST(DhcpPacket, OverloadedOptionCannotCrossItsField) {
  Bytes wire = raw_message({opt::overload, 1, 1, opt::end});
  wire[k_file_offset + 120] = 224;
  wire[k_file_offset + 121] = 20;
  const auto decoded = parse_packet(wire);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message,
            "option 224 at offset 228: length 20 but only 6 bytes remain in the file field");
}

// When options outgrow the client's limit, overload buys room instead of a truncated reply.
TEST(DhcpPacket, SerializerOverloadsIntoFileAndSnameWhenOptionsDoNotFit) {
  Packet packet;
  packet.op = k_boot_reply;
  packet.options.set_u8(opt::message_type, 2);
  for (std::uint8_t code = 200; code < 207; ++code) {
    packet.options.set(code, Bytes(40, code));
  }
  const Bytes wire = serialize_ok(packet); // 7 x 42 + 3 = 297 bytes of options: fits in 548
  EXPECT_EQ(wire[k_options_offset], opt::message_type);
  packet.options.set(210, Bytes(100, 1)); // now 399: needs the file field
  const Bytes overloaded = serialize_ok(packet);
  EXPECT_EQ(overloaded.size(), k_min_dhcp_payload);
  EXPECT_EQ(overloaded[k_options_offset], opt::overload);
  EXPECT_EQ(overloaded[k_options_offset + 2], 1);
  const auto decoded = parse_packet(overloaded);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->packet, packet);
}

// A boot file name in `file` is never overwritten by options: sname is used instead, or it fails.
TEST(DhcpPacket, SerializerNeverOverloadsAFieldThatHoldsAName) {
  Packet packet;
  packet.options.set_u8(opt::message_type, 2);
  packet.file = "undionly.kpxe";
  for (std::uint8_t code = 200; code < 207; ++code) {
    packet.options.set(code, Bytes(40, code));
  }
  packet.options.set(210, Bytes(40, 1));
  const Bytes wire = serialize_ok(packet);
  EXPECT_EQ(wire[k_options_offset + 2], 2); // sname only
  const auto decoded = parse_packet(wire);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->packet, packet);
  packet.options.set(211, Bytes(100, 1));
  const auto too_big = serialize_packet(packet);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("even with sname/file overload"), std::string::npos);
}

// Overload can be turned off for peers that cannot read it.
TEST(DhcpPacket, SerializerFailsInsteadOfOverloadingWhenOverloadIsOff) {
  Packet packet;
  packet.options.set(224, Bytes(400, 1));
  EncodeOptions options;
  options.allow_overload = false;
  EXPECT_FALSE(serialize_packet(packet, options));
}

// Names too long for their fixed fields must not be cut silently.
TEST(DhcpPacket, SerializerRefusesOverlongSnameAndFile) {
  Packet packet;
  packet.file = std::string(129, 'f');
  EXPECT_FALSE(serialize_packet(packet));
  packet.file.clear();
  packet.sname = std::string(65, 's');
  EXPECT_FALSE(serialize_packet(packet));
}

// Pad, END and overload are framing; setting them as options would corrupt the message.
TEST(DhcpPacket, SerializerRefusesFramingCodesAsOptions) {
  for (std::uint8_t code : {opt::pad, opt::end, opt::overload}) {
    Packet packet;
    packet.options.set(code, Bytes{1});
    EXPECT_FALSE(serialize_packet(packet)) << int(code);
  }
}

// RFC 2132 §2: receivers drop trailing NULs of text; dnsmasq really sends option 67 with one.
TEST(DhcpPacket, TrailingNulInTextOptionIsStrippedAndCounted) {
  const auto decoded = parse_packet(raw_message(
      {opt::vendor_class, 10, 'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', 0, opt::end}));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->packet.vendor_class(), "PXEClient");
  EXPECT_TRUE(decoded->quirks.contains(Quirk::nul_terminated_string));
}

// A 128-byte file name without NUL is readable but not what RFC 2131 describes; counted.
TEST(DhcpPacket, UnterminatedFileAndSnameAreCounted) {
  Bytes wire = raw_message({opt::end});
  std::fill_n(wire.begin() + k_file_offset, k_file_size, 'f');
  std::fill_n(wire.begin() + k_sname_offset, k_sname_size, 's');
  const auto decoded = parse_packet(wire);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->packet.file, std::string(128, 'f'));
  EXPECT_EQ(decoded->packet.sname, std::string(64, 's'));
  EXPECT_TRUE(decoded->quirks.contains(Quirk::unterminated_file));
  EXPECT_TRUE(decoded->quirks.contains(Quirk::unterminated_sname));
}

// Option 57 below 576 breaks RFC 2132 §9.10; we count it and keep replies at the legal minimum.
TEST(DhcpPacket, SmallMaxMessageSizeIsCountedAndReplyStaysAtMinimum) {
  const auto decoded = parse_packet(raw_message({opt::max_message_size, 2, 0x01, 0x2c, opt::end}));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->quirks.contains(Quirk::small_max_message_size));
  EXPECT_EQ(max_reply_size(decoded->packet), k_min_dhcp_payload);
}

// Option 57 counts IP and UDP headers (RFC 2132 §9.10); the MTU budget caps it.
TEST(DhcpPacket, MaxReplySizeHonoursOption57WithinLimits) {
  Packet packet;
  EXPECT_EQ(max_reply_size(packet), 548u);
  packet.options.set_u16(opt::max_message_size, 1472);
  EXPECT_EQ(max_reply_size(packet), 1444u);
  packet.options.set_u16(opt::max_message_size, 65280); // what EDK2 sends in its REQUEST (seen)
  EXPECT_EQ(max_reply_size(packet), 1472u);
}

// Option 43 between PXE peers is structured; a broken sub-option is an error there...
TEST(DhcpPacket, MalformedPxeSubOptionsAreRefused) {
  const Bytes options =
      concat({{opt::vendor_class, 9},
              Bytes{'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't'},
              {opt::vendor_specific, 3, pxe_subopt::discovery_control, 5, 8, opt::end}});
  const auto decoded = parse_packet(raw_message(options));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message,
            "option 43 sub-option 6 at offset 253: length 5 but only 1 bytes remain in the option");
}

// ...but for any other vendor it is opaque data we must not judge.
TEST(DhcpPacket, NonPxeVendorOption43IsOpaque) {
  const auto decoded = parse_packet(raw_message({opt::vendor_specific, 3, 6, 5, 8, opt::end}));
  EXPECT_TRUE(decoded);
}

// Option 175 is always iPXE's encapsulation; its framing is checked.
TEST(DhcpPacket, MalformedIpxeEncapsulationIsRefused) {
  EXPECT_FALSE(parse_packet(raw_message({opt::ipxe_encap, 2, 0x13, 4, opt::end})));
  EXPECT_TRUE(parse_packet(raw_message({opt::ipxe_encap, 3, 0x13, 1, 1, opt::end})));
}

// Typed accessors give nothing rather than garbage for hand-built options of the wrong size.
TEST(DhcpPacket, TypedAccessorsRejectWrongSizes) {
  Packet packet;
  packet.options.set(opt::server_id, {1, 2, 3});
  packet.options.set(opt::client_arch, {0, 7, 0});
  EXPECT_FALSE(packet.server_id());
  EXPECT_TRUE(packet.client_architectures().empty());
  packet.options.set_u16(opt::client_arch, 7);
  EXPECT_EQ(packet.client_architectures(), std::vector<std::uint16_t>{7});
}

// Every prefix of a valid message is handled: an error naming an offset inside the prefix, or a
// packet that is honest about what is missing. Never a crash or a read past the end.
TEST(DhcpPacket, EveryTruncationOfEveryCaptureIsHandled) {
  for (const auto& name : testing::fixture_names("dhcp")) {
    const Bytes wire = testing::load_fixture(name);
    const auto full = parse_packet(wire);
    ASSERT_TRUE(full) << name;
    for (std::size_t size = 0; size < wire.size(); ++size) {
      const auto decoded = parse_packet(ByteView(wire.data(), size));
      if (!decoded) {
        EXPECT_LE(decoded.error().offset, size) << name << " cut at " << size;
        EXPECT_FALSE(decoded.error().message.empty());
      } else {
        EXPECT_TRUE(decoded->quirks.contains(Quirk::missing_end_option) ||
                    decoded->packet == full->packet)
            << name << " cut at " << size;
      }
    }
  }
  for (const auto& name : testing::fixture_names("pxe4011")) {
    const Bytes wire = testing::load_fixture(name);
    for (std::size_t size = 0; size < wire.size(); ++size) {
      (void)parse_packet(ByteView(wire.data(), size));
    }
  }
}

// Corrupting each length byte in turn must never crash the parser or validation.
TEST(DhcpPacket, CorruptedLengthBytesNeverCrash) {
  const Bytes wire = testing::load_fixture("seabios-ipxe-01-dhcp-discover-ipxe");
  for (std::size_t at = k_options_offset; at < wire.size(); ++at) {
    for (const std::uint8_t value : std::array<std::uint8_t, 7>{0, 1, 2, 3, 17, 0x7f, 0xff}) {
      Bytes mutated = wire;
      mutated[at] = value;
      if (const auto decoded = parse_packet(mutated)) {
        auto again = serialize_packet(decoded->packet, EncodeOptions{4096, true});
        ASSERT_TRUE(again);
        const auto reparsed = parse_packet(*again);
        ASSERT_TRUE(reparsed);
        EXPECT_EQ(reparsed->packet, decoded->packet);
      }
    }
  }
}

} // namespace
} // namespace atelier::pxe
