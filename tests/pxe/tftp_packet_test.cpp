// Specification of the TFTP codec (pxe/tftp_packet.h): RFC 1350 messages, RFC 2347 options.
#include "pxe/tftp_packet.h"

#include <gtest/gtest.h>

namespace atelier::pxe::tftp {
namespace {

Bytes bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// A string literal with its embedded NULs, without counting bytes by hand.
template <std::size_t N>
constexpr std::string_view w(const char (&text)[N]) {
  return std::string_view(text, N - 1);
}

ParseResult<DecodedMessage> parse(std::string_view text) {
  return parse_message(bytes(text));
}

// RFC 1350 §5: modes are case-insensitive; firmware sends "octet", old tools "OCTET".
TEST(TftpPacket, ModeIsCaseInsensitive) {
  for (std::string_view wire : {w("\0\1f\0octet\0"), w("\0\1f\0OCTET\0"), w("\0\1f\0Octet\0")}) {
    const auto decoded = parse(wire);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<Request>(decoded->message).mode, Mode::octet);
  }
  const auto ascii = parse(w("\0\1f\0NetASCII\0"));
  ASSERT_TRUE(ascii);
  EXPECT_EQ(std::get<Request>(ascii->message).mode, Mode::netascii);
}

// Unknown modes are a protocol error, reported with the offset of the mode.
TEST(TftpPacket, UnknownModeIsRefused) {
  const auto decoded = parse(w("\0\1file\0binary\0"));
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().message,
            "TFTP RRQ mode at offset 7: \"binary\", expected netascii, octet or mail");
}

// RFC 2347 options keep their order and spelling; negotiation matches names case-insensitively.
TEST(TftpPacket, RequestOptionsAreKeptInOrderAndSpelling) {
  const auto decoded = parse(w("\0\1undionly.kpxe\0octet\0BLKSIZE\0"
                               "1432\0tsize\0"
                               "0\0"));
  ASSERT_TRUE(decoded) << decoded.error().message;
  const auto& request = std::get<Request>(decoded->message);
  EXPECT_EQ(request.filename, "undionly.kpxe");
  EXPECT_EQ(request.options, (std::vector<Option>{{"BLKSIZE", "1432"}, {"tsize", "0"}}));
  EXPECT_TRUE(option_equals("BLKSIZE", "blksize"));
}

// A string without its NUL is truncation: refused with the offset where the string began.
TEST(TftpPacket, MissingTerminatorsAreErrors) {
  EXPECT_EQ(parse(w("\0\1file")).error().message,
            "TFTP RRQ filename at offset 2: no terminating NUL before the end of the packet");
  EXPECT_EQ(parse(w("\0\1file\0oct")).error().offset, 7u);
  EXPECT_EQ(parse(w("\0\1f\0octet\0blksize\0")).error().message,
            "TFTP RRQ option blksize at offset 10: no value");
  EXPECT_EQ(parse(w("\0\1f\0octet\0blksize\0"
                    "512"))
                .error()
                .offset,
            18u);
}

// An empty file name has no meaning to serve; refused rather than mapped to the root.
TEST(TftpPacket, EmptyFilenameIsRefused) {
  EXPECT_FALSE(parse(w("\0\1\0octet\0")));
}

// Some PXE ROMs pad requests with NULs: accepted, counted.
TEST(TftpPacket, NulPaddingAfterRequestIsCounted) {
  const auto decoded = parse(w("\0\1f\0octet\0\0\0\0"));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->quirks.contains(Quirk::tftp_request_padding));
  EXPECT_TRUE(std::get<Request>(decoded->message).options.empty());
}

// An empty option name followed by data is not padding: refused.
TEST(TftpPacket, EmptyOptionNameIsRefused) {
  EXPECT_FALSE(parse(w("\0\1f\0octet\0\0x\0")));
}

// A repeated option keeps its first value (RFC 2347 says nothing; first wins, counted).
TEST(TftpPacket, DuplicateOptionKeepsFirstAndIsCounted) {
  const auto decoded = parse(w("\0\1f\0octet\0blksize\0"
                               "512\0BlkSize\0"
                               "1024\0"));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(std::get<Request>(decoded->message).options, (std::vector<Option>{{"blksize", "512"}}));
  EXPECT_TRUE(decoded->quirks.contains(Quirk::tftp_duplicate_option));
}

// Opcodes outside RFC 1350/2347 are refused.
TEST(TftpPacket, UnknownOpcodeIsRefused) {
  EXPECT_EQ(parse(w("\0\7")).error().message, "TFTP opcode at offset 0: value 7, expected 1 to 6");
  EXPECT_FALSE(parse(w("\0")));
  EXPECT_FALSE(parse(""));
}

// DATA/ACK/ERROR/OACK round trip, so the server's own output is readable.
TEST(TftpPacket, MessagesRoundTrip) {
  const std::vector<Message> messages = {
      Request{Opcode::wrq, "upload.bin", Mode::netascii, {{"tsize", "100"}}},
      Data{65535, Bytes(512, 0xab)},
      Data{0, {}},
      Ack{0},
      Ack{65535},
      Error{ErrorCode::file_not_found, "not found"},
      Error{ErrorCode::option_refused, ""},
      OptionAck{{{"blksize", "1468"}, {"tsize", "3453"}}},
      OptionAck{},
  };
  for (const auto& message : messages) {
    const auto decoded = parse_message(serialize_message(message));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->message, message);
  }
}

// Wire layout of what the server sends most: DATA and OACK.
TEST(TftpPacket, DataAndOackWireLayout) {
  EXPECT_EQ(serialize_message(Data{258, {'h', 'i'}}), (Bytes{0, 3, 1, 2, 'h', 'i'}));
  EXPECT_EQ(serialize_message(OptionAck{{{"blksize", "1468"}}}), bytes(w("\0\6blksize\0"
                                                                         "1468\0")));
  EXPECT_EQ(serialize_message(Error{ErrorCode::access_violation, "no"}),
            (Bytes{0, 5, 0, 2, 'n', 'o', 0}));
}

// A DATA payload cannot exceed the RFC 2348 maximum block size.
TEST(TftpPacket, OversizedDataIsRefused) {
  Bytes wire = {0, 3, 0, 1};
  wire.resize(4 + k_max_block_size + 1, 0);
  EXPECT_FALSE(parse_message(wire));
  wire.pop_back();
  EXPECT_TRUE(parse_message(wire));
}

// Truncated ACK/DATA/ERROR headers are errors at the offset where bytes ran out.
TEST(TftpPacket, ShortFixedMessagesAreErrors) {
  EXPECT_EQ(parse(w("\0\4\0")).error().offset, 3u);
  EXPECT_EQ(parse(w("\0\3\0")).error().offset, 3u);
  EXPECT_EQ(parse(w("\0\5\0\1")).error().offset, 4u);
}

// Extra bytes after an ACK or an ERROR are harmless; accepted and counted.
TEST(TftpPacket, TrailingBytesAfterAckOrErrorAreCounted) {
  const auto ack = parse(w("\0\4\0\1\0\0"));
  ASSERT_TRUE(ack);
  EXPECT_EQ(std::get<Ack>(ack->message).block, 1);
  EXPECT_TRUE(ack->quirks.contains(Quirk::tftp_trailing_bytes));
  const auto error = parse(w("\0\5\0\1x\0yz"));
  ASSERT_TRUE(error);
  EXPECT_TRUE(error->quirks.contains(Quirk::tftp_trailing_bytes));
}

} // namespace
} // namespace atelier::pxe::tftp
