#include "imager/agent/agent_client.h"

#include "imager/image/http_fetch.h"
#include "records/agent_protocol.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
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

// One POST with a deadline on each stage (resolve and connect, send, receive). Asynchronous on a
// private io_context because beast::tcp_stream enforces expires_after only on asynchronous
// operations: its synchronous read waited for ever for an answer that never came, which once held
// the agent's progress post, and the wipe behind it, for good (progress_poster.h).
Attempt post_once(const HttpUrl& url, const std::string& body, std::chrono::seconds timeout) {
  Attempt attempt;
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "atelier-imager");
  request.body() = body;
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  const auto fail = [&](const char* stage, const beast::error_code& ec) {
    attempt.status = 0;
    attempt.failure = fmt::format("{}: {}", stage,
                                  ec == beast::error::timeout
                                      ? fmt::format("no answer within {} s", timeout.count())
                                      : ec.message());
  };
  resolver.async_resolve(
      url.host, url.port,
      [&](beast::error_code resolved, const tcp::resolver::results_type& found) {
        if (resolved) {
          return fail("resolve", resolved);
        }
        stream.expires_after(timeout);
        stream.async_connect(found, [&](beast::error_code connected, const tcp::endpoint&) {
          if (connected) {
            return fail("connect", connected);
          }
          stream.expires_after(timeout);
          http::async_write(stream, request, [&](beast::error_code sent, std::size_t) {
            if (sent) {
              return fail("send", sent);
            }
            stream.expires_after(timeout);
            http::async_read(stream, buffer, response,
                             [&](beast::error_code received, std::size_t) {
                               if (received) {
                                 return fail("receive", received);
                               }
                               attempt.status = response.result_int();
                               attempt.body = std::move(response.body());
                               beast::error_code ignored;
                               stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                             });
          });
        });
      });
  // Every stage above has its deadline; this one only guards against a resolver that never ends.
  io.run_for(4 * timeout + std::chrono::seconds(1));
  if (attempt.status == 0 && attempt.failure.empty()) {
    attempt.failure = fmt::format("no answer within {} s", (4 * timeout).count());
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
