// Registry: from a ready unit to a household and back (suggest, assign, deliver, return) and
// donation batches. Lifecycle decisions stay in lifecycle.cpp; this file adds the coordinator's
// preconditions with messages that say what to do next, and the audit entries.
#include "hardware-db/event_phrases.h"
#include "hardware-db/registry.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

std::string unit_subject(const Unit& u) {
  return "unit " + u.tag.str();
}

std::string format_eur(std::int64_t cents) {
  return fmt::format("{}.{:02} EUR", cents / 100, cents % 100);
}

std::string format_day(Timestamp t) {
  return base::format_date(t);
}

// The assignment a unit is in now: the newest one neither returned nor cancelled.
std::optional<Assignment> current_assignment(const std::vector<Assignment>& all) {
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (!it->returned_at) {
      return *it;
    }
  }
  return std::nullopt;
}

// Delivery date + months, the day clamped to the month's last day (31 Aug + 6 months = 28/29 Feb).
Timestamp add_months(Timestamp t, int months) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const auto time_of_day = t - day;
  year_month_day ymd{day};
  year_month ym = ymd.year() / ymd.month();
  ym += std::chrono::months{months};
  const auto last_day = (ym / std::chrono::last).day();
  const year_month_day target = ym / std::min(ymd.day(), last_day);
  return sys_days{target} + time_of_day;
}

// How well a chassis matches the household's device: 2 fits, 1 unknown (check by hand), 0 not.
int chassis_fit(const std::string& device, Chassis chassis) {
  if (device.empty() || device == "any") {
    return 2;
  }
  if (chassis == Chassis::unknown || chassis == Chassis::other) {
    return 1;
  }
  if (device == "laptop") {
    return chassis == Chassis::laptop ? 2 : 0;
  }
  // desktop
  return (chassis == Chassis::desktop || chassis == Chassis::all_in_one || chassis == Chassis::mini)
             ? 2
             : 0;
}

int grade_points(const std::optional<GradeRecord>& grade) {
  if (!grade) {
    return 0;
  }
  if (grade->grade == "A") {
    return 30;
  }
  if (grade->grade == "B") {
    return 20;
  }
  return grade->grade == "C" ? 10 : 0;
}

} // namespace

Result<std::vector<Suggestion>> Registry::suggest(std::string_view reference, const Actor& actor) {
  auto h = household(reference, actor); // audited: the household's needs are read
  if (!h) {
    return std::unexpected(h.error());
  }
  auto ready = m_store->list_units(UnitFilter{UnitState::ready, 0});
  if (!ready) {
    return std::unexpected(ready.error());
  }
  std::vector<Suggestion> out;
  for (const auto& u : *ready) {
    const int fit = chassis_fit(h->device, u.chassis);
    if (fit == 0) {
      continue;
    }
    auto grade = m_store->latest_grade(u.id);
    auto inventory = m_store->latest_inventory(u.id);
    auto imaging = m_store->imaging_records(u.id);
    if (!grade || !inventory || !imaging) {
      return std::unexpected(!grade       ? grade.error()
                             : !inventory ? inventory.error()
                                          : imaging.error());
    }
    std::vector<std::string> why;
    if (h->device.empty() || h->device == "any") {
      why.push_back(std::string(to_string(u.chassis)));
    } else if (fit == 2) {
      why.push_back(fmt::format("{} as asked", to_string(u.chassis)));
    } else {
      why.push_back(fmt::format("chassis {}: check it is a {}", to_string(u.chassis), h->device));
    }
    int score = fit * 100 + grade_points(*grade);
    if (*grade) {
      why.push_back(fmt::format("grade {} (score {})", (*grade)->grade, (*grade)->score));
    } else {
      why.push_back("not graded");
    }
    if (*inventory && (*inventory)->ram_bytes > 0) {
      const auto gib = static_cast<int>((*inventory)->ram_bytes >> 30);
      score += std::min(gib, 16);
      why.push_back(fmt::format("{} GiB RAM", gib));
    }
    for (auto it = imaging->rbegin(); it != imaging->rend(); ++it) {
      if (it->result == "imaged") {
        why.push_back("profile " + it->profile);
        break;
      }
    }
    why.push_back("ready since " + format_day(u.updated_at));
    out.push_back(Suggestion{u, score, fmt::format("{}", fmt::join(why, "; "))});
  }
  // Best first; among equals, the one waiting longest (stock rotates).
  std::stable_sort(out.begin(), out.end(), [](const Suggestion& a, const Suggestion& b) {
    if (a.score != b.score) {
      return a.score > b.score;
    }
    return a.unit.updated_at < b.unit.updated_at;
  });
  return out;
}

