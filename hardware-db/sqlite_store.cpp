#include "hardware-db/sqlite_store.h"

#include "hardware-db/migrations.h"
#include "hardware-db/sqlite_rows.h"

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

using sqlite::Statement;
using namespace sqlite_rows;

constexpr std::string_view k_unit_columns =
    "id, tag, state, vendor, model, serial, board_serial, wired_mac, identity_kind, "
    "identity_value, "
    "previous_id, chassis, notes, do_not_boot, created_at, updated_at";

constexpr std::string_view k_disk_select =
    "SELECT id, unit_id, model, serial, size_bytes, media, bus FROM disks";

Disk read_disk(const Statement& s) {
  Disk d;
  d.id = s.column_int(0);
  d.unit_id = s.column_int(1);
  d.model = s.column_text(2);
  d.serial = s.column_text(3);
  d.size_bytes = static_cast<std::uint64_t>(s.column_int(4));
  d.media = s.column_text(5);
  d.bus = s.column_text(6);
  return d;
}

constexpr std::string_view k_erasure_select =
    "SELECT id, disk_id, started_at, finished_at, method, level, verification, result, "
    "record_json, signature, record_id, unit_id FROM erasure_records";

ErasureRecord read_erasure(const Statement& s) {
  ErasureRecord e;
  e.id = s.column_int(0);
  e.disk_id = s.column_int(1);
  e.started_at = ts(s, 2);
  e.finished_at = ts(s, 3);
  e.method = s.column_text(4);
  e.level = s.column_text(5);
  e.verification = s.column_text(6);
  e.result = s.column_text(7);
  e.record_json = s.column_text(8);
  e.signature = s.column_text(9);
  e.record_id = s.column_text(10);
  e.unit_id = s.column_optional_int(11);
  return e;
}

Unit read_unit(const Statement& s) {
  Unit u;
  u.id = s.column_int(0);
  // Tags, states and kinds were validated on the way in; a hand-edited file that breaks them reads
  // as the neutral value rather than crashing a listing.
  u.tag = AssetTag::parse(s.column_text(1)).value_or(AssetTag{});
  u.state = parse_unit_state(s.column_text(2)).value_or(UnitState::detected);
  u.identity.vendor = s.column_text(3);
  u.identity.model = s.column_text(4);
  u.identity.serial = s.column_text(5);
  u.identity.board_serial = s.column_text(6);
  if (!s.is_null(7)) {
    if (auto mac = base::MacAddress::parse(s.column_text(7))) {
      u.identity.wired_mac = *mac;
    }
  }
  u.key.kind = parse_identity_kind(s.column_text(8)).value_or(IdentityKind::mac);
  u.key.value = s.column_text(9);
  u.previous = s.column_optional_int(10);
  u.chassis = parse_chassis(s.column_text(11)).value_or(Chassis::unknown);
  u.notes = s.column_text(12);
  u.do_not_boot = s.column_int(13) != 0;
  u.created_at = ts(s, 14);
  u.updated_at = ts(s, 15);
  return u;
}

} // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  auto conn = sqlite::Connection::open(path);
  if (!conn) {
    return std::unexpected(conn.error());
  }
  if (auto v = migrate(*conn); !v) {
    return failf(v.error().code, "{file}: {error}", {{"file", path}}, v.error());
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*conn)));
}

