// Which profile fits a machine, and why the others do not.
#pragma once

#include "profiles/machine_facts.h"
#include "profiles/profile.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace atelier::profiles {

struct Candidate {
  std::string profile_name;
  int priority = 0;
  bool fits = false;
  // Why it does not fit, one sentence per requirement not met, with numbers:
  // "needs 4.0 GiB RAM, machine has 2.0 GiB". Empty when it fits.
  std::vector<std::string> reasons;
};

struct MatchResult {
  std::optional<std::size_t> chosen; // index into candidates; empty when no profile fits
  // One per profile, in order of preference: priority descending, then name ascending, then the
  // order given. The chosen candidate is therefore the first one that fits.
  std::vector<Candidate> candidates;
};

// Deterministic: the same profiles and facts always give the same result, whatever the order of
// the span (up to profiles sharing a name and a priority, which load_profiles refuses).
MatchResult match(std::span<const Profile> profiles, const MachineFacts& facts);

// Requirements of one profile not met by the machine (empty: it fits).
std::vector<std::string> unmet_requirements(const Requirements&, const MachineFacts&);

} // namespace atelier::profiles
