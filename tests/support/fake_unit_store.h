// An in-memory hwdb::UnitStore (hardware-db/unit_store.h) for tests: no file, no schema, no
// migrations, and storage failures on demand (fail_next), which a real SQLite file cannot give
// a test cheaply. It keeps the contract of store.h and the observable rules of SqliteStore (ids
// counted per table from 1, orderings, compare-and-set, the uniqueness, foreign-key and CHECK
// rules as ErrorCode::conflict); tests/hardware-db/unit_store_contract_test.cpp runs the same cases
// against both, so the fake cannot drift from the real backend.
#pragma once

#include "hardware-db/unit_store.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atelier::testing {

class FakeUnitStore final : public hwdb::UnitStore {
public:
  // The next call of `method` (its name, e.g. "list_units") fails with ErrorCode::storage; later
  // calls work again.
  void fail_next(std::string method) { m_fail_next = std::move(method); }

  hwdb::Result<void> transaction(const std::function<hwdb::Result<void>()>& fn) override {
    // Every level keeps a copy to return to: nesting behaves like savepoints.
    Tables before = m_tables;
    hwdb::Result<void> result;
    try {
      result = fn();
    } catch (...) {
      m_tables = std::move(before); // as SQLite: an exception rolls the transaction back
      throw;
    }
    if (!result) {
      m_tables = std::move(before);
    }
    return result;
  }

  hwdb::Result<std::uint64_t> reserve_tag_number(const std::string& prefix) override {
    if (auto f = injected("reserve_tag_number")) {
      return *f;
    }
    return ++m_tables.tag_sequences[prefix];
  }

  hwdb::Result<hwdb::RowId> insert_unit(const hwdb::AssetTag& tag,
                                        const hwdb::NewUnit& unit) override {
    if (auto f = injected("insert_unit")) {
      return *f;
    }
    if (std::ranges::any_of(m_tables.units, [&](const auto& u) { return u.tag == tag; })) {
      return conflict("UNIQUE constraint failed: units.tag");
    }
    if (unit.previous && !unit_exists(*unit.previous)) {
      return conflict("FOREIGN KEY constraint failed");
    }
    hwdb::Unit u;
    u.id = next_id(m_tables.units);
    u.tag = tag;
    u.state = unit.state;
    u.identity = unit.identity;
    u.key = unit.key;
    u.previous = unit.previous;
    u.chassis = unit.chassis;
    u.notes = unit.notes;
    u.created_at = u.updated_at = unit.at;
    m_tables.units.push_back(u);
    return u.id;
  }

  hwdb::Result<std::optional<hwdb::Unit>> unit_by_id(hwdb::RowId id) override {
    return last_where("unit_by_id", [&](const hwdb::Unit& u) { return u.id == id; });
  }
  hwdb::Result<std::optional<hwdb::Unit>> unit_by_tag(const hwdb::AssetTag& tag) override {
    return last_where("unit_by_tag", [&](const hwdb::Unit& u) { return u.tag == tag; });
  }
  hwdb::Result<std::optional<hwdb::Unit>>
  latest_unit_by_key(const hwdb::IdentityKey& key) override {
    return last_where("latest_unit_by_key", [&](const hwdb::Unit& u) { return u.key == key; });
  }
  hwdb::Result<std::optional<hwdb::Unit>> latest_unit_by_mac(const base::MacAddress& mac) override {
    return last_where("latest_unit_by_mac", [&](const hwdb::Unit& u) {
      return u.identity.wired_mac == mac ||
             std::ranges::any_of(m_tables.interfaces, [&](const hwdb::NetworkInterface& n) {
               return n.unit_id == u.id && n.mac == mac;
             });
    });
  }
  hwdb::Result<std::vector<hwdb::Unit>> units_by_serial(const std::string& serial) override {
    if (auto f = injected("units_by_serial")) {
      return *f;
    }
    std::vector<hwdb::Unit> found;
    for (auto it = m_tables.units.rbegin(); it != m_tables.units.rend(); ++it) {
      if (same_text_ignoring_case(it->identity.serial, serial) ||
          same_text_ignoring_case(it->identity.board_serial, serial)) {
        found.push_back(*it);
      }
    }
    return found;
  }
  hwdb::Result<std::vector<hwdb::Unit>> list_units(const hwdb::UnitFilter& filter) override {
    if (auto f = injected("list_units")) {
      return *f;
    }
    std::vector<hwdb::Unit> found;
    for (const auto& u : m_tables.units) {
      if (filter.limit > 0 && found.size() == filter.limit) {
        break;
      }
      if (!filter.state || u.state == *filter.state) {
        found.push_back(u);
      }
    }
    return found;
  }
  hwdb::Result<bool> update_state(hwdb::RowId id, hwdb::UnitState from, hwdb::UnitState to,
                                  hwdb::Timestamp at) override {
    if (auto f = injected("update_state")) {
      return *f;
    }
    hwdb::Unit* u = find_unit(id);
    if (u == nullptr || u->state != from) {
      return false;
    }
    u->state = to;
    u->updated_at = at;
    return true;
  }
  hwdb::Result<void> update_identity(hwdb::RowId id, const hwdb::Identity& identity,
                                     const hwdb::IdentityKey& key, hwdb::Timestamp at) override {
    if (auto f = injected("update_identity")) {
      return *f;
    }
    if (hwdb::Unit* u = find_unit(id)) {
      u->identity = identity;
      u->key = key;
      u->updated_at = at;
    }
    return {};
  }
  hwdb::Result<void> set_do_not_boot(hwdb::RowId id, bool value, hwdb::Timestamp at) override {
    if (auto f = injected("set_do_not_boot")) {
      return *f;
    }
    if (hwdb::Unit* u = find_unit(id)) {
      u->do_not_boot = value;
      u->updated_at = at;
    }
    return {};
  }

