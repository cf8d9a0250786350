// Registry: filing erasure records (registry.h, record_erasure). Kept apart from registry.cpp so
// the rules for evidence sit in one short file.
#include "hardware-db/registry.h"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

bool one_of(std::string_view value, std::span<const std::string_view> allowed) {
  return std::ranges::find(allowed, value) != allowed.end();
}

Result<void> check_record(const ErasureRecord& r) {
  static constexpr std::array<std::string_view, 2> k_levels = {"clear", "purge"};
  static constexpr std::array<std::string_view, 3> k_verifications = {"none", "sample", "full"};
  static constexpr std::array<std::string_view, 2> k_results = {"erased", "failed"};
  constexpr ErrorCode invalid = ErrorCode::invalid_argument;
  if (r.record_id.empty()) {
    return failf(invalid, "erasure record (no id): the record id is missing", {});
  }
  const base::MessageArg id("record", r.record_id);
  if (!one_of(r.level, k_levels)) {
    return failf(invalid, "erasure record {record}: level '{level}' is not clear or purge",
                 {id, {"level", r.level}});
  }
  if (!one_of(r.verification, k_verifications)) {
    return failf(invalid,
                 "erasure record {record}: verification '{verification}' is not none, sample or "
                 "full",
                 {id, {"verification", r.verification}});
  }
  if (!one_of(r.result, k_results)) {
    return failf(invalid, "erasure record {record}: result '{result}' is not erased or failed",
                 {id, {"result", r.result}});
  }
  if (r.record_json.empty()) {
    return failf(invalid, "erasure record {record}: the record itself (record_json) is empty",
                 {id});
  }
  if (r.result == "erased" && r.signature.empty()) {
    return failf(invalid,
                 "erasure record {record}: an erased disk's record must be signed before it is "
                 "filed",
                 {id});
  }
  if (r.result == "failed" && !r.signature.empty()) {
    return failf(invalid,
                 "erasure record {record}: a failed erasure is kept as evidence, never signed as "
                 "a certificate",
                 {id});
  }
  if (r.finished_at < r.started_at) {
    return failf(invalid,
                 "erasure record {record}: it finished ({finished}) before it started ({started})",
                 {id,
                  {"finished", base::format_rfc3339(r.finished_at)},
                  {"started", base::format_rfc3339(r.started_at)}});
  }
  return {};
}

} // namespace

Result<ErasureFiled> Registry::record_erasure(const Unit& unit, const Disk& disk,
                                              ErasureRecord record) {
  if (auto ok = check_record(record); !ok) {
    return std::unexpected(ok.error());
  }
  ErasureFiled filed;
  auto done = m_store->transaction([&]() -> Result<void> {
    auto existing = m_store->erasure_record_by_id(record.record_id);
    if (!existing) {
      return std::unexpected(existing.error());
    }
    if (*existing) {
      const ErasureRecord& before = **existing;
      if (before.unit_id && *before.unit_id != unit.id) {
        auto owner = m_store->unit_by_id(*before.unit_id);
        return failf(ErrorCode::conflict,
                     "erasure record {record} is filed for unit {tag}; a record belongs to the "
                     "machine it was made in",
                     {{"record", record.record_id},
                      {"tag", owner && *owner ? (*owner)->tag.str() : std::string("(unknown)")}});
      }
      if (before.record_json != record.record_json || before.signature != record.signature) {
        const base::MessageArg id("record", record.record_id);
        const base::MessageArg when("finished", base::format_rfc3339(before.finished_at));
        if (before.record_json != record.record_json) {
          return failf(ErrorCode::conflict,
                       "erasure record {record} (erasure of {finished}) is already stored with "
                       "different content; a stored record is never replaced",
                       {id, when});
        }
        return failf(ErrorCode::conflict,
                     "erasure record {record} (erasure of {finished}) is already stored with "
                     "different signature; a stored record is never replaced",
                     {id, when});
      }
      auto stored_disk = m_store->disk_by_id(before.disk_id);
      if (!stored_disk) {
        return std::unexpected(stored_disk.error());
      }
      filed = ErasureFiled{before, stored_disk->value_or(Disk{}), false};
      return {};
    }
    Disk d = disk;
    d.id = 0;
    d.unit_id = unit.id;
    // A record may not know what the inventory knew (an imager record has no bus): keep what the
    // unit's own disk row says rather than blanking it.
    if (!d.serial.empty() && (d.media.empty() || d.bus.empty() || d.size_bytes == 0)) {
      auto known = m_store->disks(unit.id);
      if (!known) {
        return std::unexpected(known.error());
      }
      for (const Disk& k : *known) {
        if (k.model == d.model && k.serial == d.serial) {
          d.media = d.media.empty() ? k.media : d.media;
          d.bus = d.bus.empty() ? k.bus : d.bus;
          d.size_bytes = d.size_bytes == 0 ? k.size_bytes : d.size_bytes;
        }
      }
    }
    // A disk is never taken from another machine by an erasure record (it comes from the machine
    // being erased, which may lie), unless that machine was set aside for parts or recycled: its
    // disks are what a workshop harvests. The move keeps the disk's history; its records stay
    // with the unit they were made in.
    if (!d.serial.empty()) {
      auto elsewhere = m_store->disk_by_serial(d.model, d.serial);
      if (!elsewhere) {
        return std::unexpected(elsewhere.error());
      }
      if (*elsewhere && (*elsewhere)->unit_id != unit.id) {
        auto owner = m_store->unit_by_id((*elsewhere)->unit_id);
        if (!owner) {
          return std::unexpected(owner.error());
        }
        const bool harvested = *owner && ((*owner)->state == UnitState::parts ||
                                          (*owner)->state == UnitState::recycled);
        if (!harvested) {
          return failf(ErrorCode::conflict,
                       "disk {model} serial {serial} is recorded in unit {owner} ({state}), not "
                       "{tag}: an erasure record does not move a disk out of a machine that is "
                       "not set aside for parts",
                       {{"model", d.model},
                        {"serial", d.serial},
                        {"owner", *owner ? (*owner)->tag.str() : std::string("(unknown)")},
                        {"state", *owner ? to_string((*owner)->state) : "?"},
                        {"tag", unit.tag.str()}});
        }
      }
    }
    auto disk_id = m_store->upsert_disk(d);
    if (!disk_id) {
      return std::unexpected(disk_id.error());
    }
    d.id = *disk_id;
    record.disk_id = *disk_id;
    record.unit_id = unit.id;
    auto id = m_store->add_erasure_record(record);
    if (!id) {
      return std::unexpected(id.error());
    }
    record.id = *id;
    filed = ErasureFiled{record, d, true};
    return {};
  });
  if (!done) {
    return std::unexpected(done.error());
  }
  return filed;
}

Result<std::vector<ErasureRecord>> Registry::erasure_records_for_unit(const Unit& unit) {
  return m_store->erasure_records_for_unit(unit.id);
}

Result<std::optional<ErasureRecord>> Registry::erasure_record(std::string_view record_id) {
  return m_store->erasure_record_by_id(std::string(record_id));
}

} // namespace atelier::hwdb
