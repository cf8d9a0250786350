// The HTTP/1.1 transport of the coordinator API (Boost.Beast over Asio): JSON requests in, JSON
// responses out, one handler decides everything (daemon/api/coordinator_api.h). docs/API.md.
//
// Why a second HTTP server beside pxe/http_server.h: that one faces the workshop network, where
// donated machines are untrusted, and speaks only what boot firmware and the agent need. This one
// carries personal data and account passwords, listens on its own address (loopback by default,
// [api] listen in atelier.toml), and needs methods, headers and bodies the boot server refuses.
// Both listen the same way (pxe/http_listener.h: accept loop, connection cap, stop).
//
// What it guarantees:
//  - methods GET, POST, PATCH, DELETE reach the handler; anything else is 405 here;
//  - headers up to max_header_bytes (431 beyond), bodies up to max_body_bytes (413 beyond), nested
//    at most records::k_max_json_depth levels (400 beyond, before the handler sees the body);
//  - a handler that throws is answered (400 for a json type error, 500 otherwise) and logged; the
//    io loop never sees the exception;
//  - each read or write must progress within io_timeout; at most max_connections at once (503);
//  - responses carry Content-Type, Content-Length, Cache-Control: no-store;
//  - one log line per request: client, method, path (no query: it may name a household), status,
//    and the actor the handler authenticated; never the Authorization header or a body.
//
// Thread model: the handler runs on the thread that runs `io`, one request at a time. atelierd
// gives the API its own io_context and thread (and its own database connection), so a login's
// Argon2id work never delays a DHCP answer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace atelier::daemon {

struct ApiRequest {
  std::string method; // "GET", "POST", "PATCH", "DELETE"
  std::string path;   // the target without its query, e.g. "/api/v1/units/AT-0001-4"
  std::map<std::string, std::string> query; // decoded; a repeated key keeps its last value
  std::string authorization;                // the Authorization header, verbatim
  std::string content_type;
  std::string body;
  std::string client; // peer address
};

struct ApiResponse {
  ApiResponse() = default;
  ApiResponse(unsigned status_code, std::string json_body)
      : status(status_code), body(std::move(json_body)) {}

  unsigned status = 200;
  std::string body; // JSON unless content_type says otherwise
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers; // e.g. WWW-Authenticate
  std::string actor; // who the handler authenticated, for the log line ("" = nobody)
};

using ApiHandler = std::function<ApiResponse(const ApiRequest&)>;

struct ApiServerConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8090; // 0 = any free port (tests), see ApiServer::local_port()
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024 * 1024; // a household CSV import of a few thousand lines
  std::chrono::seconds io_timeout{30};
  std::size_t max_connections = 64;
};

// "a=1&b=x%20y" → {a: 1, b: "x y"}; '+' is a space. Malformed escapes are kept literally.
std::map<std::string, std::string> decode_query(std::string_view query);

// "127.0.0.1:8080", "[::1]:8080" → address and port. The error names the text.
std::expected<std::pair<std::string, std::uint16_t>, std::string>
parse_listen_address(std::string_view text);

class ApiServer {
public:
  using LogSink = std::function<void(std::string_view)>;
  // `io` must outlive the server.
  ApiServer(boost::asio::io_context& io, ApiServerConfig config, ApiHandler handler, LogSink log);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and starts accepting; errors name the address and the reason.
  std::expected<void, std::string> start();
  std::uint16_t local_port() const; // the bound port; 0 before start()
  // Stops accepting and closes open connections (on the io thread, or after io stopped).
  void stop();

private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

} // namespace atelier::daemon