  hwdb::Result<hwdb::RowId> append_event(const hwdb::Event& event) override {
    return add("append_event", m_tables.events, event);
  }
  hwdb::Result<std::vector<hwdb::Event>> events(hwdb::RowId unit_id) override {
    return of_unit("events", m_tables.events, unit_id);
  }
  hwdb::Result<std::vector<hwdb::Event>> events_until(hwdb::Timestamp until) override {
    return all_where("events_until", m_tables.events,
                     [&](const hwdb::Event& e) { return e.at <= until; });
  }

  hwdb::Result<void> upsert_interface(const hwdb::NetworkInterface& nic) override {
    if (auto f = injected("upsert_interface")) {
      return *f;
    }
    for (auto& n : m_tables.interfaces) {
      if (n.unit_id == nic.unit_id && n.mac == nic.mac) {
        n.wired = nic.wired;
        n.driver = nic.driver;
        return {};
      }
    }
    if (auto added = add("", m_tables.interfaces, nic); !added) {
      return std::unexpected(added.error());
    }
    return {};
  }
  hwdb::Result<std::vector<hwdb::NetworkInterface>> interfaces(hwdb::RowId unit_id) override {
    return of_unit("interfaces", m_tables.interfaces, unit_id);
  }
  hwdb::Result<hwdb::RowId> add_sighting(const hwdb::BootSighting& sighting) override {
    return add("add_sighting", m_tables.sightings, sighting);
  }
  hwdb::Result<std::vector<hwdb::BootSighting>> sightings(hwdb::RowId unit_id) override {
    return of_unit("sightings", m_tables.sightings, unit_id);
  }
  hwdb::Result<std::vector<hwdb::BootSighting>> latest_sightings() override {
    if (auto f = injected("latest_sightings")) {
      return *f;
    }
    std::map<hwdb::RowId, hwdb::BootSighting> latest; // by unit: ordered by unit id
    for (const auto& s : m_tables.sightings) {
      latest[s.unit_id] = s;
    }
    std::vector<hwdb::BootSighting> found;
    for (auto& [unit, s] : latest) {
      found.push_back(std::move(s));
    }
    return found;
  }
  hwdb::Result<hwdb::RowId> add_inventory(const hwdb::InventorySnapshot& snapshot) override {
    return add("add_inventory", m_tables.inventories, snapshot);
  }
  hwdb::Result<std::optional<hwdb::InventorySnapshot>>
  latest_inventory(hwdb::RowId unit_id) override {
    return latest_of_unit("latest_inventory", m_tables.inventories, unit_id);
  }
  hwdb::Result<hwdb::RowId> add_bench_result(const hwdb::BenchResult& result) override {
    return add("add_bench_result", m_tables.bench_results, result);
  }
  hwdb::Result<std::vector<hwdb::BenchResult>> bench_results(hwdb::RowId unit_id) override {
    return of_unit("bench_results", m_tables.bench_results, unit_id);
  }
  hwdb::Result<hwdb::RowId> add_grade(const hwdb::GradeRecord& grade) override {
    if (!one_of(grade.grade, {"A", "B", "C", "parts"})) {
      return conflict("CHECK constraint failed: grade");
    }
    return add("add_grade", m_tables.grades, grade);
  }
  hwdb::Result<std::optional<hwdb::GradeRecord>> latest_grade(hwdb::RowId unit_id) override {
    return latest_of_unit("latest_grade", m_tables.grades, unit_id);
  }

