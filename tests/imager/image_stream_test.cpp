// ImageStream: local files, sha256 while streaming, and HTTP on loopback — against a scripted
// Beast server that drops connections, changes the file, redirects and fails on purpose, and
// against atelierd's own HTTP server behind a proxy that cuts the first connection.
#include "image_test_support.h"
#include "imager/image/http_fetch.h"
#include "imager/image/image_source.h"
#include "profiles/profile.h"
#include "pxe/http_server.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

// Reads a whole stream; the error of the first failing read, if any.
std::expected<std::string, ImageError> read_all(ImageStream& stream, std::size_t chunk = 65536) {
  std::string out;
  std::vector<std::byte> buffer(chunk);
  while (true) {
    auto got = stream.read(buffer);
    if (!got) {
      return std::unexpected(got.error());
    }
    if (*got == 0) {
      return out;
    }
    out.append(reinterpret_cast<const char*>(buffer.data()), *got);
  }
}

HttpRetryPolicy fast_policy() {
  HttpRetryPolicy policy;
  policy.first_backoff = std::chrono::milliseconds(5);
  policy.max_backoff = std::chrono::milliseconds(20);
  policy.io_timeout = std::chrono::milliseconds(2000);
  policy.connect_timeout = std::chrono::milliseconds(2000);
  return policy;
}

// What the scripted server sends for one request.
struct Reply {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t content_length = 0;       // announced; usually body.size()
  std::optional<std::size_t> cut_after; // close the connection after this many body bytes
  bool never_answer = false;            // hold the connection without a byte (timeouts)
};

Reply plain(unsigned status, std::string body,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  Reply reply;
  reply.status = status;
  reply.headers = std::move(headers);
  reply.content_length = body.size();
  reply.body = std::move(body);
  return reply;
}

struct SeenRequest {
  std::string target;
  std::string range;
  std::string if_range;
};

// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 whose every answer the test scripts.
class ScriptedServer {
public:
  using Handler = std::function<Reply(const SeenRequest&, int index)>;

  explicit ScriptedServer(Handler handler)
      : m_handler(std::move(handler)), m_acceptor(m_io, tcp::endpoint(tcp::v4(), 0)) {
    m_port = m_acceptor.local_endpoint().port();
    m_thread = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    m_stop = true;
    boost::system::error_code ec;
    tcp::socket poke(m_io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_port), ec);
    m_thread.join();
  }
  std::string url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", m_port, path);
  }
  std::vector<SeenRequest> seen() {
    std::lock_guard lock(m_mutex);
    return m_seen;
  }

private:
  void serve() {
    for (int index = 0; !m_stop; ++index) {
      tcp::socket socket(m_io);
      boost::system::error_code ec;
      m_acceptor.accept(socket, ec);
      if (ec || m_stop) {
        return;
      }
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) {
        continue;
      }
      SeenRequest seen{std::string(request.target()), std::string(request[http::field::range]),
                       std::string(request[http::field::if_range])};
      {
        std::lock_guard lock(m_mutex);
        m_seen.push_back(seen);
      }
      Reply reply = m_handler(seen, index);
      if (reply.never_answer) {
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        continue;
      }
      std::string head = fmt::format("HTTP/1.1 {} X\r\nContent-Length: {}\r\n", reply.status,
                                     reply.content_length);
      for (const auto& [name, value] : reply.headers) {
        head += name + ": " + value + "\r\n";
      }
      head += "Connection: close\r\n\r\n";
      const std::size_t body = std::min(reply.body.size(), reply.cut_after.value_or(SIZE_MAX));
      asio::write(socket, asio::buffer(head), ec);
      asio::write(socket, asio::buffer(reply.body.data(), body), ec);
      socket.close(ec);
    }
  }

  Handler m_handler;
  asio::io_context m_io;
  tcp::acceptor m_acceptor;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<SeenRequest> m_seen;
  std::thread m_thread;
};