Result<Assignment> Registry::assign(std::string_view tag, std::string_view reference,
                                    const Actor& actor) {
  Assignment assignment;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto unit = find(tag);
    if (!unit) {
      return std::unexpected(unit.error());
    }
    auto h = find_household(reference);
    if (!h) {
      return std::unexpected(h.error());
    }
    if (unit->state != UnitState::ready) {
      const base::MessageArgs args = {{"tag", unit->tag.str()}, {"state", to_string(unit->state)}};
      if (unit->state == UnitState::assigned) {
        return failf(ErrorCode::refused,
                     "{tag} is '{state}', not 'ready': only a ready unit can be assigned; it is "
                     "already assigned (atelier unassign TAG to cancel that first)",
                     args);
      }
      if (unit->state == UnitState::delivered) {
        return failf(ErrorCode::refused,
                     "{tag} is '{state}', not 'ready': only a ready unit can be assigned; it was "
                     "delivered (atelier return TAG if it came back)",
                     args);
      }
      if (unit->state == UnitState::parts || unit->state == UnitState::recycled) {
        return failf(ErrorCode::refused,
                     "{tag} is '{state}', not 'ready': only a ready unit can be assigned; it left "
                     "the distribution",
                     args);
      }
      return failf(ErrorCode::refused,
                   "{tag} is '{state}', not 'ready': only a ready unit can be assigned; finish "
                   "its pipeline first",
                   args);
    }
    const std::string subject = household_subject(h->id);
    auto moved = transition(*unit, UnitState::assigned, actor.name,
                            base::format_message(k_event_assigned, {{"household", subject}}));
    if (!moved) {
      return std::unexpected(moved.error());
    }
    assignment.unit_id = unit->id;
    assignment.household_id = h->id;
    assignment.assigned_at = moved->updated_at;
    assignment.district = h->district;
    auto id = m_store->add_assignment(assignment);
    if (!id) {
      return std::unexpected(id.error());
    }
    assignment.id = *id;
    return audit_entry(actor, "unit.assign", unit_subject(*unit), "to " + subject,
                       assignment.assigned_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return assignment;
}

Result<Unit> Registry::unassign(std::string_view tag, std::string_view reason, const Actor& actor) {
  Unit result;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto unit = find(tag);
    if (!unit) {
      return std::unexpected(unit.error());
    }
    if (unit->state != UnitState::assigned) {
      return failf(ErrorCode::refused,
                   "{tag} is '{state}', not 'assigned': there is no assignment to cancel",
                   {{"tag", unit->tag.str()}, {"state", to_string(unit->state)}});
    }
    auto all = m_store->assignments(unit->id);
    if (!all) {
      return std::unexpected(all.error());
    }
    auto current = current_assignment(*all);
    const std::string why = reason.empty() ? k_event_assignment_cancelled : std::string(reason);
    auto moved = transition(*unit, UnitState::ready, actor.name, why);
    if (!moved) {
      return std::unexpected(moved.error());
    }
    if (current) {
      current->returned_at = moved->updated_at;
      current->return_reason = "cancelled before handover: " + why;
      if (auto r = m_store->update_assignment(*current); !r) {
        return r;
      }
    }
    result = *moved;
    return audit_entry(actor, "unit.unassign", unit_subject(*unit), why, moved->updated_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return result;
}

Result<Assignment> Registry::deliver(std::string_view tag, const DeliveryTerms& terms,
                                     const Actor& actor) {
  if (terms.price_cents < 0) {
    return failf(ErrorCode::invalid_argument, "price: must not be negative", {});
  }
  if (terms.price_min_cents && terms.price_cents < *terms.price_min_cents) {
    return failf(ErrorCode::refused,
                 "price: {price} is below the program's minimum of {minimum} (program file, "
                 "[handover] price_min_eur)",
                 {{"price", format_eur(terms.price_cents)},
                  {"minimum", format_eur(*terms.price_min_cents)}});
  }
  if (terms.price_max_cents && terms.price_cents > *terms.price_max_cents) {
    return failf(ErrorCode::refused,
                 "price: {price} is above the program's maximum of {maximum} (program file, "
                 "[handover] price_max_eur)",
                 {{"price", format_eur(terms.price_cents)},
                  {"maximum", format_eur(*terms.price_max_cents)}});
  }
  const Timestamp now = m_clock.wall_seconds();
  const Timestamp date = terms.date.value_or(now);
  if (date > now) {
    return failf(ErrorCode::invalid_argument,
                 "date: {date} is in the future; record a delivery once it happened",
                 {{"date", format_day(date)}});
  }
  Assignment assignment;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto unit = find(tag);
    if (!unit) {
      return std::unexpected(unit.error());
    }
    if (unit->state != UnitState::assigned) {
      return failf(ErrorCode::refused,
                   "{tag} is '{state}', not 'assigned': assign it to a household first (atelier "
                   "assign {tag} HOUSEHOLD)",
                   {{"tag", unit->tag.str()}, {"state", to_string(unit->state)}});
    }
    auto all = m_store->assignments(unit->id);
    if (!all) {
      return std::unexpected(all.error());
    }
    auto current = current_assignment(*all);
    if (!current) {
      return failf(ErrorCode::conflict,
                   "{tag} is 'assigned' but has no open assignment record; cancel with atelier "
                   "unassign {tag} and assign it again",
                   {{"tag", unit->tag.str()}});
    }
    if (date < floor<std::chrono::days>(current->assigned_at)) {
      return failf(ErrorCode::invalid_argument,
                   "date: {date} is before the assignment ({assigned})",
                   {{"date", format_day(date)}, {"assigned", format_day(current->assigned_at)}});
    }
    const std::string subject =
        current->household_id ? household_subject(*current->household_id) : "a deleted household";
    auto moved = transition(*unit, UnitState::delivered, actor.name,
                            current->household_id
                                ? base::format_message(k_event_delivered, {{"household", subject}})
                                : std::string(k_event_delivered_deleted));
    if (!moved) {
      return std::unexpected(moved.error());
    }
    current->delivered_at = date;
    current->price_cents = terms.price_cents;
    current->program = terms.program;
    if (terms.warranty_months > 0) {
      current->warranty_end = add_months(date, terms.warranty_months);
    }
    if (auto r = m_store->update_assignment(*current); !r) {
      return r;
    }
    assignment = *current;
    return audit_entry(actor, "unit.deliver", unit_subject(*unit),
                       fmt::format("to {}, {}, {}", subject, format_eur(terms.price_cents),
                                   current->warranty_end
                                       ? "warranty until " + format_day(*current->warranty_end)
                                       : std::string("no warranty")),
                       now);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return assignment;
}

Result<Unit> Registry::return_unit(std::string_view tag, std::string_view reason, ReturnTo to,
                                   const Actor& actor, Disposal disposal) {
  if (reason.find_first_not_of(" \t") == std::string_view::npos) {
    return failf(ErrorCode::refused,
                 "reason: say why the unit came back (it is kept with the unit's history)", {});
  }
  Unit result;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto unit = find(tag);
    if (!unit) {
      return std::unexpected(unit.error());
    }
    if (unit->state != UnitState::delivered && unit->state != UnitState::assigned) {
      return failf(ErrorCode::refused,
                   "{tag} is '{state}': only a delivered or assigned unit can be returned",
                   {{"tag", unit->tag.str()}, {"state", to_string(unit->state)}});
    }
    auto all = m_store->assignments(unit->id);
    if (!all) {
      return std::unexpected(all.error());
    }
    auto returned = transition(*unit, UnitState::returned, actor.name, reason);
    if (!returned) {
      return std::unexpected(returned.error());
    }
    auto next =
        to == ReturnTo::parts
            ? transition(*returned, UnitState::parts, actor.name, reason, disposal)
            : transition(*returned, UnitState::detected, actor.name, k_event_back_after_return);
    if (!next) {
      return std::unexpected(next.error());
    }
    if (auto current = current_assignment(*all)) {
      current->returned_at = next->updated_at;
      current->return_reason = std::string(reason);
      if (auto r = m_store->update_assignment(*current); !r) {
        return r;
      }
    }
    result = *next;
    return audit_entry(actor, "unit.return", unit_subject(*unit),
                       fmt::format("{}; now {}", reason, to_string(next->state)), next->updated_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return result;
}

Result<Donation> Registry::open_donation(Donation donation, const Actor& actor) {
  if (donation.donor.find_first_not_of(" \t") == std::string::npos) {
    return failf(ErrorCode::invalid_argument, "donor: required (who gave the machines)", {});
  }
  if (!base::parse_date(donation.received_on)) {
    return failf(ErrorCode::invalid_argument, "date: '{date}' is not a date like 2026-03-02",
                 {{"date", donation.received_on}});
  }
  donation.opened_at = m_clock.wall_seconds();
  auto done = m_store->transaction([&]() -> Result<void> {
    auto all = m_store->list_donations();
    if (!all) {
      return std::unexpected(all.error());
    }
    for (const auto& d : *all) {
      if (!d.closed_at) {
        return failf(ErrorCode::refused,
                     "donation #{id} ({donor}) is still open: machines that boot now would not "
                     "know which batch they belong to; close it first (atelier intake close {id})",
                     {{"id", d.id}, {"donor", d.donor}});
      }
    }
    auto id = m_store->add_donation(donation);
    if (!id) {
      return std::unexpected(id.error());
    }
    donation.id = *id;
    return audit_entry(actor, "donation.open", fmt::format("donation#{}", donation.id),
                       fmt::format("expected {}", donation.expected_count
                                                      ? std::to_string(*donation.expected_count)
                                                      : std::string("?")),
                       donation.opened_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return donation;
}

Result<Donation> Registry::close_donation(RowId id, const Actor& actor) {
  Donation donation;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto found = m_store->donation_by_id(id);
    if (!found) {
      return std::unexpected(found.error());
    }
    if (!*found) {
      return failf(ErrorCode::not_found, "no donation #{id} (atelier intake list)", {{"id", id}});
    }
    if ((*found)->closed_at) {
      return failf(ErrorCode::refused, "donation #{id} is already closed", {{"id", id}});
    }
    const Timestamp now = m_clock.wall_seconds();
    if (auto r = m_store->close_donation(id, now); !r) {
      return r;
    }
    donation = **found;
    donation.closed_at = now;
    return audit_entry(actor, "donation.close", fmt::format("donation#{}", id), "", now);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return donation;
}

Result<DonationImport> Registry::match_donation_assets(RowId id) {
  DonationImport result;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto serials = m_store->donation_assets(id);
    if (!serials) {
      return std::unexpected(serials.error());
    }
    result.listed = static_cast<int>(serials->size());
    const Timestamp now = m_clock.wall_seconds();
    for (const auto& serial : *serials) {
      auto units = m_store->units_by_serial(serial);
      if (!units) {
        return std::unexpected(units.error());
      }
      if (units->empty()) {
        result.unmatched.push_back(serial);
        continue;
      }
      // The newest record of that machine (a re-intake supersedes its earlier record).
      const Unit& u = units->front();
      // A serial on the donor's list wins over a boot-time link (to this or another donation).
      if (auto r = m_store->link_donation_unit(id, DonationLink{u.id, "serial", now}); !r) {
        return r;
      }
      result.matched_tags.push_back(u.tag.str());
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return result;
}

Result<DonationImport> Registry::import_donation_assets(RowId id,
                                                        const std::vector<std::string>& serials,
                                                        const Actor& actor) {
  DonationImport result;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto found = m_store->donation_by_id(id);
    if (!found) {
      return std::unexpected(found.error());
    }
    if (!*found) {
      return failf(ErrorCode::not_found, "no donation #{id} (atelier intake list)", {{"id", id}});
    }
    std::vector<std::string> clean;
    for (const auto& s : serials) {
      const auto begin = s.find_first_not_of(" \t\r\"");
      const auto end = s.find_last_not_of(" \t\r\"");
      if (begin != std::string::npos) {
        clean.push_back(s.substr(begin, end - begin + 1));
      }
    }
    auto added = m_store->add_donation_assets(id, clean);
    if (!added) {
      return std::unexpected(added.error());
    }
    auto matched = match_donation_assets(id);
    if (!matched) {
      return std::unexpected(matched.error());
    }
    result = std::move(*matched);
    result.added = *added;
    return audit_entry(actor, "donation.import", fmt::format("donation#{}", id),
                       fmt::format("{} serial(s) listed, {} new, {} matched", result.listed,
                                   result.added, result.matched_tags.size()),
                       m_clock.wall_seconds());
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return result;
}

} // namespace atelier::hwdb
