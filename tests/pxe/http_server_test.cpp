// Specification of the HTTP boot server (pxe/http_server.h), on loopback with a real client (curl),
// the way iPXE will use it: a script, then large files with Content-Length.
#include "pxe/http_server.h"

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::pxe {
namespace {

namespace fs = std::filesystem;

const base::MacAddress k_mac{{0x52, 0x54, 0x00, 0xa7, 0xe1, 0x01}};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed: " << command;
    return out;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    out.append(buffer.data(), n);
  }
  ::pclose(pipe);
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Streams both files; true when their bytes are identical (no 30 MB strings in memory).
bool same_bytes(const fs::path& a, const fs::path& b) {
  std::ifstream ia(a, std::ios::binary);
  std::ifstream ib(b, std::ios::binary);
  std::vector<char> ba(1 << 20);
  std::vector<char> bb(1 << 20);
  while (ia && ib) {
    ia.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    ib.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (ia.gcount() != ib.gcount() ||
        !std::equal(ba.begin(), ba.begin() + ia.gcount(), bb.begin())) {
      return false;
    }
  }
  return ia.eof() && ib.eof();
}

// The value of a header in a curl -D dump (last response), lower-cased name; "" if absent.
std::string header_value(const std::string& headers, const std::string& name) {
  const std::regex pattern("(^|\n)" + name + ": *([^\r\n]*)", std::regex::icase);
  std::smatch match;
  std::string found;
  auto begin = headers.cbegin();
  while (std::regex_search(begin, headers.cend(), match, pattern)) {
    found = match[2].str();
    begin = match.suffix().first;
  }
  return found;
}

class HttpBootServerTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::path(::testing::TempDir()) /
            ("atelier-http-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    // Several buffers' worth of non-repeating bytes, so an offset bug shows up as a mismatch.
    std::string kernel;
    std::uint32_t x = 12345;
    for (int i = 0; i < 300 * 1024; ++i) {
      x = x * 1103515245u + 12345u;
      kernel += static_cast<char>(x >> 24);
    }
    std::ofstream(m_dir / "vmlinuz", std::ios::binary) << kernel;
    m_files = {{"/boot/vmlinuz", m_dir / "vmlinuz"},
               {"/boot/initrd.img", m_dir / "initrd.img"},
               {"/boot/missing.img", m_dir / "missing.img"}};
  }

  void TearDown() override {
    if (m_thread.joinable()) {
      boost::asio::post(m_io, [this] {
        m_server->stop();
        m_io.stop();
      });
      m_thread.join();
    }
    m_server.reset();
    fs::remove_all(m_dir);
  }

  void start(HttpScriptHandler handler = {},
             const std::function<void(HttpBootConfig&)>& adjust = {}) {
    HttpBootConfig config;
    config.listen_address = "127.0.0.1";
    config.port = 0; // any free port: tests never collide with each other or with a real server
    config.files = m_files;
    config.script_handler = handler ? std::move(handler)
                                    : make_standalone_script_handler(m_tokens, script_config(),
                                                                     [this](auto l) { log(l); });
    if (adjust) {
      adjust(config);
    }
    m_server = std::make_unique<HttpBootServer>(m_io, std::move(config),
                                                [this](std::string_view l) { log(l); });
    const auto started = m_server->start();
    ASSERT_TRUE(started) << started.error();
    m_thread = std::thread([this] { m_io.run(); });
  }

  BootScriptConfig script_config() const {
    BootScriptConfig c;
    c.server_url = "http://127.0.0.1:" + std::to_string(m_server ? m_server->local_port() : 0);
    c.files_url = c.server_url + "/boot";
    return c;
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(m_server->local_port()) + std::string(path);
  }

  struct Fetched {
    int status = 0;
    std::string headers;
    std::string body;
  };

  // One curl run; `options` go before the URL ("-I", "-X POST", "--path-as-is", "-r 0-9").
  Fetched fetch(std::string_view path, const std::string& options = "") {
    const auto body = m_dir / "body";
    const auto headers = m_dir / "headers";
    fs::remove(body);
    fs::remove(headers);
    const auto code = run("curl -sS --max-time 20 " + options + " -o '" + body.string() + "' -D '" +
                          headers.string() + "' -w '%{http_code}' '" + url(path) + "'");
    return {std::atoi(code.c_str()), read_file(headers), read_file(body)};
  }

  void log(std::string_view line) {
    const std::lock_guard lock(m_log_mutex);
    m_log.emplace_back(line);
  }

  std::vector<std::string> log_lines() {
    const std::lock_guard lock(m_log_mutex);
    return m_log;
  }

  // The server logs a request on its own thread after the response is out, so the client can be
  // done first: wait (bounded) for the line instead of reading the log at once. "" if it never
  // came.
  std::string log_line_containing(std::string_view needle) {
    for (int attempt = 0; attempt < 500; ++attempt) {
      for (const auto& line : log_lines()) {
        if (line.find(needle) != std::string::npos) {
          return line;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }

  fs::path m_dir;
  HttpFileTable m_files;
  BootTokens m_tokens;
  boost::asio::io_context m_io;
  std::unique_ptr<HttpBootServer> m_server;
  std::thread m_thread;
  std::mutex m_log_mutex;
  std::vector<std::string> m_log;
};

// The per-machine script carries a token that the agent can redeem exactly once, and the UEFI
// initrd= argument.
TEST_F(HttpBootServerTest, ServesScriptWithRedeemableTokenAndInitrdArgument) {
  start();
  const auto got = fetch("/boot/52:54:00:a7:e1:01.ipxe");
  ASSERT_EQ(got.status, 200);
  EXPECT_TRUE(got.body.starts_with("#!ipxe\n"));
  EXPECT_NE(got.body.find(" initrd=initrd.img "), std::string::npos);
  EXPECT_NE(got.body.find("atelier.mac=52:54:00:a7:e1:01"), std::string::npos);
  EXPECT_EQ(header_value(got.headers, "cache-control"), "no-store");
  EXPECT_EQ(header_value(got.headers, "content-length"), std::to_string(got.body.size()));
  std::smatch token;
  ASSERT_TRUE(std::regex_search(got.body, token, std::regex("atelier\\.token=([0-9a-f]{32}) ")));
  EXPECT_TRUE(m_tokens.redeem(token[1].str(), k_mac));
  EXPECT_EQ(m_tokens.redeem(token[1].str(), k_mac).error(), TokenError::used);
  // Operators see which boot got a token, never the token itself.
  for (const auto& line : log_lines()) {
    EXPECT_EQ(line.find(token[1].str()), std::string::npos) << line;
  }
}

// ${mac:hexhyp} spelling works too; fetching again (a reboot) supersedes the first boot's token.
TEST_F(HttpBootServerTest, HyphenatedMacGetsAFreshTokenEachTime) {
  start();
  const auto first = fetch("/boot/52-54-00-A7-E1-01.ipxe");
  const auto second = fetch("/boot/52-54-00-a7-e1-01.ipxe");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  const std::regex pattern("atelier\\.token=([0-9a-f]{32})");
  std::smatch a;
  std::smatch b;
  ASSERT_TRUE(std::regex_search(first.body, a, pattern));
  ASSERT_TRUE(std::regex_search(second.body, b, pattern));
  EXPECT_EQ(m_tokens.redeem(a[1].str(), k_mac).error(), TokenError::superseded);
  EXPECT_TRUE(m_tokens.redeem(b[1].str(), k_mac));
}

// A malformed MAC is no machine: nothing is issued.
TEST_F(HttpBootServerTest, MalformedMacIsNotFound) {
  start();
  EXPECT_EQ(fetch("/boot/52:54:00:a7:e1.ipxe").status, 404);
  EXPECT_EQ(fetch("/boot/zz:54:00:a7:e1:01.ipxe").status, 404);
  EXPECT_EQ(m_tokens.size(), 0u);
}

// iPXE is orders of magnitude slower without Content-Length; the bytes must be exact.
TEST_F(HttpBootServerTest, ServesFileWithContentLengthAndIdenticalBytes) {
  start();
  const auto got = fetch("/boot/vmlinuz");
  ASSERT_EQ(got.status, 200);
  const auto size = fs::file_size(m_dir / "vmlinuz");
  EXPECT_EQ(header_value(got.headers, "content-length"), std::to_string(size));
  EXPECT_TRUE(got.body == read_file(m_dir / "vmlinuz"));
  // One log line per request with client, method, path, status and bytes.
  EXPECT_EQ(log_line_containing("GET /boot/vmlinuz"),
            "http 127.0.0.1 GET /boot/vmlinuz 200 " + std::to_string(size));
}

// HEAD is how clients size a download: same headers, no body.
TEST_F(HttpBootServerTest, HeadReturnsContentLengthWithoutBody) {
  start();
  const auto got = fetch("/boot/vmlinuz", "-I");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(header_value(got.headers, "content-length"),
            std::to_string(fs::file_size(m_dir / "vmlinuz")));
  EXPECT_EQ(log_line_containing("HEAD /boot/vmlinuz"), "http 127.0.0.1 HEAD /boot/vmlinuz 200 0");
}

// Only the table is served: unknown paths and every traversal spelling are 404.
TEST_F(HttpBootServerTest, UnknownAndTraversalPathsAreNotFound) {
  start();
  EXPECT_EQ(fetch("/nothing").status, 404);
  EXPECT_EQ(fetch("/etc/passwd").status, 404);
  EXPECT_EQ(fetch("/boot/../etc/passwd", "--path-as-is").status, 404);
  EXPECT_EQ(fetch("/boot/%2e%2e/etc/passwd", "--path-as-is").status, 404);
  EXPECT_EQ(fetch("/boot/vmlinuz/..", "--path-as-is").status, 404);
  EXPECT_EQ(fetch("/boot/").status, 404);
}

// A table entry whose file is not there yet (image not built) is a 404 that tells the operator why.
TEST_F(HttpBootServerTest, MissingFileIsNotFoundWithAReason) {
  start();
  EXPECT_EQ(fetch("/boot/missing.img").status, 404);
  EXPECT_NE(log_line_containing("cannot open"), "");
}

// The boot server is read-only.
TEST_F(HttpBootServerTest, PostIsMethodNotAllowed) {
  start();
  const auto got = fetch("/boot/vmlinuz", "-X POST -d x=1");
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(header_value(got.headers, "allow"), "GET, HEAD");
  EXPECT_EQ(fetch("/boot/52:54:00:a7:e1:01.ipxe", "-X DELETE").status, 405);
  EXPECT_EQ(m_tokens.size(), 0u);
}

// Issue 14, finding 9: a 4 MiB body was read on every method and path. Bodies are read only for
// POSTs to the handler's routes, each up to its own limit (413 beyond, before the body is read);
// a POST to a path that is no route reaches the handler without its body; any other request that
// announces a body is answered without reading it, and nothing is issued for it.
TEST_F(HttpBootServerTest, BodiesOnlyOnPostRoutesEachUpToItsLimit) {
  std::mutex seen_mutex;
  std::vector<std::pair<std::string, std::size_t>> seen; // path, body size
  start({}, [&](HttpBootConfig& c) {
    c.post_handler = [&](std::string_view path, const std::string& body, const std::string&) {
      const std::lock_guard lock(seen_mutex);
      seen.emplace_back(path, body.size());
      return HttpPostResult{path.starts_with("/api/v1/") && path != "/api/v1/other" ? 200U : 404U,
                            "{}"};
    };
    c.post_body_limit = [](std::string_view path) -> std::optional<std::size_t> {
      if (path == "/api/v1/small") {
        return 16;
      }
      if (path == "/api/v1/big") {
        return 4096;
      }
      return std::nullopt;
    };
  });
  const auto post = [&](std::string_view path, std::size_t bytes, const std::string& extra = "") {
    return fetch(path, "-H 'Expect:' " + extra + " --data-binary '" + std::string(bytes, 'a') + "'")
        .status;
  };
  EXPECT_EQ(post("/api/v1/small", 16), 200);
  EXPECT_EQ(post("/api/v1/small", 17), 413);
  EXPECT_EQ(post("/api/v1/small", 1000, "-H 'Transfer-Encoding: chunked'"), 413);
  EXPECT_EQ(post("/api/v1/big", 2000), 200);
  EXPECT_EQ(post("/api/v1/big", 4097), 413);
  EXPECT_EQ(post("/api/v1/other", 100), 404);
  EXPECT_EQ(post("/boot/52:54:00:a7:e1:01.ipxe", 100, "-X GET"), 413);
  EXPECT_EQ(post("/boot/vmlinuz", 100, "-X PUT"), 405);
  EXPECT_EQ(m_tokens.size(), 0u);
  const std::lock_guard lock(seen_mutex);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::size_t>>{
                      {"/api/v1/small", 16}, {"/api/v1/big", 2000}, {"/api/v1/other", 0}}));
}

// Issue 14, finding 2: an exception out of a handler ran past the server into io_context::run and
// ended atelierd (DHCP and TFTP share its io thread). Now the request is answered 500, the log says
// why, and the server goes on serving.
TEST_F(HttpBootServerTest, AHandlerThatThrowsIsAnswered500AndTheServerGoesOn) {
  start(
      [](const base::MacAddress&, const std::string&) -> std::expected<std::string, std::string> {
        throw std::runtime_error("script bug");
      },
      [](HttpBootConfig& c) {
        c.post_handler = [](std::string_view, const std::string&,
                            const std::string&) -> HttpPostResult {
          throw std::runtime_error("handler bug");
        };
      });
  const auto posted = fetch("/api/v1/next", "--data-binary '{}'");
  EXPECT_EQ(posted.status, 500);
  EXPECT_NE(posted.body.find("internal error"), std::string::npos) << posted.body;
  EXPECT_EQ(fetch("/boot/52:54:00:a7:e1:01.ipxe").status, 500);
  EXPECT_EQ(fetch("/boot/vmlinuz").status, 200);
  EXPECT_NE(log_line_containing("handler bug"), "");
  EXPECT_NE(log_line_containing("script bug"), "");
}

// The daemon's admission can refuse a machine; the reason goes to the log, not to the client.
TEST_F(HttpBootServerTest, RefusedScriptIsForbidden) {
  start([](const base::MacAddress&, const std::string&) -> std::expected<std::string, std::string> {
    return std::unexpected(std::string("machine not admitted"));
  });
  const auto got = fetch("/boot/52:54:00:a7:e1:01.ipxe");
  EXPECT_EQ(got.status, 403);
  EXPECT_EQ(got.body.find("admitted"), std::string::npos);
  EXPECT_NE(log_line_containing("machine not admitted"), "");
}

// Resumed downloads: one byte range gets 206 with exactly those bytes; past the end gets 416.
TEST_F(HttpBootServerTest, ByteRangeGetsPartialContent) {
  start();
  const auto got = fetch("/boot/vmlinuz", "-r 70000-200000");
  ASSERT_EQ(got.status, 206);
  const auto size = fs::file_size(m_dir / "vmlinuz");
  EXPECT_EQ(header_value(got.headers, "content-range"),
            "bytes 70000-200000/" + std::to_string(size));
  EXPECT_EQ(header_value(got.headers, "content-length"), "130001");
  EXPECT_TRUE(got.body == read_file(m_dir / "vmlinuz").substr(70000, 130001));
  const auto past = fetch("/boot/vmlinuz", "-r " + std::to_string(size) + "-");
  EXPECT_EQ(past.status, 416);
  EXPECT_EQ(header_value(past.headers, "content-range"), "bytes */" + std::to_string(size));
}

// UEFI HTTP boot takes a disk image as a RAM disk when told so by Content-Type (set per file;
// initrd.img stays opaque); atelierd
// follows the signed chain by the files sent whole (on_file_sent), not by HEADs or ranges.
TEST_F(HttpBootServerTest, ContentTypeByExtensionAndTheSentHookOnlyForWholeFiles) {
  std::ofstream(m_dir / "disk.img", std::ios::binary) << std::string(5000, 'd');
  std::ofstream(m_dir / "initrd.img", std::ios::binary) << std::string(100, 'i');
  m_files["/boot/uefi-http-x64.img"] = m_dir / "disk.img";
  std::vector<std::string> sent;
  start({}, [&](HttpBootConfig& config) {
    config.content_types["/boot/uefi-http-x64.img"] = "application/vnd.efi-img";
    config.on_file_sent = [&](std::string_view path, const std::string& client) {
      const std::lock_guard lock(m_log_mutex);
      sent.push_back(std::string(path) + " to " + client);
    };
  });
  const auto head = fetch("/boot/uefi-http-x64.img", "-I");
  EXPECT_EQ(header_value(head.headers, "content-type"), "application/vnd.efi-img");
  EXPECT_EQ(fetch("/boot/uefi-http-x64.img", "-r 0-9").status, 206);
  const auto whole = fetch("/boot/uefi-http-x64.img");
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(header_value(fetch("/boot/vmlinuz").headers, "content-type"),
            "application/octet-stream");
  EXPECT_EQ(header_value(fetch("/boot/initrd.img", "-I").headers, "content-type"),
            "application/octet-stream");
  ASSERT_FALSE(log_line_containing("GET /boot/vmlinuz 200").empty());
  const std::lock_guard lock(m_log_mutex);
  EXPECT_EQ(sent, (std::vector<std::string>{"/boot/uefi-http-x64.img to 127.0.0.1",
                                            "/boot/vmlinuz to 127.0.0.1"}));
}

// A resumed download names the version it holds (If-Range); another version gets the whole file.
TEST_F(HttpBootServerTest, IfRangeWithAnOldValidatorGetsTheWholeFile) {
  start();
  const auto first = fetch("/boot/vmlinuz");
  const auto etag = header_value(first.headers, "etag");
  ASSERT_TRUE(etag.starts_with("\"")) << etag;
  EXPECT_FALSE(header_value(first.headers, "last-modified").empty());
  const auto same = fetch("/boot/vmlinuz", "-r 100- -H 'If-Range: " + etag + "'");
  EXPECT_EQ(same.status, 206);
  const auto other = fetch("/boot/vmlinuz", "-r 100- -H 'If-Range: \"0-0-0\"'");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body.size(), fs::file_size(m_dir / "vmlinuz"));
}

