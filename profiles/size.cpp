#include "profiles/size.h"

#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace atelier::profiles {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t factor;
  SizeBase base;
};

constexpr std::uint64_t k_kib = 1024;
constexpr std::uint64_t k_kb = 1000;

constexpr std::array<Unit, 10> k_units{{
    {"B", 1, SizeBase::binary},
    {"kB", k_kb, SizeBase::decimal},
    {"KB", k_kb, SizeBase::decimal},
    {"MB", k_kb* k_kb, SizeBase::decimal},
    {"GB", k_kb* k_kb* k_kb, SizeBase::decimal},
    {"TB", k_kb* k_kb* k_kb* k_kb, SizeBase::decimal},
    {"KiB", k_kib, SizeBase::binary},
    {"MiB", k_kib* k_kib, SizeBase::binary},
    {"GiB", k_kib* k_kib* k_kib, SizeBase::binary},
    {"TiB", k_kib* k_kib* k_kib* k_kib, SizeBase::binary},
}};

constexpr std::size_t k_max_fraction_digits = 3;
constexpr std::string_view k_units_list = "B, kB, MB, GB, TB, KiB, MiB, GiB, TiB";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::unexpected<std::string> invalid(std::string_view text, std::string_view why) {
  return std::unexpected(fmt::format("invalid size \"{}\": {}", text, why));
}

// value = value * factor + addend; false when that overflows (value is then meaningless).
bool mul_add(std::uint64_t& value, std::uint64_t factor, std::uint64_t addend) {
  return !__builtin_mul_overflow(value, factor, &value) &&
         !__builtin_add_overflow(value, addend, &value);
}

} // namespace

std::expected<ByteSize, std::string> parse_byte_size(std::string_view text) {
  if (text.empty()) {
    return invalid(text, "empty; write a number and a unit such as \"4GiB\" or \"64GB\"");
  }
  if (text == "0") {
    return ByteSize{};
  }
  if (text.front() == '-') {
    return invalid(text, "a size cannot be negative");
  }
  std::size_t pos = 0;
  std::uint64_t whole = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    if (!mul_add(whole, 10, static_cast<std::uint64_t>(text[pos] - '0'))) {
      return invalid(text, "too large");
    }
    ++pos;
  }
  if (pos == 0) {
    return invalid(text, "expected a number first, e.g. \"4GiB\"");
  }
  std::uint64_t fraction = 0;
  std::uint64_t fraction_scale = 1;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      fraction = fraction * 10 + static_cast<std::uint64_t>(text[pos] - '0');
      fraction_scale *= 10;
      ++pos;
      if (pos - start > k_max_fraction_digits) {
        return invalid(text, "at most three digits after the decimal point");
      }
    }
    if (pos == start) {
      return invalid(text, "expected digits after the decimal point");
    }
  }
  const std::string_view unit_text = text.substr(pos);
  if (unit_text.empty()) {
    return invalid(text, fmt::format("missing unit; write \"{0}GiB\" (binary) or \"{0}GB\" "
                                     "(decimal)",
                                     text));
  }
  if (unit_text.front() == ' ' || unit_text.front() == '\t') {
    return invalid(text, "write the number and the unit without a space, e.g. \"4GiB\"");
  }
  const Unit* unit = nullptr;
  for (const Unit& candidate : k_units) {
    if (candidate.name == unit_text) {
      unit = &candidate;
    }
  }
  if (unit == nullptr) {
    return invalid(text, fmt::format("unknown unit '{}' (use {})", unit_text, k_units_list));
  }
  std::uint64_t bytes = whole;
  std::uint64_t fraction_bytes = fraction;
  if (!mul_add(bytes, unit->factor, 0) || !mul_add(fraction_bytes, unit->factor, 0)) {
    return invalid(text, "too large");
  }
  if (fraction_bytes % fraction_scale != 0) {
    return invalid(text, "not a whole number of bytes");
  }
  if (!mul_add(bytes, 1, fraction_bytes / fraction_scale)) {
    return invalid(text, "too large");
  }
  // "0GiB" is as good as "0"; the base of a zero never shows.
  return ByteSize{bytes, unit->base};
}

std::expected<std::uint64_t, std::string> parse_size(std::string_view text) {
  // GCC 12's std::expected has no transform().
  auto size = parse_byte_size(text);
  if (!size) {
    return std::unexpected(std::move(size.error()));
  }
  return size->bytes;
}

std::string format_size(std::uint64_t bytes, SizeBase base) {
  static constexpr std::array<std::string_view, 5> k_binary{"B", "KiB", "MiB", "GiB", "TiB"};
  static constexpr std::array<std::string_view, 5> k_decimal{"B", "kB", "MB", "GB", "TB"};
  const auto& names = base == SizeBase::binary ? k_binary : k_decimal;
  const double step = base == SizeBase::binary ? 1024.0 : 1000.0;
  if (static_cast<double>(bytes) < step) {
    return fmt::format("{} B", bytes);
  }
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  // Move up while the number rounded to one decimal would read 1024.0 (or 1000.0) or more.
  while (unit + 1 < names.size() && std::round(value * 10.0) / 10.0 >= step) {
    value /= step;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, names[unit]);
}

} // namespace atelier::profiles
