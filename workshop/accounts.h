// Accounts of the coordinator API and their bearer tokens: the only code that writes the
// `accounts` and `api_tokens` tables (docs/API.md "Accounts and tokens").
//
// Contracts:
//  - passwords are hashed with Argon2id (workshop/passwords.h) and never stored, logged or
//  returned;
//  - a login answers the same "wrong name or password" whether the name exists, is disabled or the
//    password is wrong, and spends the same Argon2id work in each case (no account enumeration);
//  - a token is 256 random bits, stored as its SHA-256, valid until its expiry, its logout, its
//    account's next password change or the account being disabled;
//  - a good login with a hash made under other Argon2id parameters stores a new hash (rehash).
//
// Thread model: like the Registry it uses, one thread at a time.
#pragma once

#include "hardware-db/account_store.h"
#include "hardware-db/registry.h"
#include "workshop/access.h"
#include "workshop/passwords.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace atelier::workshop {

struct AccountsConfig {
  std::chrono::minutes token_lifetime{12 * 60}; // a working day; [api] token_hours
  PasswordCost cost = PasswordCost::interactive();
  // Password guessing: after this many failed logins for one name within `failure_window`, that
  // name's logins are refused (same answer, no password check) until the window has passed.
  int max_failures = 10;
  std::chrono::minutes failure_window{15};
};

// An account as the rest of the daemon sees it (no hash).
struct AccountView {
  hwdb::RowId id = 0;
  std::string name;
  Role role = Role::volunteer;
  bool disabled = false;
  hwdb::Timestamp created_at{};
  hwdb::Timestamp updated_at{};

  // As the actor of events and audit entries: the login, in its role.
  hwdb::Actor actor() const { return {name, std::string(to_string(role))}; }
};

struct IssuedToken {
  std::string token; // give it to the client once; only its digest is kept
  hwdb::Timestamp expires_at{};
  AccountView account;
};

// An authenticated request's identity: the account and the token it used (for logout).
struct Principal {
  AccountView account;
  hwdb::RowId token_id = 0;
};

// Names: 1-64 characters, a letter first, then letters, digits, '.', '_', '-' (they appear in
// logs and in actor names such as "coordinator:alice"); else ErrorCode::invalid_argument.
hwdb::Result<void> check_account_name(std::string_view name);

class Accounts {
public:
  // `store` and `clock` must outlive the Accounts.
  Accounts(hwdb::Store& store, const base::Clock& clock, AccountsConfig config = {});

  // Every change below writes an audit entry (subject "account NAME", actor `by`) in the same
  // transaction; logins write one too ("account.login", "account.login_failed" for a known name).
  // ErrorCode::invalid_argument for a bad name or password (the message says which rule),
  // conflict for a name taken.
  hwdb::Result<AccountView> create(std::string_view name, Role role, std::string_view password,
                                   const hwdb::Actor& by);
  hwdb::Result<std::vector<AccountView>> list();
  hwdb::Result<AccountView> find(std::string_view name); // not_found names the account
  // A new password revokes every token of the account (sessions elsewhere end).
  hwdb::Result<AccountView> set_password(std::string_view name, std::string_view password,
                                         const hwdb::Actor& by);
  hwdb::Result<AccountView> set_role(std::string_view name, Role role, const hwdb::Actor& by);
  // Disabling revokes every token of the account; enabling issues none.
  hwdb::Result<AccountView> set_disabled(std::string_view name, bool disabled,
                                         const hwdb::Actor& by);

  // ErrorCode::refused ("wrong name or password") for an unknown or disabled name, a wrong
  // password, or a name throttled after too many failures; invalid_argument for a password
  // outside the rules' size bounds.
  hwdb::Result<IssuedToken> login(std::string_view name, std::string_view password,
                                  std::string_view client);
  // The principal behind a bearer token; ErrorCode::refused with the reason (unknown, expired,
  // revoked, account disabled) for the server's log, not for the client.
  hwdb::Result<Principal> authenticate(std::string_view token);
  // Revokes the token (logout). Idempotent.
  hwdb::Result<void> revoke(hwdb::RowId token_id);

  const AccountsConfig& config() const { return m_config; }

private:
  hwdb::Result<hwdb::Account> require(std::string_view name);
  hwdb::Result<std::string> hash(std::string_view password);
  hwdb::Result<void> audit(const hwdb::Actor& by, std::string_view action, std::string_view name,
                           std::string detail, hwdb::Timestamp at);

  hwdb::Store& m_store;
  const base::Clock& m_clock;
  AccountsConfig m_config;
  std::string m_dummy_hash; // verified against when the name is unknown (same work either way)
  struct Failures {
    int count = 0;
    hwdb::Timestamp first{};
  };
  // Failed logins by lower-cased name (known or not, so the throttle reveals nothing). In memory:
  // a restart forgets it, which only gives a guesser another ten tries.
  std::map<std::string, Failures> m_failures;
};

} // namespace atelier::workshop
