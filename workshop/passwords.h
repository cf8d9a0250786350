// Secrets of the coordinator API, with libsodium: account passwords as Argon2id strings
// (crypto_pwhash_str: algorithm, parameters and salt travel inside the string,
// "$argon2id$v=19$m=...") and bearer tokens (256 random bits). See docs/API.md "Accounts and
// tokens".
#pragma once

#include "hardware-db/error.h"

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace atelier::workshop {

// Argon2id cost. The default is libsodium's "interactive" level (2 passes over 64 MiB, about 0.1 s
// on a workshop server): logins are online and rare, and an old donated PC used as the server must
// still answer. A stored hash made with other parameters is rehashed at the next good login.
struct PasswordCost {
  unsigned long long ops = 0;
  std::size_t mem_bytes = 0;

  static PasswordCost interactive();
  // libsodium's minimum: for tests that create many accounts, never for real passwords.
  static PasswordCost minimum();
};

// Passwords: 10 to 1024 bytes (a passphrase, not a PIN; bounded so a login cannot ask the server
// to hash a megabyte). The error (ErrorCode::invalid_argument) says which rule failed, never the
// password.
hwdb::Result<void> check_password_rules(std::string_view password);

// "$argon2id$..." or an error (out of memory for the memory cost).
std::expected<std::string, std::string> hash_password(std::string_view password, PasswordCost cost);
// True when `password` matches `hash`; false for a wrong password or a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);
// True when `hash` was made with other parameters than `cost` (or another algorithm).
bool password_needs_rehash(std::string_view hash, PasswordCost cost);

// A new bearer token: "atl_" + 43 base64url characters (32 bytes from the system CSPRNG).
std::string new_api_token();
// What the database keeps of a token: its SHA-256, hex.
std::string api_token_digest(std::string_view token);

} // namespace atelier::workshop
