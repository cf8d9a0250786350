#include "workshop/accounts.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace atelier::workshop {
namespace {

using hwdb::ErrorCode;
using hwdb::fail;
using hwdb::failf;

constexpr std::string_view k_refused = "wrong name or password";

AccountView view_of(const hwdb::Account& a) {
  return {a.id,       a.name,       parse_role(a.role).value_or(Role::volunteer),
          a.disabled, a.created_at, a.updated_at};
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

} // namespace

hwdb::Result<void> check_account_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return failf(ErrorCode::invalid_argument, "an account name has 1 to 64 characters", {});
  }
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) {
    return failf(ErrorCode::invalid_argument, "account name '{name}': must start with a letter",
                 {{"name", name}});
  }
  for (const char c : name) {
    if (!is_name_char(c)) {
      return failf(ErrorCode::invalid_argument,
                   "account name '{name}': only letters, digits, '.', '_' and '-' are allowed",
                   {{"name", name}});
    }
  }
  return {};
}

Accounts::Accounts(hwdb::Store& store, const base::Clock& clock, AccountsConfig config)
    : m_store(store), m_clock(clock), m_config(config) {}

hwdb::Result<std::string> Accounts::hash(std::string_view password) {
  if (auto ok = check_password_rules(password); !ok) {
    return std::unexpected(ok.error());
  }
  auto hashed = hash_password(password, m_config.cost);
  if (!hashed) {
    return fail(ErrorCode::storage, hashed.error());
  }
  return std::move(*hashed);
}

hwdb::Result<void> Accounts::audit(const hwdb::Actor& by, std::string_view action,
                                   std::string_view name, std::string detail, hwdb::Timestamp at) {
  hwdb::AuditEntry entry;
  entry.at = at;
  entry.actor = by.name;
  entry.role = by.role;
  entry.action = std::string(action);
  entry.subject = fmt::format("account {}", name);
  entry.detail = std::move(detail);
  auto id = m_store.append_audit(entry);
  if (!id) {
    return std::unexpected(id.error());
  }
  return {};
}

hwdb::Result<hwdb::Account> Accounts::require(std::string_view name) {
  auto found = m_store.account_by_name(std::string(name));
  if (!found) {
    return std::unexpected(found.error());
  }
  if (!*found) {
    return failf(ErrorCode::not_found, "no account named '{name}'", {{"name", name}});
  }
  return std::move(**found);
}

