// A batch plan: a technician's unattended run (`atelier batch run PLAN.toml`, docs/BATCH.md).
// Validated like profiles: every error names file:line:column and the key.
#pragma once

#include "profiles/diagnostic.h"

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::profiles {

struct BatchPlan {
  std::string name;
  std::string profile;           // empty: each machine gets the profile that fits it best
  int count = 0;                 // "the next N machines that boot"; 0 when macs are given
  std::vector<std::string> macs; // exactly these machines (lower-case aa:bb:cc:dd:ee:ff)
  int timeout_minutes = 240;
  Diagnostics warnings;
};

std::expected<BatchPlan, Diagnostics> parse_batch_plan(std::string_view toml_text,
                                                       std::string_view file_name);
std::expected<BatchPlan, Diagnostics> load_batch_plan(const std::filesystem::path& file);

} // namespace atelier::profiles
