#include "pxe/http_listener.h"

#include "base/text.h"

#include <algorithm>
#include <cerrno>
#include <sys/socket.h>
#include <vector>

#include <fmt/format.h>

namespace atelier::pxe {

namespace asio = boost::asio;
using asio::ip::tcp;

struct HttpListener::State : std::enable_shared_from_this<HttpListener::State> {
  HttpListenerConfig config;
  LogSink log;
  tcp::acceptor acceptor;
  HttpConnectionHandler handler;
  bool stopping = false;
  std::uint16_t bound_port = 0;
  // Open connections, so stop() can close them; an entry whose connection ended is dropped at the
  // next count. Only touched on the io thread.
  std::vector<std::weak_ptr<HttpConnection>> connections;

  State(asio::io_context& io, HttpListenerConfig cfg, LogSink sink)
      : config(std::move(cfg)), log(std::move(sink)), acceptor(io) {}

  std::size_t open_connections() {
    std::erase_if(connections, [](const auto& c) { return c.expired(); });
    return connections.size();
  }

  void accept() {
    acceptor.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted || self->stopping) {
            return;
          }
          if (!ec) {
            const std::size_t open = self->open_connections();
            auto connection =
                self->handler(std::move(socket), open, open >= self->config.max_connections);
            if (connection) {
              self->connections.push_back(connection);
            }
          } else {
            // EMFILE and friends: log and keep accepting; the next accept may succeed.
            self->log(fmt::format("{} accept failed: {}", self->config.log_name, ec.message()));
          }
          self->accept();
        });
  }
};

HttpListener::HttpListener(asio::io_context& io, HttpListenerConfig config, LogSink log)
    : m_state(std::make_shared<State>(io, std::move(config), std::move(log))) {}

HttpListener::~HttpListener() {
  if (!m_state->stopping) {
    stop();
  }
}

std::expected<void, ListenError> HttpListener::start(HttpConnectionHandler handler) {
  State& s = *m_state;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(s.config.listen_address, ec);
  if (ec) {
    return std::unexpected(ListenError{ListenError::Stage::address, ec.message()});
  }
  const tcp::endpoint endpoint(address, s.config.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec && !s.config.interface.empty()) {
    if (::setsockopt(s.acceptor.native_handle(), SOL_SOCKET, SO_BINDTODEVICE,
                     s.config.interface.c_str(),
                     static_cast<socklen_t>(s.config.interface.size())) != 0) {
      return std::unexpected(ListenError{ListenError::Stage::interface, base::errno_text(errno)});
    }
  }
  if (!ec) {
    s.acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return std::unexpected(
        ListenError{ListenError::Stage::listen, ec.message(), ec == asio::error::access_denied});
  }
  s.bound_port = s.acceptor.local_endpoint().port();
  s.handler = std::move(handler);
  s.accept();
  return {};
}

std::uint16_t HttpListener::local_port() const {
  return m_state->bound_port;
}

bool HttpListener::stopping() const {
  return m_state->stopping;
}

void HttpListener::stop() {
  m_state->stopping = true;
  boost::system::error_code ec;
  m_state->acceptor.close(ec);
  // Copy first: closing a connection may end it.
  std::vector<std::shared_ptr<HttpConnection>> open;
  for (const auto& weak : m_state->connections) {
    if (auto connection = weak.lock()) {
      open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) {
    connection->close();
  }
}

} // namespace atelier::pxe
