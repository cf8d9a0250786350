// SqliteStore: households, assignments, the audit log and donations (schema versions 3 and 7,
// migrations.cpp).
#include "hardware-db/sqlite_rows.h"
#include "hardware-db/sqlite_store.h"

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

using namespace sqlite_rows;

// Uses are stored as one comma-separated text ("school,family"): a small closed set, always read
// whole.
std::string join_uses(const std::vector<std::string>& uses) {
  return fmt::format("{}", fmt::join(uses, ","));
}

std::vector<std::string> split_uses(const std::string& text) {
  std::vector<std::string> uses;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) {
      uses.push_back(text.substr(start, comma - start));
    }
    start = comma + 1;
  }
  return uses;
}

constexpr std::string_view k_household_select =
    "SELECT id, reference, contact, eligibility_basis, device, uses, needs, district, notes, "
    "created_at, updated_at FROM households";

Household read_household(const Statement& s) {
  Household h;
  h.id = s.column_int(0);
  h.reference = s.column_text(1);
  h.contact = s.column_text(2);
  h.eligibility_basis = s.column_text(3);
  h.device = s.column_text(4);
  h.uses = split_uses(s.column_text(5));
  h.needs = s.column_text(6);
  h.district = s.column_text(7);
  h.notes = s.column_text(8);
  h.created_at = ts(s, 9);
  h.updated_at = optional_ts(s, 10);
  return h;
}

constexpr std::string_view k_assignment_select =
    "SELECT id, unit_id, household_id, assigned_at, delivered_at, price_cents, warranty_end, "
    "returned_at, return_reason, district, program FROM assignments";

Assignment read_assignment(const Statement& s) {
  Assignment a;
  a.id = s.column_int(0);
  a.unit_id = s.column_int(1);
  a.household_id = s.column_optional_int(2);
  a.assigned_at = ts(s, 3);
  a.delivered_at = optional_ts(s, 4);
  a.price_cents = s.column_optional_int(5);
  a.warranty_end = optional_ts(s, 6);
  a.returned_at = optional_ts(s, 7);
  a.return_reason = s.column_text(8);
  a.district = s.column_text(9);
  a.program = s.column_text(10);
  return a;
}

constexpr std::string_view k_donation_select =
    "SELECT id, donor, received_on, expected_count, notes, opened_at, closed_at FROM donations";

Donation read_donation(const Statement& s) {
  Donation d;
  d.id = s.column_int(0);
  d.donor = s.column_text(1);
  d.received_on = s.column_text(2);
  if (auto n = s.column_optional_int(3)) {
    d.expected_count = static_cast<int>(*n);
  }
  d.notes = s.column_text(4);
  d.opened_at = ts(s, 5);
  d.closed_at = optional_ts(s, 6);
  return d;
}

} // namespace

Result<RowId> SqliteStore::add_household(const Household& h) {
  return insert("INSERT INTO households(reference, contact, eligibility_basis, device, uses, "
                "needs, district, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, h.reference)
                      .bind(2, h.contact)
                      .bind(3, h.eligibility_basis)
                      .bind(4, h.device)
                      .bind(5, join_uses(h.uses))
                      .bind(6, h.needs)
                      .bind(7, h.district)
                      .bind(8, h.notes)
                      .bind(9, base::format_rfc3339(h.created_at));
                });
}

Result<std::optional<Household>> SqliteStore::household_by_reference(const std::string& ref) {
  return first(query<Household>(
      m_db, std::string(k_household_select) + " WHERE reference = ?",
      [&](Statement& s) { s.bind(1, ref); }, read_household));
}

Result<std::optional<Household>> SqliteStore::household_by_id(RowId id) {
  return first(query<Household>(
      m_db, std::string(k_household_select) + " WHERE id = ?", [&](Statement& s) { s.bind(1, id); },
      read_household));
}

Result<std::vector<Household>> SqliteStore::list_households() {
  return query<Household>(
      m_db, std::string(k_household_select) + " ORDER BY id", [](Statement&) {}, read_household);
}

