// Errors of the pxe codecs, as values. A codec never throws and never logs: it returns what is
// wrong and where, and the server decides whether to count, log or drop.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace atelier::pxe {

// Why bytes were refused. `message` is complete and names the field and the byte offset, e.g.
// "option 93 at offset 260: length 1, expected a multiple of 2", so an operator can find the byte
// in a capture without reading code.
struct ParseError {
  std::string field; // "option 93", "header hlen", "TFTP RRQ mode"
  std::size_t offset =
      0;               // offset in the input of the element at fault (or where the input ran out)
  std::string message; // field + " at offset " + offset + ": " + detail

  friend bool operator==(const ParseError&, const ParseError&) = default;
};

template <typename T>
using ParseResult = std::expected<T, ParseError>;

std::unexpected<ParseError> parse_error(std::string field, std::size_t offset,
                                        std::string_view detail);

// Why a struct could not be put on the wire (a value too long for its field, options that do not
// fit the client's maximum message size even with sname/file overload).
struct EncodeError {
  std::string message;
};

template <typename T>
using EncodeResult = std::expected<T, EncodeError>;

std::unexpected<EncodeError> encode_error(std::string message);

} // namespace atelier::pxe
