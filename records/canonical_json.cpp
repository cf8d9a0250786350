#include "records/canonical_json.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::records {
namespace {

using Json = nlohmann::json;

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not one (overlong
// forms, surrogates and code points above U+10FFFF are invalid, as RFC 3629 says).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    return 1;
  }
  std::size_t length = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t k_minimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < k_minimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return length;
}

// UTF-16 code units of a UTF-8 string, for RFC 8785's member order.
std::u16string utf16_units(std::string_view text) {
  std::u16string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = std::max<std::size_t>(utf8_sequence_length(text, i), 1);
    char32_t cp = static_cast<unsigned char>(text[i]);
    if (length > 1) {
      static constexpr unsigned char k_lead_mask[] = {0, 0, 0x1F, 0x0F, 0x07};
      cp = cp & k_lead_mask[length];
      for (std::size_t k = 1; k < length; ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
      }
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += length;
  }
  return out;
}

void append_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
      } else {
        out.push_back(c);
      }
    }
  }
  out.push_back('"');
}

std::string member_path(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::expected<void, std::string> append(std::string& out, const Json& value,
                                        const std::string& path) {
  const auto fail = [&](std::string_view what) {
    return std::unexpected(fmt::format("{}: {}", path.empty() ? "(document)" : path, what));
  };
  switch (value.type()) {
  case Json::value_t::null:
    out += "null";
    return {};
  case Json::value_t::boolean:
    out += value.get<bool>() ? "true" : "false";
    return {};
  case Json::value_t::number_integer:
    out += std::to_string(value.get<std::int64_t>());
    return {};
  case Json::value_t::number_unsigned:
    out += std::to_string(value.get<std::uint64_t>());
    return {};
  case Json::value_t::number_float:
    return fail("floating-point numbers are not allowed in a signed document");
  case Json::value_t::string: {
    const auto& text = value.get_ref<const std::string&>();
    if (!is_valid_utf8(text)) {
      return fail("not valid UTF-8");
    }
    append_string(out, text);
    return {};
  }
  case Json::value_t::array: {
    out.push_back('[');
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i > 0) {
        out.push_back(',');
      }
      if (auto ok = append(out, value[i], fmt::format("{}[{}]", path, i)); !ok) {
        return ok;
      }
    }
    out.push_back(']');
    return {};
  }
  case Json::value_t::object: {
    std::vector<std::pair<std::u16string, const std::string*>> keys;
    for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
      if (!is_valid_utf8(key)) {
        return fail("a member name is not valid UTF-8");
      }
      keys.emplace_back(utf16_units(key), &key);
    }
    std::ranges::sort(keys, {}, &std::pair<std::u16string, const std::string*>::first);
    out.push_back('{');
    bool first = true;
    for (const auto& [units, key] : keys) {
      if (!first) {
        out.push_back(',');
      }
      first = false;
      append_string(out, *key);
      out.push_back(':');
      if (auto ok = append(out, value.at(*key), member_path(path, *key)); !ok) {
        return ok;
      }
    }
    out.push_back('}');
    return {};
  }
  case Json::value_t::binary:
  case Json::value_t::discarded:
    return fail("not a JSON value");
  }
  return fail("not a JSON value");
}

} // namespace

std::expected<std::string, std::string> canonical_json(const Json& value, std::string_view path) {
  std::string out;
  if (auto ok = append(out, value, std::string(path)); !ok) {
    return std::unexpected(ok.error());
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string to_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD"; // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

} // namespace atelier::records