// A file served with ranges and validators, the way a correct server does.
Reply serve_file(const SeenRequest& request, const std::string& content, const std::string& etag,
                 const std::string& last_modified = {}) {
  Reply reply;
  if (!etag.empty()) {
    reply.headers.emplace_back("ETag", etag);
  }
  if (!last_modified.empty()) {
    reply.headers.emplace_back("Last-Modified", last_modified);
  }
  const bool validator_ok = request.if_range.empty() || request.if_range == etag ||
                            (!last_modified.empty() && request.if_range == last_modified);
  if (!request.range.empty() && validator_ok) {
    const std::size_t first = std::stoull(request.range.substr(6)); // "bytes=N-"
    reply.status = 206;
    reply.headers.emplace_back(
        "Content-Range", fmt::format("bytes {}-{}/{}", first, content.size() - 1, content.size()));
    reply.body = content.substr(first);
  } else {
    reply.body = content;
  }
  reply.content_length = reply.body.size();
  return reply;
}

std::expected<std::unique_ptr<ImageStream>, ImageError>
open_url(const std::string& url, std::optional<std::string> sha256 = {},
         HttpRetryPolicy policy = fast_policy()) {
  ImageStreamOptions options;
  options.expected_sha256 = std::move(sha256);
  options.http = policy;
  return open_image(url, options);
}

class ImageStreamFileTest : public ::testing::Test {
protected:
  testing::TempDir m_dir;
};

// The sha256 is computed as the bytes go by; the end is reported only once it matched.
TEST_F(ImageStreamFileTest, LocalFileIsHashedWhileStreaming) {
  const auto content = testing::pattern_bytes(3'000'000);
  testing::write_bytes(m_dir / "image.tar", content);
  auto stream = open_image((m_dir / "image.tar").string(), {});
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  EXPECT_EQ((*stream)->total_size(), content.size());
  auto got = read_all(**stream, 1000);
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(*got == content);
  EXPECT_TRUE((*stream)->at_end());
  EXPECT_EQ((*stream)->sha256_hex(), testing::sha256_of(content));
}

// A mismatch is its own error kind, names the file and both digests; the stream stays failed.
TEST_F(ImageStreamFileTest, ChecksumMismatchIsDistinct) {
  const auto content = testing::pattern_bytes(100'000);
  testing::write_bytes(m_dir / "image.tar", content);
  ImageStreamOptions options;
  options.expected_sha256 = std::string(64, 'F'); // upper case is accepted, compared lower
  auto stream = open_image((m_dir / "image.tar").string(), options);
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ImageErrorKind::checksum_mismatch);
  EXPECT_NE(got.error().message.find("image.tar"), std::string::npos);
  EXPECT_NE(got.error().message.find(std::string(64, 'f')), std::string::npos);
  EXPECT_NE(got.error().message.find(testing::sha256_of(content)), std::string::npos);
  std::vector<std::byte> buffer(10);
  EXPECT_FALSE((*stream)->read(buffer).has_value());
}

// Bad input is refused at open with a sentence naming it.
TEST_F(ImageStreamFileTest, BadSourcesFailAtOpen) {
  auto missing = open_image((m_dir / "nope.tar.zst").string(), {});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ImageErrorKind::not_found);
  EXPECT_NE(missing.error().message.find("nope.tar.zst"), std::string::npos);

  ImageStreamOptions bad_sha;
  bad_sha.expected_sha256 = "abc";
  testing::write_bytes(m_dir / "x", "x");
  auto malformed = open_image((m_dir / "x").string(), bad_sha);
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().kind, ImageErrorKind::invalid_argument);

  auto https = open_image("https://example.org/image.tar.zst", {});
  ASSERT_FALSE(https.has_value());
  EXPECT_EQ(https.error().kind, ImageErrorKind::unsupported);

  auto directory = open_image(m_dir.path().string(), {});
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().kind, ImageErrorKind::invalid_argument);
}

// The profile's image section opens the same way, its sha256 pinned.
TEST_F(ImageStreamFileTest, ProfileImageCarriesItsChecksum) {
  const auto content = testing::pattern_bytes(1000);
  testing::write_bytes(m_dir / "image.tar", content);
  profiles::Image image;
  image.source = "image.tar";
  image.path = m_dir / "image.tar";
  image.sha256 = std::string(64, '0');
  auto stream = open_image(image, {});
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  EXPECT_EQ((*stream)->expected_sha256(), std::string(64, '0'));
  EXPECT_EQ(read_all(**stream).error().kind, ImageErrorKind::checksum_mismatch);
}

