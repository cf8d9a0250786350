#include "pxe/dhcp_packet.h"

#include <algorithm>

namespace atelier::pxe {

namespace {

// One option instance as found on the wire, before RFC 3396 concatenation.
struct RawOption {
  std::uint8_t code;
  std::size_t offset; // of the code byte in the message
  ByteView value;
};

// An options area: the options field, or the file/sname field when option 52 lends it.
struct Area {
  std::string_view name; // "packet", "file field", "sname field"
  std::size_t begin;
  std::size_t end;
  bool main;
};

std::string option_field(std::uint8_t code) {
  return "option " + std::to_string(code);
}

// Reads the TLVs of one area into `out`. Rules: pad (0) is skipped; END (255) closes the area; an
// option must fit in its area; option 52 only in the options field (RFC 2131 §4.1).
ParseResult<void> scan_area(ByteView wire, const Area& area, std::vector<RawOption>& out,
                            QuirkSet& quirks) {
  std::size_t i = area.begin;
  while (i < area.end) {
    const std::uint8_t code = wire[i];
    if (code == opt::pad) {
      ++i;
      continue;
    }
    if (code == opt::end) {
      // Zero padding after END is normal (messages are padded to 300 bytes); anything else is data
      // a client should not have sent. Tolerated because the options before END are complete.
      const auto rest = wire.subspan(i + 1, area.end - i - 1);
      if (std::any_of(rest.begin(), rest.end(), [](std::uint8_t b) { return b != 0; })) {
        quirks.add(Quirk::trailing_data_after_end);
      }
      return {};
    }
    if (i + 1 >= area.end) {
      return parse_error(option_field(code), i,
                         "length byte missing, the " + std::string(area.name) + " ends at offset " +
                             std::to_string(area.end));
    }
    const std::size_t length = wire[i + 1];
    if (i + 2 + length > area.end) {
      return parse_error(option_field(code), i,
                         "length " + std::to_string(length) + " but only " +
                             std::to_string(area.end - i - 2) + " bytes remain in the " +
                             std::string(area.name));
    }
    if (code == opt::overload && !area.main) {
      return parse_error(option_field(code), i,
                         "option overload is only allowed in the options field");
    }
    out.push_back(RawOption{code, i, wire.subspan(i + 2, length)});
    i += 2 + length;
  }
  // No END: RFC 2131 §3 requires one, but every option before the end of the area was complete.
  quirks.add(Quirk::missing_end_option);
  return {};
}

// Text of a NUL-terminated fixed-size field; `unterminated` is set when no NUL was found.
std::string field_text(ByteView field, bool& unterminated) {
  const auto nul = std::find(field.begin(), field.end(), std::uint8_t{0});
  unterminated = nul == field.end();
  return std::string(field.begin(), nul);
}

// Same prefix rule as parse_vendor_class (pxe_options.h), which this layer does not depend on.
bool is_pxe_vendor_class(const OptionMap& options) {
  const auto vendor = options.text(opt::vendor_class);
  return vendor && (vendor->starts_with("PXEClient") || vendor->starts_with("HTTPClient"));
}

// Checks every merged option against the option table; records text/size quirks.
ParseResult<void>
validate_options(const OptionMap& options,
                 const std::vector<std::pair<std::uint8_t, std::size_t>>& first_offset,
                 QuirkSet& quirks) {
  for (const auto& [code, offset] : first_offset) {
    const Bytes& value = *options.find(code);
    const OptionDef* def = find_option_def(code);
    if (def == nullptr) {
      continue;
    }
    if (auto problem = check_option_length(*def, value.size())) {
      return parse_error(option_field(code), offset, *problem);
    }
    if (def->type == OptionType::text && value.back() == 0) {
      quirks.add(Quirk::nul_terminated_string);
    }
    if (code == opt::max_message_size && load_be16(value.data()) < 576) {
      quirks.add(Quirk::small_max_message_size);
    }
    // Option 43 is structured only between PXE clients and servers (PXE 2.1 §2.4); for anybody else
    // it is vendor data we do not interpret.
    const bool structured = def->type == OptionType::encapsulated ||
                            (code == opt::vendor_specific && is_pxe_vendor_class(options));
    if (structured) {
      if (auto sub = parse_suboptions(value, offset + 2, option_field(code)); !sub) {
        return std::unexpected(sub.error());
      }
    }
  }
  return {};
}

} // namespace

std::string_view message_type_name(MessageType type) {
  switch (type) {
  case MessageType::discover:
    return "DHCPDISCOVER";
  case MessageType::offer:
    return "DHCPOFFER";
  case MessageType::request:
    return "DHCPREQUEST";
  case MessageType::decline:
    return "DHCPDECLINE";
  case MessageType::ack:
    return "DHCPACK";
  case MessageType::nak:
    return "DHCPNAK";
  case MessageType::release:
    return "DHCPRELEASE";
  case MessageType::inform:
    return "DHCPINFORM";
  }
  return "DHCP message of unknown type";
}

std::optional<base::MacAddress> Packet::mac() const {
  if (htype != k_htype_ethernet || hlen != 6) {
    return std::nullopt;
  }
  base::MacAddress mac;
  std::copy_n(chaddr.begin(), 6, mac.octets.begin());
  return mac;
}

std::optional<MessageType> Packet::message_type() const {
  if (auto value = options.u8(opt::message_type)) {
    return static_cast<MessageType>(*value);
  }
  return std::nullopt;
}

std::vector<std::uint8_t> Packet::parameter_request_list() const {
  const Bytes* value = options.find(opt::parameter_request_list);
  return value ? *value : std::vector<std::uint8_t>{};
}

std::vector<std::uint16_t> Packet::client_architectures() const {
  std::vector<std::uint16_t> out;
  const Bytes* value = options.find(opt::client_arch);
  if (value == nullptr || value->size() % 2 != 0) {
    return out;
  }
  for (std::size_t i = 0; i + 1 < value->size(); i += 2) {
    out.push_back(load_be16(value->data() + i));
  }
  return out;
}

ParseResult<DecodedPacket> parse_packet(ByteView wire) {
  if (wire.size() < k_header_size) {
    return parse_error("header", wire.size(),
                       "message ends after " + std::to_string(wire.size()) +
                           " bytes, the fixed header is " + std::to_string(k_header_size));
  }
  if (wire.size() < k_options_offset) {
    return parse_error("magic cookie", wire.size(),
                       "message ends after " + std::to_string(wire.size()) +
                           " bytes, inside the magic cookie");
  }
  DecodedPacket decoded;
  Packet& p = decoded.packet;
  p.op = wire[0];
  if (p.op != k_boot_request && p.op != k_boot_reply) {
    return parse_error("header op", 0,
                       "value " + std::to_string(p.op) + ", expected 1 (request) or 2 (reply)");
  }
  p.htype = wire[1];
  p.hlen = wire[2];
  if (p.hlen > 16) {
    return parse_error("header hlen", 2,
                       "value " + std::to_string(p.hlen) + ", chaddr holds at most 16");
  }
  if (p.htype == k_htype_ethernet && p.hlen != 6) {
    return parse_error("header hlen", 2,
                       "value " + std::to_string(p.hlen) + ", expected 6 for htype 1 (Ethernet)");
  }
  p.hops = wire[3];
  p.xid = load_be32(&wire[4]);
  p.secs = load_be16(&wire[8]);
  p.flags = load_be16(&wire[10]);
  std::copy_n(&wire[12], 4, p.ciaddr.octets.begin());
  std::copy_n(&wire[16], 4, p.yiaddr.octets.begin());
  std::copy_n(&wire[20], 4, p.siaddr.octets.begin());
  std::copy_n(&wire[24], 4, p.giaddr.octets.begin());
  std::copy_n(&wire[28], 16, p.chaddr.begin());
  if (!std::equal(k_magic_cookie.begin(), k_magic_cookie.end(), &wire[k_header_size])) {
    return parse_error("magic cookie", k_header_size,
                       hex_bytes(wire.subspan(k_header_size, 4)) + ", expected 63 82 53 63");
  }

  std::vector<RawOption> raw;
  if (auto scanned =
          scan_area(wire, Area{"packet", k_options_offset, wire.size(), true}, raw, decoded.quirks);
      !scanned) {
    return std::unexpected(scanned.error());
  }
  // Option 52 (RFC 2132 §9.3): 1 = file holds options, 2 = sname, 3 = both. RFC 3396 §7: the
  // aggregate is options field, then file, then sname.
  std::uint8_t overload = 0;
  for (const auto& option : raw) {
    if (option.code != opt::overload) {
      continue;
    }
    if (overload != 0 || option.value.size() != 1) {
      return parse_error(option_field(opt::overload), option.offset,
                         "length " + std::to_string(overload != 0 ? 2 : option.value.size()) +
                             ", expected 1");
    }
    overload = option.value[0];
    if (overload < 1 || overload > 3) {
      return parse_error(option_field(opt::overload), option.offset,
                         "value " + std::to_string(overload) + ", expected 1, 2 or 3");
    }
  }
  bool unterminated = false;
  if ((overload & 1) != 0) {
    if (auto scanned =
            scan_area(wire, Area{"file field", k_file_offset, k_file_offset + k_file_size, false},
                      raw, decoded.quirks);
        !scanned) {
      return std::unexpected(scanned.error());
    }
  } else {
    p.file = field_text(wire.subspan(k_file_offset, k_file_size), unterminated);
    if (unterminated) {
      decoded.quirks.add(Quirk::unterminated_file);
    }
  }
  if ((overload & 2) != 0) {
    if (auto scanned = scan_area(
            wire, Area{"sname field", k_sname_offset, k_sname_offset + k_sname_size, false}, raw,
            decoded.quirks);
        !scanned) {
      return std::unexpected(scanned.error());
    }
  } else {
    p.sname = field_text(wire.subspan(k_sname_offset, k_sname_size), unterminated);
    if (unterminated) {
      decoded.quirks.add(Quirk::unterminated_sname);
    }
  }

  std::vector<std::pair<std::uint8_t, std::size_t>> first_offset;
  for (const auto& option : raw) {
    if (option.code == opt::overload) {
      continue;
    }
    if (!p.options.contains(option.code)) {
      first_offset.emplace_back(option.code, option.offset);
    }
    p.options.append(option.code, option.value); // RFC 3396 §6: concatenate in order
  }
  if (auto valid = validate_options(p.options, first_offset, decoded.quirks); !valid) {
    return std::unexpected(valid.error());
  }
  return decoded;
}

namespace {

// Writes TLV pieces into areas in order. A piece never straddles two areas, so each option's
// instances stay in area order and concatenate back to the same value (RFC 3396 §7).
class AreaWriter {
public:
  struct Target {
    std::size_t begin;
    std::size_t capacity; // bytes available for options, END excluded
  };

