// Accounts and tokens (workshop/accounts.h) on a real SQLite file: what is stored, what expires,
// what a password change or a disabled account ends.
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "workshop/accounts.h"
#include "workshop/passwords.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

namespace atelier::workshop {
namespace {

using testing::FakeClock;
using testing::TempDir;

constexpr std::string_view k_password = "correct horse battery staple";
const hwdb::Actor k_admin{"cli:root", "admin"};

class AccountsTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_path = (m_dir / "atelier.db").string();
    m_store = hwdb::open_store(m_path).value();
    AccountsConfig config;
    config.cost = PasswordCost::minimum();
    config.token_lifetime = std::chrono::minutes(30);
    m_accounts.emplace(*m_store, m_clock, config);
  }

  // Every byte of the database file and its WAL, to prove what is not in them.
  std::string database_bytes() {
    std::string all;
    for (const std::string suffix : {"", "-wal"}) {
      std::ifstream in(m_path + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  TempDir m_dir;
  std::string m_path;
  FakeClock m_clock{std::chrono::sys_seconds{std::chrono::seconds{1'795'000'000}}};
  std::unique_ptr<hwdb::Store> m_store;
  std::optional<Accounts> m_accounts;
};

// The stored hash is a libsodium Argon2id string; the password appears nowhere in the file.
TEST_F(AccountsTest, StoresAnArgon2idHashAndNeverThePassword) {
  ASSERT_TRUE(m_accounts->create("alice", Role::coordinator, k_password, k_admin));
  const auto stored = m_store->account_by_name("alice").value().value();
  EXPECT_TRUE(stored.password_hash.starts_with("$argon2id$v=19$")) << stored.password_hash;
  EXPECT_EQ(stored.password_hash.find(k_password), std::string::npos);
  EXPECT_TRUE(verify_password(stored.password_hash, k_password));
  EXPECT_EQ(database_bytes().find(k_password), std::string::npos);
}

// A hash made under other Argon2id parameters is replaced at the next good login.
TEST_F(AccountsTest, LoginRehashesWhenTheCostChanged) {
  ASSERT_TRUE(m_accounts->create("alice", Role::coordinator, k_password, k_admin));
  const auto before = m_store->account_by_name("alice").value()->password_hash;
  Accounts stronger(*m_store, m_clock,
                    AccountsConfig{std::chrono::minutes(30), PasswordCost::interactive()});
  ASSERT_TRUE(stronger.login("alice", k_password, "127.0.0.1"));
  const auto after = m_store->account_by_name("alice").value()->password_hash;
  EXPECT_NE(before, after);
  EXPECT_NE(after.find("m=65536"), std::string::npos) << after; // 64 MiB, libsodium "interactive"
  EXPECT_FALSE(password_needs_rehash(after, PasswordCost::interactive()));
  EXPECT_TRUE(verify_password(after, k_password));
}

// Only the token's SHA-256 is kept: a copy of the database holds no usable token.
TEST_F(AccountsTest, KeepsOnlyTheDigestOfATokenAndItHas256RandomBits) {
  ASSERT_TRUE(m_accounts->create("alice", Role::admin, k_password, k_admin));
  const auto issued = m_accounts->login("alice", k_password, "127.0.0.1").value();
  EXPECT_TRUE(issued.token.starts_with("atl_"));
  EXPECT_EQ(issued.token.size(), 4u + 43u); // base64url of 32 bytes
  EXPECT_EQ(database_bytes().find(issued.token), std::string::npos);
  EXPECT_TRUE(m_store->api_token_by_hash(api_token_digest(issued.token)).value());
  const auto again = m_accounts->login("alice", k_password, "127.0.0.1").value();
  EXPECT_NE(issued.token, again.token);
}

// Unknown name, wrong password and disabled account get the same answer: names cannot be probed.
TEST_F(AccountsTest, RefusesUnknownNamesWrongPasswordsAndDisabledAccountsAlike) {
  ASSERT_TRUE(m_accounts->create("alice", Role::volunteer, k_password, k_admin));
  const auto wrong = m_accounts->login("alice", "not the password", "127.0.0.1");
  const auto unknown = m_accounts->login("mallory", k_password, "127.0.0.1");
  ASSERT_TRUE(m_accounts->set_disabled("alice", true, k_admin));
  const auto disabled = m_accounts->login("alice", k_password, "127.0.0.1");
  for (const auto* r : {&wrong, &unknown, &disabled}) {
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error().code, hwdb::ErrorCode::refused);
    EXPECT_EQ(r->error().message, "wrong name or password");
  }
}

// A token works until its expiry, then never again.
TEST_F(AccountsTest, TokenExpires) {
  ASSERT_TRUE(m_accounts->create("alice", Role::volunteer, k_password, k_admin));
  const auto issued = m_accounts->login("alice", k_password, "127.0.0.1").value();
  EXPECT_TRUE(m_accounts->authenticate(issued.token));
  m_clock.advance(std::chrono::minutes(29));
  EXPECT_TRUE(m_accounts->authenticate(issued.token));
  m_clock.advance(std::chrono::minutes(1));
  const auto late = m_accounts->authenticate(issued.token);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos);
}

// A new password and a disabled account both end every session of the account.
TEST_F(AccountsTest, PasswordChangeAndDisablingRevokeTokens) {
  ASSERT_TRUE(m_accounts->create("alice", Role::coordinator, k_password, k_admin));
  const auto first = m_accounts->login("alice", k_password, "127.0.0.1").value();
  ASSERT_TRUE(m_accounts->set_password("alice", "another long passphrase", k_admin));
  EXPECT_FALSE(m_accounts->authenticate(first.token));
  EXPECT_FALSE(m_accounts->login("alice", k_password, "127.0.0.1"));
  const auto second = m_accounts->login("alice", "another long passphrase", "127.0.0.1").value();
  ASSERT_TRUE(m_accounts->set_disabled("alice", true, k_admin));
  EXPECT_FALSE(m_accounts->authenticate(second.token));
  ASSERT_TRUE(m_accounts->set_disabled("alice", false, k_admin));
  EXPECT_FALSE(m_accounts->authenticate(second.token)); // enabling does not bring sessions back
}

// Logout revokes exactly the token used.
TEST_F(AccountsTest, RevokeEndsOneSession) {
  ASSERT_TRUE(m_accounts->create("alice", Role::coordinator, k_password, k_admin));
  const auto a = m_accounts->login("alice", k_password, "laptop").value();
  const auto b = m_accounts->login("alice", k_password, "phone").value();
  const auto principal = m_accounts->authenticate(a.token).value();
  ASSERT_TRUE(m_accounts->revoke(principal.token_id));
  EXPECT_FALSE(m_accounts->authenticate(a.token));
  EXPECT_TRUE(m_accounts->authenticate(b.token));
}

// Names are checked (they end up in logs and actor names) and unique regardless of case.
TEST_F(AccountsTest, NamesAreValidatedAndUniqueIgnoringCase) {
  ASSERT_TRUE(m_accounts->create("alice", Role::coordinator, k_password, k_admin));
  const auto twin = m_accounts->create("Alice", Role::volunteer, k_password, k_admin);
  ASSERT_FALSE(twin);
  EXPECT_EQ(twin.error().code, hwdb::ErrorCode::conflict);
  for (const char* bad : {"", "1alice", "al ice", "alice;drop", "al:ice"}) {
    const auto r = m_accounts->create(bad, Role::volunteer, k_password, k_admin);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, hwdb::ErrorCode::invalid_argument) << bad;
  }
  const auto short_pw = m_accounts->create("bob", Role::volunteer, "short", k_admin);
  ASSERT_FALSE(short_pw);
  EXPECT_NE(short_pw.error().message.find("at least 10"), std::string::npos);
  EXPECT_EQ(m_accounts->find("ALICE").value().name, "alice");
}

// Password guessing: ten failures within the window lock the name (even the right password is
// refused, with the same answer) until the window has passed.
TEST_F(AccountsTest, RepeatedFailuresThrottleTheName) {
  ASSERT_TRUE(m_accounts->create("alice", Role::coordinator, k_password, k_admin));
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(m_accounts->login("Alice", "guess number " + std::to_string(i), "198.18.0.9"));
  }
  const auto locked = m_accounts->login("alice", k_password, "127.0.0.1");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().message, "wrong name or password");
  m_clock.advance(std::chrono::minutes(15));
  EXPECT_TRUE(m_accounts->login("alice", k_password, "127.0.0.1"));
}

} // namespace
} // namespace atelier::workshop
