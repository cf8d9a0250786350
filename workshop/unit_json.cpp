#include "workshop/unit_json.h"

#include <map>

#include <fmt/format.h>

namespace atelier::workshop {

using nlohmann::json;

json to_json(const hwdb::Unit& u) {
  json j = {
      {"tag", u.tag.str()},
      {"state", hwdb::to_string(u.state)},
      {"vendor", u.identity.vendor},
      {"model", u.identity.model},
      {"serial", u.identity.serial},
      {"board_serial", u.identity.board_serial},
      {"mac", u.identity.wired_mac ? json(u.identity.wired_mac->str()) : json(nullptr)},
      {"identity", {{"kind", hwdb::to_string(u.key.kind)}, {"value", u.key.value}}},
      {"chassis", hwdb::to_string(u.chassis)},
      {"notes", u.notes},
      {"do_not_boot", u.do_not_boot},
      {"created_at", base::format_rfc3339(u.created_at)},
      {"updated_at", base::format_rfc3339(u.updated_at)},
  };
  return j;
}

json to_json(const hwdb::Event& e) {
  return {
      {"at", base::format_rfc3339(e.at)},
      {"actor", e.actor},
      {"from", e.from ? json(hwdb::to_string(*e.from)) : json(nullptr)},
      {"to", hwdb::to_string(e.to)},
      {"reason", e.reason},
  };
}

json to_json(const hwdb::BootSighting& b) {
  return {
      {"mac", b.mac.str()},
      {"arch", b.arch ? json(*b.arch) : json(nullptr)},
      {"firmware", b.firmware},
      {"guid", b.guid},
      {"vendor_class", b.vendor_class},
      {"seen_at", base::format_rfc3339(b.seen_at)},
  };
}

} // namespace atelier::workshop

namespace atelier::workshop {

std::string secure_boot_state(const hwdb::InventorySnapshot& inventory) {
  // The agent's word, so only where it is consistent: Secure Boot is a UEFI matter, and the
  // firmware type atelierd recorded from the same report must say UEFI.
  if (inventory.firmware != "uefi") {
    return "";
  }
  const json report = json::parse(inventory.raw_json, nullptr, false);
  if (!report.is_object() || !report.contains("firmware") || !report["firmware"].is_object()) {
    return "";
  }
  const json& firmware = report["firmware"];
  const auto flag = [&](const char* key) -> std::optional<bool> {
    const auto it = firmware.find(key);
    return it != firmware.end() && it->is_boolean() ? std::optional(it->get<bool>()) : std::nullopt;
  };
  if (flag("setup_mode") == true) {
    return "setup mode";
  }
  const auto on = flag("secure_boot");
  return on ? (*on ? "on" : "off") : "";
}

std::string firmware_summary(const hwdb::BootSighting& b) {
  // Option 93: 0 is legacy BIOS, the others are EFI.
  if (!b.arch) {
    return b.firmware;
  }
  return fmt::format("{} ({})", *b.arch == 0 ? "bios" : "uefi", b.firmware);
}

hwdb::Result<json> unit_list_json(hwdb::UnitStore& store, const hwdb::UnitFilter& filter) {
  auto units = store.list_units(filter);
  if (!units) {
    return std::unexpected(units.error());
  }
  auto sightings = store.latest_sightings();
  if (!sightings) {
    return std::unexpected(sightings.error());
  }
  std::map<hwdb::RowId, const hwdb::BootSighting*> last_boot;
  for (const auto& b : *sightings) {
    last_boot[b.unit_id] = &b;
  }
  json all = json::array();
  for (const auto& u : *units) {
    json j = to_json(u);
    const auto it = last_boot.find(u.id);
    j["firmware"] = it == last_boot.end() ? json(nullptr) : json(firmware_summary(*it->second));
    all.push_back(std::move(j));
  }
  return all;
}

hwdb::Result<json> unit_detail_json(hwdb::Store& store, const hwdb::Unit& unit) {
  auto events = store.events(unit.id);
  auto sightings = store.sightings(unit.id);
  auto interfaces = store.interfaces(unit.id);
  auto grade = store.latest_grade(unit.id);
  if (!events || !sightings || !interfaces || !grade) {
    return hwdb::fail(hwdb::ErrorCode::storage, "cannot read the records of " + unit.tag.str());
  }
  std::optional<hwdb::Unit> previous;
  if (unit.previous) {
    if (auto p = store.unit_by_id(*unit.previous); p && *p) {
      previous = **p;
    }
  }
  json j = to_json(unit);
  j["previous_tag"] = previous ? json(previous->tag.str()) : json(nullptr);
  j["interfaces"] = json::array();
  for (const auto& n : *interfaces) {
    j["interfaces"].push_back({{"mac", n.mac.str()}, {"wired", n.wired}, {"driver", n.driver}});
  }
  j["boot_sightings"] = json::array();
  for (const auto& b : *sightings) {
    j["boot_sightings"].push_back(to_json(b));
  }
  j["grade"] = *grade ? json{{"grade", (*grade)->grade},
                             {"score", (*grade)->score},
                             {"explanation", (*grade)->explanation}}
                      : json(nullptr);
  j["events"] = events->size();
  // The Secure Boot state is extra: a failed read leaves it null rather than failing the unit.
  auto inventory = store.latest_inventory(unit.id);
  const std::string secure_boot =
      inventory && *inventory ? secure_boot_state(**inventory) : std::string();
  j["secure_boot"] = secure_boot.empty() ? json(nullptr) : json(secure_boot);
  // Where it came from and where it went (households by number only: no personal data here).
  std::optional<hwdb::Donation> donation;
  if (auto id = store.donation_of_unit(unit.id); id && *id) {
    if (auto d = store.donation_by_id(**id); d && *d) {
      donation = **d;
    }
  }
  j["donation"] = donation ? json{{"id", donation->id}, {"donor", donation->donor}} : json(nullptr);
  auto assignments = store.assignments(unit.id);
  if (!assignments) {
    return hwdb::fail(hwdb::ErrorCode::storage, "cannot read the assignments of " + unit.tag.str());
  }
  j["assignments"] = json::array();
  for (const auto& a : *assignments) {
    const auto ts = [](const std::optional<hwdb::Timestamp>& t) {
      return t ? json(base::format_rfc3339(*t)) : json(nullptr);
    };
    j["assignments"].push_back(
        {{"household",
          a.household_id ? json(hwdb::household_subject(*a.household_id)) : json(nullptr)},
         {"assigned_at", base::format_rfc3339(a.assigned_at)},
         {"delivered_at", ts(a.delivered_at)},
         {"warranty_end", ts(a.warranty_end)},
         {"returned_at", ts(a.returned_at)}});
  }
  return j;
}

} // namespace atelier::workshop
