#include "pxe/tftp_packet.h"

#include <algorithm>

namespace atelier::pxe::tftp {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Reads a NUL-terminated string starting at `pos`; on success `pos` is past the NUL.
ParseResult<std::string> read_string(ByteView wire, std::size_t& pos, const std::string& field) {
  const auto begin = wire.begin() + static_cast<std::ptrdiff_t>(pos);
  const auto nul = std::find(begin, wire.end(), std::uint8_t{0});
  if (nul == wire.end()) {
    return parse_error(field, pos, "no terminating NUL before the end of the packet");
  }
  std::string text(begin, nul);
  pos = static_cast<std::size_t>(nul - wire.begin()) + 1;
  return text;
}

// RFC 2347 option list, shared by requests and OACK. A repeated name keeps its first value; NUL
// padding after the last value is accepted (both counted).
ParseResult<std::vector<Option>> read_options(ByteView wire, std::size_t pos, std::string_view what,
                                              QuirkSet& quirks) {
  std::vector<Option> options;
  while (pos < wire.size()) {
    if (std::all_of(wire.begin() + static_cast<std::ptrdiff_t>(pos), wire.end(),
                    [](std::uint8_t b) { return b == 0; })) {
      quirks.add(Quirk::tftp_request_padding);
      break;
    }
    const std::size_t name_at = pos;
    auto name = read_string(wire, pos, "TFTP " + std::string(what) + " option name");
    if (!name) {
      return std::unexpected(name.error());
    }
    if (name->empty()) {
      return parse_error("TFTP " + std::string(what) + " option name", name_at, "empty name");
    }
    if (pos >= wire.size()) {
      return parse_error("TFTP " + std::string(what) + " option " + *name, name_at, "no value");
    }
    auto value =
        read_string(wire, pos, "TFTP " + std::string(what) + " option " + *name + " value");
    if (!value) {
      return std::unexpected(value.error());
    }
    const bool seen = std::any_of(options.begin(), options.end(), [&](const Option& option) {
      return option_equals(option.name, *name);
    });
    if (seen) {
      quirks.add(Quirk::tftp_duplicate_option);
      continue;
    }
    options.push_back(Option{std::move(*name), std::move(*value)});
  }
  return options;
}

ParseResult<Request> parse_request(ByteView wire, Opcode opcode, QuirkSet& quirks) {
  const std::string what(opcode_name(opcode));
  Request request;
  request.opcode = opcode;
  std::size_t pos = 2;
  auto filename = read_string(wire, pos, "TFTP " + what + " filename");
  if (!filename) {
    return std::unexpected(filename.error());
  }
  if (filename->empty()) {
    return parse_error("TFTP " + what + " filename", 2, "empty file name");
  }
  request.filename = std::move(*filename);
  const std::size_t mode_at = pos;
  auto mode = read_string(wire, pos, "TFTP " + what + " mode");
  if (!mode) {
    return std::unexpected(mode.error());
  }
  std::string mode_lower = *mode;
  std::transform(mode_lower.begin(), mode_lower.end(), mode_lower.begin(), lower);
  if (mode_lower == "octet") {
    request.mode = Mode::octet;
  } else if (mode_lower == "netascii") {
    request.mode = Mode::netascii;
  } else if (mode_lower == "mail") {
    request.mode = Mode::mail;
  } else {
    return parse_error("TFTP " + what + " mode", mode_at,
                       "\"" + *mode + "\", expected netascii, octet or mail");
  }
  auto options = read_options(wire, pos, what, quirks);
  if (!options) {
    return std::unexpected(options.error());
  }
  request.options = std::move(*options);
  return request;
}

void append_string(Bytes& out, std::string_view text) {
  append_text(out, text);
  out.push_back(0);
}

void append_options(Bytes& out, const std::vector<Option>& options) {
  for (const auto& option : options) {
    append_string(out, option.name);
    append_string(out, option.value);
  }
}

} // namespace

bool option_equals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view mode_name(Mode mode) {
  switch (mode) {
  case Mode::netascii:
    return "netascii";
  case Mode::octet:
    return "octet";
  case Mode::mail:
    return "mail";
  }
  return "octet";
}

