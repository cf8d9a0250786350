// The listening half of an HTTP server (Asio): binds, accepts, caps the number of open
// connections, keeps a registry of them so stop() can close them, and reports listen errors as
// values. What a connection speaks is its server's: every accepted socket goes to the server's
// connection handler, which returns the connection (or nothing). Shared by the boot server
// (pxe/http_server.h) and the coordinator API (daemon/api/api_server.h), which differ in what
// they serve, not in how they listen.
//
// Contract: the cap counts connections that are still alive (a connection is open until the last
// shared_ptr to it goes); a connection accepted over the cap is still handed to the handler with
// `overloaded` set, so the server can answer it (503) before closing it, and it is registered like
// any other.
//
// Thread model: everything runs on the io_context given to the constructor; start() and stop()
// must be called on that thread or while it is not running. Pending accepts keep the listener's
// state alive, so the HttpListener object may be destroyed (it stops) while they are pending.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace atelier::pxe {

// One open connection, as the listener sees it: something it can close when it stops.
class HttpConnection {
public:
  virtual ~HttpConnection() = default;
  // Shuts the socket down; the connection's pending operations then end with an error.
  virtual void close() = 0;
};

struct HttpListenerConfig {
  std::string listen_address;
  std::uint16_t port = 0; // 0 = any free port (tests), see HttpListener::local_port()
  std::string interface;  // SO_BINDTODEVICE; "" = all interfaces
  std::size_t max_connections = 256;
  std::string log_name; // first word of the listener's log lines: "http", "api"
};

// Why start() failed; each server words it for its own log.
struct ListenError {
  enum class Stage {
    address,   // listen_address is not an IP address
    interface, // SO_BINDTODEVICE failed
    listen,    // open, bind or listen failed
  };
  Stage stage = Stage::listen;
  std::string reason;         // the system's words, e.g. "Address already in use"
  bool access_denied = false; // EACCES: a port below 1024 without the capability
};

// Called for each accepted socket. `open`: the connections open before this one; `overloaded`:
// open >= max_connections. Returns the connection to register (nullptr: nothing to register).
using HttpConnectionHandler = std::function<std::shared_ptr<HttpConnection>(
    boost::asio::ip::tcp::socket socket, std::size_t open, bool overloaded)>;

class HttpListener {
public:
  using LogSink = std::function<void(std::string_view)>;
  // `io` must outlive the listener's pending operations.
  HttpListener(boost::asio::io_context& io, HttpListenerConfig config, LogSink log);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds and starts accepting; every accepted socket goes to `handler`. An accept that fails
  // (EMFILE and friends) is logged and accepting goes on.
  std::expected<void, ListenError> start(HttpConnectionHandler handler);
  // The bound port (useful with port 0); 0 before start().
  std::uint16_t local_port() const;
  // Stops accepting and closes every registered connection that is still open.
  void stop();
  // True once stop() was called: a connection finishing a request closes instead of reading on.
  bool stopping() const;

private:
  struct State;
  std::shared_ptr<State> m_state;
};

} // namespace atelier::pxe
