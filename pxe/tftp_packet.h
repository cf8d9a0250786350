// TFTP message codec: RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR) and RFC 2347 (options, OACK). Pure.
//
//   RRQ/WRQ  | 01/02 | filename NUL | mode NUL | [name NUL value NUL]...
//   DATA     | 03 | block(2) | 0..65464 bytes
//   ACK      | 04 | block(2)
//   ERROR    | 05 | code(2) | message NUL
//   OACK     | 06 | [name NUL value NUL]...
#pragma once

#include "pxe/net_types.h"
#include "pxe/parse_error.h"
#include "pxe/quirks.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atelier::pxe::tftp {

enum class Opcode : std::uint16_t { rrq = 1, wrq = 2, data = 3, ack = 4, error = 5, oack = 6 };

// RFC 1350 §5 plus RFC 2347 code 8.
enum class ErrorCode : std::uint16_t {
  not_defined = 0,
  file_not_found = 1,
  access_violation = 2,
  disk_full = 3,
  illegal_operation = 4,
  unknown_transfer_id = 5,
  file_exists = 6,
  no_such_user = 7,
  option_refused = 8, // RFC 2347: the client refuses the OACK (EDK2 does this after learning tsize)
};

enum class Mode : std::uint8_t { netascii, octet, mail };

// RFC 2348: largest DATA payload any negotiation can produce.
inline constexpr std::size_t k_max_block_size = 65464;

// One RFC 2347 option as sent: the name keeps its case (matching is case-insensitive, see
// option_equals), the value is the text between the NULs.
struct Option {
  std::string name;
  std::string value;

  friend bool operator==(const Option&, const Option&) = default;
};

struct Request {
  Opcode opcode = Opcode::rrq; // rrq or wrq
  std::string filename;        // as sent; resolve_request_path (tftp_path.h) decides what it means
  Mode mode = Mode::octet; // case-insensitive on the wire (RFC 1350 §5: "NETASCII", "Octet" ...)
  std::vector<Option>
      options; // in wire order; a repeated name is dropped (Quirk::tftp_duplicate_option)

  friend bool operator==(const Request&, const Request&) = default;
};

struct Data {
  std::uint16_t block = 0;
  Bytes payload;

  friend bool operator==(const Data&, const Data&) = default;
};

struct Ack {
  std::uint16_t block = 0;

  friend bool operator==(const Ack&, const Ack&) = default;
};

struct Error {
  ErrorCode code = ErrorCode::not_defined; // any u16 can arrive
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

struct OptionAck {
  std::vector<Option> options;

  friend bool operator==(const OptionAck&, const OptionAck&) = default;
};

using Message = std::variant<Request, Data, Ack, Error, OptionAck>;

struct DecodedMessage {
  Message message;
  QuirkSet quirks;
};

// Refuses unknown opcodes, strings without their NUL, an empty filename, unknown modes, an option
// without a value or with an empty name, DATA payloads over 65464 bytes, and short DATA/ACK/ERROR.
ParseResult<DecodedMessage> parse_message(ByteView wire);

// Mode is written in lower case. Precondition: strings contain no NUL (they would split the field).
Bytes serialize_message(const Message& message);

bool option_equals(std::string_view a, std::string_view b); // ASCII case-insensitive
std::string_view mode_name(Mode mode);                      // "octet"
std::string_view opcode_name(Opcode opcode);                // "RRQ"

} // namespace atelier::pxe::tftp
