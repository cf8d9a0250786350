// The unit lifecycle (docs/HARDWARE-DB.md "Lifecycle"). This file is the ONE place that says which
// state changes are allowed; the Registry calls check_transition() before every change, whatever
// the storage backend.
//
//   detected → inventoried → tested → wiped → imaged → ready → assigned → delivered
//   side exits: failed (reason required), parts, recycled, returned
#pragma once

#include "hardware-db/error.h"

#include <optional>
#include <span>
#include <string_view>

namespace atelier::hwdb {

enum class UnitState {
  detected,
  inventoried,
  tested,
  wiped,
  imaged,
  ready,
  assigned,
  delivered,
  failed,
  parts,
  recycled,
  returned,
};

std::string_view to_string(UnitState);
std::optional<UnitState> parse_unit_state(std::string_view);
std::span<const UnitState> all_unit_states();

// States after which a machine that shows up again is a new intake (a new record linked to the old
// one) rather than the same unit continuing: it left the program.
bool is_final(UnitState);

// States that need a reason on entry (the event log must say why).
bool requires_reason(UnitState);

// The states reachable from `from` in one step.
std::span<const UnitState> allowed_next(UnitState from);

// Ok, or a `refused` error that names both states and lists what is allowed from `from`.
Result<void> check_transition(UnitState from, UnitState to, std::string_view reason);

} // namespace atelier::hwdb
