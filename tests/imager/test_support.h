// Helpers shared by the imager tests: fixture paths, file loading and a tiny SMBIOS table builder.
#pragma once

#include "imager/sys/file_system.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager::test {

inline std::string fixture_path(std::string_view relative) {
  return std::string(ATELIER_TEST_DATA) + "/imager/" + std::string(relative);
}

inline std::string read_fixture(std::string_view relative) {
  std::ifstream in(fixture_path(relative), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::uint8_t> read_bytes(std::string_view relative) {
  const std::string text = read_fixture(relative);
  return {text.begin(), text.end()};
}

// A FileSystem over another in which one path can vanish, as a disk does when it is unplugged or
// drops off its bus during the scan: after `accesses_before` reads/checks under `prefix`,
// everything under it is missing, while the parent's listing still names it. Files can also be
// replaced
// (`replace`), e.g. by a truncated SMBIOS table.
class VanishingFileSystem final : public FileSystem {
public:
  VanishingFileSystem(FileSystem& inner, std::string prefix, int accesses_before)
      : m_inner(inner), m_prefix(std::move(prefix)), m_budget(accesses_before) {}
  void replace(std::string path, std::string content) {
    m_replaced[std::move(path)] = std::move(content);
  }

  std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes) override {
    if (gone(path)) {
      return std::nullopt;
    }
    if (const auto it = m_replaced.find(std::string(path)); it != m_replaced.end()) {
      return it->second.substr(0, max_bytes);
    }
    return m_inner.read_file(path, max_bytes);
  }
  std::vector<std::string> list_dir(std::string_view path) override {
    return gone(path) ? std::vector<std::string>{} : m_inner.list_dir(path);
  }
  bool exists(std::string_view path) override { return !gone(path) && m_inner.exists(path); }
  std::optional<std::string> resolve(std::string_view path) override {
    return gone(path) ? std::nullopt : m_inner.resolve(path);
  }

private:
  // Counts the access; true once the budget is spent.
  bool gone(std::string_view path) {
    const bool under = !m_prefix.empty() && path.starts_with(m_prefix) &&
                       (path.size() == m_prefix.size() || path[m_prefix.size()] == '/');
    if (!under) {
      return false;
    }
    return m_accesses++ >= m_budget;
  }
  FileSystem& m_inner;
  std::string m_prefix;
  int m_budget;
  int m_accesses = 0;
  std::map<std::string, std::string> m_replaced;
};

// Decodes standard base64 (the report's raw blobs); stops at the first '=' or unknown character.
inline std::vector<std::uint8_t> base64_decode(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else {
      break;
    }
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
    }
  }
  return out;
}

// Builds SMBIOS structure tables byte by byte, for edge cases no real firmware is at hand for.
class TableBuilder {
public:
  // Starts a structure: type, formatted length (header included) and handle; returns *this so the
  // formatted bytes can follow with u8/u16/u32.
  TableBuilder& begin(std::uint8_t type, std::uint8_t length, std::uint16_t handle) {
    m_start = m_bytes.size();
    m_length = length;
    m_bytes.push_back(type);
    m_bytes.push_back(length);
    u16(handle);
    return *this;
  }
  TableBuilder& u8(std::uint8_t v) {
    m_bytes.push_back(v);
    return *this;
  }
  TableBuilder& u16(std::uint16_t v) {
    m_bytes.push_back(static_cast<std::uint8_t>(v & 0xFFU));
    m_bytes.push_back(static_cast<std::uint8_t>(v >> 8U));
    return *this;
  }
  TableBuilder& u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v & 0xFFFFU));
    return u16(static_cast<std::uint16_t>(v >> 16U));
  }
  // Writes a byte at a formatted-area offset of the current structure (zero-filling up to it).
  TableBuilder& at(std::size_t offset, std::uint8_t v) {
    fill_to(offset + 1);
    m_bytes[m_start + offset] = v;
    return *this;
  }
  TableBuilder& at16(std::size_t offset, std::uint16_t v) {
    at(offset, static_cast<std::uint8_t>(v & 0xFFU));
    return at(offset + 1, static_cast<std::uint8_t>(v >> 8U));
  }
  TableBuilder& at32(std::size_t offset, std::uint32_t v) {
    at16(offset, static_cast<std::uint16_t>(v & 0xFFFFU));
    return at16(offset + 2, static_cast<std::uint16_t>(v >> 16U));
  }
  // Ends the formatted area and appends the string set (the double NUL included).
  TableBuilder& strings(const std::vector<std::string>& values) {
    fill_to(m_length);
    if (values.empty()) {
      m_bytes.push_back(0);
    }
    for (const auto& s : values) {
      m_bytes.insert(m_bytes.end(), s.begin(), s.end());
      m_bytes.push_back(0);
    }
    m_bytes.push_back(0);
    return *this;
  }
  TableBuilder& end_of_table() {
    begin(127, 4, 0xFEFF);
    return strings({});
  }
  const std::vector<std::uint8_t>& bytes() const { return m_bytes; }

private:
  void fill_to(std::size_t length) {
    while (m_bytes.size() < m_start + length) {
      m_bytes.push_back(0);
    }
  }
  std::vector<std::uint8_t> m_bytes;
  std::size_t m_start = 0;
  std::size_t m_length = 0;
};

} // namespace atelier::imager::test
