// HTTP/1.1 transport of network boot (Boost.Beast over Asio): the per-machine iPXE script at
// /boot/<mac>.ipxe and the files of a fixed table (kernel, initrd, EFI binaries). Written up in
// docs/HTTP-BOOT.md.
//
// What it guarantees:
//  - only the script route and exact keys of `files` are served; everything else is 404 before
//    any filesystem access (routing is pure, pxe/http_routes.h);
//  - files go out with Content-Length (iPXE is orders of magnitude slower without it, PXE-NOTES),
//    streamed from disk through one fixed buffer per connection: twenty machines fetching a 30 MB
//    initrd hold twenty buffers, not twenty initrds;
//  - GET and HEAD; anything else 405. Bodies only on POSTs to the handler's routes, each up to its
//    route's limit (post_body_limit); any other request announcing a body is answered without
//    reading it (413, or 405/404) and the connection closed. Single "bytes=" ranges get 206
//    (resumed downloads); files
//    carry a strong ETag and Last-Modified, and an If-Range naming another version gets 200 with
//    the whole file, so a resumed download is never spliced from two versions;
//  - keep-alive; each read or write must progress within `io_timeout`, so a stalled client frees
//    its connection; at most `max_connections` at once (the rest get 503 and a log line);
//  - one log line per request: client, method, path, status, body bytes;
//  - a handler that throws is answered 500 with a log line; nothing reaches io_context::run.
// Listening (bind, accept, the connection cap, closing on stop) is pxe/http_listener.h's.
//
// Thread model: all handlers run on the io_context given to the constructor; the script handler is
// called on that thread and must not block for long (BootTokens is fine). stop() must be called on
// the io thread or after the io_context stopped; the destructor requires the same.
#pragma once

#include "base/mac_address.h"
#include "pxe/boot_script.h"
#include "pxe/boot_tokens.h"
#include "pxe/dhcp_server.h" // LogSink
#include "pxe/http_routes.h"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace atelier::pxe {

// Builds the script for a machine that asked for /boot/<mac>.ipxe. An error refuses the boot with
// 403 and the message in the log (e.g. "machine is not admitted"); the message is not sent to the
// client, which could be anyone on the workshop LAN.
using HttpScriptHandler = std::function<std::expected<std::string, std::string>(
    const base::MacAddress& mac, const std::string& client_ip)>;

// A POST to the agent API: the path, the body, the client's address in; a status code and a JSON
// body out. The handler decides everything (token checks included); the server only moves bytes.
struct HttpPostResult {
  unsigned status = 200;
  std::string body;
};
using HttpPostHandler = std::function<HttpPostResult(std::string_view path, const std::string& body,
                                                     const std::string& client_ip)>;

struct HttpBootConfig {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 80; // 0 = any free port (tests), see HttpBootServer::local_port()
  std::string interface;   // SO_BINDTODEVICE; "" = all interfaces
  HttpFileTable files;     // "/boot/vmlinuz" → "/srv/atelier/vmlinuz", ...
  // Content-Type of files of the table by URL path; the others get http_content_type's.
  std::map<std::string, std::string, std::less<>> content_types;
  HttpScriptHandler script_handler; // empty = every script request is 404
  HttpPostHandler post_handler;     // empty = POST is 405
  // Called on the io thread when a GET of a whole file (200, not a range, not HEAD) was sent to
  // the end: atelierd follows machines through the signed chain with it (daemon/chain_watch.h).
  std::function<void(std::string_view url_path, const std::string& client_ip)> on_file_sent;
  // The largest body a POST to `path` may carry (413 beyond, before it is read), or nullopt for a
  // path that is no route of the handler (answered by the handler with an empty body). Empty =
  // every POST path takes up to max_post_bytes. atelierd sets daemon::agent_body_limit.
  std::function<std::optional<std::size_t>(std::string_view path)> post_body_limit;
  std::size_t max_post_bytes = 4 * 1024 * 1024; // the bound of every post_body_limit
  std::chrono::seconds io_timeout{30};
  std::size_t max_header_bytes = 8 * 1024; // a boot client's request is a few hundred bytes
  // Requests that take no body may announce one this large and still get their answer (405...);
  // the body is never read. Beyond it: 413.
  std::size_t max_body_bytes = 4 * 1024;
  std::size_t max_connections = 256;
  std::size_t file_buffer_bytes = 64 * 1024;
};

// The standalone script handler: issues a token for the MAC and renders make_boot_script. `tokens`
// must outlive the handler. atelierd plugs admission in front of this.
HttpScriptHandler make_standalone_script_handler(BootTokens& tokens, BootScriptConfig script,
                                                 LogSink log);

class HttpBootServer {
public:
  // `io` must outlive the server.
  HttpBootServer(boost::asio::io_context& io, HttpBootConfig config, LogSink log);
  ~HttpBootServer();
  HttpBootServer(const HttpBootServer&) = delete;
  HttpBootServer& operator=(const HttpBootServer&) = delete;

  // Binds and starts accepting. Errors name the port and the reason. Missing files in the table are
  // not an error here (they may appear later, e.g. after an image build); requests for them get 404
  // and a log line saying the file is missing.
  std::expected<void, std::string> start();
  // The bound port (useful with port 0); 0 before start().
  std::uint16_t local_port() const;
  // Stops accepting and closes open connections.
  void stop();

private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

} // namespace atelier::pxe
