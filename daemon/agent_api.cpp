#include "daemon/agent_api.h"

#include "pxe/http_routes.h"
#include "records/agent_protocol.h"
#include "records/daemon_reasons.h"
#include "records/json_fields.h"

#include <algorithm>

#include <climits>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::daemon {
namespace {

using nlohmann::json;
using records::Endpoint;
namespace field = records::agent_field;

pxe::HttpPostResult answer(unsigned status, const json& body) {
  // Bytes that are not UTF-8 (a request path quoted in a 404) are replaced, never thrown about.
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"};
}
pxe::HttpPostResult refuse(unsigned status, std::string message) {
  return answer(status, json{{field::k_error, std::move(message)}});
}

// What the log and a 400 say of an exception nlohmann threw: its own sentence, without the
// "[json.exception.type_error.302] " prefix (an id for its documentation, not for a volunteer).
std::string json_error_text(const nlohmann::json::exception& e) {
  const std::string_view what = e.what();
  const auto close = what.find("] ");
  return std::string(close == std::string_view::npos ? what : what.substr(close + 2));
}

// The members of an inventory that registration reads (the rest is stored verbatim), each of the
// type docs/INVENTORY.md gives it or null; a wrong type is an error naming the field.
struct InventoryFields {
  std::string schema, vendor, model, serial, board_serial, chassis;
  std::string cpu_model, firmware;
  int cpu_threads = 0;
  int x86_64_level = 0;
  std::uint64_t ram_bytes = 0;
  std::string error;
};

int small_count(records::FieldReader& in, std::string_view key) {
  return static_cast<int>(std::min<std::uint64_t>(in.count(key, 0), INT_MAX));
}

InventoryFields read_inventory(const json& inventory) {
  InventoryFields f;
  records::FieldReader in(inventory, std::string(field::k_inventory));
  f.schema = in.text("schema");
  // Each section is optional here (a machine without SMBIOS has no system serial); the grader
  // asks for what it needs later (profiles::facts_from_inventory_json).
  const auto section = [&](std::string_view key, const auto& read) {
    if (const json* object = in.object(key)) {
      records::FieldReader part(*object, records::field_path(in.path(), key));
      read(part);
      in.fail_with(part.error());
    }
  };
  section("system", [&](records::FieldReader& system) {
    f.vendor = system.text("vendor");
    f.model = system.text("model");
    f.serial = system.text("serial");
    f.chassis = system.text("chassis");
    if (const json* board = system.object("board")) {
      records::FieldReader b(*board, records::field_path(system.path(), "board"));
      f.board_serial = b.text("serial");
      system.fail_with(b.error());
    }
  });
  section("cpu", [&](records::FieldReader& cpu) {
    f.cpu_model = cpu.text("model");
    f.cpu_threads = small_count(cpu, "threads");
    f.x86_64_level = small_count(cpu, "x86_64_level");
  });
  section("memory",
          [&](records::FieldReader& memory) { f.ram_bytes = memory.count("total_bytes", 0); });
  section("firmware", [&](records::FieldReader& firmware) {
    f.firmware = firmware.text("type");
    // Not kept here, but typed now: the grade reads them (profiles::facts_from_inventory_json),
    // and a wrong type found then would fail the machine long after the agent could be told.
    firmware.flag("secure_boot", false);
    firmware.flag("setup_mode", false);
  });
  f.error = in.error();
  return f;
}

} // namespace

std::optional<std::size_t> agent_body_limit(std::string_view path) {
  const auto endpoint = records::endpoint_from_path(path);
  if (!endpoint) {
    return std::nullopt;
  }
  switch (*endpoint) {
  case Endpoint::register_unit:
    return k_register_body_limit;
  case Endpoint::next:
    return k_next_body_limit;
  case Endpoint::progress:
    return k_progress_body_limit;
  case Endpoint::result:
    return k_result_body_limit;
  }
  return std::nullopt;
}

