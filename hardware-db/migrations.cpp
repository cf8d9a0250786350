#include "hardware-db/migrations.h"

#include <array>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

// Version 1: units and their append-only event log.
constexpr std::string_view k_v1 = R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE tag_sequences (
  prefix TEXT PRIMARY KEY,
  last   INTEGER NOT NULL
);

CREATE TABLE units (
  id             INTEGER PRIMARY KEY,
  tag            TEXT NOT NULL UNIQUE,
  state          TEXT NOT NULL CHECK (state IN ('detected','inventoried','tested','wiped','imaged',
                   'ready','assigned','delivered','failed','parts','recycled','returned')),
  vendor         TEXT NOT NULL DEFAULT '',
  model          TEXT NOT NULL DEFAULT '',
  serial         TEXT NOT NULL DEFAULT '',
  board_serial   TEXT NOT NULL DEFAULT '',
  wired_mac      TEXT,
  identity_kind  TEXT NOT NULL CHECK (identity_kind IN ('dmi-serial','board-serial','mac')),
  identity_value TEXT NOT NULL,
  previous_id    INTEGER REFERENCES units(id),
  chassis        TEXT NOT NULL DEFAULT 'unknown',
  notes          TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX units_identity ON units(identity_kind, identity_value);
CREATE INDEX units_state ON units(state);

CREATE TABLE unit_events (
  id         INTEGER PRIMARY KEY,
  unit_id    INTEGER NOT NULL REFERENCES units(id),
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  from_state TEXT,
  to_state   TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX unit_events_unit ON unit_events(unit_id, id);

-- The event log is evidence (who changed what, when): it can only grow.
CREATE TRIGGER unit_events_no_update BEFORE UPDATE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit_events is append-only'); END;
CREATE TRIGGER unit_events_no_delete BEFORE DELETE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit_events is append-only'); END;
)sql";

// Version 2: what the pipeline writes (PXE sightings, inventory, benchmarks, grades, disks and
// their erasure records, imaging), and the "don't boot" flag for the workshop's own machines.
constexpr std::string_view k_v2 = R"sql(
ALTER TABLE units ADD COLUMN do_not_boot INTEGER NOT NULL DEFAULT 0;

CREATE TABLE network_interfaces (
  id      INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  mac     TEXT NOT NULL,
  wired   INTEGER NOT NULL DEFAULT 1,
  driver  TEXT NOT NULL DEFAULT '',
  UNIQUE (unit_id, mac)
);
CREATE INDEX network_interfaces_mac ON network_interfaces(mac);

CREATE TABLE boot_sightings (
  id           INTEGER PRIMARY KEY,
  unit_id      INTEGER NOT NULL REFERENCES units(id),
  mac          TEXT NOT NULL,
  arch         INTEGER,
  firmware     TEXT NOT NULL DEFAULT '',
  guid         TEXT NOT NULL DEFAULT '',
  vendor_class TEXT NOT NULL DEFAULT '',
  seen_at      TEXT NOT NULL
);
CREATE INDEX boot_sightings_unit ON boot_sightings(unit_id, id);

CREATE TABLE inventory_snapshots (
  id           INTEGER PRIMARY KEY,
  unit_id      INTEGER NOT NULL REFERENCES units(id),
  taken_at     TEXT NOT NULL,
  schema       TEXT NOT NULL,
  raw_json     TEXT NOT NULL,
  cpu_model    TEXT NOT NULL DEFAULT '',
  cpu_threads  INTEGER NOT NULL DEFAULT 0,
  x86_64_level INTEGER NOT NULL DEFAULT 0,
  ram_bytes    INTEGER NOT NULL DEFAULT 0,
  firmware     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inventory_snapshots_unit ON inventory_snapshots(unit_id, id);

CREATE TABLE bench_results (
  id          INTEGER PRIMARY KEY,
  unit_id     INTEGER NOT NULL REFERENCES units(id),
  run_at      TEXT NOT NULL,
  name        TEXT NOT NULL,
  score       REAL NOT NULL,
  value       REAL NOT NULL,
  value_unit  TEXT NOT NULL DEFAULT '',
  duration_ms INTEGER NOT NULL,
  method      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bench_results_unit ON bench_results(unit_id, id);

CREATE TABLE grades (
  id          INTEGER PRIMARY KEY,
  unit_id     INTEGER NOT NULL REFERENCES units(id),
  graded_at   TEXT NOT NULL,
  grade       TEXT NOT NULL CHECK (grade IN ('A','B','C','parts')),
  score       INTEGER NOT NULL,
  explanation TEXT NOT NULL DEFAULT ''
);
CREATE INDEX grades_unit ON grades(unit_id, id);

CREATE TABLE disks (
  id         INTEGER PRIMARY KEY,
  unit_id    INTEGER NOT NULL REFERENCES units(id),
  model      TEXT NOT NULL DEFAULT '',
  serial     TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL,
  media      TEXT NOT NULL DEFAULT '',
  bus        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX disks_unit ON disks(unit_id);
CREATE UNIQUE INDEX disks_identity ON disks(model, serial) WHERE serial <> '';

CREATE TABLE erasure_records (
  id           INTEGER PRIMARY KEY,
  disk_id      INTEGER NOT NULL REFERENCES disks(id),
  started_at   TEXT NOT NULL,
  finished_at  TEXT NOT NULL,
  method       TEXT NOT NULL,
  level        TEXT NOT NULL CHECK (level IN ('clear','purge')),
  verification TEXT NOT NULL CHECK (verification IN ('none','sample','full')),
  result       TEXT NOT NULL CHECK (result IN ('erased','failed')),
  record_json  TEXT NOT NULL,
  signature    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX erasure_records_disk ON erasure_records(disk_id, id);
-- Erasure records are evidence for donors and auditors: never edited, never removed.
CREATE TRIGGER erasure_records_no_update BEFORE UPDATE ON erasure_records
BEGIN SELECT RAISE(ABORT, 'erasure_records is append-only'); END;
CREATE TRIGGER erasure_records_no_delete BEFORE DELETE ON erasure_records
BEGIN SELECT RAISE(ABORT, 'erasure_records is append-only'); END;

CREATE TABLE imaging_records (
  id           INTEGER PRIMARY KEY,
  unit_id      INTEGER NOT NULL REFERENCES units(id),
  started_at   TEXT NOT NULL,
  finished_at  TEXT NOT NULL,
  profile      TEXT NOT NULL,
  image_sha256 TEXT NOT NULL DEFAULT '',
  result       TEXT NOT NULL CHECK (result IN ('imaged','failed')),
  detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imaging_records_unit ON imaging_records(unit_id, id);
)sql";

// Version 3: households and assignments. Personal data stays in `households`; an assignment keeps
// the anonymous fact of a delivery when the household is deleted (household_id set to NULL).
constexpr std::string_view k_v3 = R"sql(
CREATE TABLE households (
  id                INTEGER PRIMARY KEY,
  reference         TEXT NOT NULL UNIQUE,
  contact           TEXT NOT NULL DEFAULT '',
  eligibility_basis TEXT NOT NULL DEFAULT '',
  needs             TEXT NOT NULL DEFAULT '',
  notes             TEXT NOT NULL DEFAULT '',
  created_at        TEXT NOT NULL
);

CREATE TABLE assignments (
  id            INTEGER PRIMARY KEY,
  unit_id       INTEGER NOT NULL REFERENCES units(id),
  household_id  INTEGER REFERENCES households(id) ON DELETE SET NULL,
  assigned_at   TEXT NOT NULL,
  delivered_at  TEXT,
  price_cents   INTEGER CHECK (price_cents IS NULL OR price_cents >= 0),
  warranty_end  TEXT,
  returned_at   TEXT,
  return_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assignments_unit ON assignments(unit_id, id);
CREATE INDEX assignments_household ON assignments(household_id);
)sql";

// Version 4: erasure records carry their own id (stored once: the UNIQUE index makes storing the
// same record twice detectable) and the unit the disk was in when it was erased (a disk row follows
// the disk to its next machine; the record stays with the machine it was erased in).
constexpr std::string_view k_v4 = R"sql(
ALTER TABLE erasure_records ADD COLUMN record_id TEXT;
ALTER TABLE erasure_records ADD COLUMN unit_id INTEGER REFERENCES units(id);
CREATE UNIQUE INDEX erasure_records_record_id ON erasure_records(record_id)
  WHERE record_id IS NOT NULL;
CREATE INDEX erasure_records_unit ON erasure_records(unit_id, id);
)sql";

// Version 5: the pipeline's own state, so that atelierd can be killed at any moment and carry on:
// agent sessions (one per boot that registered; the boot token's hash authenticates it) and the
// jobs the daemon issued to them.
constexpr std::string_view k_v5 = R"sql(
CREATE TABLE agent_sessions (
  id            INTEGER PRIMARY KEY,
  unit_id       INTEGER NOT NULL REFERENCES units(id),
  token_sha256  TEXT NOT NULL UNIQUE,
  mac           TEXT NOT NULL,
  client_ip     TEXT NOT NULL DEFAULT '',
  started_at    TEXT NOT NULL,
  superseded_at TEXT
);
CREATE INDEX agent_sessions_unit ON agent_sessions(unit_id, id);

CREATE TABLE pipeline_jobs (
  id            INTEGER PRIMARY KEY,
  unit_id       INTEGER NOT NULL REFERENCES units(id),
  session_id    INTEGER NOT NULL REFERENCES agent_sessions(id),
  step          TEXT NOT NULL CHECK (step IN ('bench','wipe','deploy','verify','finish')),
  attempt       INTEGER NOT NULL CHECK (attempt >= 1),
  status        TEXT NOT NULL CHECK (status IN ('issued','done','failed','abandoned')),
  issued_at     TEXT NOT NULL,
  finished_at   TEXT,
  params_json   TEXT NOT NULL DEFAULT '{}',
  result_json   TEXT NOT NULL DEFAULT '',
  progress_json TEXT NOT NULL DEFAULT '',
  progress_at   TEXT
);
CREATE INDEX pipeline_jobs_unit ON pipeline_jobs(unit_id, id);
-- At most one issued job per session: the agent does one thing at a time.
CREATE UNIQUE INDEX pipeline_jobs_one_issued ON pipeline_jobs(session_id) WHERE status = 'issued';
)sql";

// Version 6: batch runs (`atelier batch run`): a technician's plan claims the next machines that
// register (a number of them, or a list of MACs) and may force their profile.
constexpr std::string_view k_v6 = R"sql(
CREATE TABLE batches (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  profile    TEXT NOT NULL DEFAULT '',
  max_units  INTEGER NOT NULL DEFAULT 0 CHECK (max_units >= 0),
  created_at TEXT NOT NULL,
  closed_at  TEXT
);
CREATE TABLE batch_macs (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  mac      TEXT NOT NULL,
  PRIMARY KEY (batch_id, mac)
);
CREATE TABLE batch_units (
  batch_id  INTEGER NOT NULL REFERENCES batches(id),
  unit_id   INTEGER NOT NULL REFERENCES units(id),
  joined_at TEXT NOT NULL,
  PRIMARY KEY (batch_id, unit_id)
);
CREATE INDEX batch_units_unit ON batch_units(unit_id);
)sql";

// Version 7: the coordinator's workflow (docs/COORDINATOR-GUIDE.md). Households get structured
// needs and a district; an assignment keeps the district and program for reports after the
// household is deleted; the audit log records every change and every read of household data, by
// whom; donation batches link the machines of one donor.
constexpr std::string_view k_v7 = R"sql(
ALTER TABLE households ADD COLUMN device TEXT NOT NULL DEFAULT ''
  CHECK (device IN ('', 'desktop', 'laptop', 'any'));
ALTER TABLE households ADD COLUMN uses TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE households ADD COLUMN updated_at TEXT;

ALTER TABLE assignments ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE assignments ADD COLUMN program TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at      TEXT NOT NULL,
  actor   TEXT NOT NULL,
  role    TEXT NOT NULL DEFAULT '',
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log(subject, id);
-- Evidence of who did what: it can only grow. It never holds personal data (households are named
-- household#ID), so a household's deletion leaves nothing personal in it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE donations (
  id             INTEGER PRIMARY KEY,
  donor          TEXT NOT NULL,
  received_on    TEXT NOT NULL,
  expected_count INTEGER CHECK (expected_count IS NULL OR expected_count >= 0),
  notes          TEXT NOT NULL DEFAULT '',
  opened_at      TEXT NOT NULL,
  closed_at      TEXT
);
CREATE TABLE donation_units (
  donation_id INTEGER NOT NULL REFERENCES donations(id),
  unit_id     INTEGER NOT NULL UNIQUE REFERENCES units(id),
  how         TEXT NOT NULL CHECK (how IN ('boot', 'serial')),
  linked_at   TEXT NOT NULL
);
CREATE INDEX donation_units_donation ON donation_units(donation_id);
CREATE TABLE donation_assets (
  donation_id INTEGER NOT NULL REFERENCES donations(id),
  serial      TEXT NOT NULL,
  PRIMARY KEY (donation_id, serial)
);
)sql";

// Version 8: accounts of the coordinator API (docs/API.md) and the bearer tokens issued to them.
// A token is stored only as its SHA-256; a password only as a libsodium Argon2id string.
constexpr std::string_view k_v8 = R"sql(
CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('volunteer','technician','coordinator','admin')),
  password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts(id),
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  revoked_at   TEXT,
  client       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_account ON api_tokens(account_id, id);
)sql";

