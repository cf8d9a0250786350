// DHCP burst load generator for bench/dhcp/run.sh (Debian 12 packages no DHCP load tool).
//
// Sends N DHCPDISCOVERs shaped like EDK2's x86-64 PXE DISCOVER (the captured fixture), each with
// its own xid and MAC, to 255.255.255.255:67 from port 68, keeping at most W outstanding, and
// counts the offers that come back for those xids. Prints one line: "sent N answered A seconds S
// rate R/s".
//
// Usage: dhcp_burst IFACE COUNT WINDOW FIXTURE.hex
#include "pxe/dhcp_packet.h"

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <net/if.h>
#include <poll.h>
#include <set>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace atelier::pxe;

namespace {

Bytes load_hex(const char* path) {
  std::ifstream in(path);
  std::string line, hex;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') {
      hex += line + " ";
    }
  }
  Bytes out;
  std::istringstream words(hex);
  std::string byte;
  while (words >> byte) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: dhcp_burst IFACE COUNT WINDOW FIXTURE.hex\n");
    return 2;
  }
  const std::string iface = argv[1];
  const int count = std::atoi(argv[2]);
  const int window = std::atoi(argv[3]);
  auto decoded = parse_packet(load_hex(argv[4]));
  if (!decoded) {
    std::fprintf(stderr, "fixture: %s\n", decoded.error().message.c_str());
    return 1;
  }
  Packet discover = decoded->packet;

  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface.c_str(),
               static_cast<socklen_t>(iface.size()));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(68);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    std::perror("bind :68");
    return 1;
  }
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(67);
  server.sin_addr.s_addr = INADDR_BROADCAST;

  std::set<std::uint32_t> outstanding;
  int sent = 0, answered = 0;
  const auto start = std::chrono::steady_clock::now();
  auto last_progress = start;
  while (answered < count) {
    while (sent < count && static_cast<int>(outstanding.size()) < window) {
      const auto n = static_cast<std::uint32_t>(sent + 1);
      discover.xid = 0x41000000u + n;
      discover.chaddr = {};
      const std::uint8_t mac[6] = {0x52,
                                   0x54,
                                   0x01,
                                   static_cast<std::uint8_t>(n >> 16),
                                   static_cast<std::uint8_t>(n >> 8),
                                   static_cast<std::uint8_t>(n)};
      std::memcpy(discover.chaddr.data(), mac, 6);
      auto bytes = serialize_packet(discover);
      ::sendto(fd, bytes->data(), bytes->size(), 0, reinterpret_cast<sockaddr*>(&server),
               sizeof server);
      outstanding.insert(discover.xid);
      ++sent;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) {
      // Lost replies: give up on the window after 2 s without progress (reported as unanswered).
      if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(2)) {
        if (sent >= count) {
          break;
        }
        outstanding.clear();
      }
      continue;
    }
    std::uint8_t buffer[1500];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      continue;
    }
    auto reply = parse_packet(ByteView(buffer, static_cast<std::size_t>(n)));
    if (reply && reply->packet.op == 2 && outstanding.erase(reply->packet.xid) == 1) {
      ++answered;
      last_progress = std::chrono::steady_clock::now();
    }
  }
  const double seconds = std::chrono::duration<double>(last_progress - start).count();
  std::printf("sent %d answered %d seconds %.3f rate %.0f/s\n", sent, answered, seconds,
              seconds > 0 ? answered / seconds : 0.0);
  ::close(fd);
  return answered == count ? 0 : 3;
}