Result<void> SqliteStore::update_household(const Household& h) {
  return execute(m_db,
                 "UPDATE households SET reference = ?, contact = ?, eligibility_basis = ?, "
                 "device = ?, uses = ?, needs = ?, district = ?, notes = ?, updated_at = ? "
                 "WHERE id = ?",
                 [&](Statement& s) {
                   s.bind(1, h.reference)
                       .bind(2, h.contact)
                       .bind(3, h.eligibility_basis)
                       .bind(4, h.device)
                       .bind(5, join_uses(h.uses))
                       .bind(6, h.needs)
                       .bind(7, h.district)
                       .bind(8, h.notes)
                       .bind(9, optional_text(h.updated_at))
                       .bind(10, h.id);
                 });
}

Result<void> SqliteStore::delete_household(RowId id) {
  // assignments.household_id is ON DELETE SET NULL (foreign keys are on for every connection).
  return execute(m_db, "DELETE FROM households WHERE id = ?", [&](Statement& s) { s.bind(1, id); });
}

Result<void> SqliteStore::scrub() {
  // TRUNCATE copies the WAL into the database file (whose deleted content secure_delete already
  // zeroed) and empties the WAL. A reader holding an old snapshot makes it report busy: the WAL
  // is then truncated by the next checkpoint, which SQLite runs on its own.
  auto stmt = m_db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!stmt) {
    return std::unexpected(stmt.error());
  }
  auto row = stmt->step();
  if (!row) {
    return std::unexpected(row.error());
  }
  return {};
}

Result<RowId> SqliteStore::add_assignment(const Assignment& a) {
  return insert("INSERT INTO assignments(unit_id, household_id, assigned_at, delivered_at, "
                "price_cents, warranty_end, returned_at, return_reason, district, program) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, a.unit_id)
                      .bind(2, a.household_id)
                      .bind(3, base::format_rfc3339(a.assigned_at))
                      .bind(4, optional_text(a.delivered_at))
                      .bind(5, a.price_cents)
                      .bind(6, optional_text(a.warranty_end))
                      .bind(7, optional_text(a.returned_at))
                      .bind(8, a.return_reason)
                      .bind(9, a.district)
                      .bind(10, a.program);
                });
}

Result<std::vector<Assignment>> SqliteStore::assignments(RowId unit_id) {
  return query<Assignment>(
      m_db, std::string(k_assignment_select) + " WHERE unit_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, unit_id); }, read_assignment);
}

Result<std::vector<Assignment>> SqliteStore::household_assignments(RowId household_id) {
  return query<Assignment>(
      m_db, std::string(k_assignment_select) + " WHERE household_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, household_id); }, read_assignment);
}

Result<std::vector<Assignment>> SqliteStore::all_assignments() {
  return query<Assignment>(
      m_db, std::string(k_assignment_select) + " ORDER BY id", [](Statement&) {}, read_assignment);
}

Result<void> SqliteStore::update_assignment(const Assignment& a) {
  return execute(m_db,
                 "UPDATE assignments SET delivered_at = ?, price_cents = ?, warranty_end = ?, "
                 "returned_at = ?, return_reason = ?, program = ? WHERE id = ?",
                 [&](Statement& s) {
                   s.bind(1, optional_text(a.delivered_at))
                       .bind(2, a.price_cents)
                       .bind(3, optional_text(a.warranty_end))
                       .bind(4, optional_text(a.returned_at))
                       .bind(5, a.return_reason)
                       .bind(6, a.program)
                       .bind(7, a.id);
                 });
}

Result<RowId> SqliteStore::append_audit(const AuditEntry& e) {
  return insert("INSERT INTO audit_log(at, actor, role, action, subject, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, base::format_rfc3339(e.at))
                      .bind(2, e.actor)
                      .bind(3, e.role)
                      .bind(4, e.action)
                      .bind(5, e.subject)
                      .bind(6, e.detail);
                });
}

Result<std::vector<AuditEntry>> SqliteStore::audit_entries(const std::string& subject,
                                                           std::size_t limit) {
  std::string sql = "SELECT id, at, actor, role, action, subject, detail FROM audit_log";
  if (!subject.empty()) {
    sql += " WHERE subject = ?";
  }
  sql += " ORDER BY id";
  if (limit > 0) {
    // The newest `limit` entries, still oldest first.
    sql = fmt::format("SELECT * FROM ({} DESC LIMIT {}) ORDER BY id", sql, limit);
  }
  return query<AuditEntry>(
      m_db, sql,
      [&](Statement& s) {
        if (!subject.empty()) {
          s.bind(1, subject);
        }
      },
      [](const Statement& s) {
        AuditEntry e;
        e.id = s.column_int(0);
        e.at = ts(s, 1);
        e.actor = s.column_text(2);
        e.role = s.column_text(3);
        e.action = s.column_text(4);
        e.subject = s.column_text(5);
        e.detail = s.column_text(6);
        return e;
      });
}

Result<RowId> SqliteStore::add_donation(const Donation& d) {
  return insert("INSERT INTO donations(donor, received_on, expected_count, notes, opened_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, d.donor).bind(2, d.received_on);
                  if (d.expected_count) {
                    s.bind(3, std::int64_t{*d.expected_count});
                  } else {
                    s.bind_null(3);
                  }
                  s.bind(4, d.notes).bind(5, base::format_rfc3339(d.opened_at));
                });
}

