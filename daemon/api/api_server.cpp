#include "daemon/api/api_server.h"

#include "pxe/http_listener.h"
#include "records/json_fields.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr std::size_t k_max_logged_path = 200;

std::string_view std_view(beast::string_view text) {
  return {text.data(), text.size()};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string error_json(std::string_view code, std::string_view message) {
  // Replacing bytes that are not UTF-8: a message may quote the request.
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::map<std::string, std::string> decode_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const auto eq = pair.find('=');
    out[percent_decode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
  }
  return out;
}

std::expected<std::pair<std::string, std::uint16_t>, std::string>
parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return std::unexpected(fmt::format("\"{}\": expected [IPv6]:PORT", text));
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return std::unexpected(
          fmt::format("\"{}\": expected ADDRESS:PORT, e.g. 127.0.0.1:8090", text));
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return std::unexpected(fmt::format("\"{}\": the port must be a number 0-65535", text));
  }
  boost::system::error_code bad;
  (void)asio::ip::make_address(std::string(host), bad);
  if (bad || host.empty()) {
    return std::unexpected(fmt::format("\"{}\": '{}' is not an IP address", text, host));
  }
  return std::pair{std::string(host), static_cast<std::uint16_t>(port)};
}

struct ApiServer::Impl : std::enable_shared_from_this<ApiServer::Impl> {
  class Session;

  ApiServerConfig config;
  ApiHandler handler;
  LogSink log;
  pxe::HttpListener listener;

  Impl(asio::io_context& io, ApiServerConfig cfg, ApiHandler h, LogSink sink)
      : config(std::move(cfg)), handler(std::move(h)), log(std::move(sink)),
        listener(io, {config.listen_address, config.port, "", config.max_connections, "api"}, log) {
  }
};

