// Registry: households (personal data), the audit log, GDPR export/delete and the retention purge.
// The rule of this file: no personal data leaves the `households` table. Events, audit entries and
// error messages for log files name a household household_subject(id); only the messages shown to
// the coordinator who typed the reference repeat it.
#include "base/text.h"
#include "hardware-db/registry.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string trimmed(std::string_view s) {
  return std::string(base::trim(s));
}

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view value) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

// Applies `changes` to `h`, checking each value; names the field in errors. The names of the
// fields that changed go to `changed` (for the audit entry: names, never values).
Result<void> apply(const HouseholdChanges& changes, Household& h,
                   std::vector<std::string>& changed) {
  const auto set = [&](const std::optional<std::string>& value, std::string& field,
                       std::string_view name) {
    if (value && trimmed(*value) != field) {
      field = trimmed(*value);
      changed.emplace_back(name);
    }
  };
  set(changes.reference, h.reference, "reference");
  if (blank(h.reference)) {
    return failf(ErrorCode::invalid_argument,
                 "reference: required (the reference the referring social worker gave, e.g. "
                 "\"CCAS-2026-0142\")",
                 {});
  }
  set(changes.contact, h.contact, "contact");
  set(changes.eligibility_basis, h.eligibility_basis, "eligibility");
  set(changes.device, h.device, "device");
  if (!h.device.empty() && !one_of(k_household_devices, h.device)) {
    return failf(ErrorCode::invalid_argument, "device: '{value}' is not one of {allowed}",
                 {{"value", h.device},
                  {"allowed", fmt::format("{}", fmt::join(k_household_devices, ", "))}});
  }
  if (changes.uses) {
    std::vector<std::string> uses;
    for (const auto& use : *changes.uses) {
      const std::string u = trimmed(use);
      if (u.empty()) {
        continue;
      }
      if (!one_of(k_household_uses, u)) {
        return failf(
            ErrorCode::invalid_argument, "use: '{value}' is not one of {allowed}",
            {{"value", u}, {"allowed", fmt::format("{}", fmt::join(k_household_uses, ", "))}});
      }
      if (std::find(uses.begin(), uses.end(), u) == uses.end()) {
        uses.push_back(u);
      }
    }
    if (uses != h.uses) {
      h.uses = std::move(uses);
      changed.emplace_back("uses");
    }
  }
  set(changes.needs, h.needs, "needs");
  set(changes.district, h.district, "district");
  set(changes.notes, h.notes, "notes");
  return {};
}

Timestamp last_activity(const Household& h, const std::vector<Assignment>& assignments) {
  Timestamp last = std::max(h.created_at, h.updated_at.value_or(h.created_at));
  for (const auto& a : assignments) {
    for (const auto& t : {std::optional(a.assigned_at), a.delivered_at, a.returned_at}) {
      if (t) {
        last = std::max(last, *t);
      }
    }
  }
  return last;
}

} // namespace

Result<void> Registry::audit_entry(const Actor& actor, std::string_view action,
                                   std::string_view subject, std::string_view detail,
                                   Timestamp at) {
  auto id = m_store->append_audit(AuditEntry{0, at, actor.name, actor.role, std::string(action),
                                             std::string(subject), std::string(detail)});
  if (!id) {
    return std::unexpected(id.error());
  }
  return {};
}

Result<void> Registry::audit(const Actor& actor, std::string_view action, std::string_view subject,
                             std::string_view detail) {
  return audit_entry(actor, action, subject, detail, m_clock.wall_seconds());
}

Result<std::vector<AuditEntry>> Registry::audit_log(const std::string& subject, std::size_t limit) {
  return m_store->audit_entries(subject, limit);
}

Result<Household> Registry::find_household(std::string_view reference) {
  auto found = m_store->household_by_reference(trimmed(reference));
  if (!found) {
    return std::unexpected(found.error());
  }
  if (!*found) {
    return failf(ErrorCode::not_found,
                 "no household has the reference '{reference}' (atelier households list)",
                 {{"reference", trimmed(reference)}});
  }
  return std::move(**found);
}