// iPXE fetches script, kernel and initrd; one connection should carry them all.
TEST_F(HttpBootServerTest, KeepsConnectionsAlive) {
  start();
  const auto out =
      run("curl -sS --max-time 20 -o /dev/null -o /dev/null -w '%{num_connects}\\n' '" +
          url("/boot/vmlinuz") + "' '" + url("/boot/52:54:00:a7:e1:01.ipxe") + "'");
  EXPECT_EQ(out, "1\n0\n");
}

// A request header past the limit is refused instead of buffered without bound.
TEST_F(HttpBootServerTest, OversizedRequestHeaderIsRefused) {
  start();
  EXPECT_EQ(fetch("/boot/vmlinuz", "-H 'X-Padding: " + std::string(9000, 'a') + "'").status, 431);
}

// Past the connection cap a client gets a clear 503 instead of an unbounded queue.
TEST_F(HttpBootServerTest, ConnectionsOverTheCapGetServiceUnavailable) {
  start({}, [](HttpBootConfig& c) { c.max_connections = 0; });
  EXPECT_EQ(fetch("/boot/vmlinuz").status, 503);
  EXPECT_NE(log_line_containing("max_connections"), "");
}

// A client that connects and says nothing must not hold a connection forever.
TEST_F(HttpBootServerTest, SilentClientIsDisconnectedAfterTheTimeout) {
  start({}, [](HttpBootConfig& c) { c.io_timeout = std::chrono::seconds(1); });
  boost::asio::io_context client_io;
  boost::asio::ip::tcp::socket socket(client_io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), m_server->local_port()});
  // Bounded wait so a broken server fails the test instead of hanging it.
  const timeval limit{20, 0};
  ASSERT_EQ(::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit), 0);
  std::array<char, 16> buffer{};
  boost::system::error_code ec;
  socket.read_some(boost::asio::buffer(buffer), ec);
  EXPECT_EQ(ec, boost::asio::error::eof) << ec.message();
}

