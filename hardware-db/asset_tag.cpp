#include "hardware-db/asset_tag.h"

#include <array>
#include <cassert>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

// The weakly totally anti-symmetric quasigroup of order 10 from Damm's thesis, as published.
constexpr std::array<std::array<std::uint8_t, 10>, 10> k_damm_table{{
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
    {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
    {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
    {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}};

constexpr std::size_t k_max_number_digits = 12;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

} // namespace

int damm_check_digit(std::string_view digits) {
  std::uint8_t interim = 0;
  for (char c : digits) {
    assert(is_digit(c));
    interim = k_damm_table[interim][static_cast<std::size_t>(c - '0')];
  }
  return interim;
}

bool is_valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 4) {
    return false;
  }
  for (char c : prefix) {
    if (!is_upper(c)) {
      return false;
    }
  }
  return true;
}

AssetTag::AssetTag(std::string prefix, std::uint64_t number)
    : m_prefix(std::move(prefix)), m_number(number) {
  assert(is_valid_prefix(m_prefix));
  assert(m_number >= 1);
}

int AssetTag::check_digit() const {
  return damm_check_digit(std::to_string(m_number));
}

std::string AssetTag::str() const {
  return fmt::format("{}-{:04}-{}", m_prefix, m_number, check_digit());
}

Result<AssetTag> AssetTag::parse(std::string_view text) {
  const auto shape_error = [&] {
    return failf(ErrorCode::invalid_argument,
                 "'{text}' is not an asset tag: expected PREFIX-NUMBER-CHECK such as AT-0042-7 "
                 "(1-4 letters, the number, the check digit)",
                 {{"text", text}});
  };
  // Normalise: upper case, spaces as separators, surrounding blanks ignored.
  std::string s;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
    s.push_back(c == ' ' ? '-' : c);
  }
  while (!s.empty() && s.front() == '-') {
    s.erase(s.begin());
  }
  while (!s.empty() && s.back() == '-') {
    s.pop_back();
  }
  const auto first = s.find('-');
  const auto last = s.rfind('-');
  if (first == std::string::npos || first == last) {
    return shape_error();
  }
  const std::string prefix = s.substr(0, first);
  const std::string number = s.substr(first + 1, last - first - 1);
  const std::string check = s.substr(last + 1);
  if (!is_valid_prefix(prefix) || number.empty() || number.size() > k_max_number_digits ||
      check.size() != 1 || !is_digit(check[0])) {
    return shape_error();
  }
  std::uint64_t value = 0;
  for (char c : number) {
    if (!is_digit(c)) {
      return shape_error();
    }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value == 0) {
    return shape_error();
  }
  AssetTag tag(prefix, value);
  if (tag.check_digit() != check[0] - '0') {
    return failf(ErrorCode::invalid_argument,
                 "'{text}': the check digit does not match the number; the tag was probably "
                 "mistyped (copy it again from the label)",
                 {{"text", text}});
  }
  return tag;
}

} // namespace atelier::hwdb
