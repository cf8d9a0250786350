#include "daemon/agent_api.h"

#include "pxe/http_routes.h"
#include "records/agent_protocol.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::daemon {
namespace {

using nlohmann::json;
using records::Endpoint;
namespace field = records::agent_field;

pxe::HttpPostResult answer(unsigned status, json body) {
  return {status, body.dump() + "\n"};
}
pxe::HttpPostResult refuse(unsigned status, std::string message) {
  return answer(status, json{{field::k_error, std::move(message)}});
}

// A string member of `j`, or "" when absent or not a string.
std::string text(const json& j, std::initializer_list<std::string_view> path) {
  const json* node = &j;
  for (const std::string_view key : path) {
    if (!node->is_object() || !node->contains(key)) {
      return "";
    }
    node = &(*node)[key];
  }
  return node->is_string() ? node->get<std::string>() : "";
}

std::int64_t number(const json& j, const char* a, const char* b) {
  if (j.contains(a) && j[a].is_object() && j[a].contains(b) && j[a][b].is_number_integer()) {
    return j[a][b].get<std::int64_t>();
  }
  return 0;
}

} // namespace

pxe::HttpPostResult AgentApi::handle(std::string_view path, const std::string& body,
                                     const std::string& client_ip) {
  const std::optional<Endpoint> endpoint = records::endpoint_from_path(path);
  if (!endpoint) {
    return refuse(404, fmt::format("no API endpoint {}", path));
  }
  if (*endpoint == Endpoint::register_unit) {
    return register_agent(body, client_ip);
  }
  if (m_pipeline == nullptr) {
    // Definite, not "unavailable": a 5xx would make the agent wait for 10 minutes for a
    // pipeline that a restart alone will not bring. The agent stops and shows this sentence.
    return answer(409, json{{field::k_error, "this server runs no pipeline (atelier.toml has no "
                                             "[pipeline] section with a program and profiles): "
                                             "the machine was registered only; configure the "
                                             "pipeline, restart atelierd and boot the machine "
                                             "again"},
                            {field::k_stop, true}});
  }
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return refuse(400, "the body is not a JSON object");
  }
  const ApiAnswer a = *endpoint == Endpoint::next       ? m_pipeline->next(request)
                      : *endpoint == Endpoint::progress ? m_pipeline->progress(request)
                                                        : m_pipeline->result(request);
  return answer(a.status, a.body);
}

pxe::HttpPostResult AgentApi::register_agent(const std::string& body,
                                             const std::string& client_ip) {
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return refuse(400, "the body is not a JSON object");
  }
  const std::string mac_text = text(request, {field::k_mac});
  const std::string token = text(request, {field::k_token});
  const auto mac = pxe::parse_mac_address(mac_text);
  if (!mac) {
    return refuse(400, fmt::format("field 'mac': '{}' is not a MAC address", mac_text));
  }
  if (token.empty()) {
    return refuse(400, "field 'token' is missing");
  }
  if (!request.contains(field::k_inventory) || !request[field::k_inventory].is_object()) {
    return refuse(400, "field 'inventory' is missing or not an object");
  }
  const json& inventory = request[field::k_inventory];
  if (text(inventory, {"schema"}).rfind("atelier.inventory/", 0) != 0) {
    return refuse(400, "field 'inventory.schema': not an atelier.inventory report");
  }
  // The same boot registering again (its answer was lost): same unit, nothing recorded twice.
  if (m_pipeline != nullptr) {
    if (auto session = m_pipeline->session_for(token)) {
      auto unit = m_registry.store().unit_by_id(session->unit_id);
      if (session->mac != mac->str()) {
        return refuse(403, fmt::format("boot token {}... belongs to another machine",
                                       pxe::token_prefix(token)));
      }
      if (session->superseded_at) { // a replay of an earlier boot's registration
        return answer(
            409, json{{field::k_error, fmt::format("boot token {}... is of an earlier boot: the "
                                                   "machine registered again since",
                                                   pxe::token_prefix(token))},
                      {field::k_stop, true}});
      }
      if (unit && *unit) {
        return answer(200, json{{field::k_unit, (*unit)->tag.str()},
                                {field::k_state, hwdb::to_string((*unit)->state)},
                                {field::k_outcome, "repeat"}});
      }
    }
  }
  if (auto redeemed = m_tokens.redeem(token, *mac); !redeemed) {
    return refuse(403, fmt::format("boot token {}... refused for {} from {}: {}",
                                   pxe::token_prefix(token), mac->str(), client_ip,
                                   pxe::to_string(redeemed.error())));
  }

  hwdb::IntakeRequest intake;
  intake.identity.vendor = text(inventory, {"system", "vendor"});
  intake.identity.model = text(inventory, {"system", "model"});
  intake.identity.serial = text(inventory, {"system", "serial"});
  intake.identity.board_serial = text(inventory, {"system", "board", "serial"});
  intake.identity.wired_mac = *mac;
  intake.chassis =
      hwdb::parse_chassis(text(inventory, {"system", "chassis"})).value_or(hwdb::Chassis::unknown);
  intake.actor = "atelierd";
  auto unit = m_registry.intake(intake);
  if (!unit) {
    return refuse(500, unit.error().message);
  }

  hwdb::InventorySnapshot snapshot;
  snapshot.unit_id = unit->unit.id;
  snapshot.taken_at = m_registry.clock().wall_seconds();
  snapshot.schema = text(inventory, {"schema"});
  snapshot.raw_json = inventory.dump(); // verbatim content, so a later version can re-parse it
  snapshot.cpu_model = text(inventory, {"cpu", "model"});
  snapshot.cpu_threads = static_cast<int>(number(inventory, "cpu", "threads"));
  snapshot.x86_64_level = static_cast<int>(number(inventory, "cpu", "x86_64_level"));
  snapshot.ram_bytes = static_cast<std::uint64_t>(number(inventory, "memory", "total_bytes"));
  snapshot.firmware = text(inventory, {"firmware", "type"});
  if (auto added = m_registry.store().add_inventory(snapshot); !added) {
    return refuse(500, added.error().message);
  }
  hwdb::Unit current = unit->unit;
  if (current.state == hwdb::UnitState::detected) {
    auto moved = m_registry.transition(current, hwdb::UnitState::inventoried, "atelierd",
                                       "inventory received from the agent");
    if (!moved) {
      return refuse(500, moved.error().message);
    }
    current = *moved;
  }
  if (m_pipeline != nullptr) {
    auto session = m_pipeline->open_session(current, token, mac->str(), client_ip);
    if (!session) {
      return refuse(500, session.error());
    }
    if (auto refreshed = m_registry.store().unit_by_id(current.id); refreshed && *refreshed) {
      current = **refreshed;
    }
  }
  return answer(200, json{{field::k_unit, current.tag.str()},
                          {field::k_state, hwdb::to_string(current.state)},
                          {field::k_outcome, hwdb::to_string(unit->outcome)}});
}

} // namespace atelier::daemon
