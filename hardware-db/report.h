// The coordinator's report for funders (`atelier report`, docs/COORDINATOR-GUIDE.md "Reports"):
// counts over a period, computed from the database only. Every count is of distinct units, so a
// unit counts once per line however many events it has; `state_at_end` places every unit that
// existed at the end of the period in exactly one state (the reconciliation the tests check).
// Factors (kg, CO2e) are applied by the caller: this library does not know the program file.
#pragma once

#include "hardware-db/store.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atelier::hwdb {

struct ErasureCount {
  std::string level;  // "clear" | "purge"
  std::string method; // e.g. "zero", "nvme-sanitize-crypto"
  int disks = 0;      // distinct disks with an `erased` record finished in the period
};

struct Report {
  Timestamp from{};
  Timestamp to{};
  int received = 0;    // units recorded (first seen) in the period
  int refurbished = 0; // units that became `ready` in the period
  int distributed = 0; // units delivered in the period
  int returned = 0;    // units that came back in the period
  int parts = 0;       // units sent to parts in the period (and not recycled in it)
  int recycled = 0;    // units sent to recycling in the period
  // Of the distributed units, by the program on the delivery, the household's district, the
  // profile last installed, and the chassis. Empty values are "(none)".
  std::map<std::string, int> by_program, by_district, by_profile, by_chassis;
  std::optional<double> average_days_to_delivery; // intake → delivery, distributed units
  std::vector<ErasureCount> erased;
  std::map<std::string, int> state_at_end; // every unit existing at `to`, in its state then
  int units_at_end = 0;
};

// Periods are inclusive at both ends.
Result<Report> build_report(Store& store, Timestamp from, Timestamp to);

} // namespace atelier::hwdb
