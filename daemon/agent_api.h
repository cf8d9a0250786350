// The agent API of atelierd (HTTP + JSON, versioned by path; docs/AGENT-API.md).
//
//   POST /api/v1/register   {"mac": "52:54:00:..", "token": "<hex>", "inventory": {...}}
//     200 {"unit": "AT-0042-7", "state": "inventoried", "outcome": "existing"}
//     Repeating the registration of the same boot (same token and MAC) answers the same unit.
//   POST /api/v1/next       {"token"}                      → the step to do (daemon/pipeline.h)
//   POST /api/v1/progress   {"token", "job", "progress"}
//   POST /api/v1/result     {"token", "job", "status", "result", "reason"}
//     400 {"error": "..."}  malformed request (names the field)
//     403 {"error": "..."}  the token is unknown, used, expired, superseded or from another machine
//
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

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::daemon {

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

  pxe::HttpPostResult handle(std::string_view path, const std::string& body,
                             const std::string& client_ip);

private:
  pxe::HttpPostResult register_agent(const std::string& body, const std::string& client_ip);
  std::optional<pxe::HttpPostResult> refuse_takeover(const hwdb::Identity& identity,
                                                     const std::string& client_ip);

  hwdb::Registry& m_registry;
  pxe::BootTokens& m_tokens;
  Pipeline* m_pipeline;
  std::function<void(const std::string&)> m_log;
  std::vector<std::string> m_protected;
};

} // namespace atelier::daemon
