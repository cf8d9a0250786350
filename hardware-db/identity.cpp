#include "hardware-db/identity.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  });
  return out;
}

// Collapse runs of whitespace so "To  be filled by O.E.M." and "To be filled by O.E.M." compare
// equal.
std::string normalise(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : trim_dmi_string(s)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out.push_back(' ');
    }
    space = false;
    out.push_back(c);
  }
  return upper(out);
}

// Placeholders seen in SMBIOS tables of donated machines and in the firmware vendors' own templates
// (AMI Aptio "To Be Filled By O.E.M." and "Default string", Insyde/Phoenix "System Serial Number",
// Gigabyte "0123456789", HP/Dell "None", plus what dmidecode users report). Compared after
// normalise(), so upper case with single spaces.
constexpr std::array k_placeholders = {
    std::string_view{"TO BE FILLED BY O.E.M."},
    std::string_view{"TO BE FILLED BY OEM"},
    std::string_view{"DEFAULT STRING"},
    std::string_view{"$(DEFAULT_STRING)"},
    std::string_view{"SYSTEM SERIAL NUMBER"},
    std::string_view{"CHASSIS SERIAL NUMBER"},
    std::string_view{"BASE BOARD SERIAL NUMBER"},
    std::string_view{"BOARD SERIAL NUMBER"},
    std::string_view{"TYPE2 - BOARD SERIAL NUMBER"},
    std::string_view{"SERIAL NUMBER"},
    std::string_view{"SERIALNUMBER"},
    std::string_view{"0123456789"},
    std::string_view{"123456789"},
    std::string_view{"1234567890"},
    std::string_view{"NONE"},
    std::string_view{"N/A"},
    std::string_view{"NA"},
    std::string_view{"NOT SPECIFIED"},
    std::string_view{"NOT APPLICABLE"},
    std::string_view{"NOT AVAILABLE"},
    std::string_view{"UNKNOWN"},
    std::string_view{"INVALID"},
    std::string_view{"EMPTY"},
    std::string_view{"OEM"},
    std::string_view{"O.E.M."},
    std::string_view{"TBD"},
    std::string_view{"TBD BY OEM"},
};

// Shorter than this cannot tell thousands of machines apart; real serials are 7+ characters.
constexpr std::size_t k_min_serial_length = 4;

} // namespace

std::string trim_dmi_string(std::string_view s) {
  const auto is_blank = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
  };
  while (!s.empty() && is_blank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_blank(s.back())) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

bool is_placeholder_serial(std::string_view serial) {
  const std::string s = normalise(serial);
  if (s.size() < k_min_serial_length) {
    return true;
  }
  if (std::find(k_placeholders.begin(), k_placeholders.end(), s) != k_placeholders.end()) {
    return true;
  }
  // One character repeated: "00000000", "FFFFFFFF" (erased flash), "XXXXXXXX", "........".
  if (std::all_of(s.begin(), s.end(), [&](char c) { return c == s.front(); })) {
    return true;
  }
  // All zeros with separators, as some boards print UUID-like serials: "0000-0000-0000".
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == '0' || c == '-' || c == ' ' || c == ':'; });
}

std::string_view to_string(IdentityKind kind) {
  switch (kind) {
  case IdentityKind::dmi_serial:
    return "dmi-serial";
  case IdentityKind::board_serial:
    return "board-serial";
  case IdentityKind::mac:
    return "mac";
  }
  return "mac";
}

std::optional<IdentityKind> parse_identity_kind(std::string_view s) {
  for (auto kind : {IdentityKind::dmi_serial, IdentityKind::board_serial, IdentityKind::mac}) {
    if (to_string(kind) == s) {
      return kind;
    }
  }
  return std::nullopt;
}

Result<IdentityKey> identity_key(const Identity& id) {
  const std::string vendor = normalise(id.vendor);
  if (!is_placeholder_serial(id.serial)) {
    return IdentityKey{IdentityKind::dmi_serial,
                       fmt::format("{}|{}|{}", vendor, normalise(id.model), normalise(id.serial))};
  }
  if (!is_placeholder_serial(id.board_serial)) {
    return IdentityKey{IdentityKind::board_serial,
                       fmt::format("{}|{}", vendor, normalise(id.board_serial))};
  }
  if (id.wired_mac && id.wired_mac->is_usable_identity()) {
    return IdentityKey{IdentityKind::mac, id.wired_mac->str()};
  }
  return failf(ErrorCode::invalid_argument,
               "cannot identify the machine: the system and board serials are missing or "
               "placeholders and there is no wired MAC address; give a serial (e.g. from the "
               "label under the machine) or a MAC",
               {});
}

Result<base::MacAddress> parse_mac(std::string_view text) {
  if (auto mac = base::MacAddress::parse(text)) {
    return *mac;
  }
  return failf(ErrorCode::invalid_argument,
               "'{text}' is not a MAC address (expected six hex bytes such as 52:54:00:12:34:56)",
               {{"text", text}});
}

} // namespace atelier::hwdb
