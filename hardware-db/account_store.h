// Storage of the coordinator API's accounts and their bearer tokens (accounts.h), with the audit
// log their changes are written to in the same transaction. The rules live in workshop/accounts.h,
// the only writer. Contract: store.h.
#pragma once

#include "hardware-db/accounts.h"
#include "hardware-db/store_base.h"

#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

class AccountStore : public virtual AuditStore {
public:
  // add_account: a name already taken (in any case) is ErrorCode::conflict.
  virtual Result<RowId> add_account(const Account& account) = 0;
  // Lookups by name ignore case ("Alice" is "alice").
  virtual Result<std::optional<Account>> account_by_name(const std::string& name) = 0;
  virtual Result<std::optional<Account>> account_by_id(RowId id) = 0;
  virtual Result<std::vector<Account>> list_accounts() = 0;
  // Writes role, password_hash and disabled of the account with this id; updated_at = at.
  virtual Result<void> update_account(const Account& account, Timestamp at) = 0;
  virtual Result<RowId> add_api_token(const ApiToken& token) = 0;
  virtual Result<std::optional<ApiToken>> api_token_by_hash(const std::string& token_sha256) = 0;
  // Revokes one token (no-op when already revoked); returns whether it was live.
  virtual Result<bool> revoke_api_token(RowId id, Timestamp at) = 0;
  // Revokes every live token of the account; returns how many.
  virtual Result<int> revoke_account_tokens(RowId account_id, Timestamp at) = 0;
};

} // namespace atelier::hwdb
