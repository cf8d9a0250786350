#include "imager/agent/agent_client.h"

#include "imager/image/http_fetch.h"
#include "records/agent_protocol.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct Attempt {
  unsigned status = 0; // 0: no answer
  std::string body;
  std::string failure; // when status == 0
};

Attempt post_once(const HttpUrl& url, const std::string& body, std::chrono::seconds timeout) {
  Attempt attempt;
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(url.host, url.port));
    http::request<http::string_body> request{http::verb::post, url.target, 11};
    request.set(http::field::host, url.host);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::user_agent, "atelier-imager");
    request.body() = body;
    request.prepare_payload();
    stream.expires_after(timeout);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    stream.expires_after(timeout);
    http::read(stream, buffer, response);
    attempt.status = response.result_int();
    attempt.body = std::move(response.body());
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) { // Beast's synchronous calls report failures as exceptions
    attempt.status = 0;
    attempt.failure = e.what();
  }
  return attempt;
}

} // namespace

AgentClient::AgentClient(std::string server, std::string token, AgentClientOptions options,
                         std::function<void(std::string_view)> log, const base::Clock& clock)
    : m_server(std::move(server)), m_token(std::move(token)), m_options(options),
      m_log(std::move(log)), m_clock(clock) {}

std::expected<nlohmann::json, AgentError> AgentClient::post(records::Endpoint endpoint,
                                                            nlohmann::json body) {
  namespace field = records::agent_field;
  const std::string address = m_server + records::agent_api_path(endpoint);
  auto url = parse_http_url(address);
  if (!url) {
    return std::unexpected(AgentError{0, url.error().message});
  }
  body[field::k_token] = m_token;
  const std::string text = body.dump();
  const auto deadline = m_clock.monotonic() + m_options.patience;
  auto pause = m_options.first_pause;
  for (int tries = 1;; ++tries) {
    const Attempt attempt = post_once(*url, text, m_options.timeout);
    if (attempt.status >= 200 && attempt.status < 300) {
      auto answer = nlohmann::json::parse(attempt.body, nullptr, false);
      if (answer.is_discarded()) {
        return std::unexpected(AgentError{attempt.status, address + ": the answer is not JSON"});
      }
      return answer;
    }
    if (attempt.status >= 400 && attempt.status < 500) {
      const auto answer = nlohmann::json::parse(attempt.body, nullptr, false);
      AgentError error{attempt.status, fmt::format("{}: HTTP {}", address, attempt.status)};
      if (answer.is_object()) {
        if (answer.contains(field::k_error) && answer[field::k_error].is_string()) {
          error.message = answer[field::k_error].get<std::string>();
        }
        error.stop = answer.value(field::k_stop, false);
      }
      return std::unexpected(error);
    }
    const std::string why = attempt.status == 0
                                ? attempt.failure
                                : fmt::format("HTTP {}: {}", attempt.status, attempt.body);
    if (m_clock.monotonic() + pause > deadline) {
      return std::unexpected(AgentError{
          attempt.status, fmt::format("{}: no answer after {} tries ({})", address, tries, why)});
    }
    if (m_log) {
      m_log(fmt::format("{}: {}; retrying in {} ms", address, why, pause.count()));
    }
    m_clock.sleep_for(pause);
    pause = std::min(pause * 2, m_options.max_pause);
  }
}

} // namespace atelier::imager