// Version 9: the `confirm` step of the wipe gate (a volunteer's key at an unexpected machine).
// SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows and indexes.
constexpr std::string_view k_v9 = R"sql(
CREATE TABLE pipeline_jobs_v9 (
  id            INTEGER PRIMARY KEY,
  unit_id       INTEGER NOT NULL REFERENCES units(id),
  session_id    INTEGER NOT NULL REFERENCES agent_sessions(id),
  step          TEXT NOT NULL CHECK (step IN ('bench','confirm','wipe','deploy','verify','finish')),
  attempt       INTEGER NOT NULL CHECK (attempt >= 1),
  status        TEXT NOT NULL CHECK (status IN ('issued','done','failed','abandoned')),
  issued_at     TEXT NOT NULL,
  finished_at   TEXT,
  params_json   TEXT NOT NULL DEFAULT '{}',
  result_json   TEXT NOT NULL DEFAULT '',
  progress_json TEXT NOT NULL DEFAULT '',
  progress_at   TEXT
);
INSERT INTO pipeline_jobs_v9 SELECT id, unit_id, session_id, step, attempt, status, issued_at,
  finished_at, params_json, result_json, progress_json, progress_at FROM pipeline_jobs;
DROP TABLE pipeline_jobs;
ALTER TABLE pipeline_jobs_v9 RENAME TO pipeline_jobs;
CREATE INDEX pipeline_jobs_unit ON pipeline_jobs(unit_id, id);
CREATE UNIQUE INDEX pipeline_jobs_one_issued ON pipeline_jobs(session_id) WHERE status = 'issued';
)sql";