Result<void> SqliteStore::transaction(const std::function<Result<void>()>& fn) {
  // The outermost level takes the write lock up front (BEGIN IMMEDIATE): a read-then-write inside
  // fn can then never fail half-way with SQLITE_BUSY when another process wrote meanwhile.
  const std::string savepoint = fmt::format("sp{}", m_depth);
  auto begun = m_depth == 0 ? m_db.exec("BEGIN IMMEDIATE") : m_db.exec("SAVEPOINT " + savepoint);
  if (!begun) {
    return begun;
  }
  const auto roll_back = [&] {
    if (m_depth == 0) {
      (void)m_db.exec("ROLLBACK");
    } else {
      (void)m_db.exec("ROLLBACK TO " + savepoint);
      (void)m_db.exec("RELEASE " + savepoint);
    }
  };
  ++m_depth;
  Result<void> result;
  try {
    result = fn();
  } catch (...) {
    // An exception out of fn (a bug, or a third-party call that throws) must not leave the
    // connection inside an open transaction: every later write would join it and never commit.
    // atelierd's request handlers catch it above us and go on serving.
    --m_depth;
    roll_back();
    throw;
  }
  --m_depth;
  if (result) {
    auto done = m_depth == 0 ? m_db.exec("COMMIT") : m_db.exec("RELEASE " + savepoint);
    if (done) {
      return {};
    }
    result = std::unexpected(done.error());
  }
  roll_back();
  return result;
}

Result<int> SqliteStore::schema_version() {
  auto v = query<int>(
      m_db, "PRAGMA user_version", [](Statement&) {},
      [](const Statement& s) { return static_cast<int>(s.column_int(0)); });
  if (!v) {
    return std::unexpected(v.error());
  }
  return v->empty() ? 0 : v->front();
}

Result<std::optional<std::string>> SqliteStore::setting(const std::string& key) {
  return first(query<std::string>(
      m_db, "SELECT value FROM settings WHERE key = ?", [&](Statement& s) { s.bind(1, key); },
      [](const Statement& s) { return s.column_text(0); }));
}

Result<void> SqliteStore::set_setting(const std::string& key, const std::string& value) {
  return execute(m_db,
                 "INSERT INTO settings(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 [&](Statement& s) { s.bind(1, key).bind(2, value); });
}

Result<std::uint64_t> SqliteStore::reserve_tag_number(const std::string& prefix) {
  std::uint64_t number = 0;
  auto r = transaction([&]() -> Result<void> {
    auto bumped = execute(m_db,
                          "INSERT INTO tag_sequences(prefix, last) VALUES (?, 1) "
                          "ON CONFLICT(prefix) DO UPDATE SET last = last + 1",
                          [&](Statement& s) { s.bind(1, prefix); });
    if (!bumped) {
      return bumped;
    }
    auto last = first(query<std::int64_t>(
        m_db, "SELECT last FROM tag_sequences WHERE prefix = ?",
        [&](Statement& s) { s.bind(1, prefix); },
        [](const Statement& s) { return s.column_int(0); }));
    if (!last) {
      return std::unexpected(last.error());
    }
    number = static_cast<std::uint64_t>(last->value_or(0));
    return {};
  });
  if (!r) {
    return std::unexpected(r.error());
  }
  return number;
}

Result<RowId> SqliteStore::insert(std::string_view sql, const Binder& bind) {
  auto r = execute(m_db, sql, bind);
  if (!r) {
    return std::unexpected(r.error());
  }
  return m_db.last_insert_rowid();
}

Result<RowId> SqliteStore::insert_unit(const AssetTag& tag, const NewUnit& u) {
  return insert("INSERT INTO units(tag, state, vendor, model, serial, board_serial, wired_mac, "
                "identity_kind, "
                "identity_value, previous_id, chassis, notes, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  const std::string at = base::format_rfc3339(u.at);
                  std::optional<std::string> mac;
                  if (u.identity.wired_mac) {
                    mac = u.identity.wired_mac->str();
                  }
                  s.bind(1, tag.str())
                      .bind(2, to_string(u.state))
                      .bind(3, u.identity.vendor)
                      .bind(4, u.identity.model)
                      .bind(5, u.identity.serial)
                      .bind(6, u.identity.board_serial)
                      .bind(7, mac)
                      .bind(8, to_string(u.key.kind))
                      .bind(9, u.key.value)
                      .bind(10, u.previous)
                      .bind(11, to_string(u.chassis))
                      .bind(12, u.notes)
                      .bind(13, at)
                      .bind(14, at);
                });
}