TEST(HttpUrl, ParsesHostPortAndTarget) {
  auto url = parse_http_url("http://198.18.0.1:8080/images/debian.tar.zst?v=2");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "198.18.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->target, "/images/debian.tar.zst?v=2");
  url = parse_http_url("HTTP://[fd00::1]/x");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "fd00::1");
  EXPECT_EQ(url->port, "80");
  url = parse_http_url("http://server");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->target, "/");
  for (const char* bad : {"http://", "http://user@host/x", "http://host:0/", "http://host:99999/",
                          "http://host/a b", "ftp://host/x", "http://[::1/x"}) {
    EXPECT_FALSE(parse_http_url(bad).has_value()) << bad;
  }
}

// The plain case: one 200, the bytes and their sha256.
TEST(ImageStreamHttp, DownloadsAndHashes) {
  const auto content = testing::pattern_bytes(2'000'000);
  ScriptedServer server(
      [&](const SeenRequest& r, int) { return serve_file(r, content, "\"v1\""); });
  auto stream = open_url(server.url("/image.tar.zst"), testing::sha256_of(content));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  EXPECT_EQ((*stream)->total_size(), content.size());
  auto got = read_all(**stream);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == content);
}

// Two dropped connections: the transfer resumes with Range from where it stopped, with If-Range
// naming the version it started with, and the result is the whole file.
TEST(ImageStreamHttp, DroppedConnectionResumesWithRange) {
  const auto content = testing::pattern_bytes(3'000'000);
  ScriptedServer server([&](const SeenRequest& r, int index) {
    Reply reply = serve_file(r, content, "\"v1\"");
    if (index < 2) {
      reply.cut_after = 700'000;
    }
    return reply;
  });
  auto stream = open_url(server.url("/image.tar.zst"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == content);
  EXPECT_EQ((*stream)->sha256_hex(), testing::sha256_of(content));
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].range, "");
  EXPECT_EQ(seen[1].range, "bytes=700000-");
  EXPECT_EQ(seen[1].if_range, "\"v1\"");
  EXPECT_EQ(seen[2].range, "bytes=1400000-");
}

