#include "base/text.h"

#include <cstring>

#include <fmt/format.h>

namespace atelier::base {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(k_ascii_space);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(k_ascii_space);
  return text.substr(first, last - first + 1);
}

namespace {

template <typename Part>
std::string join_parts(std::span<const Part> parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

char lower_char(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

std::string join(std::span<const std::string> parts, std::string_view separator) {
  return join_parts(parts, separator);
}

std::string join(std::span<const std::string_view> parts, std::string_view separator) {
  return join_parts(parts, separator);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) {
      return out;
    }
    text.remove_prefix(at + 1);
  }
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = lower_char(c);
  }
  return out;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower_char(text[i]) != lower_char(prefix[i])) {
      return false;
    }
  }
  return true;
}

std::string_view last_line(std::string_view text) {
  const auto last = text.find_last_not_of(k_ascii_space);
  if (last == std::string_view::npos) {
    return {};
  }
  text = text.substr(0, last + 1);
  const auto newline = text.rfind('\n');
  return newline == std::string_view::npos ? text : text.substr(newline + 1);
}

std::string errno_text(int error) {
  // strerrordesc_np and strerrorname_np return constant strings: unlike strerror, safe to call
  // from several threads at once (and never translated, as strerror would be under a locale).
  const char* description = ::strerrordesc_np(error);
  const char* name = ::strerrorname_np(error);
  return fmt::format("{} ({})",
                     description != nullptr ? std::string(description)
                                            : fmt::format("Unknown error {}", error),
                     name != nullptr ? std::string(name) : std::to_string(error));
}

std::optional<std::uint8_t> hex_digit(char c) {
  if (c >= '0' && c <= '9') {
    return static_cast<std::uint8_t>(c - '0');
  }
  if (c >= 'a' && c <= 'f') {
    return static_cast<std::uint8_t>(c - 'a' + 10);
  }
  if (c >= 'A' && c <= 'F') {
    return static_cast<std::uint8_t>(c - 'A' + 10);
  }
  return std::nullopt;
}

} // namespace atelier::base
