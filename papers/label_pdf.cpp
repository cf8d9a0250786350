#include "papers/label_pdf.h"

#include "base/i18n.h"
#include "papers/pdf_draw.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace atelier::papers {
namespace {

using pdf::k_mm;

// Geometry from the makers' templates (Avery L7160/L7163, Brother DK-11209/DK-22205).
constexpr std::array<LabelFormat, 4> k_formats{{
    {"l7160", "A4 sheet, 3 x 7 labels of 63.5 x 38.1 mm (Avery L7160 and compatibles)", 63.5, 38.1,
     3, 7, 210, 297, 7.2, 15.15, 66.04, 38.1},
    {"l7163", "A4 sheet, 2 x 7 labels of 99.1 x 38.1 mm (Avery L7163 and compatibles)", 99.1, 38.1,
     2, 7, 210, 297, 4.65, 15.15, 101.6, 38.1},
    {"dk-11209", "label printer roll, 62 x 29 mm die-cut labels (Brother DK-11209)", 62, 29, 1, 1,
     62, 29, 0, 0, 62, 29},
    {"dk-22205", "label printer roll, 62 mm continuous tape cut at 40 mm (Brother DK-22205)", 62,
     40, 1, 1, 62, 40, 0, 0, 62, 40},
}};

// Relative heights of the label's lines: the tag, then four spec lines.
constexpr double k_tag_weight = 1.7;
constexpr double k_line_weight = 1.0;
constexpr int k_spec_lines = 4;

std::expected<void, std::string> draw_label(cairo_t* cr, const LabelContent& label, double x,
                                            double y, double w, double h, bool outline) {
  if (outline) {
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 0.3);
    cairo_rectangle(cr, x + 0.15, y + 0.15, w - 0.3, h - 0.3);
    cairo_stroke(cr);
    cairo_restore(cr);
  }
  // Die-cut labels are not printed to the edge: a margin keeps text off the cut.
  const double margin = (h < 32 * k_mm ? 1.8 : 2.5) * k_mm;
  const double qr = std::min(h - 2 * margin, w * 0.4);
  if (auto ok = pdf::draw_qr(cr, label.qr, x + margin, y + (h - qr) / 2, qr, 2); !ok) {
    return ok;
  }
  const double column_x = x + margin + qr + 1.5 * k_mm;
  const double column_w = x + w - margin - column_x;
  const double unit = (h - 2 * margin) / (k_tag_weight + k_spec_lines * k_line_weight);
  double top = y + margin;

  const double tag_height = unit * k_tag_weight;
  const pdf::FittedText tag = pdf::fit_text(
      cr, label.tag, column_w, std::min(tag_height * 0.78, 18.0), 6, pdf::k_sans, true);
  pdf::show_text(cr, column_x, top + tag_height * 0.78, tag.text);
  top += tag_height;

  const double line_height = unit * k_line_weight;
  const double size = std::min(line_height * 0.78, 9.0);
  const std::array<std::pair<const std::string*, bool>, k_spec_lines> lines{
      {{&label.model, false}, {&label.cpu, false}, {&label.memory, false}, {&label.grade, true}}};
  for (const auto& [text, bold] : lines) {
    if (!text->empty()) {
      const pdf::FittedText fitted =
          pdf::fit_text(cr, *text, column_w, size, std::min(size, 4.5), pdf::k_sans, bold);
      pdf::show_text(cr, column_x, top + line_height * 0.8, fitted.text);
    }
    top += line_height;
  }
  return {};
}

} // namespace

std::span<const LabelFormat> label_formats() {
  return k_formats;
}

const LabelFormat* find_label_format(std::string_view name) {
  const auto it = std::find_if(k_formats.begin(), k_formats.end(),
                               [&](const LabelFormat& f) { return f.name == name; });
  return it == k_formats.end() ? nullptr : &*it;
}

std::string main_disk_words(const UnitPaper& paper, profiles::Language language) {
  if (paper.main_disk_bytes == 0) {
    return "";
  }
  std::string media = paper.main_disk_media == "nvme" ? "NVMe" : paper.main_disk_media;
  std::transform(media.begin(), media.end(), media.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  return fmt::format("{}{}{}", media, media.empty() ? "" : " ",
                     format_capacity(paper.main_disk_bytes, language));
}

LabelContent label_content(const UnitPaper& paper, profiles::Language language,
                           const std::string& program_name) {
  LabelContent label;
  label.tag = paper.unit.tag.str();
  label.qr = unit_qr_text(paper.unit);
  const hwdb::Identity& id = paper.unit.identity;
  label.model = id.vendor.empty() && id.model.empty()
                    ? base::tr(language, "Unknown model")
                    : fmt::format("{}{}{}", id.vendor, id.vendor.empty() ? "" : " ", id.model);
  if (!paper.inventory) {
    label.cpu = not_inventoried_words(language);
  } else {
    label.cpu = tidy_cpu_model(paper.inventory->cpu_model);
    label.memory = base::trf(language, "RAM {memory}",
                             {{"memory", format_memory(paper.inventory->ram_bytes, language)}});
    if (const std::string disk = main_disk_words(paper, language); !disk.empty()) {
      label.memory += fmt::format(" \u00b7 {}", disk);
    }
  }
  const std::string grade =
      paper.grade ? base::trf(language, "Grade {grade}", {{"grade", paper.grade->grade}}) : "";
  label.grade = grade.empty() || program_name.empty()
                    ? grade + program_name
                    : fmt::format("{} \u00b7 {}", grade, program_name);
  return label;
}

std::expected<std::string, std::string> render_labels(const std::vector<LabelContent>& labels,
                                                      const LabelLayout& layout) {
  const LabelFormat& f = *layout.format;
  if (labels.empty()) {
    return std::unexpected("no labels to print");
  }
  if (layout.skip < 0 || (layout.skip > 0 && layout.skip >= f.per_page())) {
    return std::unexpected(
        f.per_page() == 1
            ? fmt::format("--skip: {} is a roll, there are no used positions to skip", f.name)
            : fmt::format("--skip {}: a {} sheet has {} labels, so skip 0 to {}", layout.skip,
                          f.name, f.per_page(), f.per_page() - 1));
  }
  auto doc = pdf::PdfDocument::create(
      f.page_width_mm * k_mm, f.page_height_mm * k_mm,
      {labels.size() == 1 ? fmt::format("Label {}", labels.front().tag)
                          : fmt::format("Labels {} to {}", labels.front().tag, labels.back().tag),
       "atelier label", ""});
  if (!doc) {
    return std::unexpected(doc.error());
  }
  cairo_t* cr = doc->cr();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int position = layout.skip + static_cast<int>(i);
    const int on_page = position % f.per_page();
    if (i > 0 && on_page == 0) {
      doc->next_page();
    }
    const double x = (f.left_mm + (on_page % f.columns) * f.pitch_x_mm) * k_mm;
    const double y = (f.top_mm + (on_page / f.columns) * f.pitch_y_mm) * k_mm;
    if (auto ok = draw_label(cr, labels[i], x, y, f.label_width_mm * k_mm, f.label_height_mm * k_mm,
                             layout.outline);
        !ok) {
      return std::unexpected(ok.error());
    }
  }
  return doc->finish();
}

} // namespace atelier::papers
