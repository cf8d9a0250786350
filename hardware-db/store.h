// Storage interface of the hardware database. The Registry (registry.h) is the only caller that
// applies business rules; a Store only persists and queries. Backends: SQLite (sqlite_store.h, the
// embedded default). A PostgreSQL backend for multi-site programs implements this same interface;
// nothing above it names a backend (open_store() picks one from a location string).
//
// Store is the aggregate of narrow interfaces, one per concern; a caller that needs one concern
// takes that interface (workshop/accounts.h takes an AccountStore&):
//   store_base.h         Transactional (transaction), SettingsStore, AuditStore
//   unit_store.h         UnitStore: units, identities, events, sightings, inventory, bench, grades,
//                        disks, erasure and imaging records
//   pipeline_store.h     PipelineStore: agent sessions, jobs and their progress, batch runs
//   coordinator_store.h  CoordinatorStore: households, assignments, donations (+ audit)
//   account_store.h      AccountStore: API accounts and tokens (+ audit)
// The narrow interfaces share their Transactional (and AuditStore) base virtually: a backend has
// one transaction(), and a transaction opened through one interface covers the others' writes.
//
// Contract for every backend (and every fake, tests/support/fake_unit_store.h):
// - Methods are atomic on their own; transaction() groups several into one atomic unit and may nest
//   (inner levels are savepoints). If fn returns an error, everything it did is rolled back; if
//   fn throws, the same, and the exception goes on to the caller with the store still usable.
// - A Store is used from one thread at a time; open one Store per thread (SQLite in WAL mode lets
//   readers and one writer work concurrently across connections and processes).
// - Errors are values; storage failures come back as ErrorCode::storage with the backend's message.
#pragma once

#include "hardware-db/account_store.h"
#include "hardware-db/coordinator_store.h"
#include "hardware-db/pipeline_store.h"
#include "hardware-db/store_base.h"
#include "hardware-db/unit_store.h"

#include <memory>
#include <string>

namespace atelier::hwdb {

class Store : public SettingsStore,
              public UnitStore,
              public PipelineStore,
              public CoordinatorStore,
              public AccountStore {};

// Opens (creating and migrating as needed) the database at `location`:
//   "path/to/file.db" or "sqlite:path/to/file.db"  → SQLite
//   "postgresql://..."                              → not yet available (ErrorCode::unsupported)
Result<std::unique_ptr<Store>> open_store(const std::string& location);

} // namespace atelier::hwdb
