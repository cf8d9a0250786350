// Specification of TFTP option negotiation and block numbering (pxe/tftp_negotiation.h).
#include "pxe/tftp_negotiation.h"

#include <gtest/gtest.h>

namespace atelier::pxe::tftp {
namespace {

Request rrq(std::vector<Option> options) {
  return Request{Opcode::rrq, "ipxe.efi", Mode::octet, std::move(options)};
}

// EDK2's real request gets everything it asked for, in its order (RFC 2347 §3).
TEST(TftpNegotiation, Edk2RequestIsAcceptedAsAsked) {
  const auto n =
      negotiate(rrq({{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}}), 1048576);
  EXPECT_TRUE(n.needs_oack());
  EXPECT_EQ(n.block_size, 1468);
  EXPECT_EQ(n.window_size, 4);
  EXPECT_EQ(n.transfer_size, 1048576u);
  EXPECT_EQ(n.oack().options,
            (std::vector<Option>{{"tsize", "1048576"}, {"blksize", "1468"}, {"windowsize", "4"}}));
}

// RFC 2348: blksize outside 8-65464 (or not a number) is ignored; the transfer uses 512.
TEST(TftpNegotiation, OutOfRangeBlksizeFallsBackTo512) {
  for (const char* value :
       {"4", "7", "65465", "100000", "abc", "", "-1", "+512", "99999999999999999999999"}) {
    const auto n = negotiate(rrq({{"blksize", value}}), 100);
    EXPECT_EQ(n.block_size, 512) << value;
    EXPECT_FALSE(n.needs_oack()) << value;
    ASSERT_EQ(n.refused.size(), 1u) << value;
    EXPECT_EQ(n.refused[0].name, "blksize");
  }
}

// The server may answer a smaller blksize (RFC 2348): big requests get our MTU-sized limit.
TEST(TftpNegotiation, BlksizeAboveLimitIsAnsweredWithTheLimit) {
  const auto n = negotiate(rrq({{"blksize", "65464"}}), 100);
  EXPECT_EQ(n.block_size, 1468);
  EXPECT_EQ(n.oack().options, (std::vector<Option>{{"blksize", "1468"}}));
  EXPECT_EQ(negotiate(rrq({{"blksize", "8"}}), 100).block_size, 8);
  EXPECT_EQ(negotiate(rrq({{"blksize", "0001432"}}), 100).block_size,
            1432); // leading zeros are digits
}

// RFC 7440: windowsize 1-65535; invalid → lock-step; above our limit → the limit.
TEST(TftpNegotiation, WindowsizeIsRangeCheckedAndCapped) {
  EXPECT_EQ(negotiate(rrq({{"windowsize", "0"}}), 1).window_size, 1);
  EXPECT_EQ(negotiate(rrq({{"windowsize", "65536"}}), 1).window_size, 1);
  EXPECT_EQ(negotiate(rrq({{"windowsize", "x"}}), 1).refused.size(), 1u);
  const auto capped = negotiate(rrq({{"windowsize", "100"}}), 1);
  EXPECT_EQ(capped.window_size, 16);
  EXPECT_EQ(capped.oack().options, (std::vector<Option>{{"windowsize", "16"}}));
}

// RFC 2349: timeout 1-255 is echoed exactly or omitted.
TEST(TftpNegotiation, TimeoutIsEchoedOrOmitted) {
  const auto ok = negotiate(rrq({{"timeout", "5"}}), 1);
  EXPECT_EQ(ok.timeout_seconds, 5);
  EXPECT_EQ(ok.oack().options, (std::vector<Option>{{"timeout", "5"}}));
  for (const char* value : {"0", "256", "1.5"}) {
    const auto n = negotiate(rrq({{"timeout", value}}), 1);
    EXPECT_FALSE(n.timeout_seconds) << value;
    EXPECT_FALSE(n.needs_oack()) << value;
  }
}

// Issue 14, finding 9: a client asking for 255 s between retransmissions (RFC 2349 allows it)
// would hold its transfer slot for 25 minutes without acknowledging anything; a few of them held
// every slot. Above the cap the option is left out of the OACK (the only other answer RFC 2349
// allows) and the transfer keeps the server's own timer.
TEST(TftpNegotiation, TimeoutAboveTheCapIsLeftOut) {
  for (const char* value : {"6", "60", "255"}) {
    const auto n = negotiate(rrq({{"timeout", value}, {"blksize", "1024"}}), 1);
    EXPECT_FALSE(n.timeout_seconds) << value;
    EXPECT_EQ(n.oack().options, (std::vector<Option>{{"blksize", "1024"}})) << value;
    ASSERT_EQ(n.refused.size(), 1u) << value;
    EXPECT_NE(n.refused[0].reason.find("cap of 5 s"), std::string::npos) << n.refused[0].reason;
  }
  EXPECT_EQ(negotiate(rrq({{"timeout", "5"}}), 1).timeout_seconds, 5);
  NegotiationLimits patient;
  patient.max_timeout_seconds = 255;
  EXPECT_EQ(negotiate(rrq({{"timeout", "255"}}), 1, patient).timeout_seconds, 255);
}

// tsize is answered only when we know the size, and never for a WRQ (read-only server).
TEST(TftpNegotiation, TsizeNeedsAKnownSizeAndAReadRequest) {
  EXPECT_FALSE(negotiate(rrq({{"tsize", "0"}}), std::nullopt).needs_oack());
  Request wrq = rrq({{"tsize", "100"}});
  wrq.opcode = Opcode::wrq;
  EXPECT_FALSE(negotiate(wrq, 100).needs_oack());
  NegotiationLimits no_tsize;
  no_tsize.offer_tsize = false;
  EXPECT_FALSE(negotiate(rrq({{"tsize", "0"}}), 5, no_tsize).needs_oack());
}

// RFC 2347 §3: unknown options are ignored, but reported for the log.
TEST(TftpNegotiation, UnknownOptionsAreIgnoredButReported) {
  const auto n = negotiate(rrq({{"multicast", ""}, {"utimeout", "500"}, {"blksize", "1024"}}), 10);
  EXPECT_EQ(n.unknown, (std::vector<std::string>{"multicast", "utimeout"}));
  EXPECT_EQ(n.oack().options, (std::vector<Option>{{"blksize", "1024"}}));
}

// Names are matched case-insensitively and answered in the client's spelling.
TEST(TftpNegotiation, OptionNamesAreCaseInsensitive) {
  const auto n = negotiate(rrq({{"BlkSize", "1024"}, {"TSIZE", "0"}}), 7);
  EXPECT_EQ(n.oack().options, (std::vector<Option>{{"BlkSize", "1024"}, {"TSIZE", "7"}}));
}

// Without options the transfer starts with DATA 1, no OACK (RFC 2347 §3).
TEST(TftpNegotiation, NoOptionsNoOack) {
  const auto n = negotiate(rrq({}), 10);
  EXPECT_FALSE(n.needs_oack());
  EXPECT_EQ(n.block_size, 512);
  EXPECT_EQ(n.window_size, 1);
}

// Files over 32 MiB at 512-byte blocks pass block 65535: the wire number wraps to 0.
TEST(TftpBlocks, WireNumberWrapsAfter65535) {
  EXPECT_EQ(wire_block(1), 1);
  EXPECT_EQ(wire_block(65535), 65535);
  EXPECT_EQ(wire_block(65536), 0);
  EXPECT_EQ(wire_block(65537), 1);
  EXPECT_EQ(block_offset(1, 512), 0u);
  EXPECT_EQ(block_offset(65537, 1468), 65536u * 1468u);
}

// A file that is a multiple of the block size ends with an empty block (RFC 1350 §6).
TEST(TftpBlocks, BlockCountIncludesTheFinalShortBlock) {
  EXPECT_EQ(block_count(0, 512), 1u);
  EXPECT_EQ(block_count(511, 512), 1u);
  EXPECT_EQ(block_count(512, 512), 2u);
  EXPECT_EQ(block_count(1024, 512), 3u);
}

// ACK numbers map back to the right 64-bit block across the wrap, within the window.
TEST(TftpBlocks, AckNumbersMapAcrossTheWrap) {
  // Window 65534..65539 sent, 65533 acknowledged so far.
  EXPECT_EQ(acked_block(65535, 65533, 65539), 65535u);
  EXPECT_EQ(acked_block(0, 65533, 65539), 65536u);
  EXPECT_EQ(acked_block(3, 65533, 65539), 65539u);
  EXPECT_EQ(acked_block(65533, 65533, 65539), 65533u); // duplicate of the last ACK
  EXPECT_FALSE(acked_block(4, 65533, 65539));          // not sent yet
  EXPECT_FALSE(acked_block(65530, 65533, 65539));      // stale, from before the window
  EXPECT_EQ(acked_block(0, 0, 4), 0u);                 // the ACK of an OACK
  EXPECT_FALSE(acked_block(1, 5, 4));                  // nonsense bounds
  EXPECT_EQ(acked_block(1, 131071, 131073), 131073u);  // second wrap
}

} // namespace
} // namespace atelier::pxe::tftp
