#include "daemon/agent_api.h"

#include "pxe/http_routes.h"
#include "records/agent_protocol.h"

#include <algorithm>

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

// A registration whose serial is an existing unit's but whose MAC is not: a second NIC or a shared
// USB adapter (the same machine) is accepted, but it is also what a machine lying about its serial
// looks like. So it may not take over a unit that is working now (its live session would be cut
// off) or one that left the pipeline's hands (ready, assigned, delivered): refused, logged, and
// written in the unit's history where the operator sees it (`atelier unit show`).
std::optional<pxe::HttpPostResult> AgentApi::refuse_takeover(const hwdb::Identity& identity,
                                                             const std::string& client_ip) {
  const auto key = hwdb::identity_key(identity);
  if (!key || key->kind == hwdb::IdentityKind::mac || !identity.wired_mac) {
    return std::nullopt;
  }
  auto existing = m_registry.store().latest_unit_by_key(*key);
  if (!existing || !*existing || !(*existing)->identity.wired_mac ||
      *(*existing)->identity.wired_mac == *identity.wired_mac) {
    return std::nullopt;
  }
  const hwdb::Unit& unit = **existing;
  std::string why;
  using hwdb::UnitState;
  if (unit.state == UnitState::ready || unit.state == UnitState::assigned ||
      unit.state == UnitState::delivered) {
    why = fmt::format("{} is {}", unit.tag.str(), hwdb::to_string(unit.state));
  } else if (m_pipeline != nullptr) {
    if (auto live = m_pipeline->live_session(unit.id)) {
      why = fmt::format("{} is being worked on from MAC {} ({})", unit.tag.str(), live->mac,
                        live->client_ip);
    }
  }
  if (why.empty()) {
    return std::nullopt;
  }
  const std::string message = fmt::format(
      "registration refused: MAC {} from {} claims the serial of {}, but {}; if this really is "
      "the same machine (a second network card), boot it again once the unit is idle, or ask a "
      "coordinator",
      identity.wired_mac->str(), client_ip, unit.tag.str(), why);
  hwdb::Event note;
  note.unit_id = unit.id;
  note.at = m_registry.clock().wall_seconds();
  note.actor = "atelierd";
  note.from = unit.state;
  note.to = unit.state;
  note.reason = message;
  (void)m_registry.store().append_event(note); // the refusal stands even if the note fails
  if (m_log) {
    m_log(message);
  }
  return answer(409, json{{field::k_error, message}, {field::k_stop, true}});
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
  for (const std::string& id : {mac->str(), text(inventory, {"system", "serial"}),
                                text(inventory, {"system", "board", "serial"})}) {
    if (!id.empty() && std::find(m_protected.begin(), m_protected.end(), id) != m_protected.end()) {
      const std::string message = fmt::format(
          "this machine ({}) is on the protected list ([pipeline] protected): it is never "
          "registered or erased; boot it from its own disk",
          id);
      if (m_log) {
        m_log(fmt::format("agent {} from {}: {}", mac->str(), client_ip, message));
      }
      return answer(403, json{{field::k_error, message}, {field::k_stop, true}});
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
  if (auto refused = refuse_takeover(intake.identity, client_ip)) {
    return *refused;
  }
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
