// Loads the captured drive data of tests/data/purge (formats and sources: SOURCES.md there).
//  - *.ata.txt: 16-bit words in hex as hdparm --Istdout and CrystalDiskInfo print them; tokens
//    ending in ':' are labels. Each word becomes two bytes, low byte first (the wire order).
//  - everything else: bytes in hex; "OFFSET:" moves the write position, "# size: N" sets the total
//    size (unlisted bytes are zero).
// '#' starts a comment line. A malformed fixture throws: a test must not run on half a capture.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace atelier::imager::test {

inline std::string purge_fixture_path(const std::string& name) {
  return std::string(ATELIER_TEST_DATA) + "/purge/" + name;
}

inline std::vector<std::uint8_t> load_purge_fixture(const std::string& name) {
  std::ifstream in(purge_fixture_path(name));
  if (!in) {
    throw std::runtime_error("fixture missing: " + name);
  }
  const bool words = name.ends_with(".ata.txt");
  std::vector<std::uint8_t> bytes;
  std::size_t at = 0;
  std::size_t size = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# size:")) {
      size = std::stoul(line.substr(7));
      continue;
    }
    if (line.starts_with("#")) {
      continue;
    }
    std::istringstream tokens(line);
    std::string t;
    while (tokens >> t) {
      if (t.ends_with(':')) {
        if (!words) {
          at = std::stoul(t.substr(0, t.size() - 1), nullptr, 16);
        }
        continue;
      }
      const unsigned long v = std::stoul(t, nullptr, 16);
      if (words) {
        if (t.size() != 4) {
          throw std::runtime_error(name + ": word '" + t + "' is not 4 hex digits");
        }
        bytes.push_back(static_cast<std::uint8_t>(v & 0xFFU));
        bytes.push_back(static_cast<std::uint8_t>(v >> 8U));
      } else {
        if (t.size() != 2) {
          throw std::runtime_error(name + ": byte '" + t + "' is not 2 hex digits");
        }
        if (bytes.size() <= at) {
          bytes.resize(at + 1);
        }
        bytes[at++] = static_cast<std::uint8_t>(v);
      }
    }
  }
  if (size != 0) {
    if (bytes.size() > size) {
      throw std::runtime_error(name + ": more bytes than its declared size");
    }
    bytes.resize(size);
  }
  return bytes;
}

} // namespace atelier::imager::test
