#include "papers/pdf_draw.h"

#include <cairo-pdf.h>
#include <qrencode.h>

#include <fmt/format.h>

namespace atelier::papers::pdf {
namespace {

using QrPtr = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The longest prefix of text (cut before a UTF-8 lead byte) whose width plus `suffix` fits.
std::string prefix_fitting(cairo_t* cr, const std::string& text, double width,
                           const std::string& suffix) {
  std::size_t cut = text.size();
  while (cut > 0) {
    if (cut < text.size() && is_continuation(text[cut])) {
      --cut; // never inside a UTF-8 sequence
      continue;
    }
    if (text_width(cr, text.substr(0, cut) + suffix) <= width) {
      break;
    }
    --cut;
  }
  return text.substr(0, cut);
}

} // namespace

std::expected<PdfDocument, std::string> PdfDocument::create(double width, double height,
                                                            const Metadata& metadata) {
  PdfDocument doc;
  doc.m_bytes = std::make_unique<std::string>();
  doc.m_surface.reset(
      cairo_pdf_surface_create_for_stream(append_to_string, doc.m_bytes.get(), width, height));
  if (cairo_surface_status(doc.m_surface.get()) != CAIRO_STATUS_SUCCESS) {
    return std::unexpected(
        fmt::format("cannot create the PDF: {}",
                    cairo_status_to_string(cairo_surface_status(doc.m_surface.get()))));
  }
  cairo_surface_t* s = doc.m_surface.get();
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, metadata.title.c_str());
  cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, metadata.creator.c_str());
  if (!metadata.create_date.empty()) {
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, metadata.create_date.c_str());
  }
  doc.m_cr.reset(cairo_create(s));
  cairo_set_source_rgb(doc.m_cr.get(), 0, 0, 0);
  return doc;
}

PdfDocument::PdfDocument(PdfDocument&&) noexcept = default;
PdfDocument& PdfDocument::operator=(PdfDocument&&) noexcept = default;
PdfDocument::~PdfDocument() = default;

std::expected<std::string, std::string> PdfDocument::finish() {
  const cairo_status_t drawn = m_cr ? cairo_status(m_cr.get()) : CAIRO_STATUS_NULL_POINTER;
  m_cr.reset();
  cairo_surface_finish(m_surface.get());
  const cairo_status_t written = cairo_surface_status(m_surface.get());
  m_surface.reset();
  if (drawn != CAIRO_STATUS_SUCCESS || written != CAIRO_STATUS_SUCCESS) {
    return std::unexpected(
        fmt::format("cannot write the PDF: {}",
                    cairo_status_to_string(drawn != CAIRO_STATUS_SUCCESS ? drawn : written)));
  }
  return std::move(*m_bytes);
}

void set_font(cairo_t* cr, const char* family, double size, bool bold) {
  cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

void show_text(cairo_t* cr, double x, double baseline, const std::string& text) {
  cairo_move_to(cr, x, baseline);
  cairo_show_text(cr, text.c_str());
}

FittedText fit_text(cairo_t* cr, const std::string& text, double max_width, double size,
                    double min_size, const char* family, bool bold) {
  // Widths scale linearly with the size, so the size that fits is computed, not searched.
  set_font(cr, family, size, bold);
  const double width = text_width(cr, text);
  if (width <= max_width) {
    return {text, size, false};
  }
  const double fitting = size * max_width / width;
  if (fitting >= min_size) {
    set_font(cr, family, fitting, bold);
    return {text, fitting, false};
  }
  set_font(cr, family, min_size, bold);
  const std::string ellipsis = "\u2026";
  return {prefix_fitting(cr, text, max_width, ellipsis) + ellipsis, min_size, true};
}

std::vector<std::string> wrap(cairo_t* cr, const std::string& text, double width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string word = text.substr(start, end - start);
    const std::string candidate = line.empty() ? word : line + " " + word;
    if (text_width(cr, candidate) <= width) {
      line = candidate;
    } else {
      if (!line.empty()) {
        lines.push_back(line);
      }
      // A word longer than a line (a signature in base64) is cut where it must be.
      while (text_width(cr, word) > width && word.size() > 1) {
        std::string head = prefix_fitting(cr, word, width, "");
        if (head.empty()) { // not even one character fits: one per line
          head = word.substr(0, 1);
        }
        lines.push_back(head);
        word = word.substr(head.size());
      }
      line = word;
    }
    start = end + 1;
  }
  if (!line.empty() || lines.empty()) {
    lines.push_back(line);
  }
  return lines;
}

std::expected<void, std::string> draw_qr(cairo_t* cr, const std::string& text, double x, double y,
                                         double size, int quiet_modules) {
  QrPtr qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!qr) {
    return std::unexpected(fmt::format("cannot encode the QR code for '{}'", text));
  }
  const int modules = qr->width + 2 * quiet_modules;
  const double cell = size / modules;
  cairo_save(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < qr->width; ++row) {
    for (int col = 0; col < qr->width; ++col) {
      if ((qr->data[row * qr->width + col] & 1) != 0) {
        cairo_rectangle(cr, x + (col + quiet_modules) * cell, y + (row + quiet_modules) * cell,
                        cell, cell);
      }
    }
  }
  cairo_fill(cr);
  cairo_restore(cr);
  return {};
}

} // namespace atelier::papers::pdf
