// UDP transport of the DHCP service: sockets on ports 67 and 4011 of one interface, replies sent
// where DhcpService says (broadcast to port 68, or back to a port-4011 sender), after an optional
// delay for firmware that drops an instant reply (PXE-NOTES "Firmware quirks").
//
// Thread model: runs on the io_context it is given; all handlers run on that context's thread(s)
// serialised by a strand-free single-threaded io_context (atelierd runs one thread for DHCP).
#pragma once

#include "pxe/dhcp_service.h"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace atelier::pxe {

struct DhcpServerConfig {
  std::string interface; // bind to this interface only (SO_BINDTODEVICE); "" = all
  std::string listen_address = "0.0.0.0";
  std::uint16_t server_port = k_dhcp_server_port;
  std::uint16_t boot_server_port = k_pxe_boot_server_port;
  std::uint16_t client_port = 68;
  // Where "broadcast" replies go. 255.255.255.255 on a real network; tests on loopback use
  // 127.0.0.1.
  std::string broadcast_address = "255.255.255.255";
  std::chrono::milliseconds reply_delay{0};
};

using LogSink = std::function<void(std::string_view line)>;

class DhcpServer {
public:
  // `service` and `io` must outlive the server.
  DhcpServer(boost::asio::io_context& io, DhcpServerConfig config, DhcpService& service,
             LogSink log);
  ~DhcpServer();
  DhcpServer(const DhcpServer&) = delete;
  DhcpServer& operator=(const DhcpServer&) = delete;

  // Opens and binds both sockets and starts receiving; an error names the port and the reason
  // ("port 67: Permission denied (run as root or grant CAP_NET_BIND_SERVICE)").
  std::expected<void, std::string> start();
  void stop();

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace atelier::pxe
