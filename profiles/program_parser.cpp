// Program files: TOML to a validated Program. Schema: docs/PROFILES.md, "Program file".
#include "profiles/detail/text.h"
#include "profiles/detail/toml_reader.h"
#include "profiles/program.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

namespace atelier::profiles {
namespace {

using detail::Need;
using detail::Reporter;
using detail::TableReader;

constexpr std::int64_t k_max_points = 1000;
constexpr std::int64_t k_max_threshold = 100000;
constexpr std::int64_t k_max_threads = 4096;

bool is_valid_prefix(std::string_view prefix) {
  return !prefix.empty() && prefix.size() <= 4 &&
         std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

void read_header(const TableReader& root, Program& program) {
  const toml::table* table = root.subtable("program", Need::required);
  if (table == nullptr) {
    return;
  }
  const TableReader t(
      root.reporter(), *table, "program",
      {"name", "site", "asset_tag_prefix", "language", "support_contact", "support_url"});
  for (auto [key, out] : {std::pair{"name", &program.name}, std::pair{"site", &program.site}}) {
    if (auto value = t.string(key, Need::required)) {
      if (value->empty()) {
        t.error(key, "must not be empty: it is printed on labels and reports");
      }
      *out = std::move(*value);
    }
  }
  if (auto prefix = t.string("asset_tag_prefix", Need::required)) {
    if (!is_valid_prefix(*prefix)) {
      t.error("asset_tag_prefix",
              fmt::format("\"{}\": 1 to 4 upper-case letters A-Z, e.g. \"AT\"", *prefix));
    }
    program.asset_tag_prefix = std::move(*prefix);
  }
  if (auto language = t.choice("language", Need::required, detail::k_languages)) {
    program.language = *language;
  }
  if (auto contact = t.string("support_contact", Need::optional)) {
    if (contact->empty()) {
      t.error("support_contact", "must not be empty: leave the key out if there is none");
    }
    program.support_contact = std::move(*contact);
  }
  if (auto url = t.string("support_url", Need::optional)) {
    if (!url->starts_with("http://") && !url->starts_with("https://")) {
      t.error("support_url", fmt::format("\"{}\": an http:// or https:// address", *url));
    }
    program.support_url = std::move(*url);
  }
}

bool below(const ByteSize& a, const ByteSize& b) {
  return a.bytes < b.bytes;
}
bool below(int a, int b) {
  return a < b;
}

// Steps of a threshold rule: an array of tables { min = ..., points = ... } with strictly
// increasing min. read_min reads and checks one min value; show formats one for messages.
template <typename T>
std::vector<Step<T>>
read_steps(const TableReader& grading, std::string_view key,
           const std::function<std::optional<T>(const toml::node&, const std::string&)>& read_min,
           const std::function<std::string(const T&)>& show) {
  std::vector<Step<T>> steps;
  const toml::array* items = grading.array(key, Need::optional);
  if (items == nullptr) {
    return steps;
  }
  Reporter& reporter = grading.reporter();
  if (items->empty()) {
    grading.error(key, "must have at least one { min = ..., points = ... } step (or leave the "
                       "rule out)");
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string path = fmt::format("{}[{}]", grading.key_path(key), i);
    const toml::node& item = (*items)[i];
    const auto* table = item.as_table();
    if (table == nullptr) {
      detail::type_error(reporter, item, path, "a table", "write { min = ..., points = ... }");
      continue;
    }
    const TableReader t(reporter, *table, path, {"min", "points"});
    const toml::node* min_node = t.node("min");
    std::optional<T> min;
    if (min_node == nullptr) {
      t.missing("min");
    } else {
      min = read_min(*min_node, t.key_path("min"));
    }
    const auto points = t.integer("points", Need::required, 0, k_max_points);
    if (min && !steps.empty() && !below(steps.back().min, *min)) {
      t.error("min", fmt::format("steps must increase: {} is not above the previous step's {}",
                                 show(*min), show(steps.back().min)));
      continue;
    }
    if (min && points) {
      steps.push_back(Step<T>{*min, static_cast<int>(*points)});
    }
  }
  return steps;
}

void read_grading(const TableReader& root, GradingRules& rules) {
  const toml::table* table = root.subtable("grading", Need::required);
  if (table == nullptr) {
    return;
  }
  Reporter& reporter = root.reporter();
  const TableReader g(reporter, *table, "grading",
                      {"ram", "cpu_level", "cpu_threads", "disk_media", "disk_size", "grades",
                       "floor", "secure_boot"});
  const std::function<std::optional<ByteSize>(const toml::node&, const std::string&)> size_min =
      [&](const toml::node& node, const std::string& path) {
        return detail::read_size(reporter, node, path);
      };
  const std::function<std::string(const ByteSize&)> show_size = [](const ByteSize& size) {
    return format_size(size);
  };
  rules.ram = read_steps<ByteSize>(g, "ram", size_min, show_size);
  rules.disk_size = read_steps<ByteSize>(g, "disk_size", size_min, show_size);
  rules.cpu_threads = read_steps<int>(
      g, "cpu_threads",
      [&](const toml::node& node, const std::string& path) -> std::optional<int> {
        auto value = detail::read_integer(reporter, node, path, 1, k_max_threads);
        return value ? std::optional(static_cast<int>(*value)) : std::nullopt;
      },
      [](const int& threads) { return fmt::format("{} threads", threads); });

  if (auto rule = g.choice("secure_boot", Need::optional, detail::k_secure_boot_rules)) {
    rules.secure_boot = *rule;
  }

  if (const toml::table* levels = g.subtable("cpu_level", Need::optional)) {
    const TableReader t(reporter, *levels, "grading.cpu_level", {"1", "2", "3", "4"});
    std::array<int, 4> points{};
    for (std::size_t level = 1; level <= 4; ++level) {
      const std::string key = std::to_string(level);
      if (auto value = t.integer(key, Need::optional, 0, k_max_points)) {
        points[level - 1] = static_cast<int>(*value);
      }
    }
    rules.cpu_level = points;
  }
  if (const toml::table* media = g.subtable("disk_media", Need::optional)) {
    const TableReader t(reporter, *media, "grading.disk_media", {"hdd", "ssd", "nvme"});
    MediaPoints points;
    for (auto [key, out] : {std::pair{"hdd", &points.hdd}, std::pair{"ssd", &points.ssd},
                            std::pair{"nvme", &points.nvme}}) {
      if (auto value = t.integer(key, Need::optional, 0, k_max_points)) {
        *out = static_cast<int>(*value);
      }
    }
    rules.disk_media = points;
  }
  if (const toml::table* grades = g.subtable("grades", Need::required)) {
    const TableReader t(reporter, *grades, "grading.grades", {"A", "B", "C"});
    const auto a = t.integer("A", Need::required, 0, k_max_threshold);
    const auto b = t.integer("B", Need::required, 0, k_max_threshold);
    const auto c = t.integer("C", Need::required, 0, k_max_threshold);
    if (a && b && *b >= *a) {
      t.error("B", fmt::format("must be below A ({}): thresholds decrease from A to C", *a));
    }
    if (b && c && *c >= *b) {
      t.error("C", fmt::format("must be below B ({}): thresholds decrease from A to C", *b));
    }
    rules.grades = GradeThresholds{static_cast<int>(a.value_or(0)), static_cast<int>(b.value_or(0)),
                                   static_cast<int>(c.value_or(0))};
  }
  if (const toml::table* floor = g.subtable("floor", Need::optional)) {
    const TableReader t(reporter, *floor, "grading.floor",
                        {"min_ram", "min_cpu_level", "min_disk"});
    rules.floor.ram = t.size("min_ram", Need::optional);
    rules.floor.cpu_level = t.cpu_level("min_cpu_level", Need::optional);
    rules.floor.disk = t.size("min_disk", Need::optional);
  }
}

// Chassis names as the hardware database spells them (hwdb::to_string(Chassis)).
constexpr std::array<std::string_view, 8> k_chassis = {
    "laptop", "desktop", "all-in-one", "mini", "server", "tablet", "other", "unknown"};
constexpr std::int64_t k_max_retention_days = 36500;
constexpr std::int64_t k_max_warranty_months = 120;
constexpr double k_max_price_eur = 100000;
constexpr double k_max_kg = 1000;

void read_households(const TableReader& root, HouseholdRules& rules) {
  const toml::table* table = root.subtable("households", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "households", {"retention_days"});
  if (auto days = t.integer("retention_days", Need::required, 1, k_max_retention_days)) {
    rules.retention_days = static_cast<int>(*days);
  }
}

std::int64_t to_cents(double eur) {
  return static_cast<std::int64_t>(eur * 100 + 0.5);
}

void read_handover(const TableReader& root, HandoverRules& rules) {
  const toml::table* table = root.subtable("handover", Need::optional);
  if (table == nullptr) {
    return;
  }
  const TableReader t(root.reporter(), *table, "handover",
                      {"warranty_months", "price_min_eur", "price_max_eur"});
  if (auto months = t.integer("warranty_months", Need::optional, 0, k_max_warranty_months)) {
    rules.warranty_months = static_cast<int>(*months);
  }
  if (auto min = t.number("price_min_eur", Need::optional, 0, k_max_price_eur)) {
    rules.price_min_cents = to_cents(*min);
  }
  if (auto max = t.number("price_max_eur", Need::optional, 0, k_max_price_eur)) {
    rules.price_max_cents = to_cents(*max);
    if (rules.price_min_cents && *rules.price_max_cents < *rules.price_min_cents) {
      t.error("price_max_eur", fmt::format("must not be below price_min_eur ({:.2f})",
                                           static_cast<double>(*rules.price_min_cents) / 100));
    }
  }
}

void read_report(const TableReader& root, ReportFactors& factors) {
  const toml::table* table = root.subtable("report", Need::optional);
  if (table == nullptr) {
    return;
  }
  Reporter& reporter = root.reporter();
  const TableReader t(reporter, *table, "report",
                      {"kg_per_unit", "kg_source", "co2e_kg_per_unit", "co2e_source"});
  if (const toml::table* kg = t.subtable("kg_per_unit", Need::optional)) {
    const TableReader k(reporter, *kg, "report.kg_per_unit",
                        {k_chassis[0], k_chassis[1], k_chassis[2], k_chassis[3], k_chassis[4],
                         k_chassis[5], k_chassis[6], k_chassis[7]});
    for (std::string_view chassis : k_chassis) {
      if (auto value = k.number(chassis, Need::optional, 0, k_max_kg)) {
        factors.kg_per_unit.emplace_back(std::string(chassis), *value);
      }
    }
    if (auto source = t.string("kg_source", Need::required)) {
      factors.kg_source = std::move(*source);
    }
  } else if (t.has("kg_source")) {
    factors.kg_source = t.string("kg_source", Need::optional).value_or("");
  }
  if (auto co2e = t.number("co2e_kg_per_unit", Need::optional, 0, k_max_kg)) {
    factors.co2e_kg_per_unit = *co2e;
    // A figure of one's own must say where it comes from: the report prints it next to the total.
    if (auto source = t.string("co2e_source", Need::required)) {
      if (source->empty()) {
        t.error("co2e_source", "must say where co2e_kg_per_unit comes from");
      }
      factors.co2e_source = std::move(*source);
    }
  } else if (t.has("co2e_source")) {
    t.error("co2e_source", "only with co2e_kg_per_unit (the default figure cites ADEME 2022)");
  }
}

template <typename T>
int best_points(const std::vector<Step<T>>& steps) {
  int best = 0;
  for (const auto& step : steps) {
    best = std::max(best, step.points);
  }
  return best;
}

// A grade no machine can reach is almost always a mistake in the points, but not a reason to
// refuse the file (a program may grow its rules over time): warn.
void warn_unreachable_grades(const TableReader& root, const GradingRules& rules) {
  int most = best_points(rules.ram) + best_points(rules.cpu_threads) + best_points(rules.disk_size);
  if (rules.cpu_level) {
    most += *std::max_element(rules.cpu_level->begin(), rules.cpu_level->end());
  }
  if (rules.disk_media) {
    most += std::max({rules.disk_media->hdd, rules.disk_media->ssd, rules.disk_media->nvme});
  }
  const toml::table* grading = root.table().get_as<toml::table>("grading");
  const toml::table* grades = grading ? grading->get_as<toml::table>("grades") : nullptr;
  if (grades == nullptr) {
    return;
  }
  for (auto [key, threshold] : {std::pair{"A", rules.grades.a}, std::pair{"B", rules.grades.b},
                                std::pair{"C", rules.grades.c}}) {
    if (threshold > most) {
      const toml::node* node = grades->get(key);
      root.reporter().warning(node != nullptr ? node->source() : grades->source(),
                              fmt::format("grading.grades.{}", key),
                              fmt::format("no machine can reach grade {}: the rules give at most "
                                          "{} points",
                                          key, most));
    }
  }
}

} // namespace

std::expected<Program, Diagnostics> parse_program(std::string_view toml_text,
                                                  std::string_view file_name) {
  Reporter reporter{std::string(file_name)};
  const std::optional<toml::table> document = detail::parse_toml(toml_text, reporter);
  if (!document) {
    return std::unexpected(reporter.take());
  }
  const TableReader root(reporter, *document, "",
                         {"program", "grading", "households", "handover", "report"});
  Program program;
  read_header(root, program);
  read_grading(root, program.grading);
  read_households(root, program.households);
  read_handover(root, program.handover);
  read_report(root, program.report);
  if (reporter.has_errors()) {
    return std::unexpected(reporter.take());
  }
  warn_unreachable_grades(root, program.grading);
  program.warnings = reporter.take();
  return program;
}

std::expected<Program, Diagnostics> load_program(const std::filesystem::path& file) {
  auto text = detail::read_text_file(file);
  if (!text) {
    return std::unexpected(Diagnostics{Diagnostic{file.string(), 0, 0, "", text.error()}});
  }
  return parse_program(*text, file.string());
}

} // namespace atelier::profiles
