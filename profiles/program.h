// A program file says how machines are graded (A, B, C or parts) and carries the program-wide
// settings: site name, asset-tag prefix, language, support contact. Format: docs/PROFILES.md,
// "Program file".
#pragma once

#include "base/language.h"
#include "profiles/diagnostic.h"
#include "profiles/machine_facts.h"
#include "profiles/size.h"

#include <array>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// What the grade says about Secure Boot ([grading] secure_boot, docs/PROFILES.md "Grading"):
// nothing; a line in the breakdown (on, off, setup mode, none) with what to do, no points; or a
// floor: a machine that does not boot with Secure Boot on goes to parts until a volunteer turns it
// on (or restores the factory keys) and the machine is graded again.
enum class SecureBootRule { ignore, note, require };

// Every rule is optional; a rule that is absent gives no points and no breakdown line.
struct GradingRules {
  std::vector<Step<ByteSize>> ram;
  std::optional<std::array<int, 4>> cpu_level; // points for x86-64-v1..v4; unknown level earns 0
  std::vector<Step<int>> cpu_threads;
  std::optional<MediaPoints> disk_media;
  std::vector<Step<ByteSize>> disk_size;
  GradeThresholds grades;
  Floors floor;
  SecureBootRule secure_boot = SecureBootRule::ignore;
};

// The program's language: base's one enum (base/language.h), named here as the file names it.
using Language = base::Language;
std::string_view to_string(Language);

// [households]: how long a household's personal data is kept (docs/PROFILES.md "Households").
struct HouseholdRules {
  // Days after a household's last activity (recorded, edited, assigned, delivered, returned) after
  // which `atelier households purge-expired` deletes its personal data. Absent: never purged
  // automatically (purge-expired refuses to guess).
  std::optional<int> retention_days;
};

// [handover]: what a delivery records.
struct HandoverRules {
  int warranty_months = 0; // 0: no warranty end is recorded
  // Bounds a delivery price must respect, in cents; absent: no bound.
  std::optional<std::int64_t> price_min_cents;
  std::optional<std::int64_t> price_max_cents;
};

// The ADEME figure the report uses unless the program file says otherwise (docs/PROFILES.md).
inline constexpr double k_ademe_2022_co2e_kg = 27;
inline constexpr std::string_view k_ademe_2022_source =
    "ADEME 2022: a refurbished laptop avoids about 27 kg CO2e per year of use compared with a new "
    "one";

// [report]: the factors `atelier report` multiplies counts by. Each is cited in the report.
struct ReportFactors {
  // kg of equipment per distributed unit, by chassis name ("laptop", "desktop", "all-in-one",
  // "mini", "server", "tablet", "other", "unknown"). A chassis without a factor is not counted in
  // the kg total (the report says how many units were left out).
  std::vector<std::pair<std::string, double>> kg_per_unit;
  std::string kg_source; // where the weights come from (printed with the total)
  double co2e_kg_per_unit = k_ademe_2022_co2e_kg; // per distributed unit
  std::string co2e_source = std::string(k_ademe_2022_source);
};

struct Program {
  std::string name;             // "Ordi 2.0"
  std::string site;             // shown on labels and reports
  std::string asset_tag_prefix; // 1-4 letters A-Z
  Language language = Language::fr;
  // Printed on spec sheets (docs/PAPER.md): who the household calls, and a web page. Optional.
  std::string support_contact; // e.g. "Atelier numérique, 01 23 45 67 89, mardi 14h-18h"
  std::string support_url;     // http:// or https://
  GradingRules grading;
  HouseholdRules households;
  HandoverRules handover;
  ReportFactors report;
  Diagnostics warnings;
};

std::expected<Program, Diagnostics> load_program(const std::filesystem::path& file);
// Pure: no file system access; file_name only appears in diagnostics.
std::expected<Program, Diagnostics> parse_program(std::string_view toml_text,
                                                  std::string_view file_name);

} // namespace atelier::profiles