constexpr std::array k_migrations = {
    Migration{1, "units and their event log", k_v1},
    Migration{2,
              "pipeline records: interfaces, sightings, inventory, benchmarks, grades, disks, "
              "erasure and imaging records",
              k_v2},
    Migration{3, "households and assignments", k_v3},
    Migration{4, "erasure records: record id (unique) and the unit erased in", k_v4},
    Migration{5, "agent sessions and pipeline jobs", k_v5},
    Migration{6, "batch runs", k_v6},
    Migration{7, "coordinator: household needs and district, audit log, donations", k_v7},
    Migration{8, "accounts and API tokens", k_v8},
    Migration{9, "pipeline jobs: the confirm step of the wipe gate", k_v9},
};

Result<int> user_version(sqlite::Connection& db) {
  auto stmt = db.prepare("PRAGMA user_version");
  if (!stmt) {
    return std::unexpected(stmt.error());
  }
  auto row = stmt->step();
  if (!row) {
    return std::unexpected(row.error());
  }
  return static_cast<int>(stmt->column_int(0));
}

} // namespace

std::span<const Migration> sqlite_migrations() {
  return k_migrations;
}
int latest_schema_version() {
  return k_migrations.back().version;
}

Result<int> migrate(sqlite::Connection& db, int target) {
  if (target == 0) {
    target = latest_schema_version();
  }
  auto current = user_version(db);
  if (!current) {
    return std::unexpected(current.error());
  }
  if (*current > latest_schema_version()) {
    return failf(ErrorCode::unsupported,
                 "the database has schema version {version}, newer than this Atelier knows "
                 "({known}); upgrade Atelier instead of opening it with this version",
                 {{"version", *current}, {"known", latest_schema_version()}});
  }
  for (const Migration& m : k_migrations) {
    if (m.version <= *current || m.version > target) {
      continue;
    }
    // BEGIN IMMEDIATE takes the write lock first, so two processes opening an old file at the same
    // time migrate it once: the second waits, then sees the new user_version below.
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) {
      return std::unexpected(r.error());
    }
    auto again = user_version(db);
    if (!again) {
      (void)db.exec("ROLLBACK");
      return std::unexpected(again.error());
    }
    if (*again >= m.version) {
      (void)db.exec("ROLLBACK");
      continue;
    }
    auto applied = db.exec(m.sql);
    if (applied) {
      applied = db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    }
    if (applied) {
      applied = db.exec("COMMIT");
    }
    if (!applied) {
      (void)db.exec("ROLLBACK");
      return failf(ErrorCode::storage,
                   "migration to schema version {version} ({what}) failed: {error}",
                   {{"version", m.version}, {"what", m.description}}, applied.error());
    }
  }
  return user_version(db);
}

} // namespace atelier::hwdb
