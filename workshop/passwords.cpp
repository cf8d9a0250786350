#include "workshop/passwords.h"

#include "base/sha256.h"

#include <array>
#include <sodium.h>
#include <stdexcept>

namespace atelier::workshop {
namespace {

constexpr std::size_t k_min_password = 10;
constexpr std::size_t k_max_password = 1024;
constexpr std::string_view k_token_prefix = "atl_";

// sodium_init() is idempotent and thread-safe; a failure means no usable CSPRNG, which is fatal.
void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      throw std::runtime_error("libsodium could not be initialised (no system random source?)");
    }
    return true;
  }();
  (void)ready;
}

} // namespace

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

hwdb::Result<void> check_password_rules(std::string_view password) {
  using hwdb::ErrorCode;
  using hwdb::failf;
  if (password.size() < k_min_password) {
    return failf(ErrorCode::invalid_argument,
                 "the password is too short: use at least 10 characters (a few words make a "
                 "good one)",
                 {});
  }
  if (password.size() > k_max_password) {
    return failf(ErrorCode::invalid_argument, "the password is longer than 1024 bytes", {});
  }
  if (password.find('\0') != std::string_view::npos) {
    return failf(ErrorCode::invalid_argument, "the password contains a NUL byte", {});
  }
  return {};
}

std::expected<std::string, std::string> hash_password(std::string_view password,
                                                      PasswordCost cost) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return std::unexpected("cannot hash the password (out of memory for Argon2id?)");
  }
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  // crypto_pwhash_str_verify wants a NUL-terminated string of at most STRBYTES - 1 characters.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(std::string_view hash, PasswordCost cost) {
  ensure_sodium();
  if (!hash.starts_with("$argon2id$")) {
    return true;
  }
  const std::string terminated(hash);
  // 1: other parameters; -1: not a valid string for this algorithm. Both mean "hash it again".
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), cost.ops, cost.mem_bytes) != 0;
}

std::string new_api_token() {
  ensure_sodium();
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::array<char, sodium_base64_ENCODED_LEN(32, variant)> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
  sodium_memzero(bytes.data(), bytes.size());
  return std::string(k_token_prefix) + text.data();
}

std::string api_token_digest(std::string_view token) {
  return base::sha256_hex(token);
}

} // namespace atelier::workshop
