#include "hardware-db/report.h"

#include <set>

namespace atelier::hwdb {
namespace {

std::string or_none(const std::string& value) {
  return value.empty() ? "(none)" : value;
}

bool within(Timestamp t, Timestamp from, Timestamp to) {
  return t >= from && t <= to;
}

} // namespace

Result<Report> build_report(Store& store, Timestamp from, Timestamp to) {
  Report r;
  r.from = from;
  r.to = to;
  auto units = store.list_units(UnitFilter{});
  auto events = store.events_until(to);
  auto assignments = store.all_assignments();
  auto erasures = store.erasure_records_between(from, to);
  if (!units || !events || !assignments || !erasures) {
    return std::unexpected(!units         ? units.error()
                           : !events      ? events.error()
                           : !assignments ? assignments.error()
                                          : erasures.error());
  }
  std::map<RowId, const Unit*> by_id;
  for (const auto& u : *units) {
    by_id[u.id] = &u;
    if (within(u.created_at, from, to)) {
      ++r.received;
    }
  }

  // Events: the state each unit was in at `to`, and who reached ready/returned/parts/recycled.
  std::map<RowId, UnitState> state_at_end;
  std::set<RowId> ready, returned, parts, recycled;
  for (const auto& e : *events) {
    state_at_end[e.unit_id] = e.to;
    if (!within(e.at, from, to)) {
      continue;
    }
    switch (e.to) {
    case UnitState::ready:
      ready.insert(e.unit_id);
      break;
    case UnitState::returned:
      returned.insert(e.unit_id);
      break;
    case UnitState::parts:
      parts.insert(e.unit_id);
      break;
    case UnitState::recycled:
      recycled.insert(e.unit_id);
      break;
    default:
      break;
    }
  }
  for (RowId id : recycled) {
    parts.erase(id); // parts then recycled in the same period: its fate is recycling
  }
  r.refurbished = static_cast<int>(ready.size());
  r.returned = static_cast<int>(returned.size());
  r.parts = static_cast<int>(parts.size());
  r.recycled = static_cast<int>(recycled.size());
  for (const auto& [id, state] : state_at_end) {
    ++r.state_at_end[std::string(to_string(state))];
    ++r.units_at_end;
  }

  // Deliveries: the newest delivery of each unit in the period describes it.
  std::map<RowId, const Assignment*> delivered;
  for (const auto& a : *assignments) {
    if (a.delivered_at && within(*a.delivered_at, from, to)) {
      delivered[a.unit_id] = &a;
    }
  }
  r.distributed = static_cast<int>(delivered.size());
  double total_days = 0;
  for (const auto& [unit_id, a] : delivered) {
    const auto it = by_id.find(unit_id);
    const Unit* unit = it == by_id.end() ? nullptr : it->second;
    ++r.by_program[or_none(a->program)];
    ++r.by_district[or_none(a->district)];
    ++r.by_chassis[unit ? std::string(to_string(unit->chassis)) : "unknown"];
    std::string profile;
    auto imaging = store.imaging_records(unit_id);
    if (!imaging) {
      return std::unexpected(imaging.error());
    }
    for (const auto& rec : *imaging) {
      if (rec.result == "imaged" && rec.finished_at <= *a->delivered_at) {
        profile = rec.profile;
      }
    }
    ++r.by_profile[or_none(profile)];
    if (unit) {
      total_days +=
          std::chrono::duration<double, std::ratio<86400>>(*a->delivered_at - unit->created_at)
              .count();
    }
  }
  if (!delivered.empty()) {
    r.average_days_to_delivery = total_days / static_cast<double>(delivered.size());
  }

  std::map<std::pair<std::string, std::string>, std::set<RowId>> disks;
  for (const auto& e : *erasures) {
    if (e.result == "erased") {
      disks[{e.level, e.method}].insert(e.disk_id);
    }
  }
  for (const auto& [key, ids] : disks) {
    r.erased.push_back(ErasureCount{key.first, key.second, static_cast<int>(ids.size())});
  }
  return r;
}

} // namespace atelier::hwdb