// A classroom of machines booting at once: twenty clients each fetch a 30 MB initrd through one
// io thread, every one complete and byte-identical (the server streams, it never loads the file).
TEST_F(HttpBootServerTest, TwentyConcurrentDownloadsOfALargeFileComplete) {
  constexpr std::uint64_t k_size = std::uint64_t{30} * 1024 * 1024;
  const auto initrd = m_dir / "initrd.img";
  {
    std::ofstream out(initrd, std::ios::binary);
    // Sparse, with markers near the edges of buffers so misplaced chunks are caught.
    for (const std::uint64_t at :
         std::array<std::uint64_t, 5>{0, 65535, 65536, k_size / 2, k_size - 1}) {
      out.seekp(static_cast<std::streamoff>(at));
      out.put(static_cast<char>('A' + at % 26));
    }
  }
  fs::resize_file(initrd, k_size);
  start();
  std::string command = "cd '" + m_dir.string() + "' && for i in $(seq 1 20); do curl -sS " +
                        "--max-time 120 -o out$i -w '%{http_code} %{size_download}\\n' '" +
                        url("/boot/initrd.img") + "' & done; wait";
  const auto out = run(command);
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    expected += "200 " + std::to_string(k_size) + "\n";
  }
  EXPECT_EQ(out, expected);
  for (int i = 1; i <= 20; ++i) {
    const auto file = m_dir / ("out" + std::to_string(i));
    ASSERT_EQ(fs::file_size(file), k_size) << file;
    EXPECT_TRUE(same_bytes(file, initrd)) << file;
  }
}

} // namespace
} // namespace atelier::pxe