Result<std::optional<Unit>> SqliteStore::one_unit(std::string_view where, const Binder& bind) {
  return first(query<Unit>(m_db, fmt::format("SELECT {} FROM units {}", k_unit_columns, where),
                           bind, read_unit));
}

Result<std::optional<Unit>> SqliteStore::unit_by_id(RowId id) {
  return one_unit("WHERE id = ?", [&](Statement& s) { s.bind(1, id); });
}

Result<std::optional<Unit>> SqliteStore::unit_by_tag(const AssetTag& tag) {
  return one_unit("WHERE tag = ?", [&](Statement& s) { s.bind(1, tag.str()); });
}

Result<std::optional<Unit>> SqliteStore::latest_unit_by_key(const IdentityKey& key) {
  return one_unit("WHERE identity_kind = ? AND identity_value = ? ORDER BY id DESC LIMIT 1",
                  [&](Statement& s) { s.bind(1, to_string(key.kind)).bind(2, key.value); });
}

Result<std::optional<Unit>> SqliteStore::latest_unit_by_mac(const base::MacAddress& mac) {
  return one_unit("WHERE wired_mac = ?1 OR id IN (SELECT unit_id FROM network_interfaces WHERE "
                  "mac = ?1) ORDER BY id DESC LIMIT 1",
                  [&](Statement& s) { s.bind(1, mac.str()); });
}

Result<std::vector<Unit>> SqliteStore::list_units(const UnitFilter& filter) {
  std::string where = filter.state ? "WHERE state = ?" : "";
  where += " ORDER BY id";
  if (filter.limit > 0) {
    where += fmt::format(" LIMIT {}", filter.limit);
  }
  return query<Unit>(
      m_db, fmt::format("SELECT {} FROM units {}", k_unit_columns, where),
      [&](Statement& s) {
        if (filter.state) {
          s.bind(1, to_string(*filter.state));
        }
      },
      read_unit);
}

Result<bool> SqliteStore::update_state(RowId id, UnitState from, UnitState to, Timestamp at) {
  auto r = execute(m_db, "UPDATE units SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                   [&](Statement& s) {
                     s.bind(1, to_string(to))
                         .bind(2, base::format_rfc3339(at))
                         .bind(3, id)
                         .bind(4, to_string(from));
                   });
  if (!r) {
    return std::unexpected(r.error());
  }
  return m_db.changes() == 1;
}

Result<void> SqliteStore::update_identity(RowId id, const Identity& identity,
                                          const IdentityKey& key, Timestamp at) {
  return execute(
      m_db,
      "UPDATE units SET vendor = ?, model = ?, serial = ?, board_serial = ?, "
      "wired_mac = ?, identity_kind = ?, identity_value = ?, updated_at = ? WHERE id = ?",
      [&](Statement& s) {
        std::optional<std::string> mac;
        if (identity.wired_mac) {
          mac = identity.wired_mac->str();
        }
        s.bind(1, identity.vendor)
            .bind(2, identity.model)
            .bind(3, identity.serial)
            .bind(4, identity.board_serial)
            .bind(5, mac)
            .bind(6, to_string(key.kind))
            .bind(7, key.value)
            .bind(8, base::format_rfc3339(at))
            .bind(9, id);
      });
}

Result<void> SqliteStore::set_do_not_boot(RowId id, bool value, Timestamp at) {
  return execute(
      m_db, "UPDATE units SET do_not_boot = ?, updated_at = ? WHERE id = ?", [&](Statement& s) {
        s.bind(1, std::int64_t{value ? 1 : 0}).bind(2, base::format_rfc3339(at)).bind(3, id);
      });
}

Result<RowId> SqliteStore::append_event(const Event& e) {
  return insert("INSERT INTO unit_events(unit_id, at, actor, from_state, to_state, reason) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, e.unit_id).bind(2, base::format_rfc3339(e.at)).bind(3, e.actor);
                  if (e.from) {
                    s.bind(4, to_string(*e.from));
                  } else {
                    s.bind_null(4);
                  }
                  s.bind(5, to_string(e.to)).bind(6, e.reason);
                });
}

