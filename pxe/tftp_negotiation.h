// TFTP option negotiation (RFC 2347 framework; RFC 2348 blksize, RFC 2349 timeout and tsize,
// RFC 7440 windowsize) and block-number arithmetic for transfers longer than 65535 blocks. Pure.
#pragma once

#include "pxe/tftp_packet.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atelier::pxe::tftp {

inline constexpr std::uint16_t k_default_block_size = 512; // RFC 1350
inline constexpr std::uint16_t k_min_block_size = 8;       // RFC 2348
inline constexpr std::uint16_t k_max_block_size_option = 65464;

// What this server is willing to do. Requests above a limit are answered with the limit, which
// RFC 2348 §2 (blksize) and RFC 7440 §4 (windowsize) allow: the server may answer smaller.
struct NegotiationLimits {
  // 1468 = 1500 (Ethernet MTU) - 20 (IP) - 8 (UDP) - 4 (TFTP): what EDK2 asks for; no IP fragments.
  std::uint16_t max_block_size = 1468;
  std::uint16_t max_window_size = 16;
  bool offer_tsize = true;
  // RFC 2349 lets a client ask for up to 255 s between retransmissions, and the OACK must echo its
  // value or leave the option out: a larger value is left out, and the transfer keeps the
  // server's own timer (TftpServerConfig: 1 s, doubling to 8 s). Honouring 255 s let a handful of
  // requests that never acknowledge hold every transfer slot for 25 minutes (issue 14, finding 9);
  // at 5 s a silent client holds its slot for under a minute.
  std::uint8_t max_timeout_seconds = 5;
};

// An option recognised but not honoured (out of range, not a number): the transfer uses the
// default, the option is left out of the OACK (RFC 2347 §3 "the server should simply omit it").
struct RefusedOption {
  std::string name;
  std::string value;
  std::string reason; // "blksize 4 is below the RFC 2348 minimum of 8"
};

struct Negotiation {
  std::uint16_t block_size = k_default_block_size;
  std::optional<std::uint8_t> timeout_seconds; // RFC 2349: the client's value, if within the cap
  std::optional<std::uint64_t> transfer_size;  // RFC 2349 tsize sent back (RRQ: the file size)
  std::uint16_t window_size = 1;               // RFC 7440; 1 = RFC 1350 lock-step
  std::vector<Option> accepted;                // OACK contents, in the client's order and spelling
  std::vector<std::string> unknown;            // names RFC 2347 §3 says to ignore, for the log
  std::vector<RefusedOption> refused;

  // RFC 2347 §3: answer with an OACK only when at least one option was accepted; otherwise the
  // transfer starts as plain RFC 1350 (DATA block 1).
  bool needs_oack() const { return !accepted.empty(); }
  OptionAck oack() const { return OptionAck{accepted}; }
};

// `file_size` is the size of the file being read (nullopt if not known yet: tsize is then not
// sent).
Negotiation negotiate(const Request& request, std::optional<std::uint64_t> file_size,
                      const NegotiationLimits& limits = {});

// --- Block numbers
// --------------------------------------------------------------------------------- Block k
// (1-based, u64) travels as k mod 65536: after 65535 comes 0 (what tftp-hpa, iPXE and EDK2 do; RFC
// 1350 is silent). Block 0 acknowledges an OACK.
constexpr std::uint16_t wire_block(std::uint64_t block) {
  return static_cast<std::uint16_t>(block & 0xffff);
}

// Byte offset in the file where block `block` (>= 1) starts.
constexpr std::uint64_t block_offset(std::uint64_t block, std::uint16_t block_size) {
  return (block - 1) * block_size;
}

// Number of DATA blocks for a file: a file that is a multiple of the block size ends with an empty
// block (RFC 1350 §6: a block shorter than the block size ends the transfer).
constexpr std::uint64_t block_count(std::uint64_t file_size, std::uint16_t block_size) {
  return file_size / block_size + 1;
}

// Which block an ACK with wire number `wire` acknowledges, given the last block acknowledged so far
// (`acked`, 0 at start) and the highest block sent (`sent`). The answer is the unique block in
// [acked, sent] with that wire number (the window is at most 65535 blocks, so it is unique);
// nullopt for a stale or impossible ACK, which RFC 1350 says to ignore (and not to resend on:
// Sorcerer's Apprentice, RFC 1123 §4.2.3.1).
constexpr std::optional<std::uint64_t> acked_block(std::uint16_t wire, std::uint64_t acked,
                                                   std::uint64_t sent) {
  if (sent < acked || sent - acked > 0xffff) {
    return std::nullopt;
  }
  const std::uint64_t distance = static_cast<std::uint16_t>(wire - wire_block(acked));
  if (distance > sent - acked) {
    return std::nullopt;
  }
  return acked + distance;
}

} // namespace atelier::pxe::tftp
