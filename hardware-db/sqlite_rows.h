// Internal to atelier_hwdb: small helpers that read and write rows with the sqlite wrapper, shared
// by the SqliteStore's source files (sqlite_store.cpp, sqlite_store_pipeline.cpp).
#pragma once

#include "hardware-db/sqlite.h"
#include "hardware-db/types.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::hwdb::sqlite_rows {

using sqlite::Statement;
using Binder = std::function<void(Statement&)>;

inline Timestamp ts(const Statement& s, int col) {
  return base::parse_rfc3339(s.column_text(col)).value_or(Timestamp{});
}

inline std::optional<Timestamp> optional_ts(const Statement& s, int col) {
  if (s.is_null(col)) {
    return std::nullopt;
  }
  return base::parse_rfc3339(s.column_text(col));
}

inline std::optional<std::string> optional_text(const std::optional<Timestamp>& t) {
  if (!t) {
    return std::nullopt;
  }
  return base::format_rfc3339(*t);
}

template <typename T, typename Read>
Result<std::vector<T>> query(sqlite::Connection& db, std::string_view sql, const Binder& bind,
                             Read read) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    return std::unexpected(stmt.error());
  }
  bind(*stmt);
  std::vector<T> rows;
  while (true) {
    auto row = stmt->step();
    if (!row) {
      return std::unexpected(row.error());
    }
    if (!*row) {
      return rows;
    }
    rows.push_back(read(*stmt));
  }
}

template <typename T>
Result<std::optional<T>> first(Result<std::vector<T>> rows) {
  if (!rows) {
    return std::unexpected(rows.error());
  }
  if (rows->empty()) {
    return std::optional<T>{};
  }
  return std::optional<T>{std::move(rows->front())};
}

inline Result<void> execute(sqlite::Connection& db, std::string_view sql, const Binder& bind) {
  auto stmt = db.prepare(sql);
  if (!stmt) {
    return std::unexpected(stmt.error());
  }
  bind(*stmt);
  return stmt->run();
}

} // namespace atelier::hwdb::sqlite_rows