  hwdb::Result<hwdb::RowId> upsert_disk(const hwdb::Disk& disk) override {
    if (auto f = injected("upsert_disk")) {
      return *f;
    }
    // A disk with a serial keeps its row (and its erasure history) when it moves.
    if (!disk.serial.empty()) {
      for (auto& d : m_tables.disks) {
        if (d.model == disk.model && d.serial == disk.serial) {
          if (!unit_exists(disk.unit_id)) {
            return conflict("FOREIGN KEY constraint failed");
          }
          d.unit_id = disk.unit_id;
          d.size_bytes = disk.size_bytes;
          d.media = disk.media;
          d.bus = disk.bus;
          return d.id;
        }
      }
    }
    return add("", m_tables.disks, disk);
  }
  hwdb::Result<std::vector<hwdb::Disk>> disks(hwdb::RowId unit_id) override {
    return of_unit("disks", m_tables.disks, unit_id);
  }
  hwdb::Result<std::optional<hwdb::Disk>> disk_by_id(hwdb::RowId id) override {
    if (auto f = injected("disk_by_id")) {
      return *f;
    }
    for (const auto& d : m_tables.disks) {
      if (d.id == id) {
        return d;
      }
    }
    return std::nullopt;
  }
  hwdb::Result<std::optional<hwdb::Disk>> disk_by_serial(const std::string& model,
                                                         const std::string& serial) override {
    if (auto f = injected("disk_by_serial")) {
      return *f;
    }
    for (const auto& d : m_tables.disks) {
      if (d.model == model && d.serial == serial) {
        return d;
      }
    }
    return std::nullopt;
  }
  hwdb::Result<hwdb::RowId> add_erasure_record(const hwdb::ErasureRecord& record) override {
    if (auto f = injected("add_erasure_record")) {
      return *f;
    }
    if (!one_of(record.level, {"clear", "purge"}) ||
        !one_of(record.verification, {"none", "sample", "full"}) ||
        !one_of(record.result, {"erased", "failed"})) {
      return conflict("CHECK constraint failed: erasure_records");
    }
    if (!std::ranges::any_of(m_tables.disks,
                             [&](const hwdb::Disk& d) { return d.id == record.disk_id; }) ||
        (record.unit_id && !unit_exists(*record.unit_id))) {
      return conflict("FOREIGN KEY constraint failed");
    }
    if (!record.record_id.empty() &&
        std::ranges::any_of(m_tables.erasures, [&](const hwdb::ErasureRecord& e) {
          return e.record_id == record.record_id;
        })) {
      return conflict("UNIQUE constraint failed: erasure_records.record_id");
    }
    hwdb::ErasureRecord stored = record;
    stored.id = next_id(m_tables.erasures);
    m_tables.erasures.push_back(stored);
    return stored.id;
  }
  hwdb::Result<std::vector<hwdb::ErasureRecord>> erasure_records(hwdb::RowId disk_id) override {
    return all_where("erasure_records", m_tables.erasures,
                     [&](const hwdb::ErasureRecord& e) { return e.disk_id == disk_id; });
  }
  hwdb::Result<std::vector<hwdb::ErasureRecord>>
  erasure_records_for_unit(hwdb::RowId unit_id) override {
    return all_where("erasure_records_for_unit", m_tables.erasures,
                     [&](const hwdb::ErasureRecord& e) { return e.unit_id == unit_id; });
  }
  hwdb::Result<std::optional<hwdb::ErasureRecord>>
  erasure_record_by_id(const std::string& record_id) override {
    auto found = all_where("erasure_record_by_id", m_tables.erasures,
                           [&](const hwdb::ErasureRecord& e) { return e.record_id == record_id; });
    if (!found) {
      return std::unexpected(found.error());
    }
    if (found->empty()) {
      return std::nullopt;
    }
    return found->front();
  }
  hwdb::Result<std::vector<hwdb::ErasureRecord>>
  erasure_records_between(hwdb::Timestamp from, hwdb::Timestamp to) override {
    return all_where(
        "erasure_records_between", m_tables.erasures,
        [&](const hwdb::ErasureRecord& e) { return e.finished_at >= from && e.finished_at <= to; });
  }
  hwdb::Result<hwdb::RowId> add_imaging_record(const hwdb::ImagingRecord& record) override {
    if (!one_of(record.result, {"imaged", "failed"})) {
      return conflict("CHECK constraint failed: result");
    }
    return add("add_imaging_record", m_tables.imaging, record);
  }
  hwdb::Result<std::vector<hwdb::ImagingRecord>> imaging_records(hwdb::RowId unit_id) override {
    return of_unit("imaging_records", m_tables.imaging, unit_id);
  }

private:
  // Every table in insertion order, which is id order (ids are never reused unless a rollback
  // takes the row back, as in SQLite).
  struct Tables {
    std::map<std::string, std::uint64_t> tag_sequences;
    std::vector<hwdb::Unit> units;
    std::vector<hwdb::Event> events;
    std::vector<hwdb::NetworkInterface> interfaces;
    std::vector<hwdb::BootSighting> sightings;
    std::vector<hwdb::InventorySnapshot> inventories;
    std::vector<hwdb::BenchResult> bench_results;
    std::vector<hwdb::GradeRecord> grades;
    std::vector<hwdb::Disk> disks;
    std::vector<hwdb::ErasureRecord> erasures;
    std::vector<hwdb::ImagingRecord> imaging;
  };

