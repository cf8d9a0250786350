// What a label and a spec sheet say about one unit, read from the hardware database
// (docs/PAPER.md): the latest inventory snapshot, the latest grade, the latest successful imaging
// record, the erasure records and the assignment. Everything is optional because a label can be
// printed at intake, before the agent ever ran; spec_sheet_gaps() says what a spec sheet lacks.
#pragma once

#include "hardware-db/store.h"

#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace atelier::papers {

struct UnitPaper {
  hwdb::Unit unit;
  std::optional<hwdb::InventorySnapshot> inventory;
  std::optional<hwdb::GradeRecord> grade;
  std::optional<hwdb::ImagingRecord> imaging;  // the latest with result "imaged"
  std::string hostname;                        // from that imaging record's detail, if recorded
  std::uint64_t main_disk_bytes = 0;           // the largest non-USB disk of the inventory
  std::string main_disk_media;                 // "hdd", "ssd", "nvme"; empty when unknown
  std::size_t erased_disks = 0;                // erasure records with result "erased"
  std::optional<hwdb::Timestamp> warranty_end; // of the latest delivered assignment
};

// Reads everything; an error only when the database cannot be read.
std::expected<UnitPaper, std::string> read_unit_paper(hwdb::Store& store, const hwdb::Unit& unit);

// What stops a unit from getting a spec sheet, in words ("an inventory", "a grade", "an installed
// system (imaging record)", "state ready, assigned or delivered (it is tested)"); empty when
// nothing does.
std::vector<std::string> spec_sheet_gaps(const UnitPaper& paper);

// "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz" -> "Intel Core i5-4300U @ 1.90GHz": trademark signs,
// the word "CPU"/"Processor" and repeated spaces removed, as people write models.
std::string tidy_cpu_model(std::string_view model);

// The label's QR code: "atelier-unit:<tag>:<unit id>". The unit id is the database row the tag was
// issued for: a scanner looks the unit up by tag and can tell a label of another site's database
// (same prefix, other row) from this one.
std::string unit_qr_text(const hwdb::Unit& unit);

} // namespace atelier::papers
