#include "imager/image/http_fetch.h"

#include "base/text.h"
#include "imager/image/image_util.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <limits>
#include <optional>
#include <poll.h>
#include <sys/socket.h>

#include <fmt/format.h>

namespace atelier::imager {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

std::string_view std_view(beast::string_view text) {
  return {text.data(), text.size()};
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::optional<std::uint64_t> total; // "*" when the server does not know
};

// "bytes 100-199/1000"
std::optional<ContentRange> parse_content_range(std::string_view text) {
  if (!text.starts_with("bytes ")) {
    return std::nullopt;
  }
  text.remove_prefix(6);
  const auto dash = text.find('-');
  const auto slash = text.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  const auto first = parse_u64(text.substr(0, dash));
  const auto last = parse_u64(text.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) {
    return std::nullopt;
  }
  ContentRange range{*first, *last, std::nullopt};
  if (text.substr(slash + 1) != "*") {
    range.total = parse_u64(text.substr(slash + 1));
    if (!range.total) {
      return std::nullopt;
    }
  }
  return range;
}

// A failure of one attempt: retried (with a Range from the current offset) or final.
struct AttemptError {
  ImageError error;
  bool retryable = false;
};

std::unexpected<AttemptError> retryable(std::string message,
                                        ImageErrorKind kind = ImageErrorKind::network) {
  return std::unexpected(AttemptError{{kind, std::move(message)}, true});
}
std::unexpected<AttemptError> final_error(ImageErrorKind kind, std::string message) {
  return std::unexpected(AttemptError{{kind, std::move(message)}, false});
}

class HttpSource final : public ByteSource {
public:
  HttpSource(std::string url, HttpUrl parsed, HttpRetryPolicy policy,
             std::function<void(std::string_view)> log, bool checksum_pinned,
             const base::Clock& clock)
      : m_name(std::move(url)), m_url(std::move(parsed)), m_policy(policy), m_log(std::move(log)),
        m_checksum_pinned(checksum_pinned), m_clock(clock) {}

  // The first request, with retries: a server that is still starting gets its chance.
  std::expected<void, ImageError> open() {
    return with_retries([&] { return establish(); });
  }

  std::expected<std::size_t, ImageError> read_some(std::span<std::byte> buffer) override {
    if (buffer.empty() || m_done) {
      return 0;
    }
    std::size_t got = 0;
    auto result = with_retries([&]() -> std::expected<void, AttemptError> {
      if (!m_parser) {
        if (auto ok = establish(); !ok) {
          return ok;
        }
      }
      auto n = read_body(buffer);
      if (!n) {
        return std::unexpected(n.error());
      }
      got = *n;
      return {};
    });
    if (!result) {
      return std::unexpected(std::move(result.error()));
    }
    return got;
  }

  std::optional<std::uint64_t> size() const override { return m_size; }
  const std::string& name() const override { return m_name; }

private:
  // Runs one asynchronous operation to completion on the private io_context. The stream's expiry
  // (expires_after) turns a stalled operation into beast::error::timeout.
  template <typename Start>
  beast::error_code run(Start&& start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    m_io.restart();
    m_io.run();
    return result;
  }

  template <typename Attempt>
  std::expected<void, ImageError> with_retries(Attempt&& attempt) {
    auto backoff = m_policy.first_backoff;
    int failures = 0;
    while (true) {
      const std::uint64_t before = m_offset;
      auto result = attempt();
      if (result) {
        return {};
      }
      drop_connection();
      if (!result.error().retryable) {
        return std::unexpected(std::move(result.error().error));
      }
      failures = m_offset > before ? 1 : failures + 1;
      ++m_resumes;
      const auto& reason = result.error().error.message;
      if (failures >= m_policy.max_attempts || m_resumes > m_policy.max_resumes) {
        return image_error(result.error().error.kind,
                           "{}: giving up at byte {} after {} attempts ({} resumptions in all): {}",
                           m_name, m_offset, failures, m_resumes - 1, reason);
      }
      if (m_offset > 0 && !can_resume()) {
        return image_error(ImageErrorKind::network,
                           "{}: the transfer broke at byte {} ({}) and cannot be resumed safely: "
                           "the server gives no ETag or Last-Modified and no sha256 is pinned",
                           m_name, m_offset, reason);
      }
      if (m_log) {
        m_log(fmt::format("{}: {}; retrying from byte {} in {} ms (attempt {} of {})", m_name,
                          reason, m_offset, backoff.count(), failures + 1, m_policy.max_attempts));
      }
      m_clock.sleep_for(backoff);
      backoff = std::min(backoff * 2, m_policy.max_backoff);
    }
  }

  bool can_resume() const {
    return !m_etag.empty() || !m_last_modified.empty() || m_checksum_pinned;
  }