  static std::unexpected<hwdb::Error> conflict(std::string message) {
    return hwdb::fail(hwdb::ErrorCode::conflict, std::move(message));
  }

  // The schema's CHECK (column IN (...)) rules.
  static bool one_of(std::string_view value, std::initializer_list<std::string_view> allowed) {
    return std::ranges::find(allowed, value) != allowed.end();
  }

  static bool same_text_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::ranges::equal(a, b, [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }

  // The injected failure, once, if `method` is the one fail_next named.
  std::optional<std::unexpected<hwdb::Error>> injected(std::string_view method) {
    if (method.empty() || m_fail_next != method) {
      return std::nullopt;
    }
    m_fail_next.clear();
    return hwdb::fail(hwdb::ErrorCode::storage, "injected failure of " + std::string(method));
  }

  template <typename Row>
  static hwdb::RowId next_id(const std::vector<Row>& rows) {
    return rows.empty() ? 1 : rows.back().id + 1;
  }

  bool unit_exists(hwdb::RowId id) const {
    return std::ranges::any_of(m_tables.units, [&](const hwdb::Unit& u) { return u.id == id; });
  }

  hwdb::Unit* find_unit(hwdb::RowId id) {
    auto it = std::ranges::find_if(m_tables.units, [&](const hwdb::Unit& u) { return u.id == id; });
    return it == m_tables.units.end() ? nullptr : &*it;
  }

  // Appends a row that belongs to a unit (foreign key: the unit must exist).
  template <typename Row>
  hwdb::Result<hwdb::RowId> add(std::string_view method, std::vector<Row>& rows, Row row) {
    if (auto f = injected(method)) {
      return *f;
    }
    if (!unit_exists(row.unit_id)) {
      return conflict("FOREIGN KEY constraint failed");
    }
    row.id = next_id(rows);
    rows.push_back(std::move(row));
    return rows.back().id;
  }

  template <typename Row, typename Pred>
  hwdb::Result<std::vector<Row>> all_where(std::string_view method, const std::vector<Row>& rows,
                                           Pred pred) {
    if (auto f = injected(method)) {
      return *f;
    }
    std::vector<Row> found;
    std::ranges::copy_if(rows, std::back_inserter(found), pred);
    return found;
  }

  template <typename Row>
  hwdb::Result<std::vector<Row>> of_unit(std::string_view method, const std::vector<Row>& rows,
                                         hwdb::RowId unit_id) {
    return all_where(method, rows, [&](const Row& r) { return r.unit_id == unit_id; });
  }

  template <typename Row>
  hwdb::Result<std::optional<Row>>
  latest_of_unit(std::string_view method, const std::vector<Row>& rows, hwdb::RowId unit_id) {
    auto found = of_unit(method, rows, unit_id);
    if (!found) {
      return std::unexpected(found.error());
    }
    if (found->empty()) {
      return std::nullopt;
    }
    return found->back();
  }

  template <typename Pred>
  hwdb::Result<std::optional<hwdb::Unit>> last_where(std::string_view method, Pred pred) {
    if (auto f = injected(method)) {
      return *f;
    }
    for (auto it = m_tables.units.rbegin(); it != m_tables.units.rend(); ++it) {
      if (pred(*it)) {
        return *it;
      }
    }
    return std::nullopt;
  }

  Tables m_tables;
  std::string m_fail_next;
};

} // namespace atelier::testing
