// Asset tags: what volunteers and coordinators actually type and read, e.g. "AT-0042-7".
//
// Format: PREFIX "-" NUMBER "-" CHECK
//   PREFIX  1 to 4 letters A-Z, set per program (program file: asset_tag_prefix)
//   NUMBER  a sequence number per prefix, printed with at least 4 digits
//   CHECK   the Damm check digit of NUMBER. Damm's quasigroup detects every single-digit error and
//           every transposition of adjacent digits, the two mistakes people make when copying a
//           number off a label (H. Michael Damm, 2004).
// Input is case-insensitive and accepts spaces in place of the hyphens; both separators are
// required so that "AT-0042" (check digit forgotten) is an error, never silently unit AT-004-2.
#pragma once

#include "hardware-db/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace atelier::hwdb {

class AssetTag {
public:
  AssetTag() = default;
  // Precondition: prefix valid (is_valid_prefix), number >= 1.
  AssetTag(std::string prefix, std::uint64_t number);

  static Result<AssetTag> parse(std::string_view text);

  const std::string& prefix() const { return m_prefix; }
  std::uint64_t number() const { return m_number; }
  int check_digit() const;
  std::string str() const; // canonical form, "AT-0042-7"
  bool empty() const { return m_number == 0; }

  friend bool operator==(const AssetTag&, const AssetTag&) = default;

private:
  std::string m_prefix;
  std::uint64_t m_number = 0;
};

bool is_valid_prefix(std::string_view prefix);

// Damm check digit of a string of decimal digits. Precondition: digits only.
int damm_check_digit(std::string_view digits);

} // namespace atelier::hwdb