std::chrono::minutes session_lifetime(std::chrono::minutes step_timeout) {
  return k_session_lifetime_steps * step_timeout;
}

// The exception boundary of the agent API: whatever a request makes the code below throw, the
// caller (the HTTP server, on the io thread that also runs DHCP and TFTP) gets an answer and goes
// on. The typed readers (records/json_fields.h) leave nothing to throw for a wrong type; this
// catches what they missed, and a bug.
pxe::HttpPostResult AgentApi::handle(std::string_view path, const std::string& body,
                                     const std::string& client_ip) {
  try {
    return dispatch(path, body, client_ip);
  } catch (const nlohmann::json::exception& e) {
    // The body's content, read somewhere without a typed reader: the client's fault, our bug.
    const std::string what = json_error_text(e);
    log(fmt::format("agent {} {}: unreadable body: {} (a bug: this should have been a typed "
                    "read naming the field)",
                    client_ip, path, what));
    return refuse(400, fmt::format("the body could not be read: {}", what));
  } catch (const std::exception& e) {
    log(fmt::format("agent {} {}: internal error: {}", client_ip, path, e.what()));
    return refuse(500, "internal error: see atelierd's log");
  } catch (...) {
    log(fmt::format("agent {} {}: internal error (unknown exception)", client_ip, path));
    return refuse(500, "internal error: see atelierd's log");
  }
}

json AgentApi::registered(json answer) const {
  if (m_pipeline != nullptr) {
    answer[field::k_language] = m_pipeline->language_code();
  }
  return answer;
}

void AgentApi::log(const std::string& line) const {
  if (m_log) {
    m_log(line);
  }
}

pxe::HttpPostResult AgentApi::dispatch(std::string_view path, const std::string& body,
                                       const std::string& client_ip) {
  const std::optional<Endpoint> endpoint = records::endpoint_from_path(path);
  if (!endpoint) {
    return refuse(404, fmt::format("no API endpoint {}", path));
  }
  if (*endpoint != Endpoint::register_unit && m_pipeline == nullptr) {
    // Definite, not "unavailable": a 5xx would make the agent wait for 10 minutes for a
    // pipeline that a restart alone will not bring. The agent stops and shows this sentence.
    return answer(409, json{{field::k_error, "this server runs no pipeline (atelier.toml has no "
                                             "[pipeline] section with a program and profiles): "
                                             "the machine was registered only; configure the "
                                             "pipeline, restart atelierd and boot the machine "
                                             "again"},
                            {field::k_stop, true}});
  }
  // Depth-limited (records::k_max_json_depth): later dump() and comparisons recurse.
  auto request = records::parse_json_object(body);
  if (!request) {
    return refuse(400, request.error());
  }
  if (auto expired = refuse_expired_session(*request, client_ip)) {
    return *expired;
  }
  if (*endpoint == Endpoint::register_unit) {
    return register_agent(*request, client_ip);
  }
  const ApiAnswer a = *endpoint == Endpoint::next       ? m_pipeline->next(*request)
                      : *endpoint == Endpoint::progress ? m_pipeline->progress(*request)
                                                        : m_pipeline->result(*request);
  return answer(a.status, a.body);
}

