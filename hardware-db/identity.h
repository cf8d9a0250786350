// Which machine is this? The rules of docs/HARDWARE-DB.md "Identity", in one place.
//
// Key, in order of preference:
//   1. vendor + model + DMI system serial  (SMBIOS type 1)
//   2. vendor + board serial               (SMBIOS type 2) when the system serial is a placeholder
//   3. the first wired MAC address         when both serials are placeholders or missing
// Placeholder serials are the strings firmware vendors leave in unconfigured boards ("To Be Filled
// By O.E.M.", "Default string", "System Serial Number", "0123456789", "None", all zeros, ...): they
// are shared by thousands of machines and must never identify one.
#pragma once

#include "base/mac_address.h"
#include "hardware-db/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace atelier::hwdb {

// base::MacAddress::parse with an error that says what a MAC looks like, for what a person typed
// (`atelier units add --mac`).
Result<base::MacAddress> parse_mac(std::string_view text);

// What a machine says about itself (DMI/SMBIOS and its NICs), verbatim apart from trimming.
struct Identity {
  std::string vendor;
  std::string model;
  std::string serial;       // SMBIOS type 1 system serial
  std::string board_serial; // SMBIOS type 2 baseboard serial
  std::optional<base::MacAddress> wired_mac;
};

enum class IdentityKind { dmi_serial, board_serial, mac };
std::string_view to_string(IdentityKind);
std::optional<IdentityKind> parse_identity_kind(std::string_view);

struct IdentityKey {
  IdentityKind kind = IdentityKind::mac;
  std::string
      value; // normalised: "LENOVO|10AXS0X|PC0ABCDE", "DELL|7XJ8Q2J" (board), "52:54:00:..."
  friend bool operator==(const IdentityKey&, const IdentityKey&) = default;
};

// True for values that do not identify one machine (see the list in identity.cpp).
bool is_placeholder_serial(std::string_view serial);

// The key for an identity, or an invalid_argument error naming what is missing when neither serial
// is usable and there is no usable wired MAC.
Result<IdentityKey> identity_key(const Identity&);

// Trims surrounding whitespace (and NUL padding some firmware leaves) from a DMI string.
std::string trim_dmi_string(std::string_view);

} // namespace atelier::hwdb
