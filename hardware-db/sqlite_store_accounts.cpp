// SqliteStore: accounts and API tokens of the coordinator API (schema version 8, migrations.cpp).
#include "hardware-db/sqlite_rows.h"
#include "hardware-db/sqlite_store.h"

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

using namespace sqlite_rows;

constexpr std::string_view k_account_columns =
    "id, name, role, password_hash, disabled, created_at, updated_at";
constexpr std::string_view k_token_columns =
    "id, account_id, token_sha256, created_at, expires_at, revoked_at, client";

Account read_account(const Statement& s) {
  Account a;
  a.id = s.column_int(0);
  a.name = s.column_text(1);
  a.role = s.column_text(2);
  a.password_hash = s.column_text(3);
  a.disabled = s.column_int(4) != 0;
  a.created_at = ts(s, 5);
  a.updated_at = ts(s, 6);
  return a;
}

ApiToken read_token(const Statement& s) {
  ApiToken t;
  t.id = s.column_int(0);
  t.account_id = s.column_int(1);
  t.token_sha256 = s.column_text(2);
  t.created_at = ts(s, 3);
  t.expires_at = ts(s, 4);
  t.revoked_at = optional_ts(s, 5);
  t.client = s.column_text(6);
  return t;
}

} // namespace

Result<RowId> SqliteStore::add_account(const Account& a) {
  auto id = insert("INSERT INTO accounts(name, role, password_hash, disabled, created_at, "
                   "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [&](Statement& s) {
                     s.bind(1, a.name)
                         .bind(2, a.role)
                         .bind(3, a.password_hash)
                         .bind(4, std::int64_t{a.disabled ? 1 : 0})
                         .bind(5, base::format_rfc3339(a.created_at))
                         .bind(6, base::format_rfc3339(a.created_at));
                   });
  if (!id && id.error().code == ErrorCode::conflict) {
    return failf(ErrorCode::conflict,
                 "an account named '{name}' exists already (names ignore case)",
                 {{"name", a.name}});
  }
  return id;
}

Result<std::optional<Account>> SqliteStore::account_by_name(const std::string& name) {
  return first(query<Account>(
      m_db, fmt::format("SELECT {} FROM accounts WHERE name = ? COLLATE NOCASE", k_account_columns),
      [&](Statement& s) { s.bind(1, name); }, read_account));
}

Result<std::optional<Account>> SqliteStore::account_by_id(RowId id) {
  return first(query<Account>(
      m_db, fmt::format("SELECT {} FROM accounts WHERE id = ?", k_account_columns),
      [&](Statement& s) { s.bind(1, id); }, read_account));
}

Result<std::vector<Account>> SqliteStore::list_accounts() {
  return query<Account>(
      m_db, fmt::format("SELECT {} FROM accounts ORDER BY name", k_account_columns),
      [](Statement&) {}, read_account);
}

Result<void> SqliteStore::update_account(const Account& a, Timestamp at) {
  auto r = execute(m_db,
                   "UPDATE accounts SET role = ?, password_hash = ?, disabled = ?, updated_at = ? "
                   "WHERE id = ?",
                   [&](Statement& s) {
                     s.bind(1, a.role)
                         .bind(2, a.password_hash)
                         .bind(3, std::int64_t{a.disabled ? 1 : 0})
                         .bind(4, base::format_rfc3339(at))
                         .bind(5, a.id);
                   });
  if (r && m_db.changes() == 0) {
    return failf(ErrorCode::not_found, "no account with id {id}", {{"id", a.id}});
  }
  return r;
}

Result<RowId> SqliteStore::add_api_token(const ApiToken& t) {
  return insert("INSERT INTO api_tokens(account_id, token_sha256, created_at, expires_at, client) "
                "VALUES (?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, t.account_id)
                      .bind(2, t.token_sha256)
                      .bind(3, base::format_rfc3339(t.created_at))
                      .bind(4, base::format_rfc3339(t.expires_at))
                      .bind(5, t.client);
                });
}

Result<std::optional<ApiToken>> SqliteStore::api_token_by_hash(const std::string& token_sha256) {
  return first(query<ApiToken>(
      m_db, fmt::format("SELECT {} FROM api_tokens WHERE token_sha256 = ?", k_token_columns),
      [&](Statement& s) { s.bind(1, token_sha256); }, read_token));
}

Result<bool> SqliteStore::revoke_api_token(RowId id, Timestamp at) {
  auto r = execute(m_db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                   [&](Statement& s) { s.bind(1, base::format_rfc3339(at)).bind(2, id); });
  if (!r) {
    return std::unexpected(r.error());
  }
  return m_db.changes() > 0;
}

Result<int> SqliteStore::revoke_account_tokens(RowId account_id, Timestamp at) {
  auto r = execute(
      m_db, "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
      [&](Statement& s) { s.bind(1, base::format_rfc3339(at)).bind(2, account_id); });
  if (!r) {
    return std::unexpected(r.error());
  }
  return m_db.changes();
}

} // namespace atelier::hwdb
