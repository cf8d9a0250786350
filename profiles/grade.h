// Grading: a score from the program's rules, then a grade from its thresholds and floors
// (Emmaüs Connect's method: RAM score + CPU score + disk type and size score, with a floor under
// which a machine goes to parts).
#pragma once

#include "profiles/machine_facts.h"
#include "profiles/program.h"

#include <string>
#include <string_view>
#include <vector>

namespace atelier::profiles {

enum class Grade { A, B, C, parts };
std::string_view to_string(Grade); // "A", "B", "C", "parts"

struct GradeResult {
  Grade grade = Grade::parts;
  int score = 0;
  // One line per rule that applies, in a fixed order (RAM, CPU level, CPU threads, disk media,
  // disk size), e.g. "RAM 8.0 GiB: +35"; with [grading] secure_boot = "note", the Secure Boot
  // line ("Secure Boot: off (turn it on in the firmware setup)", no points); then one line per
  // floor that was not met; then the verdict, e.g. "score 72 >= 70: grade A".
  std::vector<std::string> breakdown;
};

// Pure and total: every machine gets a grade.
GradeResult grade(const Program&, const MachineFacts&);

} // namespace atelier::profiles
