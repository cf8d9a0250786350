#include "pxe/dhcp_server.h"

#include "base/text.h"

#include <array>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <net/if.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace atelier::pxe {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
// Largest DHCP message we accept: an Ethernet MTU's worth is plenty (RFC 2131 allows 576 minimum;
// option 57 rarely goes above 1500).
constexpr std::size_t k_max_datagram = 1500;
} // namespace

struct DhcpServer::Impl {
  struct Listener {
    udp::socket socket;
    std::uint16_t port;
    std::array<std::uint8_t, k_max_datagram> buffer{};
    udp::endpoint sender;
    explicit Listener(asio::io_context& io, std::uint16_t p) : socket(io), port(p) {}
  };

  asio::io_context& io;
  DhcpServerConfig config;
  DhcpService& service;
  LogSink log;
  Listener dhcp;
  Listener boot;

  Impl(asio::io_context& io_, DhcpServerConfig cfg, DhcpService& svc, LogSink sink)
      : io(io_), config(std::move(cfg)), service(svc), log(std::move(sink)),
        dhcp(io_, config.server_port), boot(io_, config.boot_server_port) {}

  std::expected<void, std::string> open(Listener& l) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address_v4(config.listen_address, ec);
    if (ec) {
      return std::unexpected(
          fmt::format("listen address '{}': {}", config.listen_address, ec.message()));
    }
    l.socket.open(udp::v4(), ec);
    if (!ec) {
      l.socket.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
      l.socket.set_option(asio::socket_base::broadcast(true), ec);
    }
    if (!ec && !config.interface.empty()) {
      // Only the workshop interface: never answer on the server's other networks.
      if (::setsockopt(l.socket.native_handle(), SOL_SOCKET, SO_BINDTODEVICE,
                       config.interface.c_str(),
                       static_cast<socklen_t>(config.interface.size())) != 0) {
        return std::unexpected(fmt::format("port {}: cannot bind to interface {}: {}", l.port,
                                           config.interface, base::errno_text(errno)));
      }
    }
    if (!ec) {
      l.socket.bind(udp::endpoint(address, l.port), ec);
    }
    if (ec) {
      return std::unexpected(fmt::format(
          "port {}: {}{}", l.port, ec.message(),
          ec == asio::error::access_denied ? " (run as root or grant CAP_NET_BIND_SERVICE)" : ""));
    }
    return {};
  }

  void receive(Listener& l) {
    l.socket.async_receive_from(asio::buffer(l.buffer), l.sender,
                                [this, &l](boost::system::error_code ec, std::size_t n) {
                                  if (ec == asio::error::operation_aborted) {
                                    return;
                                  }
                                  if (!ec) {
                                    handle(l, n);
                                  }
                                  receive(l);
                                });
  }

  void handle(Listener& l, std::size_t n) {
    auto result =
        service.handle(ByteView(l.buffer.data(), n),
                       l.port == config.boot_server_port ? Channel::boot_server : Channel::dhcp);
    if (!result) {
      // Non-PXE traffic is the normal case next to a site's DHCP server: not worth a line each.
      if (result.error().kind != Silence::Kind::not_for_us) {
        log(result.error().reason);
      }
      return;
    }
    udp::endpoint to;
    if (l.port == config.boot_server_port) {
      to = udp::endpoint(l.sender.address(), l.sender.port());
    } else {
      const auto& dest = result->destination;
      const bool broadcast =
          dest.needs_arp_entry || dest.address.is_zero() || dest.address.to_u32() == 0xFFFFFFFFu;
      to = broadcast ? udp::endpoint(asio::ip::make_address_v4(config.broadcast_address),
                                     config.client_port)
                     : udp::endpoint(asio::ip::address_v4(dest.address.to_u32()), dest.port);
    }
    log(result->summary);
    auto payload = std::make_shared<Bytes>(std::move(result->payload));
    auto send = [this, &l, payload, to] {
      boost::system::error_code ec;
      l.socket.send_to(asio::buffer(*payload), to, 0, ec);
      if (ec) {
        log(fmt::format("cannot send to {}:{}: {}", to.address().to_string(), to.port(),
                        ec.message()));
      }
    };
    if (config.reply_delay.count() == 0) {
      send();
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(io, config.reply_delay);
    timer->async_wait([timer, send](boost::system::error_code ec) {
      if (!ec) {
        send();
      }
    });
  }
};

DhcpServer::DhcpServer(asio::io_context& io, DhcpServerConfig config, DhcpService& service,
                       LogSink log)
    : m_impl(std::make_unique<Impl>(io, std::move(config), service, std::move(log))) {}

DhcpServer::~DhcpServer() = default;

std::expected<void, std::string> DhcpServer::start() {
  for (auto* l : {&m_impl->dhcp, &m_impl->boot}) {
    if (auto r = m_impl->open(*l); !r) {
      return r;
    }
  }
  m_impl->receive(m_impl->dhcp);
  m_impl->receive(m_impl->boot);
  return {};
}

void DhcpServer::stop() {
  boost::system::error_code ec;
  m_impl->dhcp.socket.close(ec);
  m_impl->boot.socket.close(ec);
}

} // namespace atelier::pxe
