// What atelierd checks before it believes a wipe (docs/ERASURE-RECORD.md, "What the server
// checks").
//
// The agent runs on a donated machine: its firmware and its disk may be anything, and anyone on the
// workshop switch can post as an agent. So a unit becomes `wiped` only when every disk the wipe had
// to erase (disks_to_erase: each fixed disk of the unit's latest inventory, and its removable ones
// when the profile says so) is named by exactly one `erased` record that
//   - says it is this disk (serial, else kernel name; size at least the inventory's),
//   - is consistent in itself (no write/read error, no verify mismatch, no failed range, an
//     overwrite that wrote at least the whole disk, a passed verification that read something),
//   - meets the profile (a method the profile allows for that media, verification at least the
//     profile's level, hidden areas removed when the profile says `reset` and the drive had some),
//   - belongs to this unit (its asset tag).
// Every check returns sentences that name the disk and what is wrong; empty means accepted.
//
// Pure functions: the pipeline (pipeline_results.cpp) adds what needs the database (a record id
// already filed, a disk of another unit) and fails the unit with these sentences.
#pragma once

#include "profiles/machine_facts.h"
#include "profiles/profile.h"
#include "records/erasure_record.h"

#include <string>
#include <string_view>
#include <vector>

namespace atelier::daemon {

// The disks a wipe must erase, in inventory order: every fixed disk, and the removable ones when
// the profile's `removable` rule is `erase`.
std::vector<profiles::DiskFact> disks_to_erase(const std::vector<profiles::DiskFact>& inventory,
                                               const profiles::WipePolicy& policy);

// True when `record` says it is about `disk`: same serial when the inventory knows one, else the
// same kernel name ("/dev/sda" for "sda"). A disk the inventory knows neither way matches nothing.
bool record_names_disk(const records::ErasureRecord& record, const profiles::DiskFact& disk);

// The problems of one `erased` record about `disk` (see the list at the top).
std::vector<std::string> check_erased_record(const records::ErasureRecord& record,
                                             const profiles::DiskFact& disk,
                                             const profiles::WipePolicy& policy,
                                             std::string_view unit_tag);

// The whole wipe: every record must name one of `to_erase` (a record about a disk the inventory
// does not list is refused), no disk may be named twice, each erased record must pass
// check_erased_record, and when `complete` (the agent said the step is done) every disk of
// `to_erase` must have its erased record. Failed records are evidence: they are only matched.
std::vector<std::string> check_wipe(const std::vector<records::ErasureRecord>& records,
                                    const std::vector<profiles::DiskFact>& to_erase,
                                    const profiles::WipePolicy& policy, std::string_view unit_tag,
                                    bool complete);

// True when the erased records leave zeros on every disk (the last pass wrote zeros and was
// verified), so the deploy may skip writing zero blocks of a raw image.
bool leaves_zeros(const std::vector<records::ErasureRecord>& records);

} // namespace atelier::daemon
