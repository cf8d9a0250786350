// The agent's side of the agent API (docs/AGENT-API.md): JSON posts to atelierd, retried until the
// daemon answers. A daemon that is restarting (connection refused, reset, 5xx) is waited for with
// growing pauses up to `patience`; every post of the API is idempotent, so repeating one whose
// answer was lost is safe. A 4xx answer is final and comes back as an AgentError with the daemon's
// sentence.
//
// Thread model: post() may be called from several threads (one connection per call).
#pragma once

#include "base/clock.h"
#include "records/agent_protocol.h"

#include <chrono>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace atelier::imager {

struct AgentError {
  unsigned status = 0; // the HTTP status; 0 when the daemon never answered
  std::string message; // the daemon's "error" sentence, or what went wrong on the way
  bool stop = false;   // the daemon says this boot's work is over ("stop": true)
};

struct AgentClientOptions {
  std::chrono::seconds patience{600};         // how long to keep retrying one post
  std::chrono::milliseconds first_pause{500}; // doubled after each failure, up to max_pause
  std::chrono::milliseconds max_pause{10000};
  std::chrono::seconds timeout{30}; // each of connect, send and receive, per attempt
};

class AgentClient {
public:
  // server: "http://198.18.0.2:80"; token: this boot's token (kernel command line). `clock`
  // measures the patience and waits the pauses; it must outlive the client.
  AgentClient(std::string server, std::string token, AgentClientOptions options = {},
              std::function<void(std::string_view)> log = {},
              const base::Clock& clock = base::system_clock());

  // POSTs `body` (with "token" added) to server + records::agent_api_path(endpoint).
  std::expected<nlohmann::json, AgentError> post(records::Endpoint endpoint, nlohmann::json body);

  const std::string& token() const { return m_token; }

private:
  std::string m_server;
  std::string m_token;
  AgentClientOptions m_options;
  std::function<void(std::string_view)> m_log;
  const base::Clock& m_clock;
};

} // namespace atelier::imager
