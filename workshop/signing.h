// The workshop's Ed25519 signing key and signature checks (OpenSSL). Only the daemon side holds the
// private key: the agent in the boot environment never links this file (docs/ERASURE-RECORD.md,
// "Keys").
//
// Key directory layout: `<dir>/workshop-ed25519.pem`, the private key as unencrypted PKCS#8 PEM,
// mode 0600, created on first use (the directory with mode 0700 when it does not exist). A key
// file that group or others may read is refused, as ssh does. The fingerprint shown everywhere is
// "SHA256:" + base64 (no padding) of SHA-256 over the raw 32-byte public key.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;

namespace atelier::workshop {

inline constexpr std::string_view k_key_file_name = "workshop-ed25519.pem";

std::string base64_encode(std::span<const std::uint8_t> bytes);
// Standard alphabet with padding; anything else (whitespace, bad length, non-zero trailing bits)
// is refused, so one signature has exactly one spelling.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

class PublicKey {
public:
  static constexpr std::size_t k_size = 32;
  static std::expected<PublicKey, std::string> from_raw(std::span<const std::uint8_t> raw);
  static std::expected<PublicKey, std::string> from_base64(std::string_view text);
  // A SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") holding an Ed25519 key.
  static std::expected<PublicKey, std::string> from_pem(std::string_view pem);

  const std::array<std::uint8_t, k_size>& raw() const { return m_raw; }
  std::string base64() const;
  std::string fingerprint() const;
  std::string pem() const;
  // True when `signature` is this key's Ed25519 signature of exactly `message`.
  bool verify(std::string_view message, std::span<const std::uint8_t> signature) const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

private:
  std::array<std::uint8_t, k_size> m_raw{};
};

// The workshop's private key. Move-only: owns the OpenSSL key object.
class SigningKey {
public:
  static constexpr std::size_t k_signature_size = 64;

  // Loads the key of `dir`, creating it first if there is none (`created` says which happened).
  // Two processes creating it at once end up with the same key (the file appears atomically).
  static std::expected<SigningKey, std::string> load_or_create(const std::filesystem::path& dir,
                                                               bool* created = nullptr);
  // Loads the key without creating one: an error names the missing file.
  static std::expected<SigningKey, std::string> load(const std::filesystem::path& dir);

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const PublicKey& public_key() const { return m_public; }
  const std::filesystem::path& path() const { return m_path; }
  std::expected<std::array<std::uint8_t, k_signature_size>, std::string>
  sign(std::string_view message) const;

private:
  struct Free {
    void operator()(evp_pkey_st* key) const;
  };
  SigningKey(std::unique_ptr<evp_pkey_st, Free> key, PublicKey pub, std::filesystem::path path);

  std::unique_ptr<evp_pkey_st, Free> m_key;
  PublicKey m_public;
  std::filesystem::path m_path;
};

} // namespace atelier::workshop
