#include "fixtures.h"

#include "pxe/dhcp_options.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace atelier::pxe::testing {

namespace {
std::filesystem::path fixture_dir() {
  return std::filesystem::path(ATELIER_TEST_DATA) / "pxe";
}
} // namespace

Bytes load_fixture(std::string_view name) {
  const auto path = fixture_dir() / (std::string(name) + ".hex");
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing fixture " << path;
    return {};
  }
  Bytes out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with('#')) {
      continue;
    }
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      out.push_back(static_cast<std::uint8_t>(std::stoul(word, nullptr, 16)));
    }
  }
  return out;
}

std::vector<std::string> fixture_names(std::string_view part) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(fixture_dir())) {
    const auto name = entry.path().stem().string();
    if (entry.path().extension() == ".hex" && name.find(part) != std::string::npos) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

DecodedPacket fixture_packet(std::string_view name) {
  const Bytes wire = load_fixture(name);
  auto decoded = parse_packet(wire);
  if (!decoded) {
    ADD_FAILURE() << name << ": " << decoded.error().message;
    return {};
  }
  return *decoded;
}

Bytes raw_message(const Bytes& options, std::uint8_t op) {
  // Built with push_back: GCC 12 reports false -Warray-bounds/-Wnull-dereference on vector inserts.
  std::array<std::uint8_t, k_options_offset> header{};
  header[0] = op;
  header[1] = k_htype_ethernet;
  header[2] = 6;
  header[4] = 0x12;
  header[5] = 0x34;
  header[6] = 0x56;
  header[7] = 0x78;
  const std::array<std::uint8_t, 6> mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  std::copy(mac.begin(), mac.end(), header.begin() + 28);
  std::copy(k_magic_cookie.begin(), k_magic_cookie.end(), header.begin() + k_header_size);
  Bytes out;
  out.reserve(header.size() + options.size());
  for (const std::uint8_t byte : header) {
    out.push_back(byte);
  }
  for (const std::uint8_t byte : options) {
    out.push_back(byte);
  }
  return out;
}

Packet edk2_discover() {
  Packet p;
  p.xid = 0xd9d6f504;
  p.flags = k_broadcast_flag;
  p.chaddr = {0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01};
  p.options.set_u8(opt::message_type, 1);
  p.options.set_u16(opt::max_message_size, 1472);
  p.options.set(opt::parameter_request_list,
                {1,  2,  3,  4,  5,  6,  12, 13, 15, 17,  18,  22,  23,  28,  40,  41,  42, 43,
                 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135});
  p.options.set(opt::client_uuid, {0x00, 0x2e, 0x4a, 0x1f, 0x8c, 0x5d, 0x3b, 0x6f, 0x4e, 0x9a, 0x0b,
                                   0x1c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b});
  p.options.set(opt::client_ndi, {1, 3, 0});
  p.options.set_u16(opt::client_arch, 7);
  p.options.set_text(opt::vendor_class, "PXEClient:Arch:00007:UNDI:003000");
  return p;
}

} // namespace atelier::pxe::testing