Result<std::optional<Donation>> SqliteStore::donation_by_id(RowId id) {
  return first(query<Donation>(
      m_db, std::string(k_donation_select) + " WHERE id = ?", [&](Statement& s) { s.bind(1, id); },
      read_donation));
}

Result<std::vector<Donation>> SqliteStore::list_donations() {
  return query<Donation>(
      m_db, std::string(k_donation_select) + " ORDER BY id", [](Statement&) {}, read_donation);
}

Result<void> SqliteStore::close_donation(RowId id, Timestamp at) {
  return execute(m_db, "UPDATE donations SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                 [&](Statement& s) { s.bind(1, base::format_rfc3339(at)).bind(2, id); });
}

Result<void> SqliteStore::link_donation_unit(RowId donation_id, const DonationLink& link) {
  return execute(m_db,
                 "INSERT INTO donation_units(donation_id, unit_id, how, linked_at) "
                 "VALUES (?, ?, ?, ?) ON CONFLICT(unit_id) DO UPDATE SET "
                 "donation_id = excluded.donation_id, how = excluded.how, "
                 "linked_at = excluded.linked_at",
                 [&](Statement& s) {
                   s.bind(1, donation_id)
                       .bind(2, link.unit_id)
                       .bind(3, link.how)
                       .bind(4, base::format_rfc3339(link.linked_at));
                 });
}

Result<std::vector<DonationLink>> SqliteStore::donation_units(RowId donation_id) {
  return query<DonationLink>(
      m_db,
      "SELECT unit_id, how, linked_at FROM donation_units WHERE donation_id = ? ORDER BY unit_id",
      [&](Statement& s) { s.bind(1, donation_id); },
      [](const Statement& s) {
        return DonationLink{s.column_int(0), s.column_text(1), ts(s, 2)};
      });
}

Result<std::optional<RowId>> SqliteStore::donation_of_unit(RowId unit_id) {
  return first(query<RowId>(
      m_db, "SELECT donation_id FROM donation_units WHERE unit_id = ?",
      [&](Statement& s) { s.bind(1, unit_id); },
      [](const Statement& s) { return s.column_int(0); }));
}

Result<int> SqliteStore::add_donation_assets(RowId donation_id,
                                             const std::vector<std::string>& serials) {
  int added = 0;
  auto done = transaction([&]() -> Result<void> {
    for (const auto& serial : serials) {
      auto r =
          execute(m_db, "INSERT OR IGNORE INTO donation_assets(donation_id, serial) VALUES (?, ?)",
                  [&](Statement& s) { s.bind(1, donation_id).bind(2, serial); });
      if (!r) {
        return r;
      }
      added += m_db.changes();
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return added;
}

Result<std::vector<std::string>> SqliteStore::donation_assets(RowId donation_id) {
  return query<std::string>(
      m_db, "SELECT serial FROM donation_assets WHERE donation_id = ? ORDER BY serial",
      [&](Statement& s) { s.bind(1, donation_id); },
      [](const Statement& s) { return s.column_text(0); });
}

} // namespace atelier::hwdb
