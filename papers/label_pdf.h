// Asset labels (docs/PAPER.md): the tag in large type, a QR code (unit_qr_text) and the key specs,
// laid out on an A4 sheet of labels or on a label printer's roll. Text that does not fit is
// shrunk, then ellipsised: it never leaves its label.
#pragma once

#include "papers/paper_text.h"
#include "papers/unit_paper.h"

#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::papers {

// A label stock. Sheets hold columns × rows labels, filled left to right, top to bottom; a roll
// (columns = rows = 1) gets one page per label, the page being the label.
struct LabelFormat {
  std::string_view name;
  std::string_view description;
  double label_width_mm = 0;
  double label_height_mm = 0;
  int columns = 1;
  int rows = 1;
  double page_width_mm = 0;
  double page_height_mm = 0;
  double left_mm = 0;    // page edge to the first column
  double top_mm = 0;     // page edge to the first row
  double pitch_x_mm = 0; // from one column's left edge to the next one's
  double pitch_y_mm = 0;
  int per_page() const { return columns * rows; }
};

std::span<const LabelFormat> label_formats();
const LabelFormat* find_label_format(std::string_view name);

// The words on one label, already in the chosen language.
struct LabelContent {
  std::string tag;
  std::string qr;
  std::string model;  // vendor and model, or "Unknown model"
  std::string cpu;    // tidied; the "not inventoried" line when there is no inventory
  std::string memory; // "RAM 8 GB · SSD 256 GB"; empty without an inventory
  std::string grade;  // "Grade A · Ordi 2.0", or the program name alone when not graded
};

// "SSD 256 GB", "NVMe 1 To": the main disk's media and capacity; empty when unknown.
std::string main_disk_words(const UnitPaper& paper, profiles::Language language);

LabelContent label_content(const UnitPaper& paper, profiles::Language language,
                           const std::string& program_name);

struct LabelLayout {
  const LabelFormat* format = nullptr;
  int skip = 0;         // positions already used on the first sheet (sheets only)
  bool outline = false; // a thin grey frame around each label, for test prints on plain paper
};

// The PDF: as many pages as the labels need. An error for no labels, a skip that leaves no room
// on the first sheet, or a cairo failure.
std::expected<std::string, std::string> render_labels(const std::vector<LabelContent>& labels,
                                                      const LabelLayout& layout);

} // namespace atelier::papers
