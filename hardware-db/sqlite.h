// Move-only RAII wrappers around the SQLite C API, used only inside hardware-db. Every SQLite error
// is turned into an Error here, with the statement's SQL and SQLite's own message.
#pragma once

#include "hardware-db/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace atelier::hwdb::sqlite {

class Statement;

class Connection {
public:
  // Opens or creates the file; sets busy timeout, foreign keys on, WAL journal.
  static Result<Connection> open(const std::string& path);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Result<void> exec(std::string_view sql);         // one or more statements, no parameters
  Result<Statement> prepare(std::string_view sql); // one statement
  std::int64_t last_insert_rowid() const;
  int changes() const;
  Error error(std::string_view what) const; // the current SQLite error, described
  sqlite3* raw() const { return m_db; }

private:
  explicit Connection(sqlite3* db) : m_db(db) {}
  sqlite3* m_db = nullptr;
};

// A prepared statement. bind() indexes start at 1, column() indexes at 0, as in SQLite.
class Statement {
public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances: true with a row, false when done. A bind error found earlier is reported here.
  Result<bool> step();
  Result<void> run(); // step() expecting no row

  bool is_null(int col) const;
  std::int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::optional<std::int64_t> column_optional_int(int col) const;

private:
  friend class Connection;
  Statement(sqlite3_stmt* stmt, const Connection* conn) : m_stmt(stmt), m_conn(conn) {}
  sqlite3_stmt* m_stmt = nullptr;
  const Connection* m_conn = nullptr;
  int m_bind_error = 0;
};

} // namespace atelier::hwdb::sqlite