std::string_view opcode_name(Opcode opcode) {
  switch (opcode) {
  case Opcode::rrq:
    return "RRQ";
  case Opcode::wrq:
    return "WRQ";
  case Opcode::data:
    return "DATA";
  case Opcode::ack:
    return "ACK";
  case Opcode::error:
    return "ERROR";
  case Opcode::oack:
    return "OACK";
  }
  return "unknown";
}

ParseResult<DecodedMessage> parse_message(ByteView wire) {
  if (wire.size() < 2) {
    return parse_error("TFTP opcode", wire.size(),
                       "packet ends after " + std::to_string(wire.size()) + " bytes");
  }
  DecodedMessage decoded;
  const std::uint16_t opcode = load_be16(wire.data());
  switch (static_cast<Opcode>(opcode)) {
  case Opcode::rrq:
  case Opcode::wrq: {
    auto request = parse_request(wire, static_cast<Opcode>(opcode), decoded.quirks);
    if (!request) {
      return std::unexpected(request.error());
    }
    decoded.message = std::move(*request);
    return decoded;
  }
  case Opcode::data: {
    if (wire.size() < 4) {
      return parse_error("TFTP DATA block", wire.size(),
                         "packet ends after " + std::to_string(wire.size()) + " bytes");
    }
    if (wire.size() - 4 > k_max_block_size) {
      return parse_error("TFTP DATA payload", 4,
                         std::to_string(wire.size() - 4) + " bytes, RFC 2348 allows at most 65464");
    }
    decoded.message = Data{load_be16(wire.data() + 2), Bytes(wire.begin() + 4, wire.end())};
    return decoded;
  }
  case Opcode::ack: {
    if (wire.size() < 4) {
      return parse_error("TFTP ACK block", wire.size(),
                         "packet ends after " + std::to_string(wire.size()) + " bytes");
    }
    if (wire.size() > 4) {
      decoded.quirks.add(Quirk::tftp_trailing_bytes);
    }
    decoded.message = Ack{load_be16(wire.data() + 2)};
    return decoded;
  }
  case Opcode::error: {
    if (wire.size() < 4) {
      return parse_error("TFTP ERROR code", wire.size(),
                         "packet ends after " + std::to_string(wire.size()) + " bytes");
    }
    std::size_t pos = 4;
    auto message = read_string(wire, pos, "TFTP ERROR message");
    if (!message) {
      return std::unexpected(message.error());
    }
    if (pos < wire.size()) {
      decoded.quirks.add(Quirk::tftp_trailing_bytes);
    }
    decoded.message =
        Error{static_cast<ErrorCode>(load_be16(wire.data() + 2)), std::move(*message)};
    return decoded;
  }
  case Opcode::oack: {
    auto options = read_options(wire, 2, "OACK", decoded.quirks);
    if (!options) {
      return std::unexpected(options.error());
    }
    decoded.message = OptionAck{std::move(*options)};
    return decoded;
  }
  }
  return parse_error("TFTP opcode", 0, "value " + std::to_string(opcode) + ", expected 1 to 6");
}

Bytes serialize_message(const Message& message) {
  Bytes out;
  if (const auto* request = std::get_if<Request>(&message)) {
    append_be16(out, static_cast<std::uint16_t>(request->opcode));
    append_string(out, request->filename);
    append_string(out, mode_name(request->mode));
    append_options(out, request->options);
  } else if (const auto* data = std::get_if<Data>(&message)) {
    append_be16(out, static_cast<std::uint16_t>(Opcode::data));
    append_be16(out, data->block);
    out.insert(out.end(), data->payload.begin(), data->payload.end());
  } else if (const auto* ack = std::get_if<Ack>(&message)) {
    append_be16(out, static_cast<std::uint16_t>(Opcode::ack));
    append_be16(out, ack->block);
  } else if (const auto* error = std::get_if<Error>(&message)) {
    append_be16(out, static_cast<std::uint16_t>(Opcode::error));
    append_be16(out, static_cast<std::uint16_t>(error->code));
    append_string(out, error->message);
  } else if (const auto* oack = std::get_if<OptionAck>(&message)) {
    append_be16(out, static_cast<std::uint16_t>(Opcode::oack));
    append_options(out, oack->options);
  }
  return out;
}

} // namespace atelier::pxe::tftp