  void drop_connection() {
    m_parser.reset();
    m_body_left.reset();
    m_buffer.clear();
    if (m_stream) {
      beast::error_code ec;
      m_stream->socket().shutdown(tcp::socket::shutdown_both, ec);
      m_stream->close();
      m_stream.reset();
    }
  }

  std::string where() const {
    return fmt::format("http://{}:{}{}", m_url.host, m_url.port, m_url.target);
  }

  // Connects, sends the GET (with Range/If-Range when resuming) and reads the response header.
  std::expected<void, AttemptError> establish() {
    for (int redirects = 0;; ++redirects) {
      auto status = request_once();
      if (!status) {
        return std::unexpected(status.error());
      }
      if (*status != k_redirect) {
        return {};
      }
      if (redirects >= m_policy.max_redirects) {
        return final_error(
            ImageErrorKind::http_status,
            fmt::format("{}: more than {} redirects", m_name, m_policy.max_redirects));
      }
    }
  }

  static constexpr int k_redirect = 1;
  static constexpr std::size_t k_read_bytes = 256U << 10;

  std::expected<int, AttemptError> request_once() {
    drop_connection();
    tcp::resolver resolver(m_io);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(m_url.host, m_url.port, ec);
    if (ec) {
      return retryable(fmt::format("cannot resolve {}: {}", m_url.host, ec.message()));
    }
    m_stream.emplace(m_io);
    m_stream->expires_after(m_policy.connect_timeout);
    ec = run([&](auto handler) { m_stream->async_connect(endpoints, std::move(handler)); });
    if (ec) {
      return retryable(fmt::format("cannot connect to {}:{}: {}", m_url.host, m_url.port,
                                   ec == beast::error::timeout ? "timed out" : ec.message()));
    }

    http::request<http::empty_body> request(http::verb::get, m_url.target, 11);
    request.set(http::field::host, m_url.port == "80" ? m_url.host : m_url.host + ":" + m_url.port);
    request.set(http::field::user_agent, "atelier-imager");
    request.set(http::field::accept_encoding, "identity");
    request.keep_alive(false);
    if (m_offset > 0) {
      request.set(http::field::range, fmt::format("bytes={}-", m_offset));
      if (!m_etag.empty()) {
        request.set(http::field::if_range, m_etag);
      } else if (!m_last_modified.empty()) {
        request.set(http::field::if_range, m_last_modified);
      }
    }
    m_stream->expires_after(m_policy.io_timeout);
    ec = run([&](auto handler) { http::async_write(*m_stream, request, std::move(handler)); });
    if (ec) {
      return retryable(fmt::format("sending the request failed: {}", ec.message()));
    }
    m_parser.emplace();
    // Not boost::none: Boost 1.74 compares Content-Length against the optional itself, and none
    // is less than every length, so "no limit" refuses every body.
    m_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    m_stream->expires_after(m_policy.io_timeout);
    ec = run([&](auto handler) {
      http::async_read_header(*m_stream, m_buffer, *m_parser, std::move(handler));
    });
    if (ec) {
      return retryable(fmt::format("no response header: {}",
                                   ec == beast::error::timeout ? "timed out" : ec.message()));
    }
    auto status = check_response();
    m_body_left.reset();
    if (status && *status != k_redirect && !m_parser->chunked()) {
      if (const auto length = m_parser->content_length()) {
        m_body_left = *length;
      }
    }
    return status;
  }

  std::expected<int, AttemptError> check_response() {
    const auto& response = m_parser->get();
    const unsigned status = response.result_int();
    const std::string url = where();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      return follow_redirect(std_view(response[http::field::location]));
    }
    if (status == 404 || status == 410) {
      return final_error(ImageErrorKind::not_found,
                         fmt::format("{}: the server answered {} (no such image)", url, status));
    }
    if (status >= 500 || status == 408 || status == 429) {
      return retryable(fmt::format("the server answered {}", status), ImageErrorKind::http_status);
    }
    if (const auto encoding = std_view(response[http::field::content_encoding]);
        !encoding.empty() && !iequals(encoding, "identity")) {
      return final_error(ImageErrorKind::unsupported,
                         fmt::format("{}: the server sent Content-Encoding '{}' although only "
                                     "identity was accepted",
                                     url, encoding));
    }
    if (m_offset == 0 && status == 200) {
      return accept_first(response);
    }
    if (m_offset > 0 && status == 206) {
      return accept_resumed(response);
    }
    if (m_offset > 0 && status == 200) {
      const bool validated = !m_etag.empty() || !m_last_modified.empty();
      return final_error(
          ImageErrorKind::source_changed,
          validated
              ? fmt::format("{}: the file changed on the server after {} bytes were read (If-Range "
                            "{} no longer matches): not splicing two versions",
                            url, m_offset, !m_etag.empty() ? m_etag : m_last_modified)
              : fmt::format("{}: asked to resume at byte {}, the server sent the whole file "
                            "again (it does not honour Range)",
                            url, m_offset));
    }
    if (status == 416) {
      return final_error(ImageErrorKind::source_changed,
                         fmt::format("{}: the server cannot send bytes from {} on (416): the file "
                                     "shrank since the transfer began",
                                     url, m_offset));
    }
    return final_error(
        ImageErrorKind::http_status,
        fmt::format("{}: the server answered {} {}", url, status, std_view(response.reason())));
  }

