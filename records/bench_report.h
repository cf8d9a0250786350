// The bench report's schema name, shared by the agent that writes it (imager/bench/) and the grader
// that reads it on either side (records/bench_grade.h). docs/BENCHMARKS.md documents the fields.
#pragma once

#include <string_view>

namespace atelier::records {

// Same rule as the inventory: adding fields keeps /1; renaming, removing or changing a unit or the
// meaning of a score (a new workload version or reference) bumps it.
inline constexpr std::string_view k_bench_schema = "atelier.bench/1";

} // namespace atelier::records
