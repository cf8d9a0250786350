#include "papers/unit_paper.h"

#include "profiles/machine_facts.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::papers {
namespace {

void erase_all(std::string& text, std::string_view what) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what)) {
    text.erase(at, what.size());
  }
}

} // namespace

std::expected<UnitPaper, std::string> read_unit_paper(hwdb::Store& store, const hwdb::Unit& unit) {
  UnitPaper paper;
  paper.unit = unit;
  const auto failed = [&](const hwdb::Error& e) {
    return std::unexpected(
        fmt::format("cannot read the records of {}: {}", unit.tag.str(), e.message));
  };
  auto inventory = store.latest_inventory(unit.id);
  if (!inventory) {
    return failed(inventory.error());
  }
  paper.inventory = std::move(*inventory);
  if (paper.inventory) {
    // The same subset grading uses (profiles::MachineFacts): the main disk is the largest one
    // that is not on USB. An inventory it cannot read still gives CPU and RAM from the columns.
    if (auto facts = profiles::facts_from_inventory_json(paper.inventory->raw_json); facts) {
      paper.main_disk_bytes = facts->largest_disk_bytes;
      if (facts->main_disk_media) {
        paper.main_disk_media = std::string(profiles::to_string(*facts->main_disk_media));
      }
    }
  }
  auto grade = store.latest_grade(unit.id);
  if (!grade) {
    return failed(grade.error());
  }
  paper.grade = std::move(*grade);
  auto imaging = store.imaging_records(unit.id);
  if (!imaging) {
    return failed(imaging.error());
  }
  for (auto it = imaging->rbegin(); it != imaging->rend(); ++it) {
    if (it->result == "imaged") {
      paper.imaging = *it;
      const auto detail = nlohmann::json::parse(it->detail, nullptr, false);
      if (detail.is_object() && detail.contains("hostname") && detail["hostname"].is_string()) {
        paper.hostname = detail["hostname"].get<std::string>();
      }
      break;
    }
  }
  auto erasures = store.erasure_records_for_unit(unit.id);
  if (!erasures) {
    return failed(erasures.error());
  }
  paper.erased_disks = static_cast<std::size_t>(
      std::count_if(erasures->begin(), erasures->end(),
                    [](const hwdb::ErasureRecord& r) { return r.result == "erased"; }));
  auto assignments = store.assignments(unit.id);
  if (!assignments) {
    return failed(assignments.error());
  }
  for (auto it = assignments->rbegin(); it != assignments->rend(); ++it) {
    if (it->delivered_at && !it->returned_at) {
      paper.warranty_end = it->warranty_end;
      break;
    }
  }
  return paper;
}

std::vector<std::string> spec_sheet_gaps(const UnitPaper& paper) {
  std::vector<std::string> gaps;
  using hwdb::UnitState;
  const UnitState state = paper.unit.state;
  if (state != UnitState::ready && state != UnitState::assigned && state != UnitState::delivered) {
    gaps.push_back(
        fmt::format("state ready, assigned or delivered (it is {})", hwdb::to_string(state)));
  }
  if (!paper.inventory) {
    gaps.emplace_back("an inventory");
  }
  if (!paper.grade) {
    gaps.emplace_back("a grade");
  }
  if (!paper.imaging) {
    gaps.emplace_back("an installed system (no successful imaging record)");
  }
  return gaps;
}

std::string tidy_cpu_model(std::string_view model) {
  std::string text(model);
  for (std::string_view mark : {"(R)", "(r)", "(TM)", "(tm)", "\u00ae", "\u2122"}) {
    erase_all(text, mark);
  }
  // Words that say nothing once the model is on a "CPU" line; spaces collapsed.
  std::string tidy;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string_view word = std::string_view(text).substr(start, end - start);
    if (!word.empty() && word != "CPU" && word != "Processor" && word != "processor") {
      tidy += tidy.empty() ? "" : " ";
      tidy += word;
    }
    start = end + 1;
  }
  return tidy.empty() ? std::string(model) : tidy;
}

std::string unit_qr_text(const hwdb::Unit& unit) {
  return fmt::format("atelier-unit:{}:{}", unit.tag.str(), unit.id);
}

} // namespace atelier::papers
