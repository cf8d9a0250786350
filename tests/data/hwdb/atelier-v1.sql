-- An Atelier hardware database at schema version 1, as written by the first release (frozen fixture:
-- never regenerate it from newer code). Loaded by tests/hardware-db/migration_test.cpp.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO settings VALUES('asset_tag_prefix','AT');
CREATE TABLE tag_sequences (
  prefix TEXT PRIMARY KEY,
  last   INTEGER NOT NULL
);
INSERT INTO tag_sequences VALUES('AT',2);
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
INSERT INTO units VALUES(1,'AT-0001-3','detected','Dell Inc.','OptiPlex 7010','7XJ8Q2J','',NULL,'dmi-serial','DELL INC.|OPTIPLEX 7010|7XJ8Q2J',NULL,'desktop','donated by the town hall','2026-10-02T09:00:00Z','2026-10-02T09:00:00Z');
INSERT INTO units VALUES(2,'AT-0002-1','inventoried','LENOVO','10AXS0X','PC0ABCDE','','52:54:00:12:34:56','dmi-serial','LENOVO|10AXS0X|PC0ABCDE',NULL,'desktop','','2026-10-02T09:05:00Z','2026-10-02T09:30:00Z');
CREATE TABLE unit_events (
  id         INTEGER PRIMARY KEY,
  unit_id    INTEGER NOT NULL REFERENCES units(id),
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  from_state TEXT,
  to_state   TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT ''
);
INSERT INTO unit_events VALUES(1,1,'2026-10-02T09:00:00Z','cli:marie',NULL,'detected','intake');
INSERT INTO unit_events VALUES(2,2,'2026-10-02T09:05:00Z','cli:marie',NULL,'detected','intake');
INSERT INTO unit_events VALUES(3,2,'2026-10-02T09:30:00Z','atelierd','detected','inventoried','');
CREATE INDEX units_identity ON units(identity_kind, identity_value);
CREATE INDEX units_state ON units(state);
CREATE INDEX unit_events_unit ON unit_events(unit_id, id);
CREATE TRIGGER unit_events_no_update BEFORE UPDATE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit_events is append-only'); END;
CREATE TRIGGER unit_events_no_delete BEFORE DELETE ON unit_events
BEGIN SELECT RAISE(ABORT, 'unit_events is append-only'); END;
COMMIT;
PRAGMA user_version = 1;
