#include "records/bench_grade.h"

#include "records/bench_report.h"
#include "records/json_fields.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace atelier::records {
namespace {

using Json = nlohmann::json;

// The document's schema, checked before anything else is read.
std::expected<void, std::string> check_schema(const Json& doc, std::string_view path,
                                              std::string_view schema) {
  if (!doc.is_object() || !doc.contains("schema") || doc["schema"] != schema) {
    return std::unexpected(
        fmt::format("field '{}': expected \"{}\"", field_path(path, "schema"), schema));
  }
  return {};
}

std::expected<Json, std::string> parse(std::string_view text) {
  // Depth first: a report nested deeper than any real one is refused before it is built.
  if (json_nesting_depth(text) > k_max_json_depth) {
    return std::unexpected(
        fmt::format("not valid JSON: nested deeper than {} levels", k_max_json_depth));
  }
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return std::unexpected(std::string("not valid JSON"));
  }
  return doc;
}

// Each element of the optional array `key` of `in`, as an object read by `read`; the first error
// (an element that is not an object, or a member of the wrong type) is kept in `in`.
template <typename Read>
void each_object(FieldReader& in, std::string_view key, Read read) {
  const Json* items = in.array(key);
  for (std::size_t i = 0; items != nullptr && in.ok() && i < items->size(); ++i) {
    FieldReader item((*items)[i], fmt::format("{}[{}]", field_path(in.path(), key), i));
    if (item.ok()) {
      read(item);
    }
    in.fail_with(item.error());
  }
}

// A disk's SMART verdict from `key` ("smart" in a bench report, "health" in an inventory): an
// object, or absent ("unknown").
DiskVerdict disk_verdict(FieldReader& disk, std::string_view key) {
  DiskVerdict verdict{disk.text("name"), "unknown", ""};
  if (const Json* health = disk.object(key)) {
    FieldReader h(*health, field_path(disk.path(), key));
    verdict.status = h.text("status", "unknown");
    verdict.reason = h.text("reason");
    disk.fail_with(h.error());
  }
  return verdict;
}

} // namespace

std::expected<BenchSummary, std::string> bench_summary_from_json(const Json& doc,
                                                                 std::string_view path) {
  if (auto schema = check_schema(doc, path, k_bench_schema); !schema) {
    return std::unexpected(schema.error());
  }
  BenchSummary s;
  FieldReader in(doc, std::string(path));
  if (const Json* mt = in.required_object("memtest")) {
    FieldReader m(*mt, field_path(path, "memtest"));
    s.memtest_ran = m.flag("ran", false);
    s.memtest_errors = m.required_count("errors");
    s.memtest_bytes = m.required_count("bytes_tested");
    in.fail_with(m.error());
  }
  each_object(in, "findings", [&](FieldReader& f) { s.finding_codes.push_back(f.text("code")); });
  each_object(in, "disks", [&](FieldReader& d) { s.disks.push_back(disk_verdict(d, "smart")); });
  each_object(in, "results", [&](FieldReader& r) {
    BenchSummary::Score score;
    score.name = r.text("name");
    score.score = r.required_number("score");
    score.value = r.number("value", 0);
    score.unit = r.text("unit");
    s.scores.push_back(std::move(score));
  });
  if (!in.ok()) {
    return std::unexpected(in.error());
  }
  return s;
}

std::expected<BenchSummary, std::string> bench_summary_from_json(std::string_view json_text) {
  auto doc = parse(json_text);
  if (!doc) {
    return std::unexpected(doc.error());
  }
  return bench_summary_from_json(*doc, "");
}

std::expected<std::vector<DiskVerdict>, std::string>
disk_verdicts_from_inventory_json(std::string_view json_text) {
  auto doc = parse(json_text);
  if (!doc) {
    return std::unexpected(doc.error());
  }
  if (auto schema = check_schema(*doc, "", "atelier.inventory/1"); !schema) {
    return std::unexpected(schema.error());
  }
  std::vector<DiskVerdict> disks;
  FieldReader in(*doc, "");
  each_object(in, "disks", [&](FieldReader& d) { disks.push_back(disk_verdict(d, "health")); });
  if (!in.ok()) {
    return std::unexpected(in.error());
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
