// A program file says how machines are graded (A, B, C or parts) and carries the program-wide
// settings: site name, asset-tag prefix, language, support contact. Format: docs/PROFILES.md, "Program file".
#pragma once

#include "profiles/diagnostic.h"
#include "profiles/machine_facts.h"
#include "profiles/size.h"

#include <array>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::profiles {

// A step of a threshold rule: a machine with at least `min` earns `points`. The steps of a rule
// are in strictly increasing order of min; the highest step reached wins (no sum).
template <typename T>
struct Step {
  T min{};
  int points = 0;
};

// Points per media of the main disk. usb is never the main disk (see MachineFacts).
struct MediaPoints {
  int hdd = 0;
  int ssd = 0;
  int nvme = 0;
};

// Score thresholds: score >= a is grade A, >= b is B, >= c is C, below c is parts. a > b > c.
struct GradeThresholds {
  int a = 0;
  int b = 0;
  int c = 0;
};

// A machine under any floor is graded parts whatever its score.
struct Floors {
  std::optional<ByteSize> ram;
  std::optional<int> cpu_level; // an unknown CPU level is under this floor
  std::optional<ByteSize> disk;
};

// Every rule is optional; a rule that is absent gives no points and no breakdown line.
struct GradingRules {
  std::vector<Step<ByteSize>> ram;
  std::optional<std::array<int, 4>> cpu_level; // points for x86-64-v1..v4; unknown level earns 0
  std::vector<Step<int>> cpu_threads;
  std::optional<MediaPoints> disk_media;
  std::vector<Step<ByteSize>> disk_size;
  GradeThresholds grades;
  Floors floor;
};

enum class Language { fr, en };
std::string_view to_string(Language);

struct Program {
  std::string name;             // "Ordi 2.0"
  std::string site;             // shown on labels and reports
  std::string asset_tag_prefix; // 1-4 letters A-Z
  Language language = Language::fr;
  // Printed on spec sheets (docs/PAPER.md): who the household calls, and a web page. Optional.
  std::string support_contact; // e.g. "Atelier numérique, 01 23 45 67 89, mardi 14h-18h"
  std::string support_url;     // http:// or https://
  GradingRules grading;
  Diagnostics warnings;
};

std::expected<Program, Diagnostics> load_program(const std::filesystem::path& file);
// Pure: no file system access; file_name only appears in diagnostics.
std::expected<Program, Diagnostics> parse_program(std::string_view toml_text,
                                                  std::string_view file_name);

} // namespace atelier::profiles
