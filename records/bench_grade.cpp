#include "records/bench_grade.h"

#include "records/bench_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace atelier::records {
namespace {

using Json = nlohmann::json;

std::expected<Json, std::string> parse(std::string_view text, std::string_view schema) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return std::unexpected(fmt::format("not valid JSON: {}", e.what()));
  }
  if (!doc.is_object() || !doc.contains("schema") || doc["schema"] != schema) {
    return std::unexpected(fmt::format("schema: expected \"{}\"", schema));
  }
  return doc;
}

std::string text_or_empty(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

} // namespace

std::expected<BenchSummary, std::string> bench_summary_from_json(std::string_view json_text) {
  auto doc = parse(json_text, k_bench_schema);
  if (!doc) {
    return std::unexpected(doc.error());
  }
  BenchSummary s;
  const Json& mt = (*doc)["memtest"];
  if (!mt.is_object() || !mt["errors"].is_number_unsigned() ||
      !mt["bytes_tested"].is_number_unsigned()) {
    return std::unexpected("memtest.errors, memtest.bytes_tested: expected numbers");
  }
  s.memtest_ran = mt.value("ran", false);
  s.memtest_errors = mt["errors"].get<std::uint64_t>();
  s.memtest_bytes = mt["bytes_tested"].get<std::uint64_t>();
  for (const Json& f : doc->value("findings", Json::array())) {
    s.finding_codes.push_back(text_or_empty(f, "code"));
  }
  for (const Json& d : doc->value("disks", Json::array())) {
    const Json smart = d.value("smart", Json::object());
    s.disks.push_back(
        {text_or_empty(d, "name"),
         smart.is_object() && smart.contains("status") ? text_or_empty(smart, "status") : "unknown",
         smart.is_object() ? text_or_empty(smart, "reason") : ""});
  }
  for (const Json& r : doc->value("results", Json::array())) {
    if (!r.is_object() || !r.contains("score") || !r["score"].is_number()) {
      return std::unexpected("results[].score: expected a number");
    }
    s.scores.push_back({text_or_empty(r, "name"), r["score"].get<double>(), r.value("value", 0.0),
                        text_or_empty(r, "unit")});
  }
  return s;
}

std::expected<std::vector<DiskVerdict>, std::string>
disk_verdicts_from_inventory_json(std::string_view json_text) {
  auto doc = parse(json_text, "atelier.inventory/1");
  if (!doc) {
    return std::unexpected(doc.error());
  }
  std::vector<DiskVerdict> disks;
  for (const Json& d : doc->value("disks", Json::array())) {
    const Json& health = d.contains("health") ? d["health"] : Json();
    disks.push_back({text_or_empty(d, "name"),
                     health.is_object() && health.contains("status")
                         ? text_or_empty(health, "status")
                         : "unknown",
                     health.is_object() ? text_or_empty(health, "reason") : ""});
  }
  return disks;
}

MachineGrade grade_machine(const profiles::Program& program, const profiles::MachineFacts& facts,
                           const std::vector<DiskVerdict>& inventory_disks,
                           const std::optional<BenchSummary>& bench) {
  MachineGrade g;
  g.rules = profiles::grade(program, facts);
  g.grade = g.rules.grade;

  // Disk verdicts by name; a "failing" from either source wins (SMART can change between runs).
  std::map<std::string, DiskVerdict> disks;
  const auto merge = [&](const DiskVerdict& d) {
    auto [it, inserted] = disks.emplace(d.name, d);
    if (!inserted && d.status == "failing") {
      it->second = d;
    }
  };
  std::ranges::for_each(inventory_disks, merge);
  if (bench) {
    std::ranges::for_each(bench->disks, merge);
  }
  std::vector<std::string> failing;
  for (const auto& [name, d] : disks) {
    if (d.status == "failing") {
      failing.push_back(d.reason.empty() ? name : fmt::format("{} ({})", name, d.reason));
    }
  }
  if (!failing.empty()) {
    const std::string list = fmt::format("{}", fmt::join(failing, ", "));
    if (failing.size() == disks.size()) {
      g.overrides.push_back(fmt::format("parts: disk failing, and no other disk: {}", list));
    } else {
      g.notes.push_back(fmt::format("disk failing: {}; remove it before imaging (the rules above "
                                    "may have counted it)",
                                    list));
    }
  }

  if (bench) {
    if (bench->memtest_errors > 0) {
      g.overrides.push_back(fmt::format(
          "parts: memory errors ({} word{} wrong in {} MiB tested)", bench->memtest_errors,
          bench->memtest_errors == 1 ? "" : "s", bench->memtest_bytes >> 20U));
    } else if (!bench->memtest_ran) {
      g.notes.push_back("memory test did not run: memory is untested");
    }
    const auto has = [&](std::string_view code) {
      return std::ranges::find(bench->finding_codes, code) != bench->finding_codes.end();
    };
    if (has("cpu-wrong-results")) {
      g.overrides.push_back("parts: the CPU returned wrong results on the fixed workload");
    }
    if (has("memory-copy-mismatch")) {
      g.overrides.push_back("parts: a memory copy read back different from its source");
    }
    if (has("disk-read-error")) {
      g.notes.push_back("a disk could not be read during the bench (see the bench report)");
    }
    g.bench_scores = bench->scores;
  } else {
    g.notes.push_back("no bench report: memory untested, speeds unknown");
  }
  if (!g.overrides.empty()) {
    g.grade = profiles::Grade::parts;
  }
  return g;
}

Json to_json(const MachineGrade& g) {
  Json scores = Json::array();
  for (const auto& s : g.bench_scores) {
    scores.push_back({{"name", s.name}, {"score", s.score}, {"value", s.value}, {"unit", s.unit}});
  }
  return Json{{"schema", "atelier.grade/1"},
              {"grade", profiles::to_string(g.grade)},
              {"rules_grade", profiles::to_string(g.rules.grade)},
              {"score", g.rules.score},
              {"breakdown", g.rules.breakdown},
              {"overrides", g.overrides},
              {"notes", g.notes},
              {"bench_scores", scores}};
}

std::string to_text(const MachineGrade& g) {
  std::string out = fmt::format("Grade: {}\n", profiles::to_string(g.grade));
  out += "Program rules:\n";
  for (const auto& line : g.rules.breakdown) {
    out += "  " + line + "\n";
  }
  for (const auto& o : g.overrides) {
    out += "Override: " + o + "\n";
  }
  for (const auto& n : g.notes) {
    out += "Note: " + n + "\n";
  }
  if (!g.bench_scores.empty()) {
    out += "Bench (1.00 = reference machine; shown, not scored by this program file):\n";
    for (const auto& s : g.bench_scores) {
      out += fmt::format("  {:<22} {:>6.2f}  ({:.1f} {})\n", s.name, s.score, s.value, s.unit);
    }
  }
  return out;
}

} // namespace atelier::records
