// Records of the coordinator API's access control: accounts (a login, a role, a password hash) and
// the bearer tokens they were issued. Plain values, persisted by the Store (store.h); the rules
// (who may do what, password hashing, token expiry) live in the daemon (workshop/access.h,
// workshop/accounts.h), which is the only writer. Schema: docs/HARDWARE-DB.md, docs/API.md.
#pragma once

#include "hardware-db/types.h"

#include <optional>
#include <string>

namespace atelier::hwdb {

struct Account {
  RowId id = 0;
  std::string name; // the login; unique without regard to case
  std::string role; // volunteer, technician, coordinator, admin (CHECK in the schema)
  std::string
      password_hash;     // a libsodium crypto_pwhash_str string ("$argon2id$..."), never a password
  bool disabled = false; // a disabled account cannot log in and its tokens stop working
  Timestamp created_at{};
  Timestamp updated_at{};
};

// A bearer token of the API. Only the SHA-256 of the token is stored: a copy of the database does
// not let anyone act as its accounts.
struct ApiToken {
  RowId id = 0;
  RowId account_id = 0;
  std::string token_sha256; // lower-case hex
  Timestamp created_at{};
  Timestamp expires_at{};
  std::optional<Timestamp> revoked_at; // logout, password change, account disabled
  std::string client;                  // the address that logged in, for the audit trail
};

} // namespace atelier::hwdb
