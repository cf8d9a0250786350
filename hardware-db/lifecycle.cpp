#include "hardware-db/lifecycle.h"

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

using enum UnitState;

constexpr std::array k_all = {detected, inventoried, tested, wiped, imaged,   ready,
                              assigned, delivered,   failed, parts, recycled, returned};

// The transition table. Rationale per row:
// - every pipeline stage may fail, or be sent to parts/recycling by a volunteer;
// - a stage may go back to `detected` (the pipeline restarts from the beginning when a machine is
//   re-booted mid-job: the daemon redoes everything rather than trusting half-done work);
// - `ready` may go back to `wiped` (re-image with another profile) and is the only way to
// `assigned`;
// - `assigned` may go back to `ready` (assignment cancelled before handover);
// - only a delivered (or assigned) unit can be `returned`; a returned one re-enters at `detected`
// or
//   goes to parts/recycling;
// - `recycled` is terminal.
constexpr std::array k_from_detected = {inventoried, failed, parts, recycled};
constexpr std::array k_from_inventoried = {tested, detected, failed, parts, recycled};
constexpr std::array k_from_tested = {wiped, detected, failed, parts, recycled};
constexpr std::array k_from_wiped = {imaged, detected, failed, parts, recycled};
constexpr std::array k_from_imaged = {ready, wiped, detected, failed, parts, recycled};
constexpr std::array k_from_ready = {assigned, wiped, detected, failed, parts, recycled};
constexpr std::array k_from_assigned = {delivered, ready, returned};
constexpr std::array k_from_delivered = {returned};
constexpr std::array k_from_failed = {detected, parts, recycled};
constexpr std::array k_from_parts = {detected, recycled};
constexpr std::array<UnitState, 0> k_from_recycled = {};
constexpr std::array k_from_returned = {detected, parts, recycled};

} // namespace

std::string_view to_string(UnitState s) {
  switch (s) {
  case detected:
    return "detected";
  case inventoried:
    return "inventoried";
  case tested:
    return "tested";
  case wiped:
    return "wiped";
  case imaged:
    return "imaged";
  case ready:
    return "ready";
  case assigned:
    return "assigned";
  case delivered:
    return "delivered";
  case failed:
    return "failed";
  case parts:
    return "parts";
  case recycled:
    return "recycled";
  case returned:
    return "returned";
  }
  return "detected";
}

std::optional<UnitState> parse_unit_state(std::string_view text) {
  for (UnitState s : k_all) {
    if (to_string(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

std::span<const UnitState> all_unit_states() {
  return k_all;
}

bool is_final(UnitState s) {
  return s == delivered || s == recycled;
}

bool requires_reason(UnitState s) {
  return s == failed || s == parts || s == recycled || s == returned;
}

std::span<const UnitState> allowed_next(UnitState from) {
  switch (from) {
  case detected:
    return k_from_detected;
  case inventoried:
    return k_from_inventoried;
  case tested:
    return k_from_tested;
  case wiped:
    return k_from_wiped;
  case imaged:
    return k_from_imaged;
  case ready:
    return k_from_ready;
  case assigned:
    return k_from_assigned;
  case delivered:
    return k_from_delivered;
  case failed:
    return k_from_failed;
  case parts:
    return k_from_parts;
  case recycled:
    return k_from_recycled;
  case returned:
    return k_from_returned;
  }
  return {};
}

Result<void> check_transition(UnitState from, UnitState to, std::string_view reason) {
  const auto next = allowed_next(from);
  if (std::find(next.begin(), next.end(), to) == next.end()) {
    std::vector<std::string_view> names;
    for (UnitState s : next) {
      names.push_back(to_string(s));
    }
    if (names.empty()) {
      return failf(ErrorCode::refused,
                   "a unit in state '{from}' cannot go to '{to}' (allowed from '{from}': "
                   "nothing, it is final)",
                   {{"from", to_string(from)}, {"to", to_string(to)}});
    }
    return failf(ErrorCode::refused,
                 "a unit in state '{from}' cannot go to '{to}' (allowed from '{from}': {allowed})",
                 {{"from", to_string(from)},
                  {"to", to_string(to)},
                  {"allowed", fmt::format("{}", fmt::join(names, ", "))}});
  }
  if (requires_reason(to) && reason.find_first_not_of(" \t") == std::string_view::npos) {
    return failf(ErrorCode::refused, "going to '{to}' needs a reason (say what is wrong or why)",
                 {{"to", to_string(to)}});
  }
  return {};
}

} // namespace atelier::hwdb
