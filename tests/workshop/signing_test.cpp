// The workshop's Ed25519 key on a real key directory: created once with mode 0600, reused, and
// refused when others may read it. Signatures checked through OpenSSL both ways.
#include "support/temp_dir.h"
#include "workshop/signing.h"

#include <fstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

namespace atelier::workshop {
namespace {

std::uint32_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<std::uint8_t> bytes(const std::array<std::uint8_t, 64>& a) {
  return {a.begin(), a.end()};
}

TEST(SigningKey, CreatedOnFirstUseWithMode0600AndReusedAfter) {
  // Why: the private key must never be readable by other users, and must not change by itself.
  testing::TempDir dir;
  const auto keys = dir / "keys";
  bool created = false;
  auto first = SigningKey::load_or_create(keys, &created);
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(created);
  EXPECT_EQ(first->path(), keys / "workshop-ed25519.pem");
  EXPECT_EQ(mode_of(first->path()), 0600u);
  EXPECT_EQ(mode_of(keys), 0700u);
  auto second = SigningKey::load_or_create(keys, &created);
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(created);
  EXPECT_EQ(second->public_key(), first->public_key());
  auto loaded = SigningKey::load(keys);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->public_key().fingerprint(), first->public_key().fingerprint());
}

TEST(SigningKey, CreatedWith0600WhateverTheUmask) {
  // Why: a permissive umask (0000) on the workshop PC must not leak the key.
  testing::TempDir dir;
  const mode_t old = ::umask(0);
  auto key = SigningKey::load_or_create(dir / "keys");
  ::umask(old);
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(mode_of(key->path()), 0600u);
}

TEST(SigningKey, KeyReadableByOthersIsRefused) {
  // Why: as ssh does; a key others could read may have been copied.
  testing::TempDir dir;
  auto key = SigningKey::load_or_create(dir.path());
  ASSERT_TRUE(key);
  ASSERT_EQ(::chmod(key->path().c_str(), 0644), 0);
  auto again = SigningKey::load_or_create(dir.path());
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("readable by others (mode 0644)"), std::string::npos)
      << again.error();
  EXPECT_NE(again.error().find("chmod 600"), std::string::npos);
}

TEST(SigningKey, LoadWithoutKeyNamesTheFile) {
  // Why: `atelier cert key show` must not create a key; it says where it looked.
  testing::TempDir dir;
  auto key = SigningKey::load(dir.path());
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().find("workshop-ed25519.pem"), std::string::npos) << key.error();
  EXPECT_FALSE(std::filesystem::exists(dir / "workshop-ed25519.pem"));
}

TEST(SigningKey, CorruptKeyFileIsRefusedWithItsName) {
  // Why: a damaged key must stop signing with a clear message, not produce bad signatures.
  testing::TempDir dir;
  const auto path = dir / "workshop-ed25519.pem";
  std::ofstream(path) << "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto key = SigningKey::load_or_create(dir.path());
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().find("not a PEM private key"), std::string::npos) << key.error();
}

TEST(Signature, VerifiesOnlyTheSignedBytesWithTheSigningKey) {
  // Why: the point of signing: one changed byte or another key must fail.
  testing::TempDir dir;
  auto key = SigningKey::load_or_create(dir / "a").value();
  auto other = SigningKey::load_or_create(dir / "b").value();
  const auto signature = key.sign("the canonical record").value();
  EXPECT_TRUE(key.public_key().verify("the canonical record", bytes(signature)));
  EXPECT_FALSE(key.public_key().verify("the canonical recorD", bytes(signature)));
  EXPECT_FALSE(other.public_key().verify("the canonical record", bytes(signature)));
  auto flipped = bytes(signature);
  flipped[10] ^= 1;
  EXPECT_FALSE(key.public_key().verify("the canonical record", flipped));
  EXPECT_FALSE(key.public_key().verify("the canonical record", std::vector<std::uint8_t>(63)));
  // Ed25519 is deterministic: the same record signed twice gives the same bytes.
  EXPECT_EQ(key.sign("the canonical record").value(), signature);
}

TEST(PublicKey, FingerprintIsSha256OfTheRawKeyInUnpaddedBase64) {
  // Why: docs/ERASURE-RECORD.md tells people to recompute it with openssl; the form must hold.
  // RFC 8032 test 1 public key; SHA-256 of its 32 bytes computed independently with openssl dgst.
  const auto key = PublicKey::from_base64("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").value();
  EXPECT_EQ(key.fingerprint(), "SHA256:If4x36FUomFia/hUBG/SJxt77UtqvkWqWId+9H+XIbk");
}

TEST(PublicKey, PemRoundTripAndForeignKeysRefused) {
  // Why: `cert key export` writes PEM, `cert verify --key` reads it back.
  testing::TempDir dir;
  auto key = SigningKey::load_or_create(dir.path()).value();
  const std::string pem = key.public_key().pem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----\n")) << pem;
  EXPECT_EQ(PublicKey::from_pem(pem).value(), key.public_key());
  EXPECT_FALSE(PublicKey::from_pem("hello"));
  // An RSA key is a key, but not the workshop's kind.
  const std::string rsa = "-----BEGIN PUBLIC KEY-----\n"
                          "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANcFbwz6Q7yfj+Rh8qL4+FfIUUpog5n+\n"
                          "sFEhes6zFnGl1gcGLTvZ3LbsUP+j6yJKkK/dfMFcN8SfQoKX3nbt6V8CAwEAAQ==\n"
                          "-----END PUBLIC KEY-----\n";
  const auto refused = PublicKey::from_pem(rsa);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("not an Ed25519 key"), std::string::npos) << refused.error();
}

TEST(Base64, OnlyTheCanonicalSpellingDecodes) {
  // Why: one signature, one spelling; blanks or stray characters are tampering, not formatting.
  EXPECT_EQ(base64_encode(std::vector<std::uint8_t>{'a', 'b'}), "YWI=");
  EXPECT_EQ(base64_decode("YWI=").value(), (std::vector<std::uint8_t>{'a', 'b'}));
  EXPECT_EQ(base64_decode("YWJj").value().size(), 3u);
  EXPECT_TRUE(base64_decode("").has_value());
  EXPECT_FALSE(base64_decode("YWI"));   // no padding
  EXPECT_FALSE(base64_decode("YW I=")); // blank
  EXPECT_FALSE(base64_decode("YWJ="));  // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Y$I="));
}

} // namespace
} // namespace atelier::workshop
