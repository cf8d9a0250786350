#include "pxe/dhcp_options.h"

#include <algorithm>
#include <array>

namespace atelier::pxe {

namespace {

// The option table. Rows only for options Atelier reads or writes; everything else is opaque bytes.
constexpr std::array k_option_defs = {
    OptionDef{opt::subnet_mask, "subnet-mask", OptionType::ipv4},
    OptionDef{opt::time_offset, "time-offset", OptionType::u32},
    OptionDef{opt::routers, "routers", OptionType::ipv4_list},
    OptionDef{opt::dns_servers, "domain-name-servers", OptionType::ipv4_list},
    OptionDef{opt::host_name, "host-name", OptionType::text},
    OptionDef{opt::domain_name, "domain-name", OptionType::text},
    OptionDef{opt::root_path, "root-path", OptionType::text},
    OptionDef{opt::broadcast_address, "broadcast-address", OptionType::ipv4},
    OptionDef{opt::ntp_servers, "ntp-servers", OptionType::ipv4_list},
    // 43 is opaque unless option 60 says PXEClient/HTTPClient; parse_packet checks that case.
    OptionDef{opt::vendor_specific, "vendor-encapsulated-options", OptionType::bytes, 0},
    OptionDef{opt::requested_address, "dhcp-requested-address", OptionType::ipv4},
    OptionDef{opt::lease_time, "dhcp-lease-time", OptionType::u32},
    OptionDef{opt::overload, "dhcp-option-overload", OptionType::u8},
    OptionDef{opt::message_type, "dhcp-message-type", OptionType::u8},
    OptionDef{opt::server_id, "dhcp-server-identifier", OptionType::ipv4},
    OptionDef{opt::parameter_request_list, "dhcp-parameter-request-list", OptionType::u8_list},
    OptionDef{opt::message, "dhcp-message", OptionType::text},
    OptionDef{opt::max_message_size, "dhcp-max-message-size", OptionType::u16},
    OptionDef{opt::renewal_time, "dhcp-renewal-time", OptionType::u32},
    OptionDef{opt::rebinding_time, "dhcp-rebinding-time", OptionType::u32},
    OptionDef{opt::vendor_class, "vendor-class-identifier", OptionType::text},
    // RFC 2132 §9.14: "The minimum length is 2" (a type byte and at least one byte of identifier).
    OptionDef{opt::client_id, "dhcp-client-identifier", OptionType::bytes, 2},
    OptionDef{opt::tftp_server_name, "tftp-server-name", OptionType::text},
    OptionDef{opt::bootfile_name, "boot-file-name", OptionType::text},
    OptionDef{opt::user_class, "user-class", OptionType::user_class},
    OptionDef{opt::relay_agent_info, "dhcp-agent-options", OptionType::bytes, 0},
    OptionDef{opt::client_arch, "client-system", OptionType::u16_list},
    OptionDef{opt::client_ndi, "client-ndi", OptionType::client_ndi},
    OptionDef{opt::client_uuid, "uuid-guid", OptionType::client_uuid},
    OptionDef{opt::tftp_server_address, "tftp-server-address", OptionType::ipv4_list},
    OptionDef{opt::ipxe_encap, "ipxe-encapsulated-options", OptionType::encapsulated},
};

std::string length_detail(std::size_t length, std::string_view expected) {
  return "length " + std::to_string(length) + ", expected " + std::string(expected);
}

} // namespace

const OptionDef* find_option_def(std::uint8_t code) {
  const auto* it = std::find_if(k_option_defs.begin(), k_option_defs.end(),
                                [code](const OptionDef& def) { return def.code == code; });
  return it == k_option_defs.end() ? nullptr : &*it;
}

std::optional<std::string> check_option_length(const OptionDef& def, std::size_t length) {
  auto exactly = [length](std::size_t want) -> std::optional<std::string> {
    if (length == want) {
      return std::nullopt;
    }
    return length_detail(length, std::to_string(want));
  };
  auto multiple = [length](std::size_t unit) -> std::optional<std::string> {
    if (length >= unit && length % unit == 0) {
      return std::nullopt;
    }
    return length_detail(length, "a non-zero multiple of " + std::to_string(unit));
  };
  auto at_least = [length](std::size_t min) -> std::optional<std::string> {
    if (length >= min) {
      return std::nullopt;
    }
    return length_detail(length, "at least " + std::to_string(min));
  };
  switch (def.type) {
  case OptionType::empty:
    return exactly(0);
  case OptionType::u8:
    return exactly(1);
  case OptionType::u16:
    return exactly(2);
  case OptionType::u32:
  case OptionType::ipv4:
    return exactly(4);
  case OptionType::ipv4_list:
    return multiple(4);
  case OptionType::u16_list:
    return multiple(2);
  case OptionType::u8_list:
  case OptionType::text:
  case OptionType::user_class:
    return at_least(1);
  case OptionType::bytes:
    return at_least(def.min_length);
  case OptionType::client_ndi:
    return exactly(3);
  case OptionType::client_uuid:
    return exactly(17);
  case OptionType::encapsulated:
    return std::nullopt;
  }
  return std::nullopt;
}

const Bytes* OptionMap::find(std::uint8_t code) const {
  for (const auto& [entry_code, value] : m_entries) {
    if (entry_code == code) {
      return &value;
    }
  }
  return nullptr;
}

void OptionMap::set(std::uint8_t code, Bytes value) {
  for (auto& [entry_code, existing] : m_entries) {
    if (entry_code == code) {
      existing = std::move(value);
      return;
    }
  }
  m_entries.emplace_back(code, std::move(value));
}

void OptionMap::append(std::uint8_t code, ByteView more) {
  for (auto& [entry_code, existing] : m_entries) {
    if (entry_code == code) {
      existing.insert(existing.end(), more.begin(), more.end());
      return;
    }
  }
  m_entries.emplace_back(code, Bytes(more.begin(), more.end()));
}

bool OptionMap::erase(std::uint8_t code) {
  return std::erase_if(m_entries, [code](const Entry& entry) { return entry.first == code; }) > 0;
}

void OptionMap::set_u16(std::uint8_t code, std::uint16_t value) {
  Bytes bytes;
  append_be16(bytes, value);
  set(code, std::move(bytes));
}

void OptionMap::set_u32(std::uint8_t code, std::uint32_t value) {
  Bytes bytes;
  append_be32(bytes, value);
  set(code, std::move(bytes));
}

void OptionMap::set_ipv4(std::uint8_t code, Ipv4Address value) {
  set(code, Bytes(value.octets.begin(), value.octets.end()));
}

void OptionMap::set_ipv4_list(std::uint8_t code, const std::vector<Ipv4Address>& values) {
  Bytes bytes;
  for (const auto& value : values) {
    bytes.insert(bytes.end(), value.octets.begin(), value.octets.end());
  }
  set(code, std::move(bytes));
}

void OptionMap::set_text(std::uint8_t code, std::string_view value) {
  set(code, Bytes(value.begin(), value.end()));
}

std::optional<std::uint8_t> OptionMap::u8(std::uint8_t code) const {
  const Bytes* value = find(code);
  if (value == nullptr || value->size() != 1) {
    return std::nullopt;
  }
  return (*value)[0];
}

std::optional<std::uint16_t> OptionMap::u16(std::uint8_t code) const {
  const Bytes* value = find(code);
  if (value == nullptr || value->size() != 2) {
    return std::nullopt;
  }
  return load_be16(value->data());
}

std::optional<std::uint32_t> OptionMap::u32(std::uint8_t code) const {
  const Bytes* value = find(code);
  if (value == nullptr || value->size() != 4) {
    return std::nullopt;
  }
  return load_be32(value->data());
}

std::optional<Ipv4Address> OptionMap::ipv4(std::uint8_t code) const {
  const Bytes* value = find(code);
  if (value == nullptr || value->size() != 4) {
    return std::nullopt;
  }
  return Ipv4Address{{(*value)[0], (*value)[1], (*value)[2], (*value)[3]}};
}

std::vector<Ipv4Address> OptionMap::ipv4_list(std::uint8_t code) const {
  std::vector<Ipv4Address> out;
  const Bytes* value = find(code);
  if (value == nullptr || value->size() % 4 != 0) {
    return out;
  }
  for (std::size_t i = 0; i + 4 <= value->size(); i += 4) {
    out.push_back(Ipv4Address{{(*value)[i], (*value)[i + 1], (*value)[i + 2], (*value)[i + 3]}});
  }
  return out;
}

std::optional<std::string> OptionMap::text(std::uint8_t code) const {
  const Bytes* value = find(code);
  if (value == nullptr) {
    return std::nullopt;
  }
  std::string out(value->begin(), value->end());
  while (!out.empty() && out.back() == '\0') {
    out.pop_back();
  }
  return out;
}

ParseResult<OptionMap> parse_suboptions(ByteView value, std::size_t base_offset,
                                        std::string_view field) {
  OptionMap out;
  std::size_t i = 0;
  while (i < value.size()) {
    const std::uint8_t code = value[i];
    if (code == opt::pad) {
      ++i;
      continue;
    }
    if (code == opt::end) {
      break; // anything after END inside the parent is ignored, like after the packet's END
    }
    const std::string name = std::string(field) + " sub-option " + std::to_string(code);
    if (i + 1 >= value.size()) {
      return parse_error(name, base_offset + i, "length byte missing, the value ends here");
    }
    const std::size_t length = value[i + 1];
    if (i + 2 + length > value.size()) {
      return parse_error(name, base_offset + i,
                         "length " + std::to_string(length) + " but only " +
                             std::to_string(value.size() - i - 2) + " bytes remain in the option");
    }
    out.append(code, value.subspan(i + 2, length));
    i += 2 + length;
  }
  return out;
}

EncodeResult<Bytes> serialize_suboptions(const OptionMap& suboptions, bool with_end) {
  Bytes out;
  for (const auto& [code, value] : suboptions) {
    if (value.size() > 255) {
      return encode_error("sub-option " + std::to_string(code) + " is " +
                          std::to_string(value.size()) + " bytes, at most 255 fit");
    }
    out.push_back(code);
    out.push_back(static_cast<std::uint8_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
  }
  if (with_end) {
    out.push_back(opt::end);
  }
  return out;
}

} // namespace atelier::pxe
