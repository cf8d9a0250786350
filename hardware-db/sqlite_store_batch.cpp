// SqliteStore: batch runs (schema version 6, migrations.cpp).
#include "hardware-db/sqlite_rows.h"
#include "hardware-db/sqlite_store.h"

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

using namespace sqlite_rows;

constexpr std::string_view k_batch_columns = "id, name, profile, max_units, created_at, closed_at";

Batch read_batch(const Statement& s) {
  Batch b;
  b.id = s.column_int(0);
  b.name = s.column_text(1);
  b.profile = s.column_text(2);
  b.max_units = static_cast<int>(s.column_int(3));
  b.created_at = ts(s, 4);
  b.closed_at = optional_ts(s, 5);
  return b;
}

} // namespace

Result<RowId> SqliteStore::add_batch(const Batch& b) {
  RowId id = 0;
  auto done = transaction([&]() -> Result<void> {
    auto inserted =
        insert("INSERT INTO batches(name, profile, max_units, created_at) VALUES (?, ?, ?, ?)",
               [&](Statement& s) {
                 s.bind(1, b.name)
                     .bind(2, b.profile)
                     .bind(3, std::int64_t{b.max_units})
                     .bind(4, base::format_rfc3339(b.created_at));
               });
    if (!inserted) {
      return std::unexpected(inserted.error());
    }
    id = *inserted;
    for (const auto& mac : b.macs) {
      auto r = execute(m_db, "INSERT OR IGNORE INTO batch_macs(batch_id, mac) VALUES (?, ?)",
                       [&](Statement& s) { s.bind(1, id).bind(2, mac); });
      if (!r) {
        return r;
      }
    }
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return id;
}

namespace {
Result<std::vector<Batch>> with_macs(sqlite::Connection& db, Result<std::vector<Batch>> batches) {
  if (!batches) {
    return batches;
  }
  for (auto& b : *batches) {
    auto macs = query<std::string>(
        db, "SELECT mac FROM batch_macs WHERE batch_id = ? ORDER BY mac",
        [&](Statement& s) { s.bind(1, b.id); },
        [](const Statement& s) { return s.column_text(0); });
    if (!macs) {
      return std::unexpected(macs.error());
    }
    b.macs = std::move(*macs);
  }
  return batches;
}
} // namespace

Result<std::vector<Batch>> SqliteStore::open_batches() {
  return with_macs(m_db,
                   query<Batch>(
                       m_db,
                       fmt::format("SELECT {} FROM batches WHERE closed_at IS NULL ORDER BY id",
                                   k_batch_columns),
                       [](Statement&) {}, read_batch));
}

Result<std::optional<Batch>> SqliteStore::batch_by_id(RowId id) {
  return first(
      with_macs(m_db, query<Batch>(
                          m_db, fmt::format("SELECT {} FROM batches WHERE id = ?", k_batch_columns),
                          [&](Statement& s) { s.bind(1, id); }, read_batch)));
}

Result<void> SqliteStore::close_batch(RowId id, Timestamp at) {
  return execute(m_db, "UPDATE batches SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                 [&](Statement& s) { s.bind(1, base::format_rfc3339(at)).bind(2, id); });
}

Result<void> SqliteStore::add_batch_unit(RowId batch_id, RowId unit_id, Timestamp at) {
  return execute(m_db,
                 "INSERT OR IGNORE INTO batch_units(batch_id, unit_id, joined_at) VALUES (?, ?, ?)",
                 [&](Statement& s) {
                   s.bind(1, batch_id).bind(2, unit_id).bind(3, base::format_rfc3339(at));
                 });
}

Result<std::vector<RowId>> SqliteStore::batch_units(RowId batch_id) {
  return query<RowId>(
      m_db, "SELECT unit_id FROM batch_units WHERE batch_id = ? ORDER BY joined_at, unit_id",
      [&](Statement& s) { s.bind(1, batch_id); },
      [](const Statement& s) { return s.column_int(0); });
}

Result<std::optional<Batch>> SqliteStore::batch_of_unit(RowId unit_id) {
  return first(with_macs(
      m_db, query<Batch>(
                m_db,
                fmt::format("SELECT {} FROM batches WHERE id = (SELECT batch_id FROM batch_units "
                            "WHERE unit_id = ? ORDER BY joined_at DESC LIMIT 1)",
                            k_batch_columns),
                [&](Statement& s) { s.bind(1, unit_id); }, read_batch)));
}

} // namespace atelier::hwdb
