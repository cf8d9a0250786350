// A coordinator API on loopback for tests: a database in a temp dir, a settable clock, the real
// ApiServer and CoordinatorApi on their own io thread, and a plain HTTP client (Beast, one
// connection per request) that talks to it over 127.0.0.1.
#pragma once

#include "daemon/api/api_server.h"
#include "daemon/api/coordinator_api.h"
#include "hardware-db/registry.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "workshop/accounts.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::testing {

inline const hwdb::Actor k_admin{"cli:root", "admin"}; // who sets the fixtures up

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on a fresh connection. `raw_headers` are added verbatim (name, value).
inline HttpReply
http_call(std::uint16_t port, const std::string& method, const std::string& target,
          const std::string& body = "", const std::string& token = "",
          const std::vector<std::pair<std::string, std::string>>& raw_headers = {}) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request(http::string_to_verb(method), target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) {
    request.set(http::field::authorization, "Bearer " + token);
  }
  for (const auto& [name, value] : raw_headers) {
    request.set(name, value);
  }
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.keep_alive(false);
  request.prepare_payload();
  // A server refusing an oversized request answers and closes before the body is all sent: the
  // write then fails, and the answer is still there to read.
  boost::system::error_code write_error;
  http::write(socket, request, write_error);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser);
  HttpReply reply;
  const auto& response = parser.get();
  reply.status = response.result_int();
  reply.body = response.body();
  for (const auto& field : response) {
    reply.headers[std::string(field.name_string())] = std::string(field.value());
  }
  return reply;
}

// Sends `text` as it is (no body beyond it) and reads one response.
inline HttpReply raw_call(std::uint16_t port, const std::string& text) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(text));
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  http::read(socket, buffer, parser);
  return HttpReply{parser.get().result_int(), parser.get().body(), {}};
}

// The server side: database, accounts with the minimum Argon2id cost (fast tests; the cost is
// not what these tests check), the API on 127.0.0.1 port 0.
class ApiFixture : public ::testing::Test {
protected:
  void SetUp() override {
    m_db = (m_dir / "atelier.db").string();
    auto store = hwdb::open_store(m_db);
    ASSERT_TRUE(store) << store.error().message;
    m_registry.emplace(std::move(*store), m_clock);
    workshop::AccountsConfig config;
    config.cost = workshop::PasswordCost::minimum();
    config.token_lifetime = std::chrono::minutes(60);
    m_accounts.emplace(m_registry->store(), m_clock, config);
    m_api.emplace(*m_registry, *m_accounts, m_settings);
    daemon::ApiServerConfig server_config;
    server_config.port = 0;
    m_server.emplace(
        m_io, server_config, [this](const daemon::ApiRequest& r) { return m_api->handle(r); },
        [this](std::string_view line) {
          const std::lock_guard lock(m_log_mutex);
          m_log.emplace_back(line);
        });
    auto started = m_server->start();
    ASSERT_TRUE(started) << started.error();
    m_port = m_server->local_port();
  }

  // Data is set up before the io thread starts: afterwards, only the io thread uses the database.
  void start() {
    m_thread = std::thread([this] { m_io.run(); });
  }

  void TearDown() override {
    boost::asio::post(m_io, [this] {
      m_server->stop();
      m_io.stop();
    });
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

  void add_account(const std::string& name, workshop::Role role, const std::string& password) {
    auto created = m_accounts->create(name, role, password, k_admin);
    ASSERT_TRUE(created) << created.error().message;
  }

  // Logs in over HTTP; the token, or "" after a failed expectation.
  std::string login(const std::string& name, const std::string& password) {
    const auto reply = http_call(m_port, "POST", "/api/v1/session",
                                 nlohmann::json{{"name", name}, {"password", password}}.dump());
    EXPECT_EQ(reply.status, 201u) << reply.body;
    const auto j = reply.json();
    return j.is_object() && j.contains("token") ? j["token"].get<std::string>() : "";
  }

  std::vector<std::string> log_lines() {
    const std::lock_guard lock(m_log_mutex);
    return m_log;
  }

  TempDir m_dir;
  std::string m_db;
  FakeClock m_clock{std::chrono::sys_seconds{std::chrono::seconds{1'795'000'000}}};
  std::optional<hwdb::Registry> m_registry;
  std::optional<workshop::Accounts> m_accounts;
  daemon::CoordinatorSettings m_settings; // set before ApiFixture::SetUp() to change it
  std::optional<daemon::CoordinatorApi> m_api;
  boost::asio::io_context m_io;
  std::optional<daemon::ApiServer> m_server;
  std::uint16_t m_port = 0;
  std::thread m_thread;
  std::mutex m_log_mutex;
  std::vector<std::string> m_log;
};

} // namespace atelier::testing
