#include "pxe/http_server.h"

#include "base/text.h"
#include "base/unique_fd.h"
#include "pxe/http_listener.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

namespace atelier::pxe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

// Longest request target quoted in a log line: enough for any real path, bounded for garbage.
constexpr std::size_t k_max_logged_target = 200;

struct OpenedFile {
  base::UniqueFd fd;
  std::uint64_t size = 0;
  std::string etag; // validators for resumed downloads (If-Range)
  std::string last_modified;
};

// The only place the server touches the filesystem. Refuses anything but a regular file so a
// table entry pointing at a directory or a device fails loudly instead of streaming nonsense.
std::expected<OpenedFile, std::string> open_regular_file(const std::filesystem::path& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return std::unexpected(
        fmt::format("cannot open {}: {}", path.string(), base::errno_text(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return std::unexpected(
        fmt::format("cannot stat {}: {}", path.string(), base::errno_text(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return std::unexpected(fmt::format("{} is not a regular file", path.string()));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const std::int64_t mtime_ns =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return OpenedFile{std::move(fd), size, file_etag(st.st_ino, size, mtime_ns),
                    http_date(st.st_mtim.tv_sec)};
}

// Boost 1.74's beast::string_view is boost::string_view, not std::string_view.
std::string_view std_view(beast::string_view text) {
  return {text.data(), text.size()};
}

std::string loggable_target(std::string_view target) {
  if (target.size() <= k_max_logged_target) {
    return std::string(target);
  }
  return std::string(target.substr(0, k_max_logged_target)) + "...";
}

} // namespace

struct HttpBootServer::Impl : std::enable_shared_from_this<HttpBootServer::Impl> {
  class Session;

  HttpBootConfig config;
  LogSink log;
  HttpListener listener;

  Impl(asio::io_context& io, HttpBootConfig cfg, LogSink sink)
      : config(std::move(cfg)), log(std::move(sink)),
        listener(
            io,
            {config.listen_address, config.port, config.interface, config.max_connections, "http"},
            log) {}
};

// One TCP connection: read a request, answer it, repeat while keep-alive holds.
class HttpBootServer::Impl::Session : public HttpConnection,
                                      public std::enable_shared_from_this<Session> {
public:
  Session(std::shared_ptr<Impl> server, tcp::socket socket)
      : m_server(std::move(server)), m_stream(std::move(socket)) {
    boost::system::error_code ec;
    const auto remote = m_stream.socket().remote_endpoint(ec);
    m_client = ec ? std::string("?") : remote.address().to_string();
  }

  // `open`: the connections open besides this one.
  void start(std::size_t open, bool overloaded) {
    if (overloaded) {
      m_server->log(
          fmt::format("http {} refused: {} connections open (max_connections)", m_client, open));
      m_method = "-";
      m_target = "-";
      respond_text(http::status::service_unavailable, "Too many connections, retry later\n", false);
      return;
    }
    read_request();
  }

  void close() override {
    boost::system::error_code ec;
    m_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    m_stream.close();
  }

private:
  const HttpBootConfig& config() const { return m_server->config; }

  // The header first, then the body only when the request's route takes one: bodies are read
  // for POSTs to the handler's routes alone, each up to its own limit (post_body_limit).
  void read_request() {
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
    // Only a bound on what a header may announce (Beast checks Content-Length against it as the
    // header ends); the request's own limit is applied in on_header.
    m_parser->body_limit(config().post_handler
                             ? std::max(config().max_body_bytes, config().max_post_bytes)
                             : config().max_body_bytes);
    m_stream.expires_after(config().io_timeout);
    http::async_read_header(
        m_stream, m_buffer, *m_parser,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code header_ec) {
    if (header_ec) {
      on_read(header_ec);
      return;
    }
    const auto& request = m_parser->get();
    const std::string_view target = std_view(request.target());
    const std::string_view path = target.substr(0, target.find('?'));
    const bool post = request.method() == http::verb::post && config().post_handler;
    if (m_parser->is_done()) {
      handle(request); // no body
      return;
    }
    // A body follows. It is read only for a POST to a route of the handler; anything else is
    // answered without reading it, and the connection closed (the unread body cannot be taken for
    // the next request).
    const std::optional<std::size_t> limit = !post ? std::nullopt
                                             : config().post_body_limit
                                                 ? config().post_body_limit(path)
                                                 : std::optional(config().max_post_bytes);
    m_method = std::string(request.method_string());
    m_target = loggable_target(target);
    m_head = request.method() == http::verb::head;
    if (!post || !limit) {
      if (request.method() == http::verb::get || request.method() == http::verb::head) {
        respond_text(http::status::payload_too_large, "This request takes no body\n", false);
        return;
      }
      handle(request, false); // 405, or the handler's answer for a path that is no route (404)
      return;
    }
    const auto announced = m_parser->content_length();
    if (announced && *announced > *limit) {
      m_note = fmt::format("body of {} bytes, {} takes at most {}", *announced, path, *limit);
      respond_text(http::status::payload_too_large,
                   fmt::format("Request body too large: at most {} bytes here\n", *limit), false);
      return;
    }
    m_parser->body_limit(*limit); // chunked bodies are counted as they come
    m_stream.expires_after(config().io_timeout);
    http::async_read(
        m_stream, m_buffer, *m_parser,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      close(); // the client left, went idle, or we are stopping: nothing to answer
      return;
    }
    m_method = "-";
    m_target = "-";
    m_head = false;
    if (ec == http::error::header_limit) {
      respond_text(http::status::request_header_fields_too_large, "Request header too large\n",
                   false);
      return;
    }
    if (ec == http::error::body_limit) {
      respond_text(http::status::payload_too_large, "Request body too large\n", false);
      return;
    }
    if (ec) {
      m_target = ec.message();
      respond_text(http::status::bad_request, "Bad request\n", false);
      return;
    }
    handle(m_parser->get());
  }

  // `may_keep_alive` false: close after answering (a body was left unread).
  void handle(const http::request<http::string_body>& request, bool may_keep_alive = true) {
    m_method = std::string(request.method_string());
    m_target = loggable_target(std_view(request.target()));
    m_head = request.method() == http::verb::head;
    const bool keep_alive = may_keep_alive && request.keep_alive();
    if (request.method() == http::verb::post && config().post_handler) {
      const std::string_view target = std_view(request.target());
      HttpPostResult result = call_post_handler(target.substr(0, target.find('?')), request.body());
      respond_text(static_cast<http::status>(result.status), std::move(result.body), keep_alive,
                   true, "application/json");
      return;
    }
    if (request.method() != http::verb::get && !m_head) {
      respond_text(http::status::method_not_allowed, "Only GET and HEAD\n", keep_alive);
      return;
    }
    const auto route = route_http_request(std_view(request.target()), config().files);
    if (const auto* script = std::get_if<ScriptRoute>(&route)) {
      if (!config().script_handler) {
        m_note = "no script handler";
        respond_text(http::status::not_found, "Not found\n", keep_alive);
        return;
      }
      std::expected<std::string, std::string> text;
      try {
        text = config().script_handler(script->mac, m_client);
      } catch (const std::exception& e) {
        m_note = fmt::format("script handler failed: {}", e.what());
        respond_text(http::status::internal_server_error, "Internal error\n", keep_alive);
        return;
      }
      if (!text) {
        m_note = text.error();
        respond_text(http::status::forbidden, "Boot refused by the Atelier server\n", keep_alive);
        return;
      }
      respond_text(http::status::ok, std::move(*text), keep_alive, true);
      return;
    }
    if (const auto* file = std::get_if<FileRoute>(&route)) {
      respond_file(*file, request, keep_alive);
      return;
    }
    m_note = std::get<NotFoundRoute>(route).reason;
    respond_text(http::status::not_found, "Not found\n", keep_alive);
  }

  // The exception boundary around the handlers (the script handler's is in handle): this server
  // runs on the io thread that also answers DHCP and TFTP, and an exception out of a completion
  // handler would end io_context::run and atelierd with it. A handler that throws is a bug: 500, a
  // log line, and the server goes on.
  HttpPostResult call_post_handler(std::string_view path, const std::string& body) {
    try {
      return config().post_handler(path, body, m_client);
    } catch (const std::exception& e) {
      m_note = fmt::format("POST handler failed: {}", e.what());
    } catch (...) {
      m_note = "POST handler failed (unknown exception)";
    }
    return {500, "{\"error\":\"internal error: see the server's log\"}\n"};
  }

  void respond_file(const FileRoute& route, const http::request<http::string_body>& request,
                    bool keep_alive) {
    auto opened = open_regular_file(route.file_path);
    if (!opened) {
      // Configured but absent (image not built yet?): the operator needs the path, the client a
      // 404.
      m_note = opened.error();
      respond_text(http::status::not_found, "Not found\n", keep_alive);
      return;
    }
    m_file = std::move(opened->fd);
    m_file_url = route.url_path;
    const std::uint64_t size = opened->size;
    auto& header = m_header.emplace(http::status::ok, 11);
    const auto typed = config().content_types.find(route.url_path);
    const std::string_view content_type = typed != config().content_types.end()
                                              ? std::string_view(typed->second)
                                              : http_content_type(route.url_path);
    header.set(http::field::content_type,
               beast::string_view(content_type.data(), content_type.size()));
    header.set(http::field::accept_ranges, "bytes");
    header.set(http::field::etag, opened->etag);
    header.set(http::field::last_modified, opened->last_modified);
    ByteRange range{0, size == 0 ? 0 : size - 1};
    std::uint64_t length = size;
    // A client resuming with a validator of another version of the file gets the whole new file.
    const bool range_allowed = if_range_allows(std_view(request[http::field::if_range]),
                                               opened->etag, opened->last_modified);
    if (const auto it = request.find(http::field::range); it != request.end() && range_allowed) {
      const auto decision = decide_byte_range(std_view(it->value()), size);
      if (decision.outcome == RangeOutcome::unsatisfiable) {
        m_file.reset();
        m_extra_header = fmt::format("bytes */{}", size);
        respond_text(http::status::range_not_satisfiable, "Range not satisfiable\n", keep_alive);
        return;
      }
      if (decision.outcome == RangeOutcome::partial) {
        range = decision.range;
        length = range.length();
        header.result(http::status::partial_content);
        header.set(http::field::content_range,
                   fmt::format("bytes {}-{}/{}", range.first, range.last, size));
      }
    }
    header.content_length(length);
    header.keep_alive(keep_alive);
    m_offset = range.first;
    m_remaining = m_head ? 0 : length;
    send_header();
  }

  // Small bodies (scripts, errors). `no_store`: scripts carry a one-time token, never cache them.
  void respond_text(http::status status, std::string body, bool keep_alive, bool no_store = false,
                    std::string_view content_type = "text/plain") {
    auto& header = m_header.emplace(status, 11);
    header.set(http::field::content_type,
               beast::string_view(content_type.data(), content_type.size()));
    if (status == http::status::method_not_allowed) {
      header.set(http::field::allow, config().post_handler ? "GET, HEAD, POST" : "GET, HEAD");
    }
    if (status == http::status::range_not_satisfiable) {
      header.set(http::field::content_range, m_extra_header);
    }
    if (no_store) {
      header.set(http::field::cache_control, "no-store");
    }
    header.content_length(body.size());
    header.keep_alive(keep_alive);
    m_text = m_head ? std::string() : std::move(body);
    m_remaining = 0;
    send_header();
  }

  // The header goes out through Beast's serializer; the body as raw bytes on the same stream. An
  // empty_body message with an explicit Content-Length serialises to exactly the header.
  void send_header() {
    m_sent = 0;
    m_stream.expires_after(config().io_timeout);
    http::async_write(m_stream, *m_header,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) {
                          self->finish(ec);
                          return;
                        }
                        self->send_body();
                      });
  }

  void send_body() {
    if (!m_text.empty()) {
      m_stream.expires_after(config().io_timeout);
      asio::async_write(m_stream, asio::buffer(m_text),
                        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                          self->m_sent += n;
                          self->finish(ec);
                        });
      return;
    }
    send_file_chunk();
  }

  // Streams [m_offset, m_offset + m_remaining) of m_file through one fixed buffer.
  void send_file_chunk() {
    if (m_remaining == 0) {
      finish({});
      return;
    }
    if (m_chunk.size() != config().file_buffer_bytes) {
      m_chunk.resize(config().file_buffer_bytes);
    }
    const auto want = static_cast<std::size_t>(
        std::min<std::uint64_t>(m_remaining, static_cast<std::uint64_t>(m_chunk.size())));
    ssize_t got = -1;
    do {
      got = ::pread(m_file.get(), m_chunk.data(), want, static_cast<off_t>(m_offset));
    } while (got < 0 && errno == EINTR);
    if (got <= 0) {
      // Shrunk or unreadable mid-transfer: the promised Content-Length cannot be kept, so the only
      // honest answer is to drop the connection (the client sees a short read and retries).
      m_note = got == 0 ? std::string("file shrank during transfer")
                        : fmt::format("read error: {}", base::errno_text(errno));
      finish(asio::error::broken_pipe);
      return;
    }
    const auto n = static_cast<std::size_t>(got);
    m_stream.expires_after(config().io_timeout);
    asio::async_write(m_stream, asio::buffer(m_chunk.data(), n),
                      [self = shared_from_this()](beast::error_code ec, std::size_t written) {
                        self->m_sent += written;
                        if (ec) {
                          self->finish(ec);
                          return;
                        }
                        self->m_offset += written;
                        self->m_remaining -= written;
                        self->send_file_chunk();
                      });
  }

  void finish(beast::error_code ec) {
    const auto status = m_header->result_int();
    std::string line =
        fmt::format("http {} {} {} {} {}", m_client, m_method, m_target, status, m_sent);
    if (ec) {
      line += fmt::format(" (aborted: {})", m_note.empty() ? ec.message() : m_note);
    } else if (!m_note.empty()) {
      line += fmt::format(" ({})", m_note);
    }
    m_server->log(line);
    if (!ec && status == 200 && !m_head && !m_file_url.empty() && config().on_file_sent) {
      try {
        config().on_file_sent(m_file_url, m_client);
      } catch (const std::exception& e) {
        m_server->log(fmt::format("http {}: the file-sent hook failed: {}", m_client, e.what()));
      }
    }
    m_file_url.clear();
    const bool keep_alive = m_header->keep_alive();
    m_note.clear();
    m_extra_header.clear();
    m_text.clear();
    m_file.reset();
    m_header.reset();
    if (ec || !keep_alive || m_server->listener.stopping()) {
      close();
      return;
    }
    read_request();
  }

  std::shared_ptr<Impl> m_server;
  beast::tcp_stream m_stream;
  beast::flat_buffer m_buffer;
  std::string m_client;
  std::optional<http::request_parser<http::string_body>> m_parser;
  std::optional<http::response<http::empty_body>> m_header;
  // Per request: what goes out after the header, and what the log line says.
  std::string m_method;
  std::string m_target;
  std::string m_note;
  std::string m_extra_header;
  std::string m_text;
  bool m_head = false;
  base::UniqueFd m_file;
  std::string m_file_url; // the file table key being sent, for on_file_sent
  std::uint64_t m_offset = 0;
  std::uint64_t m_remaining = 0;
  std::uint64_t m_sent = 0;
  std::vector<char> m_chunk; // the fixed per-connection buffer, allocated on the first file
};

HttpScriptHandler make_standalone_script_handler(BootTokens& tokens, BootScriptConfig script,
                                                 LogSink log) {
  return [&tokens, script = std::move(script), log = std::move(log)](
             const base::MacAddress& mac,
             const std::string& client_ip) -> std::expected<std::string, std::string> {
    auto token = tokens.issue(mac);
    if (!token) {
      return std::unexpected(fmt::format("no boot token for {}: {}", mac.str(), token.error()));
    }
    auto text = make_boot_script(script, mac, *token);
    if (!text) {
      return std::unexpected(fmt::format("no boot script for {}: {}", mac.str(), text.error()));
    }
    log(fmt::format("boot token {}... issued for {} (script requested from {})",
                    token_prefix(*token), mac.str(), client_ip));
    return text;
  };
}

HttpBootServer::HttpBootServer(asio::io_context& io, HttpBootConfig config, LogSink log)
    : m_impl(std::make_shared<Impl>(io, std::move(config), std::move(log))) {}

HttpBootServer::~HttpBootServer() {
  // Sessions keep the Impl alive through their handlers; make sure none keeps a listening socket.
  if (!m_impl->listener.stopping()) {
    stop();
  }
}

std::expected<void, std::string> HttpBootServer::start() {
  const auto port = m_impl->config.port;
  auto started = m_impl->listener.start(
      [weak = m_impl->weak_from_this()](tcp::socket socket, std::size_t open,
                                        bool overloaded) -> std::shared_ptr<HttpConnection> {
        auto impl = weak.lock();
        if (!impl) {
          return nullptr;
        }
        auto session = std::make_shared<Impl::Session>(std::move(impl), std::move(socket));
        session->start(open, overloaded);
        return session;
      });
  if (started) {
    return {};
  }
  const ListenError& e = started.error();
  switch (e.stage) {
  case ListenError::Stage::address:
    return std::unexpected(
        fmt::format("listen address '{}': {}", m_impl->config.listen_address, e.reason));
  case ListenError::Stage::interface:
    // Only the workshop interface: never serve boot files (or tokens) on the server's other
    // networks.
    return std::unexpected(fmt::format("HTTP port {}: cannot bind to interface {}: {}", port,
                                       m_impl->config.interface, e.reason));
  case ListenError::Stage::listen:
    break;
  }
  return std::unexpected(
      fmt::format("HTTP port {}: {}{}", port, e.reason,
                  e.access_denied ? " (run as root or grant CAP_NET_BIND_SERVICE)" : ""));
}

std::uint16_t HttpBootServer::local_port() const {
  return m_impl->listener.local_port();
}

void HttpBootServer::stop() {
  m_impl->listener.stop();
}

} // namespace atelier::pxe