namespace {
constexpr std::string_view k_event_select =
    "SELECT id, unit_id, at, actor, from_state, to_state, reason FROM unit_events";

Event read_event(const Statement& s) {
  Event e;
  e.id = s.column_int(0);
  e.unit_id = s.column_int(1);
  e.at = ts(s, 2);
  e.actor = s.column_text(3);
  if (!s.is_null(4)) {
    e.from = parse_unit_state(s.column_text(4));
  }
  e.to = parse_unit_state(s.column_text(5)).value_or(UnitState::detected);
  e.reason = s.column_text(6);
  return e;
}
} // namespace

Result<std::vector<Event>> SqliteStore::events(RowId unit_id) {
  return query<Event>(
      m_db, std::string(k_event_select) + " WHERE unit_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, unit_id); }, read_event);
}

Result<std::vector<Event>> SqliteStore::events_until(Timestamp until) {
  // Timestamps are stored in one fixed-width UTC form, so text order is time order.
  return query<Event>(
      m_db, std::string(k_event_select) + " WHERE at <= ? ORDER BY id",
      [&](Statement& s) { s.bind(1, base::format_rfc3339(until)); }, read_event);
}

Result<std::vector<Unit>> SqliteStore::units_by_serial(const std::string& serial) {
  return query<Unit>(
      m_db,
      fmt::format("SELECT {} FROM units WHERE serial = ?1 COLLATE NOCASE OR "
                  "board_serial = ?1 COLLATE NOCASE ORDER BY id DESC",
                  k_unit_columns),
      [&](Statement& s) { s.bind(1, serial); }, read_unit);
}

Result<void> SqliteStore::upsert_interface(const NetworkInterface& nic) {
  return execute(m_db,
                 "INSERT INTO network_interfaces(unit_id, mac, wired, driver) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT(unit_id, mac) DO UPDATE SET wired = excluded.wired, "
                 "driver = excluded.driver",
                 [&](Statement& s) {
                   s.bind(1, nic.unit_id)
                       .bind(2, nic.mac.str())
                       .bind(3, std::int64_t{nic.wired ? 1 : 0})
                       .bind(4, nic.driver);
                 });
}

Result<std::vector<NetworkInterface>> SqliteStore::interfaces(RowId unit_id) {
  return query<NetworkInterface>(
      m_db,
      "SELECT id, unit_id, mac, wired, driver FROM network_interfaces WHERE unit_id = ? ORDER BY "
      "id",
      [&](Statement& s) { s.bind(1, unit_id); },
      [](const Statement& s) {
        NetworkInterface n;
        n.id = s.column_int(0);
        n.unit_id = s.column_int(1);
        n.mac = base::MacAddress::parse(s.column_text(2)).value_or(base::MacAddress{});
        n.wired = s.column_int(3) != 0;
        n.driver = s.column_text(4);
        return n;
      });
}

Result<RowId> SqliteStore::add_sighting(const BootSighting& b) {
  return insert("INSERT INTO boot_sightings(unit_id, mac, arch, firmware, guid, vendor_class, "
                "seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, b.unit_id).bind(2, b.mac.str());
                  if (b.arch) {
                    s.bind(3, std::int64_t{*b.arch});
                  } else {
                    s.bind_null(3);
                  }
                  s.bind(4, b.firmware)
                      .bind(5, b.guid)
                      .bind(6, b.vendor_class)
                      .bind(7, base::format_rfc3339(b.seen_at));
                });
}