// A session lasts session_lifetime() from its registration: a token read off a machine's kernel
// command line (or a machine forgotten on a shelf) cannot ask for steps for ever, and a coordinator
// who moves a unit back into the pipeline months later does not hand its wipe to a stale boot. A
// step still issued runs to its end (step_timeout bounds it): the session ends at its next `next`.
std::optional<pxe::HttpPostResult> AgentApi::refuse_expired_session(const json& request,
                                                                    const std::string& client_ip) {
  if (m_pipeline == nullptr) {
    return std::nullopt;
  }
  records::FieldReader in(request, "");
  const std::string token = in.text(field::k_token);
  if (!in.ok() || token.empty()) {
    return std::nullopt; // refused below, with the field named
  }
  auto session = m_pipeline->session_for(token);
  if (!session || session->superseded_at) {
    return std::nullopt;
  }
  const auto lifetime = session_lifetime(m_pipeline->config().step_timeout);
  const auto age = m_registry.clock().wall_seconds() - session->started_at;
  if (age < lifetime) {
    return std::nullopt;
  }
  auto jobs = m_registry.store().jobs(session->unit_id);
  if (!jobs) {
    return refuse(500, jobs.error().message);
  }
  for (const auto& job : *jobs) {
    if (job.session_id == session->id && job.status == "issued") {
      return std::nullopt;
    }
  }
  const std::string message = fmt::format(
      "this boot's session is over: it registered {} h ago and a session lasts {} h ({} x "
      "[pipeline] step_timeout_minutes); boot the machine again over the network to go on",
      std::chrono::duration_cast<std::chrono::hours>(age).count(),
      std::chrono::duration_cast<std::chrono::hours>(lifetime).count(), k_session_lifetime_steps);
  log(fmt::format("agent {} with boot token {}...: {}", client_ip, pxe::token_prefix(token),
                  message));
  return answer(409, json{{field::k_error, message}, {field::k_stop, true}});
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
  log(message);
  return answer(409, json{{field::k_error, message}, {field::k_stop, true}});
}

pxe::HttpPostResult AgentApi::register_agent(const json& request, const std::string& client_ip) {
  records::FieldReader in(request, "");
  const std::string mac_text = in.text(field::k_mac);
  const std::string token = in.text(field::k_token);
  const json* inventory_field = in.required_object(field::k_inventory);
  if (!in.ok()) {
    return refuse(400, in.error());
  }
  const auto mac = pxe::parse_mac_address(mac_text);
  if (!mac) {
    return refuse(400, fmt::format("field 'mac': '{}' is not a MAC address", mac_text));
  }
  if (token.empty()) {
    return refuse(400, "field 'token' is missing");
  }
  const json& inventory = *inventory_field;
  const InventoryFields read = read_inventory(inventory);
  if (!read.error.empty()) {
    return refuse(400, read.error);
  }
  if (read.schema.rfind("atelier.inventory/", 0) != 0) {
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
        return answer(200, registered(json{{field::k_unit, (*unit)->tag.str()},
                                           {field::k_state, hwdb::to_string((*unit)->state)},
                                           {field::k_outcome, "repeat"}}));
      }
    }
  }
  for (const std::string& id : {mac->str(), read.serial, read.board_serial}) {
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
  intake.identity.vendor = read.vendor;
  intake.identity.model = read.model;
  intake.identity.serial = read.serial;
  intake.identity.board_serial = read.board_serial;
  intake.identity.wired_mac = *mac;
  intake.chassis = hwdb::parse_chassis(read.chassis).value_or(hwdb::Chassis::unknown);
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
  snapshot.schema = read.schema;
  snapshot.raw_json = inventory.dump(); // verbatim content, so a later version can re-parse it
  snapshot.cpu_model = read.cpu_model;
  snapshot.cpu_threads = read.cpu_threads;
  snapshot.x86_64_level = read.x86_64_level;
  snapshot.ram_bytes = read.ram_bytes;
  snapshot.firmware = read.firmware;
  if (auto added = m_registry.store().add_inventory(snapshot); !added) {
    return refuse(500, added.error().message);
  }
  hwdb::Unit current = unit->unit;
  if (current.state == hwdb::UnitState::detected) {
    auto moved = m_registry.transition(current, hwdb::UnitState::inventoried, "atelierd",
                                       records::k_event_inventory_received);
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
  return answer(200, registered(json{{field::k_unit, current.tag.str()},
                                     {field::k_state, hwdb::to_string(current.state)},
                                     {field::k_outcome, hwdb::to_string(unit->outcome)}}));
}

} // namespace atelier::daemon