// Without an ETag, Last-Modified is the validator.
TEST(ImageStreamHttp, LastModifiedServesAsTheValidator) {
  const auto content = testing::pattern_bytes(1'000'000);
  const std::string date = "Tue, 14 Nov 2023 22:13:20 GMT";
  ScriptedServer server([&](const SeenRequest& r, int index) {
    Reply reply = serve_file(r, content, "", date);
    if (index == 0) {
      reply.cut_after = 100'000;
    }
    return reply;
  });
  auto stream = open_url(server.url("/i"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == content);
  EXPECT_EQ(server.seen()[1].if_range, date);
}

// The file is replaced on the server between two attempts: the server answers 200 with the new
// file, and the stream refuses to splice the two versions.
TEST(ImageStreamHttp, FileChangedBetweenAttemptsIsNotSpliced) {
  const auto old_content = testing::pattern_bytes(1'000'000, 1);
  const auto new_content = testing::pattern_bytes(1'000'000, 2);
  ScriptedServer server([&](const SeenRequest& r, int index) {
    if (index == 0) {
      Reply reply = serve_file(r, old_content, "\"v1\"");
      reply.cut_after = 300'000;
      return reply;
    }
    return serve_file(r, new_content, "\"v2\"");
  });
  auto stream = open_url(server.url("/i"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ImageErrorKind::source_changed) << got.error().message;
  EXPECT_NE(got.error().message.find("not splicing"), std::string::npos);
}

// A server without validators whose file changed size is caught by Content-Range's total.
TEST(ImageStreamHttp, SizeChangeWithoutValidatorsIsCaught) {
  const auto content = testing::pattern_bytes(1'000'000, 1);
  const auto longer = content + "more";
  ScriptedServer server([&](const SeenRequest& r, int index) {
    Reply reply = serve_file(r, index == 0 ? content : longer, "");
    reply.cut_after = index == 0 ? std::optional<std::size_t>(300'000) : std::nullopt;
    return reply;
  });
  auto stream = open_url(server.url("/i"), testing::sha256_of(content));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ImageErrorKind::source_changed) << got.error().message;
}

// No validator and no pinned sha256: nothing could detect a splice, so no resume.
TEST(ImageStreamHttp, NoValidatorAndNoChecksumMeansNoResume) {
  const auto content = testing::pattern_bytes(1'000'000);
  ScriptedServer server([&](const SeenRequest& r, int) {
    Reply reply = serve_file(r, content, "");
    reply.cut_after = 300'000;
    return reply;
  });
  auto stream = open_url(server.url("/i"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ImageErrorKind::network);
  EXPECT_NE(got.error().message.find("cannot be resumed safely"), std::string::npos);
  EXPECT_EQ(server.seen().size(), 1u);
}

// A server that drops every connection gives up after the bounded attempts, naming the URL.
TEST(ImageStreamHttp, RetriesAreBounded) {
  const auto content = testing::pattern_bytes(100'000);
  ScriptedServer server([&](const SeenRequest& r, int) {
    Reply reply = serve_file(r, content, "\"v1\"");
    reply.cut_after = 0;
    return reply;
  });
  auto policy = fast_policy();
  policy.max_attempts = 3;
  auto stream = open_url(server.url("/i"), {}, policy);
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ImageErrorKind::network);
  EXPECT_NE(got.error().message.find(server.url("/i")), std::string::npos);
  EXPECT_EQ(server.seen().size(), 3u);
}

// 404 fails at open; a 503 (atelierd over its connection cap) is retried.
TEST(ImageStreamHttp, NotFoundFailsAndUnavailableIsRetried) {
  ScriptedServer missing([](const SeenRequest&, int) { return plain(404, "no\n"); });
  auto stream = open_url(missing.url("/missing.tar.zst"));
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind, ImageErrorKind::not_found);
  EXPECT_NE(stream.error().message.find("/missing.tar.zst"), std::string::npos);

  const auto content = testing::pattern_bytes(10'000);
  ScriptedServer busy([&](const SeenRequest& r, int index) {
    return index < 2 ? plain(503, "busy\n") : serve_file(r, content, "\"v\"");
  });
  stream = open_url(busy.url("/i"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  EXPECT_TRUE(read_all(**stream).value() == content);

  ScriptedServer broken([](const SeenRequest&, int) { return plain(500, "x"); });
  auto policy = fast_policy();
  policy.max_attempts = 2;
  stream = open_url(broken.url("/i"), {}, policy);
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind, ImageErrorKind::http_status);
  EXPECT_NE(stream.error().message.find("500"), std::string::npos);
}

// Redirects are followed on the same host only.
TEST(ImageStreamHttp, RedirectsStayOnTheSameHost) {
  const auto content = testing::pattern_bytes(10'000);
  ScriptedServer server([&](const SeenRequest& r, int) {
    if (r.target == "/old") {
      return plain(301, "", {{"Location", "/new"}});
    }
    if (r.target == "/away") {
      return plain(302, "", {{"Location", "http://198.18.0.77/new"}});
    }
    if (r.target == "/loop") {
      return plain(302, "", {{"Location", "/loop"}});
    }
    return serve_file(r, content, "\"v\"");
  });
  auto stream = open_url(server.url("/old"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  EXPECT_TRUE(read_all(**stream).value() == content);
  stream = open_url(server.url("/away"));
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind, ImageErrorKind::http_status);
  EXPECT_NE(stream.error().message.find("another host"), std::string::npos);
  stream = open_url(server.url("/loop"));
  ASSERT_FALSE(stream.has_value());
  EXPECT_NE(stream.error().message.find("redirects"), std::string::npos);
}

// A server that accepts and never answers is a timeout, not a hang.
TEST(ImageStreamHttp, SilentServerTimesOut) {
  ScriptedServer server([](const SeenRequest&, int) {
    Reply reply;
    reply.never_answer = true;
    return reply;
  });
  auto policy = fast_policy();
  policy.io_timeout = std::chrono::milliseconds(200);
  policy.max_attempts = 2;
  auto stream = open_url(server.url("/i"), {}, policy);
  ASSERT_FALSE(stream.has_value());
  EXPECT_EQ(stream.error().kind, ImageErrorKind::network);
  EXPECT_NE(stream.error().message.find("timed out"), std::string::npos) << stream.error().message;
}

// A TCP proxy in front of a real server that cuts the first connection after `cut` bytes of the
// response, and calls `on_cut` (e.g. to replace the file) before closing.
class CuttingProxy {
public:
  CuttingProxy(std::uint16_t upstream, std::size_t cut, std::function<void()> on_cut = {})
      : m_upstream(upstream), m_cut(cut), m_on_cut(std::move(on_cut)),
        m_acceptor(m_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    m_port = m_acceptor.local_endpoint().port();
    m_thread = std::thread([this] { serve(); });
  }
  ~CuttingProxy() {
    m_stop = true;
    boost::system::error_code ec;
    tcp::socket poke(m_io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_port), ec);
    m_thread.join();
  }
  std::string url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", m_port, path);
  }
  int connections() const { return m_connections; }

private:
  void serve() {
    while (!m_stop) {
      tcp::socket client(m_io);
      boost::system::error_code ec;
      m_acceptor.accept(client, ec);
      if (ec || m_stop) {
        return;
      }
      const bool cut = m_connections++ == 0;
      tcp::socket upstream(m_io);
      upstream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_upstream), ec);
      asio::streambuf request;
      asio::read_until(client, request, "\r\n\r\n", ec);
      asio::write(upstream, request.data(), ec);
      std::vector<char> buffer(16384);
      std::size_t forwarded = 0;
      while (!ec) {
        const auto n = upstream.read_some(asio::buffer(buffer), ec);
        if (ec) {
          break; // the server closed (Connection: close) or failed
        }
        std::size_t send = n;
        if (cut && forwarded + n >= m_cut) {
          send = m_cut - forwarded;
        }
        asio::write(client, asio::buffer(buffer.data(), send), ec);
        forwarded += send;
        if (cut && forwarded >= m_cut) {
          if (m_on_cut) {
            m_on_cut();
          }
          break;
        }
      }
      client.close(ec);
      upstream.close(ec);
    }
  }

  std::uint16_t m_upstream;
  std::size_t m_cut;
  std::function<void()> m_on_cut;
  asio::io_context m_io;
  tcp::acceptor m_acceptor;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_connections{0};
  std::thread m_thread;
};

// atelierd's HTTP server (pxe::HttpBootServer) serving an image, with the first connection cut.
class ImageStreamAtelierdTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_content = testing::pattern_bytes(5'000'000, 11);
    testing::write_bytes(m_dir / "image.tar.zst", m_content);
    pxe::HttpBootConfig config;
    config.listen_address = "127.0.0.1";
    config.port = 0;
    config.files = {{"/images/image.tar.zst", m_dir / "image.tar.zst"}};
    m_server = std::make_unique<pxe::HttpBootServer>(m_io, config, [](std::string_view) {});
    ASSERT_TRUE(m_server->start().has_value());
    m_thread = std::thread([this] { m_io.run(); });
  }
  void TearDown() override {
    asio::post(m_io, [this] { m_server->stop(); });
    m_io.stop();
    m_thread.join();
    m_server.reset();
  }

  testing::TempDir m_dir;
  std::string m_content;
  asio::io_context m_io;
  std::unique_ptr<pxe::HttpBootServer> m_server;
  std::thread m_thread;
};