namespace {
constexpr std::string_view k_sighting_columns =
    "id, unit_id, mac, arch, firmware, guid, vendor_class, seen_at";

BootSighting read_sighting(const Statement& s) {
  BootSighting b;
  b.id = s.column_int(0);
  b.unit_id = s.column_int(1);
  b.mac = base::MacAddress::parse(s.column_text(2)).value_or(base::MacAddress{});
  if (auto arch = s.column_optional_int(3)) {
    b.arch = static_cast<int>(*arch);
  }
  b.firmware = s.column_text(4);
  b.guid = s.column_text(5);
  b.vendor_class = s.column_text(6);
  b.seen_at = ts(s, 7);
  return b;
}
} // namespace

Result<std::vector<BootSighting>> SqliteStore::sightings(RowId unit_id) {
  return query<BootSighting>(
      m_db,
      fmt::format("SELECT {} FROM boot_sightings WHERE unit_id = ? ORDER BY id",
                  k_sighting_columns),
      [&](Statement& s) { s.bind(1, unit_id); }, read_sighting);
}

Result<std::vector<BootSighting>> SqliteStore::latest_sightings() {
  return query<BootSighting>(
      m_db,
      fmt::format("SELECT {} FROM boot_sightings WHERE id IN "
                  "(SELECT MAX(id) FROM boot_sightings GROUP BY unit_id) ORDER BY unit_id",
                  k_sighting_columns),
      [](Statement&) {}, read_sighting);
}

Result<RowId> SqliteStore::add_inventory(const InventorySnapshot& v) {
  return insert(
      "INSERT INTO inventory_snapshots(unit_id, taken_at, schema, raw_json, cpu_model, "
      "cpu_threads, x86_64_level, ram_bytes, firmware) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [&](Statement& s) {
        s.bind(1, v.unit_id)
            .bind(2, base::format_rfc3339(v.taken_at))
            .bind(3, v.schema)
            .bind(4, v.raw_json)
            .bind(5, v.cpu_model)
            .bind(6, std::int64_t{v.cpu_threads})
            .bind(7, std::int64_t{v.x86_64_level})
            .bind(8, static_cast<std::int64_t>(v.ram_bytes))
            .bind(9, v.firmware);
      });
}

Result<std::optional<InventorySnapshot>> SqliteStore::latest_inventory(RowId unit_id) {
  return first(query<InventorySnapshot>(
      m_db,
      "SELECT id, unit_id, taken_at, schema, raw_json, cpu_model, cpu_threads, x86_64_level, "
      "ram_bytes, firmware FROM inventory_snapshots WHERE unit_id = ? ORDER BY id DESC LIMIT 1",
      [&](Statement& s) { s.bind(1, unit_id); },
      [](const Statement& s) {
        InventorySnapshot v;
        v.id = s.column_int(0);
        v.unit_id = s.column_int(1);
        v.taken_at = ts(s, 2);
        v.schema = s.column_text(3);
        v.raw_json = s.column_text(4);
        v.cpu_model = s.column_text(5);
        v.cpu_threads = static_cast<int>(s.column_int(6));
        v.x86_64_level = static_cast<int>(s.column_int(7));
        v.ram_bytes = static_cast<std::uint64_t>(s.column_int(8));
        v.firmware = s.column_text(9);
        return v;
      }));
}

Result<RowId> SqliteStore::add_bench_result(const BenchResult& b) {
  return insert("INSERT INTO bench_results(unit_id, run_at, name, score, value, value_unit, "
                "duration_ms, method) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, b.unit_id)
                      .bind(2, base::format_rfc3339(b.run_at))
                      .bind(3, b.name)
                      .bind(4, b.score)
                      .bind(5, b.value)
                      .bind(6, b.value_unit)
                      .bind(7, b.duration_ms)
                      .bind(8, b.method);
                });
}

Result<std::vector<BenchResult>> SqliteStore::bench_results(RowId unit_id) {
  return query<BenchResult>(
      m_db,
      "SELECT id, unit_id, run_at, name, score, value, value_unit, duration_ms, method "
      "FROM bench_results WHERE unit_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, unit_id); },
      [](const Statement& s) {
        BenchResult b;
        b.id = s.column_int(0);
        b.unit_id = s.column_int(1);
        b.run_at = ts(s, 2);
        b.name = s.column_text(3);
        b.score = s.column_double(4);
        b.value = s.column_double(5);
        b.value_unit = s.column_text(6);
        b.duration_ms = s.column_int(7);
        b.method = s.column_text(8);
        return b;
      });
}