  template <typename Response>
  std::expected<int, AttemptError> accept_first(const Response& response) {
    m_size.reset();
    if (const auto length = m_parser->content_length()) {
      m_size = *length;
    }
    const auto etag = std_view(response[http::field::etag]);
    m_etag = etag.starts_with("\"") ? std::string(etag) : std::string(); // strong ETags only
    m_last_modified = std::string(std_view(response[http::field::last_modified]));
    return 0;
  }

  template <typename Response>
  std::expected<int, AttemptError> accept_resumed(const Response& response) {
    const auto range = parse_content_range(std_view(response[http::field::content_range]));
    const std::string url = where();
    if (!range || range->first != m_offset) {
      return final_error(ImageErrorKind::http_status,
                         fmt::format("{}: resumed at byte {}, the server sent Content-Range '{}'",
                                     url, m_offset,
                                     std_view(response[http::field::content_range])));
    }
    if (m_size && range->total && *range->total != *m_size) {
      return final_error(ImageErrorKind::source_changed,
                         fmt::format("{}: the file was {} bytes, it is now {}: not splicing two "
                                     "versions",
                                     url, *m_size, *range->total));
    }
    if (const auto etag = std_view(response[http::field::etag]);
        !m_etag.empty() && !etag.empty() && etag != m_etag) {
      return final_error(ImageErrorKind::source_changed,
                         fmt::format("{}: the ETag changed from {} to {}: not splicing two "
                                     "versions",
                                     url, m_etag, etag));
    }
    if (!m_size && range->total) {
      m_size = range->total;
    }
    if (m_log) {
      m_log(fmt::format("{}: resumed at byte {}", m_name, m_offset));
    }
    return 0;
  }

  std::expected<int, AttemptError> follow_redirect(std::string_view location) {
    const std::string url = where();
    if (location.empty()) {
      return final_error(ImageErrorKind::http_status,
                         fmt::format("{}: a redirect without a Location", url));
    }
    if (location.starts_with("/")) {
      m_url.target = std::string(location);
      return k_redirect;
    }
    auto next = parse_http_url(location);
    if (!next) {
      return final_error(
          ImageErrorKind::http_status,
          fmt::format("{}: redirected to '{}', which is not a plain http URL", url, location));
    }
    if (!iequals(next->host, m_url.host)) {
      return final_error(ImageErrorKind::http_status,
                         fmt::format("{}: redirected to another host ({}): refused, images come "
                                     "from the server named in the profile",
                                     url, location));
    }
    m_url = std::move(*next);
    return k_redirect;
  }

  std::expected<std::size_t, AttemptError> read_body(std::span<std::byte> buffer) {
    if (m_body_left) {
      return read_direct(buffer);
    }
    auto& body = m_parser->get().body();
    // One composed read fills up to k_read_bytes (or ends with the message): one timer and one
    // event-loop round per 256 KiB instead of per socket read. Its deadline is io_timeout, so a
    // link slower than 256 KiB per io_timeout (8.7 KB/s at 30 s) counts as stalled.
    const std::size_t want = std::min(buffer.size(), k_read_bytes);
    while (!m_parser->is_done()) {
      body.data = buffer.data();
      body.size = want;
      m_stream->expires_after(m_policy.io_timeout);
      auto ec = run([&](auto handler) {
        http::async_read(*m_stream, m_buffer, *m_parser, std::move(handler));
      });
      if (ec == http::error::need_buffer) {
        ec = {};
      }
      const std::size_t n = want - body.size;
      m_offset += n;
      if (n > 0) {
        return n; // a transfer error after these bytes shows up on the next call
      }
      if (ec) {
        return retryable(fmt::format("the connection broke at byte {}: {}", m_offset,
                                     ec == beast::error::timeout ? "no data within the I/O timeout"
                                                                 : ec.message()));
      }
    }
    m_done = true;
    drop_connection();
    if (m_size && m_offset != *m_size) {
      return final_error(
          ImageErrorKind::truncated,
          fmt::format("{}: the transfer ended at byte {} of {}", m_name, m_offset, *m_size));
    }
    return 0;
  }

