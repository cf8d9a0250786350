// The small concerns every part of the hardware database's storage shares (store.h has the whole
// picture): transactions, the installation's settings, and the audit log. The narrow interfaces
// (unit_store.h, pipeline_store.h, coordinator_store.h, account_store.h) inherit these virtually,
// so the aggregate Store and its backends have exactly one of each.
#pragma once

#include "hardware-db/types.h"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

// Every concern groups its writes with the others' in one atomic unit.
class Transactional {
public:
  virtual ~Transactional() = default;

  // Runs fn as one atomic unit; may nest (inner levels are savepoints). If fn returns an error,
  // everything it did is rolled back and the error is returned.
  virtual Result<void> transaction(const std::function<Result<void>()>& fn) = 0;
};

// Settings of the installation (e.g. "asset_tag_prefix", the papers' texts) and the schema version.
class SettingsStore : public virtual Transactional {
public:
  // The schema version of the open database (after migration, the newest this build knows).
  virtual Result<int> schema_version() = 0;
  virtual Result<std::optional<std::string>> setting(const std::string& key) = 0;
  virtual Result<void> set_setting(const std::string& key, const std::string& value) = 0;
};

// The audit log (append-only): who did what to a household, an account, a donation.
class AuditStore : public virtual Transactional {
public:
  virtual Result<RowId> append_audit(const AuditEntry& entry) = 0;
  // subject empty: every entry. limit 0: no limit. Oldest first.
  virtual Result<std::vector<AuditEntry>> audit_entries(const std::string& subject,
                                                        std::size_t limit) = 0;
};

} // namespace atelier::hwdb