Result<RowId> SqliteStore::add_grade(const GradeRecord& g) {
  return insert("INSERT INTO grades(unit_id, graded_at, grade, score, explanation) "
                "VALUES (?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, g.unit_id)
                      .bind(2, base::format_rfc3339(g.graded_at))
                      .bind(3, g.grade)
                      .bind(4, std::int64_t{g.score})
                      .bind(5, g.explanation);
                });
}

Result<std::optional<GradeRecord>> SqliteStore::latest_grade(RowId unit_id) {
  return first(query<GradeRecord>(
      m_db,
      "SELECT id, unit_id, graded_at, grade, score, explanation FROM grades WHERE unit_id = ? "
      "ORDER BY id DESC LIMIT 1",
      [&](Statement& s) { s.bind(1, unit_id); },
      [](const Statement& s) {
        GradeRecord g;
        g.id = s.column_int(0);
        g.unit_id = s.column_int(1);
        g.graded_at = ts(s, 2);
        g.grade = s.column_text(3);
        g.score = static_cast<int>(s.column_int(4));
        g.explanation = s.column_text(5);
        return g;
      }));
}

Result<RowId> SqliteStore::upsert_disk(const Disk& d) {
  // A disk with a serial keeps its row (and its erasure history) when it moves to another unit.
  if (!d.serial.empty()) {
    auto existing = first(query<RowId>(
        m_db, "SELECT id FROM disks WHERE model = ? AND serial = ?",
        [&](Statement& s) { s.bind(1, d.model).bind(2, d.serial); },
        [](const Statement& s) { return s.column_int(0); }));
    if (!existing) {
      return std::unexpected(existing.error());
    }
    if (*existing) {
      auto r = execute(m_db,
                       "UPDATE disks SET unit_id = ?, size_bytes = ?, media = ?, bus = ? "
                       "WHERE id = ?",
                       [&](Statement& s) {
                         s.bind(1, d.unit_id)
                             .bind(2, static_cast<std::int64_t>(d.size_bytes))
                             .bind(3, d.media)
                             .bind(4, d.bus)
                             .bind(5, **existing);
                       });
      if (!r) {
        return std::unexpected(r.error());
      }
      return **existing;
    }
  }
  return insert("INSERT INTO disks(unit_id, model, serial, size_bytes, media, bus) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, d.unit_id)
                      .bind(2, d.model)
                      .bind(3, d.serial)
                      .bind(4, static_cast<std::int64_t>(d.size_bytes))
                      .bind(5, d.media)
                      .bind(6, d.bus);
                });
}

Result<std::vector<Disk>> SqliteStore::disks(RowId unit_id) {
  return query<Disk>(
      m_db, std::string(k_disk_select) + " WHERE unit_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, unit_id); }, read_disk);
}

Result<std::optional<Disk>> SqliteStore::disk_by_id(RowId id) {
  return first(query<Disk>(
      m_db, std::string(k_disk_select) + " WHERE id = ?", [&](Statement& s) { s.bind(1, id); },
      read_disk));
}

Result<std::optional<Disk>> SqliteStore::disk_by_serial(const std::string& model,
                                                        const std::string& serial) {
  return first(query<Disk>(
      m_db, std::string(k_disk_select) + " WHERE model = ? AND serial = ?",
      [&](Statement& s) { s.bind(1, model).bind(2, serial); }, read_disk));
}

Result<RowId> SqliteStore::add_erasure_record(const ErasureRecord& e) {
  // An empty record id is stored as NULL: the UNIQUE index only covers records that have one.
  const std::optional<std::string_view> record_id =
      e.record_id.empty() ? std::nullopt : std::optional<std::string_view>(e.record_id);
  return insert("INSERT INTO erasure_records(disk_id, started_at, finished_at, method, level, "
                "verification, result, record_json, signature, record_id, unit_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, e.disk_id)
                      .bind(2, base::format_rfc3339(e.started_at))
                      .bind(3, base::format_rfc3339(e.finished_at))
                      .bind(4, e.method)
                      .bind(5, e.level)
                      .bind(6, e.verification)
                      .bind(7, e.result)
                      .bind(8, e.record_json)
                      .bind(9, e.signature)
                      .bind(10, record_id)
                      .bind(11, e.unit_id);
                });
}

