#include "pxe/pxe_options.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace atelier::pxe {

namespace {

std::optional<std::uint16_t> parse_decimal_u16(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value > 0xffff) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) {
      return parts;
    }
    text.remove_prefix(at + 1);
  }
}

} // namespace

std::string_view arch_name(std::uint16_t value) {
  switch (value) {
  case arch::k_bios:
    return "x86 BIOS";
  case arch::k_efi_ia32:
    return "x86 UEFI";
  case arch::k_efi_x64:
    return "x64 UEFI";
  case arch::k_efi_bc:
    return "EFI byte code (x64 UEFI on old firmware)";
  case arch::k_efi_arm32:
    return "ARM 32-bit UEFI";
  case arch::k_efi_arm64:
    return "ARM 64-bit UEFI";
  case arch::k_efi_ia32_http:
    return "x86 UEFI HTTP boot";
  case arch::k_efi_x64_http:
    return "x64 UEFI HTTP boot";
  case 17:
    return "EBC UEFI HTTP boot";
  case arch::k_efi_arm32_http:
    return "ARM 32-bit UEFI HTTP boot";
  case arch::k_efi_arm64_http:
    return "ARM 64-bit UEFI HTTP boot";
  case 20:
    return "x86 BIOS HTTP boot";
  default:
    return "unknown";
  }
}

bool is_http_boot_arch(std::uint16_t value) {
  return value >= 15 && value <= 20;
}

VendorClass parse_vendor_class(std::string_view text) {
  VendorClass out;
  // Like EDK2 and iPXE, only the prefix decides the kind (they compare the first 9 bytes with
  // "PXEClient"); the fields after it are read when present and well-formed.
  if (text.starts_with("PXEClient")) {
    out.kind = VendorClass::Kind::pxe_client;
  } else if (text.starts_with("HTTPClient")) {
    out.kind = VendorClass::Kind::http_client;
  } else {
    return out;
  }
  const auto parts = split(text, ':');
  for (std::size_t i = 1; i + 1 < parts.size(); i += 2) {
    if (parts[i] == "Arch") {
      out.arch = parse_decimal_u16(parts[i + 1]);
    } else if (parts[i] == "UNDI" && parts[i + 1].size() == 6) {
      out.undi_major = parse_decimal_u16(parts[i + 1].substr(0, 3));
      out.undi_minor = parse_decimal_u16(parts[i + 1].substr(3, 3));
    }
  }
  return out;
}

std::optional<ClientNdi> client_ndi(const Packet& packet) {
  const Bytes* value = packet.options.find(opt::client_ndi);
  if (value == nullptr || value->size() != 3) {
    return std::nullopt;
  }
  return ClientNdi{(*value)[0], (*value)[1], (*value)[2]};
}

std::optional<Guid> client_guid(const Packet& packet) {
  const Bytes* value = packet.options.find(opt::client_uuid);
  if (value == nullptr || value->size() != 17 || (*value)[0] != 0) {
    return std::nullopt;
  }
  Guid guid;
  std::copy(value->begin() + 1, value->end(), guid.begin());
  return guid;
}

std::string format_guid(const Guid& g) {
  // Byte order of the text: fields 1-3 reversed (little-endian on the wire), the rest as sent.
  constexpr std::array<std::size_t, 16> k_order = {3, 2, 1,  0,  5,  4,  7,  6,
                                                   8, 9, 10, 11, 12, 13, 14, 15};
  constexpr std::string_view k_hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < k_order.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out += '-';
    }
    const std::uint8_t byte = g[k_order[i]];
    out += k_hex[byte >> 4];
    out += k_hex[byte & 0x0f];
  }
  return out;
}

bool is_zero_guid(const Guid& guid) {
  return std::all_of(guid.begin(), guid.end(), [](std::uint8_t b) { return b == 0; });
}

std::optional<UserClass> user_class(const Packet& packet) {
  const Bytes* value = packet.options.find(opt::user_class);
  if (value == nullptr || value->empty()) {
    return std::nullopt;
  }
  UserClass out;
  std::size_t i = 0;
  while (i < value->size()) {
    const std::size_t length = (*value)[i];
    if (length == 0 || i + 1 + length > value->size()) {
      break;
    }
    out.classes.emplace_back(value->begin() + static_cast<std::ptrdiff_t>(i + 1),
                             value->begin() + static_cast<std::ptrdiff_t>(i + 1 + length));
    i += 1 + length;
  }
  if (i == value->size()) {
    out.framed = true;
    return out;
  }
  std::string raw(value->begin(), value->end());
  while (!raw.empty() && raw.back() == '\0') {
    raw.pop_back();
  }
  return UserClass{{std::move(raw)}, false};
}

std::optional<OptionMap> pxe_suboptions(const Packet& packet) {
  const Bytes* value = packet.options.find(opt::vendor_specific);
  const auto vendor = packet.vendor_class();
  if (value == nullptr || !vendor || parse_vendor_class(*vendor).kind == VendorClass::Kind::other) {
    return std::nullopt;
  }
  auto parsed = parse_suboptions(*value, 0, "option 43");
  if (!parsed) {
    return std::nullopt;
  }
  return std::move(*parsed);
}

std::optional<BootItem> pxe_boot_item(const Packet& packet) {
  const auto sub = pxe_suboptions(packet);
  if (!sub) {
    return std::nullopt;
  }
  const Bytes* item = sub->find(pxe_subopt::boot_item);
  if (item == nullptr || item->size() != 4) {
    return std::nullopt;
  }
  return BootItem{load_be16(item->data()), load_be16(item->data() + 2)};
}

std::vector<std::uint8_t> ipxe_features(const Packet& packet) {
  std::vector<std::uint8_t> out;
  const Bytes* value = packet.options.find(opt::ipxe_encap);
  if (value == nullptr) {
    return out;
  }
  auto parsed = parse_suboptions(*value, 0, "option 175");
  if (!parsed) {
    return out;
  }
  for (const auto& [code, sub_value] : *parsed) {
    out.push_back(code);
  }
  return out;
}

std::string_view ipxe_feature_name(std::uint8_t code) {
  // iPXE include/ipxe/dhcp.h and features.h.
  static constexpr std::array<std::pair<std::uint8_t, std::string_view>, 27> k_names = {{
      {0x01, "priority"},  {0x08, "keep-san"}, {0x09, "skip-san-boot"}, {0x10, "PXE extensions"},
      {0x11, "iSCSI"},     {0x12, "AoE"},      {0x13, "HTTP"},          {0x14, "HTTPS"},
      {0x15, "TFTP"},      {0x16, "FTP"},      {0x17, "DNS"},           {0x18, "bzImage"},
      {0x19, "Multiboot"}, {0x1a, "SLAM"},     {0x1b, "SRP"},           {0x20, "NBI"},
      {0x21, "PXE"},       {0x22, "ELF"},      {0x23, "COMBOOT"},       {0x24, "EFI"},
      {0x25, "FCoE"},      {0x26, "VLAN"},     {0x27, "menu"},          {0x28, "SDI"},
      {0x29, "NFS"},       {0xb1, "bus id"},   {0xeb, "version"},
  }};
  for (const auto& [feature, name] : k_names) {
    if (feature == code) {
      return name;
    }
  }
  return "unknown";
}

} // namespace atelier::pxe