// One TCP connection: read a request, answer it, repeat while keep-alive holds.
class ApiServer::Impl::Session : public pxe::HttpConnection,
                                 public std::enable_shared_from_this<Session> {
public:
  Session(std::shared_ptr<Impl> server, tcp::socket socket)
      : m_server(std::move(server)), m_stream(std::move(socket)) {
    boost::system::error_code ec;
    const auto remote = m_stream.socket().remote_endpoint(ec);
    m_client = ec ? std::string("?") : remote.address().to_string();
  }

  void start(bool overloaded) {
    if (overloaded) {
      respond({503, error_json("overloaded", "too many connections, retry later")}, false);
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
  const ApiServerConfig& config() const { return m_server->config; }

  void read_request() {
    m_parser.emplace();
    m_parser->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
    m_parser->body_limit(config().max_body_bytes);
    m_stream.expires_after(config().io_timeout);
    http::async_read(
        m_stream, m_buffer, *m_parser,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      close();
      return;
    }
    m_method = "-";
    m_path = "-";
    if (ec == http::error::header_limit) {
      respond({431, error_json("header_too_large", "request header too large")}, false);
      return;
    }
    if (ec == http::error::body_limit) {
      respond({413, error_json("body_too_large", fmt::format("request body larger than {} bytes",
                                                             config().max_body_bytes))},
              false);
      return;
    }
    if (ec) {
      respond({400, error_json("bad_request", "malformed HTTP request")}, false);
      return;
    }
    handle(m_parser->release());
  }

  void handle(http::request<http::string_body> request) {
    const bool keep_alive = request.keep_alive();
    const std::string_view target = std_view(request.target());
    const auto question = target.find('?');
    ApiRequest api;
    api.method = std::string(std_view(request.method_string()));
    api.path = std::string(target.substr(0, question));
    m_method = api.method;
    m_path = api.path.size() > k_max_logged_path ? api.path.substr(0, k_max_logged_path) + "..."
                                                 : api.path;
    switch (request.method()) {
    case http::verb::get:
    case http::verb::post:
    case http::verb::patch:
    case http::verb::delete_:
      break;
    default: {
      ApiResponse refused{405, error_json("method_not_allowed", "use GET, POST, PATCH or DELETE")};
      refused.headers.emplace_back("Allow", "GET, POST, PATCH, DELETE");
      respond(std::move(refused), keep_alive);
      return;
    }
    }
    if (question != std::string_view::npos) {
      api.query = decode_query(target.substr(question + 1));
    }
    api.authorization = std::string(std_view(request[http::field::authorization]));
    api.content_type = std::string(std_view(request[http::field::content_type]));
    api.body = std::move(request.body());
    api.client = m_client;
    // Nested deeper than any real body: refused before a parser builds it (dump() and comparisons
    // recurse, records/json_fields.h).
    if (records::json_nesting_depth(api.body) > records::k_max_json_depth) {
      respond(
          {400, error_json("bad_request",
                           fmt::format("the body nests arrays and objects deeper than {} levels",
                                       records::k_max_json_depth))},
          keep_alive);
      return;
    }
    respond(call_handler(api), keep_alive);
  }

  // The exception boundary of the coordinator API: nothing a request makes a handler throw ends
  // this thread's io loop. A json exception is a body member of the wrong type that a handler read
  // without checking (the client's mistake: 400, with nlohmann's sentence); anything else is a
  // bug (500). Both are logged.
  ApiResponse call_handler(const ApiRequest& api) {
    try {
      return m_server->handler(api);
    } catch (const nlohmann::json::exception& e) {
      m_server->log(
          fmt::format("api {} {} {}: unreadable body: {}", m_client, m_method, m_path, e.what()));
      const std::string_view what = e.what();
      const auto close = what.find("] ");
      return {400, error_json("bad_request", fmt::format("the body could not be read: {}",
                                                         close == std::string_view::npos
                                                             ? what
                                                             : what.substr(close + 2)))};
    } catch (const std::exception& e) {
      // A bug, not the client's fault: answer 500 and keep serving the others.
      m_server->log(
          fmt::format("api {} {} {}: internal error: {}", m_client, m_method, m_path, e.what()));
    } catch (...) {
      m_server->log(fmt::format("api {} {} {}: internal error (unknown exception)", m_client,
                                m_method, m_path));
    }
    return {500, error_json("internal", "internal error; see the atelierd log")};
  }

  void respond(ApiResponse response, bool keep_alive) {
    auto& message = m_response.emplace(static_cast<http::status>(response.status), 11);
    message.set(http::field::content_type, response.content_type);
    message.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) {
      message.set(name, value);
    }
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive);
    message.prepare_payload();
    m_actor = std::move(response.actor);
    m_stream.expires_after(config().io_timeout);
    http::async_write(
        m_stream, message,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->finish(ec); });
  }

  void finish(beast::error_code ec) {
    m_server->log(fmt::format("api {} {} {} {}{}{}", m_client, m_method, m_path,
                              m_response->result_int(), m_actor.empty() ? "" : " by " + m_actor,
                              ec ? " (aborted: " + ec.message() + ")" : ""));
    const bool keep_alive = m_response->keep_alive();
    m_response.reset();
    m_actor.clear();
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
  std::optional<http::response<http::string_body>> m_response;
  std::string m_method;
  std::string m_path;
  std::string m_actor;
};

ApiServer::ApiServer(asio::io_context& io, ApiServerConfig config, ApiHandler handler, LogSink log)
    : m_impl(std::make_shared<Impl>(io, std::move(config), std::move(handler), std::move(log))) {}

ApiServer::~ApiServer() {
  if (!m_impl->listener.stopping()) {
    stop();
  }
}

std::expected<void, std::string> ApiServer::start() {
  auto started = m_impl->listener.start(
      [weak = m_impl->weak_from_this()](tcp::socket socket, std::size_t /*open*/,
                                        bool overloaded) -> std::shared_ptr<pxe::HttpConnection> {
        auto impl = weak.lock();
        if (!impl) {
          return nullptr;
        }
        auto session = std::make_shared<Impl::Session>(std::move(impl), std::move(socket));
        session->start(overloaded);
        return session;
      });
  if (started) {
    return {};
  }
  const ApiServerConfig& config = m_impl->config;
  if (started.error().stage == pxe::ListenError::Stage::address) {
    return std::unexpected(
        fmt::format("API listen address '{}': {}", config.listen_address, started.error().reason));
  }
  return std::unexpected(
      fmt::format("API on {}:{}: {}", config.listen_address, config.port, started.error().reason));
}

std::uint16_t ApiServer::local_port() const {
  return m_impl->listener.local_port();
}

void ApiServer::stop() {
  m_impl->listener.stop();
}

} // namespace atelier::daemon
