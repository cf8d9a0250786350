#include "hardware-db/sqlite.h"

#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>

namespace atelier::hwdb::sqlite {
namespace {
// A writer in another process (atelierd while a coordinator runs the CLI) holds the lock for
// milliseconds; waiting a few seconds beats failing.
constexpr int k_busy_timeout_ms = 10'000;
} // namespace

Result<Connection> Connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection conn(db); // owns db even on failure: sqlite3_open_v2 allocates a handle anyway
  if (rc != SQLITE_OK) {
    return failf(ErrorCode::storage, "cannot open database '{file}': {error}",
                 {{"file", path}, {"error", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)}});
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, k_busy_timeout_ms);
  // foreign_keys is per connection and off by default; WAL lets the CLI read while atelierd writes;
  // synchronous=NORMAL is durable across application crashes in WAL mode (only power loss may lose
  // the last transactions, never corrupt the file). secure_delete overwrites deleted content with
  // zeros: a household deleted on request (GDPR) is not left readable in free pages of the file.
  if (auto r = conn.exec("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                         "PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;");
      !r) {
    return failf(ErrorCode::storage, "cannot use '{file}' as a database: {error}", {{"file", path}},
                 r.error());
  }
  return conn;
}

Connection::Connection(Connection&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(m_db);
    m_db = std::exchange(other.m_db, nullptr);
  }
  return *this;
}

Connection::~Connection() {
  sqlite3_close_v2(m_db);
}

Error Connection::error(std::string_view what) const {
  const int code = sqlite3_extended_errcode(m_db);
  const ErrorCode kind =
      (code & 0xff) == SQLITE_CONSTRAINT ? ErrorCode::conflict : ErrorCode::storage;
  return Error{.code = kind, .message = fmt::format("{}: {}", what, sqlite3_errmsg(m_db))};
}

Result<void> Connection::exec(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return std::unexpected(error("database error"));
  }
  return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return std::unexpected(error(fmt::format("cannot prepare '{}'", sql)));
  }
  return Statement(stmt, this);
}

std::int64_t Connection::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(m_db);
}
int Connection::changes() const {
  return sqlite3_changes(m_db);
}

Statement::Statement(Statement&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)), m_conn(other.m_conn),
      m_bind_error(other.m_bind_error) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(m_stmt);
    m_stmt = std::exchange(other.m_stmt, nullptr);
    m_conn = other.m_conn;
    m_bind_error = other.m_bind_error;
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (const int rc = sqlite3_bind_int64(m_stmt, index, value); rc != SQLITE_OK) {
    m_bind_error = rc;
  }
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (const int rc = sqlite3_bind_double(m_stmt, index, value); rc != SQLITE_OK) {
    m_bind_error = rc;
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (const int rc = sqlite3_bind_text64(m_stmt, index, value.data(), value.size(),
                                         SQLITE_TRANSIENT, SQLITE_UTF8);
      rc != SQLITE_OK) {
    m_bind_error = rc;
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (const int rc = sqlite3_bind_null(m_stmt, index); rc != SQLITE_OK) {
    m_bind_error = rc;
  }
  return *this;
}

Result<bool> Statement::step() {
  if (m_bind_error != SQLITE_OK) {
    return fail(ErrorCode::storage, fmt::format("cannot bind a parameter of '{}': {}",
                                                sqlite3_sql(m_stmt), sqlite3_errstr(m_bind_error)));
  }
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return std::unexpected(m_conn->error(fmt::format("'{}' failed", sqlite3_sql(m_stmt))));
}

Result<void> Statement::run() {
  auto r = step();
  if (!r) {
    return std::unexpected(r.error());
  }
  return {};
}

bool Statement::is_null(int col) const {
  return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}
std::int64_t Statement::column_int(int col) const {
  return sqlite3_column_int64(m_stmt, col);
}
double Statement::column_double(int col) const {
  return sqlite3_column_double(m_stmt, col);
}

std::string Statement::column_text(int col) const {
  const auto* text = sqlite3_column_text(m_stmt, col);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)));
}

std::optional<std::int64_t> Statement::column_optional_int(int col) const {
  if (is_null(col)) {
    return std::nullopt;
  }
  return column_int(col);
}

} // namespace atelier::hwdb::sqlite
