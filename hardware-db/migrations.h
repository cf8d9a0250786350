// Versioned schema migrations of the SQLite backend. The schema version lives in PRAGMA
// user_version. Rules (docs/HARDWARE-DB.md "Migrations"):
// - a migration is never edited once released; changes are new migrations appended to the list;
// - each migration runs in its own transaction together with the user_version bump, so a crash
// leaves
//   the file at the previous version, never half-way;
// - a file newer than this build is refused, not touched.
#pragma once

#include "hardware-db/sqlite.h"

#include <span>
#include <string_view>

namespace atelier::hwdb {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const Migration> sqlite_migrations();
int latest_schema_version();

// Upgrades the open database to `target` (default: latest). Returns the version reached.
Result<int> migrate(sqlite::Connection& db, int target = 0);

} // namespace atelier::hwdb