Result<std::vector<ErasureRecord>> SqliteStore::erasure_records(RowId disk_id) {
  return query<ErasureRecord>(
      m_db, std::string(k_erasure_select) + " WHERE disk_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, disk_id); }, read_erasure);
}

Result<std::vector<ErasureRecord>> SqliteStore::erasure_records_for_unit(RowId unit_id) {
  return query<ErasureRecord>(
      m_db, std::string(k_erasure_select) + " WHERE unit_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, unit_id); }, read_erasure);
}

Result<std::vector<ErasureRecord>> SqliteStore::erasure_records_between(Timestamp from,
                                                                        Timestamp to) {
  return query<ErasureRecord>(
      m_db,
      std::string(k_erasure_select) + " WHERE finished_at >= ? AND finished_at <= ? ORDER BY id",
      [&](Statement& s) {
        s.bind(1, base::format_rfc3339(from)).bind(2, base::format_rfc3339(to));
      },
      read_erasure);
}

Result<std::optional<ErasureRecord>> SqliteStore::erasure_record_by_id(const std::string& id) {
  return first(query<ErasureRecord>(
      m_db, std::string(k_erasure_select) + " WHERE record_id = ?",
      [&](Statement& s) { s.bind(1, id); }, read_erasure));
}

Result<RowId> SqliteStore::add_imaging_record(const ImagingRecord& r) {
  return insert("INSERT INTO imaging_records(unit_id, started_at, finished_at, profile, "
                "image_sha256, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, r.unit_id)
                      .bind(2, base::format_rfc3339(r.started_at))
                      .bind(3, base::format_rfc3339(r.finished_at))
                      .bind(4, r.profile)
                      .bind(5, r.image_sha256)
                      .bind(6, r.result)
                      .bind(7, r.detail);
                });
}

Result<std::vector<ImagingRecord>> SqliteStore::imaging_records(RowId unit_id) {
  return query<ImagingRecord>(
      m_db,
      "SELECT id, unit_id, started_at, finished_at, profile, image_sha256, result, detail "
      "FROM imaging_records WHERE unit_id = ? ORDER BY id",
      [&](Statement& s) { s.bind(1, unit_id); },
      [](const Statement& s) {
        ImagingRecord r;
        r.id = s.column_int(0);
        r.unit_id = s.column_int(1);
        r.started_at = ts(s, 2);
        r.finished_at = ts(s, 3);
        r.profile = s.column_text(4);
        r.image_sha256 = s.column_text(5);
        r.result = s.column_text(6);
        r.detail = s.column_text(7);
        return r;
      });
}

Result<std::unique_ptr<Store>> open_store(const std::string& location) {
  constexpr std::string_view sqlite_scheme = "sqlite:";
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) {
    return failf(ErrorCode::unsupported,
                 "'{location}': the PostgreSQL backend is not available in this build yet; use a "
                 "SQLite file path",
                 {{"location", location}});
  }
  std::string path = location;
  if (location.starts_with(sqlite_scheme)) {
    path = location.substr(sqlite_scheme.size());
  }
  if (path.empty()) {
    return failf(ErrorCode::invalid_argument, "no database location given", {});
  }
  auto store = SqliteStore::open(path);
  if (!store) {
    return std::unexpected(store.error());
  }
  return std::unique_ptr<Store>(std::move(*store));
}

} // namespace atelier::hwdb