hwdb::Result<AccountView> Accounts::create(std::string_view name, Role role,
                                           std::string_view password, const hwdb::Actor& by) {
  if (auto ok = check_account_name(name); !ok) {
    return std::unexpected(ok.error());
  }
  auto hashed = hash(password);
  if (!hashed) {
    return std::unexpected(hashed.error());
  }
  hwdb::Account account;
  account.name = std::string(name);
  account.role = std::string(to_string(role));
  account.password_hash = std::move(*hashed);
  account.created_at = account.updated_at = m_clock.wall_seconds();
  auto done = m_store.transaction([&]() -> hwdb::Result<void> {
    auto id = m_store.add_account(account);
    if (!id) {
      return std::unexpected(id.error());
    }
    account.id = *id;
    return audit(by, "account.create", account.name, "role=" + account.role, account.created_at);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return view_of(account);
}

hwdb::Result<std::vector<AccountView>> Accounts::list() {
  auto all = m_store.list_accounts();
  if (!all) {
    return std::unexpected(all.error());
  }
  std::vector<AccountView> out;
  for (const auto& a : *all) {
    out.push_back(view_of(a));
  }
  return out;
}

hwdb::Result<AccountView> Accounts::find(std::string_view name) {
  auto account = require(name);
  if (!account) {
    return std::unexpected(account.error());
  }
  return view_of(*account);
}

hwdb::Result<AccountView> Accounts::set_password(std::string_view name, std::string_view password,
                                                 const hwdb::Actor& by) {
  auto account = require(name);
  if (!account) {
    return std::unexpected(account.error());
  }
  auto hashed = hash(password);
  if (!hashed) {
    return std::unexpected(hashed.error());
  }
  account->password_hash = std::move(*hashed);
  const auto now = m_clock.wall_seconds();
  auto done = m_store.transaction([&]() -> hwdb::Result<void> {
    if (auto r = m_store.update_account(*account, now); !r) {
      return r;
    }
    auto revoked = m_store.revoke_account_tokens(account->id, now);
    if (!revoked) {
      return std::unexpected(revoked.error());
    }
    return audit(by, "account.password", account->name, fmt::format("tokens revoked: {}", *revoked),
                 now);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  account->updated_at = now;
  return view_of(*account);
}

hwdb::Result<AccountView> Accounts::set_role(std::string_view name, Role role,
                                             const hwdb::Actor& by) {
  auto account = require(name);
  if (!account) {
    return std::unexpected(account.error());
  }
  const std::string before = account->role;
  account->role = std::string(to_string(role));
  const auto now = m_clock.wall_seconds();
  auto done = m_store.transaction([&]() -> hwdb::Result<void> {
    if (auto r = m_store.update_account(*account, now); !r) {
      return r;
    }
    return audit(by, "account.role", account->name,
                 fmt::format("role={} (was {})", account->role, before), now);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  account->updated_at = now;
  return view_of(*account);
}

hwdb::Result<AccountView> Accounts::set_disabled(std::string_view name, bool disabled,
                                                 const hwdb::Actor& by) {
  auto account = require(name);
  if (!account) {
    return std::unexpected(account.error());
  }
  account->disabled = disabled;
  const auto now = m_clock.wall_seconds();
  auto done = m_store.transaction([&]() -> hwdb::Result<void> {
    if (auto r = m_store.update_account(*account, now); !r) {
      return r;
    }
    if (disabled) {
      if (auto r = m_store.revoke_account_tokens(account->id, now); !r) {
        return std::unexpected(r.error());
      }
    }
    return audit(by, disabled ? "account.disable" : "account.enable", account->name, "", now);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  account->updated_at = now;
  return view_of(*account);
}

hwdb::Result<IssuedToken> Accounts::login(std::string_view name, std::string_view password,
                                          std::string_view client) {
  if (password.empty() || password.size() > 1024) {
    return fail(ErrorCode::invalid_argument, "the password must have 1 to 1024 bytes");
  }
  const auto now = m_clock.wall_seconds();
  std::string key(name.substr(0, 64));
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::erase_if(m_failures, [&](const auto& entry) {
    return now - entry.second.first >= m_config.failure_window;
  });
  if (const auto it = m_failures.find(key);
      it != m_failures.end() && it->second.count >= m_config.max_failures) {
    return fail(ErrorCode::refused, std::string(k_refused));
  }
  const auto note_failure = [&] {
    auto& f = m_failures[key];
    if (f.count == 0) {
      f.first = now;
    }
    ++f.count;
  };
  auto found = m_store.account_by_name(std::string(name));
  if (!found) {
    return std::unexpected(found.error());
  }
  if (!*found) {
    // Spend the same Argon2id work as for a real account, so timing does not reveal names.
    if (m_dummy_hash.empty()) {
      m_dummy_hash = hash_password("not a password of anyone", m_config.cost).value_or("");
    }
    (void)verify_password(m_dummy_hash, password);
    note_failure();
    return fail(ErrorCode::refused, std::string(k_refused));
  }
  hwdb::Account account = std::move(**found);
  const bool good = verify_password(account.password_hash, password);
  const hwdb::Actor self{account.name, account.role};
  if (!good || account.disabled) {
    note_failure();
    // Kept: repeated failures against one account are what an operator looks for.
    if (auto r =
            audit(self, "account.login_failed", account.name,
                  fmt::format("from {}{}", client, account.disabled ? " (disabled)" : ""), now);
        !r) {
      return std::unexpected(r.error());
    }
    return fail(ErrorCode::refused, std::string(k_refused));
  }
  hwdb::ApiToken token;
  const std::string secret = new_api_token();
  token.account_id = account.id;
  token.token_sha256 = api_token_digest(secret);
  token.created_at = now;
  token.expires_at = now + m_config.token_lifetime;
  token.client = std::string(client);
  auto done = m_store.transaction([&]() -> hwdb::Result<void> {
    // The parameters changed since this password was hashed (a stronger default): store it anew.
    if (password_needs_rehash(account.password_hash, m_config.cost)) {
      auto rehashed = hash_password(password, m_config.cost);
      if (rehashed) {
        account.password_hash = std::move(*rehashed);
        if (auto r = m_store.update_account(account, now); !r) {
          return r;
        }
      }
    }
    auto id = m_store.add_api_token(token);
    if (!id) {
      return std::unexpected(id.error());
    }
    token.id = *id;
    return audit(self, "account.login", account.name,
                 fmt::format("from {}, token {} until {}", client, token.id,
                             base::format_rfc3339(token.expires_at)),
                 now);
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return IssuedToken{secret, token.expires_at, view_of(account)};
}

hwdb::Result<Principal> Accounts::authenticate(std::string_view secret) {
  if (secret.empty() || secret.size() > 256) {
    return fail(ErrorCode::refused, "no token, or not one of ours");
  }
  auto token = m_store.api_token_by_hash(api_token_digest(secret));
  if (!token) {
    return std::unexpected(token.error());
  }
  if (!*token) {
    return fail(ErrorCode::refused, "unknown token");
  }
  const hwdb::ApiToken& t = **token;
  if (t.revoked_at) {
    return fail(ErrorCode::refused, fmt::format("token {} was revoked at {}", t.id,
                                                base::format_rfc3339(*t.revoked_at)));
  }
  if (m_clock.wall_seconds() >= t.expires_at) {
    return fail(ErrorCode::refused,
                fmt::format("token {} expired at {}", t.id, base::format_rfc3339(t.expires_at)));
  }
  auto account = m_store.account_by_id(t.account_id);
  if (!account) {
    return std::unexpected(account.error());
  }
  if (!*account) {
    return fail(ErrorCode::refused, fmt::format("token {} has no account", t.id));
  }
  if ((*account)->disabled) {
    return fail(ErrorCode::refused, fmt::format("account '{}' is disabled", (*account)->name));
  }
  return Principal{view_of(**account), t.id};
}

hwdb::Result<void> Accounts::revoke(hwdb::RowId token_id) {
  auto r = m_store.revoke_api_token(token_id, m_clock.wall_seconds());
  if (!r) {
    return std::unexpected(r.error());
  }
  return {};
}

} // namespace atelier::workshop
