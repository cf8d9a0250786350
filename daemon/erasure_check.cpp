#include "daemon/erasure_check.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

using profiles::DiskFact;
using records::ErasureRecord;
using records::ErasureResult;
using records::VerificationMethod;

int rank(VerificationMethod v) {
  switch (v) {
  case VerificationMethod::none:
    return 0;
  case VerificationMethod::sample:
    return 1;
  case VerificationMethod::full:
    return 2;
  }
  return 0;
}

int rank(profiles::Verification v) {
  switch (v) {
  case profiles::Verification::none:
    return 0;
  case profiles::Verification::sample:
    return 1;
  case profiles::Verification::full:
    return 2;
  }
  return 0;
}

std::string method_list(const std::vector<profiles::WipeMethod>& methods) {
  std::vector<std::string_view> names;
  for (const auto m : methods) {
    names.push_back(profiles::to_string(m));
  }
  return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "));
}

// How a record calls its disk in messages when it matched none of the inventory's.
std::string record_disk(const ErasureRecord& r) {
  std::vector<std::string> what;
  if (!r.device.empty()) {
    what.push_back(r.device);
  }
  if (!r.model.empty()) {
    what.push_back(r.model);
  }
  if (!r.serial.empty()) {
    what.push_back("serial " + r.serial);
  }
  return fmt::format("record {} ({})", r.record_id,
                     what.empty() ? std::string("names no disk")
                                  : fmt::format("{}", fmt::join(what, ", ")));
}

} // namespace

std::vector<DiskFact> disks_to_erase(const std::vector<DiskFact>& inventory,
                                     const profiles::WipePolicy& policy) {
  std::vector<DiskFact> out;
  for (const DiskFact& d : inventory) {
    if (!d.is_removable() || policy.removable == profiles::RemovableMedia::erase) {
      out.push_back(d);
    }
  }
  return out;
}

bool record_names_disk(const ErasureRecord& record, const DiskFact& disk) {
  if (!disk.serial.empty()) {
    return record.serial == disk.serial;
  }
  return !disk.name.empty() && record.serial.empty() && record.device == "/dev/" + disk.name;
}

std::vector<std::string> check_erased_record(const ErasureRecord& r, const DiskFact& disk,
                                             const profiles::WipePolicy& policy,
                                             std::string_view unit_tag) {
  std::vector<std::string> problems;
  const auto problem = [&](std::string what) {
    problems.push_back(fmt::format("{}: record {} {}", disk.describe(), r.record_id, what));
  };
  if (r.result != ErasureResult::erased) {
    problem("does not say erased");
    return problems;
  }
  if (r.source_property != unit_tag) {
    problem(
        fmt::format("names asset tag \"{}\", not this machine's {}", r.source_property, unit_tag));
  }
  if (r.write_errors > 0 || r.read_errors > 0 || r.verify_mismatches > 0) {
    problem(fmt::format("says erased but counts {} write error(s), {} read error(s) and {} "
                        "verify mismatch(es)",
                        r.write_errors, r.read_errors, r.verify_mismatches));
  }
  if (!r.failed_ranges.empty()) {
    problem(fmt::format("says erased but lists {} failed range(s)", r.failed_ranges.size()));
  }
  if (r.size_bytes < disk.size_bytes) {
    problem(
        fmt::format("covers {} bytes; the inventory reported {}", r.size_bytes, disk.size_bytes));
  }
  const auto method = profiles::wipe_method_from_string(r.method);
  const auto& allowed = policy.methods_for(disk.media);
  if (!method || std::ranges::find(allowed, *method) == allowed.end()) {
    problem(fmt::format("used method \"{}\", which the profile does not allow for {} disks ({})",
                        r.method, profiles::to_string(disk.media), method_list(allowed)));
  } else if (profiles::is_overwrite(*method)) {
    const int passes = *method == profiles::WipeMethod::random_then_zero ? 2 : 1;
    if (r.passes < passes) {
      problem(fmt::format("completed {} of the {} pass(es) of {}", r.passes, passes, r.method));
    }
    if (r.bytes_written < disk.size_bytes * static_cast<std::uint64_t>(passes)) {
      problem(fmt::format("wrote {} bytes; {} of a {}-byte disk need at least {}", r.bytes_written,
                          r.method, disk.size_bytes,
                          disk.size_bytes * static_cast<std::uint64_t>(passes)));
    }
  }
  if (rank(r.verification) < rank(policy.verify)) {
    problem(fmt::format("was verified \"{}\"; the profile asks for \"{}\"",
                        records::to_string(r.verification), profiles::to_string(policy.verify)));
  }
  if (r.verification != VerificationMethod::none) {
    if (r.verification_result != "passed") {
      problem(fmt::format("verification result is \"{}\", not \"passed\"", r.verification_result));
    }
    if (r.bytes_verified == 0) {
      problem("claims a verification that read no byte back");
    }
    if (r.verification == VerificationMethod::full && r.bytes_verified < disk.size_bytes) {
      problem(fmt::format("claims a full verification that read {} of {} bytes", r.bytes_verified,
                          disk.size_bytes));
    }
  }
  const auto& hidden = r.hidden_areas;
  if (policy.hidden_areas == profiles::HiddenAreas::reset && hidden.checked &&
      (hidden.hpa_present || hidden.dco_present) && !hidden.reset) {
    problem(fmt::format("found a hidden area ({}) that was not removed; the profile says "
                        "hidden_areas = \"reset\"",
                        hidden.hpa_present && hidden.dco_present ? "HPA and DCO"
                        : hidden.hpa_present                     ? "HPA"
                                                                 : "DCO"));
  }
  return problems;
}

std::vector<std::string> check_wipe(const std::vector<ErasureRecord>& records,
                                    const std::vector<DiskFact>& to_erase,
                                    const profiles::WipePolicy& policy, std::string_view unit_tag,
                                    bool complete) {
  std::vector<std::string> problems;
  std::vector<int> erased_per_disk(to_erase.size(), 0);
  for (const ErasureRecord& r : records) {
    const auto disk =
        std::ranges::find_if(to_erase, [&](const DiskFact& d) { return record_names_disk(r, d); });
    if (disk == to_erase.end()) {
      problems.push_back(fmt::format("{}: not a disk this wipe had to erase (the inventory of the "
                                     "machine does not list it)",
                                     record_disk(r)));
      continue;
    }
    if (r.result != ErasureResult::erased) {
      continue; // evidence of a failed attempt: filed unsigned, the agent's reason fails the unit
    }
    const auto index = static_cast<std::size_t>(disk - to_erase.begin());
    if (++erased_per_disk[index] == 2) {
      problems.push_back(fmt::format("{}: named by more than one erased record", disk->describe()));
    }
    auto found = check_erased_record(r, *disk, policy, unit_tag);
    problems.insert(problems.end(), found.begin(), found.end());
  }
  if (complete) {
    for (std::size_t i = 0; i < to_erase.size(); ++i) {
      if (erased_per_disk[i] == 0) {
        problems.push_back(fmt::format("{}: no erased record, yet the wipe says it is done",
                                       to_erase[i].describe()));
      }
    }
  }
  return problems;
}

bool leaves_zeros(const std::vector<ErasureRecord>& records) {
  if (records.empty()) {
    return false;
  }
  return std::ranges::all_of(records, [](const ErasureRecord& r) {
    const auto method = profiles::wipe_method_from_string(r.method);
    return r.result == ErasureResult::erased && r.verification != VerificationMethod::none &&
           (method == profiles::WipeMethod::zero ||
            method == profiles::WipeMethod::random_then_zero);
  });
}

} // namespace atelier::daemon