// Resumed against the real server: its ETag makes the resume safe without a pinned sha256.
TEST_F(ImageStreamAtelierdTest, DroppedConnectionResumesAgainstAtelierd) {
  CuttingProxy proxy(m_server->local_port(), 2'000'000);
  auto stream = open_url(proxy.url("/images/image.tar.zst"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_TRUE(*got == m_content);
  EXPECT_EQ((*stream)->sha256_hex(), testing::sha256_of(m_content));
  EXPECT_EQ(proxy.connections(), 2);
}

// The image is rebuilt while a machine is downloading it: the resumed request carries the old
// ETag, atelierd sends the new file whole, and the stream refuses it.
TEST_F(ImageStreamAtelierdTest, ImageReplacedMidDownloadIsNotSpliced) {
  const auto path = m_dir / "image.tar.zst";
  CuttingProxy proxy(m_server->local_port(), 2'000'000, [&] {
    testing::write_bytes(m_dir / "new", testing::pattern_bytes(5'000'000, 12));
    fs::rename(m_dir / "new", path);
  });
  auto stream = open_url(proxy.url("/images/image.tar.zst"));
  ASSERT_TRUE(stream.has_value()) << stream.error().message;
  auto got = read_all(**stream);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().kind, ImageErrorKind::source_changed) << got.error().message;
}

} // namespace
} // namespace atelier::imager