Result<Household> Registry::add_household(const HouseholdChanges& fields, const Actor& actor) {
  Household h;
  std::vector<std::string> changed;
  if (auto ok = apply(fields, h, changed); !ok) {
    return std::unexpected(ok.error());
  }
  h.created_at = m_clock.wall_seconds();
  auto done = m_store->transaction([&]() -> Result<void> {
    auto existing = m_store->household_by_reference(h.reference);
    if (!existing) {
      return std::unexpected(existing.error());
    }
    if (*existing) {
      return failf(ErrorCode::conflict,
                   "a household with the reference '{reference}' is already recorded (atelier "
                   "households show {reference})",
                   {{"reference", h.reference}});
    }
    auto id = m_store->add_household(h);
    if (!id) {
      return std::unexpected(id.error());
    }
    h.id = *id;
    return audit_entry(actor, "household.add", household_subject(h.id),
                       fmt::format("fields: {}", fmt::join(changed, ", ")), h.created_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return h;
}

Result<Household> Registry::household(std::string_view reference, const Actor& actor) {
  Household h;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto found = find_household(reference);
    if (!found) {
      return std::unexpected(found.error());
    }
    h = std::move(*found);
    return audit_entry(actor, "household.read", household_subject(h.id), "",
                       m_clock.wall_seconds());
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return h;
}

Result<std::vector<Household>> Registry::households(const Actor& actor) {
  std::vector<Household> all;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto listed = m_store->list_households();
    if (!listed) {
      return std::unexpected(listed.error());
    }
    all = std::move(*listed);
    return audit_entry(actor, "household.list", "households",
                       fmt::format("{} household(s)", all.size()), m_clock.wall_seconds());
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return all;
}

Result<Household> Registry::edit_household(std::string_view reference,
                                           const HouseholdChanges& changes, const Actor& actor) {
  if (changes.empty()) {
    return failf(ErrorCode::invalid_argument,
                 "nothing to change: give at least one field (reference, contact, eligibility "
                 "basis, device, uses, needs, district, notes)",
                 {});
  }
  Household h;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto found = find_household(reference);
    if (!found) {
      return std::unexpected(found.error());
    }
    h = std::move(*found);
    const std::string before = h.reference;
    std::vector<std::string> changed;
    if (auto ok = apply(changes, h, changed); !ok) {
      return ok;
    }
    if (changed.empty()) {
      // Nothing changed, but the caller gets the whole record: a read like any other.
      return audit_entry(actor, "household.read", household_subject(h.id), "edit changed nothing",
                         m_clock.wall_seconds());
    }
    if (h.reference != before) {
      auto clash = m_store->household_by_reference(h.reference);
      if (!clash) {
        return std::unexpected(clash.error());
      }
      if (*clash) {
        return failf(ErrorCode::conflict,
                     "reference: '{reference}' is already another household's reference",
                     {{"reference", h.reference}});
      }
    }
    h.updated_at = m_clock.wall_seconds();
    if (auto r = m_store->update_household(h); !r) {
      return r;
    }
    return audit_entry(actor, "household.edit", household_subject(h.id),
                       fmt::format("changed: {}", fmt::join(changed, ", ")), *h.updated_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return h;
}

Result<HouseholdRecord> Registry::export_household(std::string_view reference, const Actor& actor) {
  HouseholdRecord record;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto found = find_household(reference);
    if (!found) {
      return std::unexpected(found.error());
    }
    record.household = std::move(*found);
    const std::string subject = household_subject(record.household.id);
    auto assignments = m_store->household_assignments(record.household.id);
    if (!assignments) {
      return std::unexpected(assignments.error());
    }
    for (auto& a : *assignments) {
      auto unit = m_store->unit_by_id(a.unit_id);
      if (!unit) {
        return std::unexpected(unit.error());
      }
      record.assignments.emplace_back(std::move(a), *unit ? (*unit)->tag.str() : "");
    }
    // The export itself is logged first, so the copy handed over shows it too.
    if (auto r = audit_entry(actor, "household.export", subject, "", m_clock.wall_seconds()); !r) {
      return r;
    }
    auto audit = m_store->audit_entries(subject, 0);
    if (!audit) {
      return std::unexpected(audit.error());
    }
    record.audit = std::move(*audit);
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return record;
}

Result<RowId> Registry::delete_household(std::string_view reference, std::string_view reason,
                                         const Actor& actor) {
  RowId id = 0;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto found = find_household(reference);
    if (!found) {
      return std::unexpected(found.error());
    }
    id = found->id;
    auto kept = m_store->household_assignments(id);
    if (!kept) {
      return std::unexpected(kept.error());
    }
    if (auto r = m_store->delete_household(id); !r) {
      return r;
    }
    // The reason is the coordinator's words ("request of 2026-03-02", "retention"): it must not
    // quote the household's data; the CLI says so in its help.
    return audit_entry(actor, "household.delete", household_subject(id),
                       fmt::format("{}; {} assignment(s) kept without the household",
                                   blank(reason) ? "on request" : trimmed(reason), kept->size()),
                       m_clock.wall_seconds());
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  if (auto r = m_store->scrub(); !r) {
    return std::unexpected(r.error());
  }
  return id;
}

Result<std::vector<RowId>> Registry::purge_expired(int retention_days, const Actor& actor) {
  if (retention_days < 1) {
    return failf(ErrorCode::invalid_argument, "the retention period must be at least one day", {});
  }
  std::vector<RowId> deleted;
  const Timestamp now = m_clock.wall_seconds();
  const Timestamp cutoff = now - std::chrono::days{retention_days};
  auto done = m_store->transaction([&]() -> Result<void> {
    auto all = m_store->list_households();
    if (!all) {
      return std::unexpected(all.error());
    }
    for (const auto& h : *all) {
      auto assignments = m_store->household_assignments(h.id);
      if (!assignments) {
        return std::unexpected(assignments.error());
      }
      const Timestamp last = last_activity(h, *assignments);
      if (last >= cutoff) {
        continue;
      }
      if (auto r = m_store->delete_household(h.id); !r) {
        return r;
      }
      if (auto r = audit_entry(actor, "household.delete", household_subject(h.id),
                               fmt::format("retention of {} days expired (last activity {})",
                                           retention_days, base::format_rfc3339(last)),
                               now);
          !r) {
        return r;
      }
      deleted.push_back(h.id);
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  if (!deleted.empty()) {
    if (auto r = m_store->scrub(); !r) {
      return std::unexpected(r.error());
    }
  }
  return deleted;
}

} // namespace atelier::hwdb