  AreaWriter(Bytes& out, std::vector<Target> targets) : m_out(out), m_targets(std::move(targets)) {}

  bool put(std::uint8_t code, ByteView piece) {
    const std::size_t need = 2 + piece.size();
    while (m_current < m_targets.size() && m_used + need > m_targets[m_current].capacity) {
      close_current();
    }
    if (m_current == m_targets.size()) {
      return false;
    }
    const std::size_t at = m_targets[m_current].begin + m_used;
    m_out[at] = code;
    m_out[at + 1] = static_cast<std::uint8_t>(piece.size());
    std::copy(piece.begin(), piece.end(), m_out.begin() + static_cast<std::ptrdiff_t>(at + 2));
    m_used += need;
    return true;
  }

  // Closes every area touched so far with END; returns the number of areas used.
  std::size_t finish() {
    const std::size_t used = m_current + 1;
    m_out[m_targets[m_current].begin + m_used] = opt::end;
    return used;
  }

private:
  void close_current() {
    m_out[m_targets[m_current].begin + m_used] = opt::end;
    ++m_current;
    m_used = 0;
  }

  Bytes& m_out;
  std::vector<Target> m_targets;
  std::size_t m_current = 0;
  std::size_t m_used = 0;
};

void put_fixed_text(Bytes& out, std::size_t offset, std::string_view text) {
  std::copy(text.begin(), text.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
}

} // namespace

EncodeResult<Bytes> serialize_packet(const Packet& packet, const EncodeOptions& options) {
  if (packet.sname.size() > k_sname_size) {
    return encode_error("sname is " + std::to_string(packet.sname.size()) +
                        " bytes, the field holds 64");
  }
  if (packet.file.size() > k_file_size) {
    return encode_error("file is " + std::to_string(packet.file.size()) +
                        " bytes, the field holds 128");
  }
  if (packet.hlen > 16) {
    return encode_error("hlen is " + std::to_string(packet.hlen) + ", chaddr holds 16");
  }
  const std::size_t max_size = std::max(options.max_size, k_bootp_min_size);

  // Every option as pieces of at most 255 bytes (RFC 3396 §4); an empty value is one empty
  // instance.
  std::size_t options_bytes = 0;
  for (const auto& [code, value] : packet.options) {
    if (code == opt::pad || code == opt::end || code == opt::overload) {
      return encode_error("option " + std::to_string(code) +
                          " is framing and cannot be set as an option");
    }
    const std::size_t pieces = value.empty() ? 1 : (value.size() + 254) / 255;
    options_bytes += 2 * pieces + value.size();
  }

  Bytes out(k_options_offset, 0);
  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  Bytes scratch;
  append_be32(scratch, packet.xid);
  append_be16(scratch, packet.secs);
  append_be16(scratch, packet.flags);
  std::copy(scratch.begin(), scratch.end(), out.begin() + 4);
  std::copy_n(packet.ciaddr.octets.begin(), 4, out.begin() + 12);
  std::copy_n(packet.yiaddr.octets.begin(), 4, out.begin() + 16);
  std::copy_n(packet.siaddr.octets.begin(), 4, out.begin() + 20);
  std::copy_n(packet.giaddr.octets.begin(), 4, out.begin() + 24);
  std::copy_n(packet.chaddr.begin(), 16, out.begin() + 28);
  std::copy(k_magic_cookie.begin(), k_magic_cookie.end(), out.begin() + k_header_size);

  const std::size_t main_room = max_size - k_options_offset - 1; // END
  std::vector<AreaWriter::Target> targets;
  std::uint8_t overload = 0;
  if (options_bytes <= main_room) {
    out.resize(k_options_offset + options_bytes + 1, 0);
    targets.push_back({k_options_offset, options_bytes});
  } else {
    // Overload (RFC 2132 §9.3): option 52 goes first in the options field, then file, then sname,
    // each only if the packet does not use it for its name.
    if (!options.allow_overload || main_room < 3) {
      return encode_error("options need " + std::to_string(options_bytes) + " bytes, " +
                          std::to_string(main_room) + " fit in a " + std::to_string(max_size) +
                          "-byte message");
    }
    out.resize(max_size, 0);
    targets.push_back({k_options_offset + 3, main_room - 3});
    if (packet.file.empty()) {
      targets.push_back({k_file_offset, k_file_size - 1});
    }
    if (packet.sname.empty()) {
      targets.push_back({k_sname_offset, k_sname_size - 1});
    }
  }

  AreaWriter writer(out, targets);
  for (const auto& [code, value] : packet.options) {
    const ByteView all(value);
    std::size_t at = 0;
    do {
      const std::size_t length = std::min<std::size_t>(255, all.size() - at);
      if (!writer.put(code, all.subspan(at, length))) {
        return encode_error("options need " + std::to_string(options_bytes) +
                            " bytes, more than fit in a " + std::to_string(max_size) +
                            "-byte message even with sname/file overload");
      }
      at += length;
    } while (at < all.size());
  }
  const std::size_t areas_used = writer.finish();
  if (targets.front().begin != k_options_offset) {
    // The options did not fit in the options field, so at least one more area was used. An area
    // skipped because the next piece did not fit holds just END, which is still well-formed.
    for (std::size_t i = 1; i < areas_used; ++i) {
      overload = static_cast<std::uint8_t>(overload | (targets[i].begin == k_file_offset ? 1 : 2));
    }
    out[k_options_offset] = opt::overload;
    out[k_options_offset + 1] = 1;
    out[k_options_offset + 2] = overload;
  }
  if ((overload & 1) == 0) {
    put_fixed_text(out, k_file_offset, packet.file);
  }
  if ((overload & 2) == 0) {
    put_fixed_text(out, k_sname_offset, packet.sname);
  }
  if (out.size() < k_bootp_min_size) {
    out.resize(k_bootp_min_size, 0);
  }
  return out;
}

std::size_t max_reply_size(const Packet& request, std::size_t ceiling) {
  std::size_t limit = k_min_dhcp_payload;
  if (auto advertised = request.max_message_size(); advertised && *advertised > 28) {
    limit = std::max<std::size_t>(limit, *advertised - 28u);
  }
  return std::min(limit, std::max(ceiling, k_min_dhcp_payload));
}

} // namespace atelier::pxe