  // A body of known length (what atelierd always sends) is read straight from the socket into
  // the caller's buffer: no parser copy, no event-loop round and timer per read. Beast's parser
  // handles the header and chunked bodies only. Each wait for data is bounded by io_timeout.
  std::expected<std::size_t, AttemptError> read_direct(std::span<std::byte> buffer) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), *m_body_left));
    std::size_t n = 0;
    if (m_buffer.size() > 0) {
      // Body bytes that arrived with the header.
      n = asio::buffer_copy(asio::buffer(buffer.data(), want), m_buffer.data());
      m_buffer.consume(n);
    } else {
      const int fd = m_stream->socket().native_handle();
      while (n == 0 && want > 0) {
        const ssize_t got = ::recv(fd, buffer.data(), want, MSG_DONTWAIT);
        if (got > 0) {
          n = static_cast<std::size_t>(got);
          break;
        }
        if (got == 0) {
          return retryable(fmt::format("the server closed the connection at byte {}", m_offset));
        }
        if (errno == EINTR) {
          continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          return retryable(fmt::format("the connection broke at byte {}: {}", m_offset,
                                       base::errno_text(errno)));
        }
        pollfd ready{fd, POLLIN, 0};
        const int r = ::poll(&ready, 1, static_cast<int>(m_policy.io_timeout.count()));
        if (r == 0) {
          return retryable(fmt::format("the connection broke at byte {}: no data within the I/O "
                                       "timeout",
                                       m_offset));
        }
        if (r < 0 && errno != EINTR) {
          return retryable(fmt::format("waiting for data failed at byte {}: {}", m_offset,
                                       base::errno_text(errno)));
        }
      }
    }
    m_offset += n;
    *m_body_left -= n;
    if (*m_body_left == 0) {
      m_done = true; // the next read_some returns the end
      drop_connection();
      if (m_size && m_offset != *m_size) {
        return final_error(
            ImageErrorKind::truncated,
            fmt::format("{}: the transfer ended at byte {} of {}", m_name, m_offset, *m_size));
      }
    }
    return n;
  }

  asio::io_context m_io;
  std::optional<beast::tcp_stream> m_stream;
  beast::flat_buffer m_buffer;
  std::optional<http::response_parser<http::buffer_body>> m_parser;
  std::string m_name;
  HttpUrl m_url;
  HttpRetryPolicy m_policy;
  std::function<void(std::string_view)> m_log;
  bool m_checksum_pinned = false;
  const base::Clock& m_clock;
  std::optional<std::uint64_t> m_size;
  std::string m_etag;
  std::string m_last_modified;
  std::uint64_t m_offset = 0;
  int m_resumes = 0;
  bool m_done = false;
  std::optional<std::uint64_t> m_body_left; // identity body of known length: read directly
};

} // namespace

std::expected<HttpUrl, ImageError> parse_http_url(std::string_view url) {
  const auto bad = [&](std::string_view why) {
    return image_error(ImageErrorKind::invalid_argument, "{}: not a valid http URL: {}", url, why);
  };
  constexpr std::string_view k_scheme = "http://";
  if (url.size() < k_scheme.size() || !iequals(url.substr(0, k_scheme.size()), k_scheme)) {
    return bad("it must start with http://");
  }
  std::string_view rest = url.substr(k_scheme.size());
  const auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? "/" : rest.substr(path_start);
  if (target.find('#') != std::string_view::npos) {
    target = target.substr(0, target.find('#'));
  }
  if (authority.find('@') != std::string_view::npos) {
    return bad("user information is not supported");
  }
  HttpUrl out;
  out.port = "80";
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("unterminated [IPv6] address");
    }
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !authority.starts_with(':')) {
      return bad("garbage after the [IPv6] address");
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    authority = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (authority.starts_with(':')) {
    const auto port = parse_u64(authority.substr(1));
    if (!port || *port == 0 || *port > 65535) {
      return bad("the port is not a number from 1 to 65535");
    }
    out.port = std::to_string(*port);
  }
  if (out.host.empty()) {
    return bad("no host");
  }
  out.target = target.empty() ? std::string("/") : std::string(target);
  if (out.target.starts_with('?')) {
    out.target.insert(0, "/");
  }
  for (const char c : out.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("the path contains spaces or control characters (percent-encode them)");
    }
  }
  return out;
}

std::expected<std::unique_ptr<ByteSource>, ImageError>
open_http_source(std::string_view url, const HttpRetryPolicy& policy,
                 std::function<void(std::string_view)> log, bool checksum_pinned,
                 const base::Clock& clock) {
  auto parsed = parse_http_url(url);
  if (!parsed) {
    return std::unexpected(std::move(parsed.error()));
  }
  auto source = std::make_unique<HttpSource>(std::string(url), std::move(*parsed), policy,
                                             std::move(log), checksum_pinned, clock);
  if (auto opened = source->open(); !opened) {
    return std::unexpected(std::move(opened.error()));
  }
  return source;
}

} // namespace atelier::imager
