// The agent API of atelierd (HTTP + JSON, versioned by path; docs/AGENT-API.md).
//
//   POST /api/v1/register   {"mac": "52:54:00:..", "token": "<hex>", "inventory": {...}}
//     200 {"unit": "AT-0042-7", "state": "inventoried", "outcome": "existing"}
//     Repeating the registration of the same boot (same token and MAC) answers the same unit.
//   POST /api/v1/next       {"token"}                      → the step to do (daemon/pipeline.h)
//   POST /api/v1/progress   {"token", "job", "progress"}
//   POST /api/v1/result     {"token", "job", "status", "result", "reason"}
//     400 {"error": "..."}  malformed request: not a JSON object, nested deeper than 64 levels,
//                           or a field missing or of the wrong type (the sentence names it, e.g.
//                           "field 'result.bench.memtest.ran' must be true or false")
//     403 {"error": "..."}  the token is unknown, used, expired, superseded or from another machine
//     409 {"error", "stop": true}  the session is over (superseded, or older than its lifetime)
//     500 {"error": "..."}  anything else that went wrong (logged); atelierd goes on serving
//
// Nothing a request carries can end atelierd: handle() is an exception boundary, and the fields
// are read with typed readers (records/json_fields.h) that turn a wrong type into a 400.
// The token is the one atelierd put on this boot's kernel command line (pxe/boot_tokens.h); it is
// single-use, so a report that did not come from the boot atelierd authorised is refused.
// Registration records the inventory verbatim (inventory_snapshots), upgrades the unit's identity
// from MAC to DMI serial (same unit), and moves a `detected` unit to `inventoried`.
//
// Thread model: called on atelierd's io thread, like the DHCP service (one database connection).
#pragma once

#include "daemon/pipeline.h"
#include "hardware-db/registry.h"
#include "pxe/boot_tokens.h"
#include "pxe/http_server.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace atelier::daemon {

// The largest body each endpoint takes (the HTTP server answers 413 beyond, before reading it):
// a registration carries the inventory with its raw SMBIOS tables and smartctl output (tens of
// KiB on a real machine), a result the bench report or one erasure record per disk (with its
// failed ranges) or the imaging record; next and progress are a few hundred bytes.
inline constexpr std::size_t k_register_body_limit = 1024 * 1024;
inline constexpr std::size_t k_next_body_limit = 4 * 1024;
inline constexpr std::size_t k_progress_body_limit = 16 * 1024;
inline constexpr std::size_t k_result_body_limit = 4 * 1024 * 1024;
// The body limit of an agent API path; nullopt for a path that is no endpoint (no body is read).
std::optional<std::size_t> agent_body_limit(std::string_view path);

// An agent session (one boot's registration) lasts this many times [pipeline]
// step_timeout_minutes from its registration (4 days by default): time for the four working steps
// (bench, wipe, deploy, verify) each running to its limit. A step still issued at that age runs to
// its end; the session's next request after it is refused with 409 "stop".
inline constexpr int k_session_lifetime_steps = 4;
std::chrono::minutes session_lifetime(std::chrono::minutes step_timeout);

class AgentApi {
public:
  // Both must outlive the AgentApi.
  // pipeline may be null: agents register, and the step endpoints answer 503.
  AgentApi(hwdb::Registry& registry, pxe::BootTokens& tokens, Pipeline* pipeline = nullptr)
      : m_registry(registry), m_tokens(tokens), m_pipeline(pipeline) {}

  // Where refusals an operator should know about go (atelierd's log); none by default.
  void set_log(std::function<void(const std::string&)> log) { m_log = std::move(log); }
  // The workshop's own machines ([pipeline] protected: MACs or serials): a registration from one
  // is refused and the agent stops, nothing recorded.
  void set_protected(std::vector<std::string> machines) { m_protected = std::move(machines); }

  // Never throws (see the top of this file).
  pxe::HttpPostResult handle(std::string_view path, const std::string& body,
                             const std::string& client_ip);

private:
  pxe::HttpPostResult dispatch(std::string_view path, const std::string& body,
                               const std::string& client_ip);
  pxe::HttpPostResult register_agent(const nlohmann::json& request, const std::string& client_ip);
  std::optional<pxe::HttpPostResult> refuse_expired_session(const nlohmann::json& request,
                                                            const std::string& client_ip);
  void log(const std::string& line) const;
  // A register answer with the program's language added (none without a pipeline: English).
  nlohmann::json registered(nlohmann::json answer) const;
  std::optional<pxe::HttpPostResult> refuse_takeover(const hwdb::Identity& identity,
                                                     const std::string& client_ip);

  hwdb::Registry& m_registry;
  pxe::BootTokens& m_tokens;
  Pipeline* m_pipeline;
  std::function<void(const std::string&)> m_log;
  std::vector<std::string> m_protected;
};

} // namespace atelier::daemon
