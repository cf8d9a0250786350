#include "daemon/certificate_pdf.h"

#include "daemon/certificate_text.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <memory>
#include <qrencode.h>

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

constexpr double k_page_width = 595.276; // A4 in points
constexpr double k_page_height = 841.890;
constexpr double k_margin = 50;
constexpr double k_label_width = 150;
constexpr double k_qr_size = 120;
constexpr const char* k_font = "DejaVu Sans";
constexpr const char* k_mono = "DejaVu Sans Mono";

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;
using QrPtr = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Writes text top-down on pages, wrapping long values and starting a new page when full.
class Writer {
public:
  explicit Writer(cairo_t* cr) : m_cr(cr) {}

  double y() const { return m_y; }
  void skip(double points) { m_y += points; }
  void new_page() {
    cairo_show_page(m_cr);
    m_y = k_margin;
  }
  void ensure(double points) {
    if (m_y + points > k_page_height - k_margin) {
      new_page();
    }
  }

  void font(const char* family, double size, bool bold = false) {
    cairo_select_font_face(m_cr, family, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(m_cr, size);
    m_size = size;
  }

  // Text from x within `width`, wrapped at spaces (or anywhere inside a word wider than a line).
  // Returns the lines used.
  int paragraph(const std::string& text, double x, double width) {
    int lines = 0;
    for (const std::string& line : wrap(text, width)) {
      ensure(m_size * 1.35);
      cairo_move_to(m_cr, x, m_y + m_size);
      cairo_show_text(m_cr, line.c_str());
      m_y += m_size * 1.35;
      ++lines;
    }
    return lines;
  }

  // A bold label, and its value wrapped in the column to its right.
  void labelled(const std::string& label, const std::string& value, double width,
                const char* value_family = k_font, double value_size = 9) {
    font(k_font, 9, true);
    ensure(9 * 1.35);
    cairo_move_to(m_cr, k_margin, m_y + 9);
    cairo_show_text(m_cr, label.c_str());
    font(value_family, value_size);
    paragraph(value, k_margin + k_label_width, width - k_label_width);
  }

private:
  double advance(const std::string& text) {
    cairo_text_extents_t extents;
    cairo_text_extents(m_cr, text.c_str(), &extents);
    return extents.x_advance;
  }

  std::vector<std::string> wrap(const std::string& text, double width) {
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
      if (advance(candidate) <= width) {
        line = candidate;
      } else {
        if (!line.empty()) {
          lines.push_back(line);
        }
        // A word longer than a line (a signature in base64) is cut where it must be, never
        // inside a UTF-8 sequence.
        while (advance(word) > width && word.size() > 1) {
          std::size_t cut = word.size() - 1;
          while (cut > 1 && (advance(word.substr(0, cut)) > width ||
                             (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80)) {
            --cut;
          }
          lines.push_back(word.substr(0, cut));
          word = word.substr(cut);
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

  cairo_t* m_cr;
  double m_y = k_margin;
  double m_size = 10;
};

std::expected<void, std::string> draw_qr(cairo_t* cr, const std::string& text, double x, double y,
                                         double size) {
  QrPtr qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
  if (!qr) {
    return std::unexpected(fmt::format("cannot encode the QR code for '{}'", text));
  }
  const int modules = qr->width + 8; // with the 4-module quiet zone on each side
  const double cell = size / modules;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, size, size);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < qr->width; ++row) {
    for (int col = 0; col < qr->width; ++col) {
      if ((qr->data[row * qr->width + col] & 1) != 0) {
        cairo_rectangle(cr, x + (col + 4) * cell, y + (row + 4) * cell, cell, cell);
      }
    }
  }
  cairo_fill(cr);
  return {};
}

std::expected<void, std::string> draw_certificate(cairo_t* cr, Writer& w, const Certificate& c,
                                                  std::size_t index, std::size_t count) {
  const imager::ErasureRecord& r = c.record;
  const double width = k_page_width - 2 * k_margin;
  w.ensure(k_qr_size + 40);
  w.font(k_font, 13, true);
  w.paragraph(fmt::format("Disk {} of {}: {} {}", index + 1, count, r.manufacturer, r.model),
              k_margin, width);
  w.skip(4);
  const double qr_top = w.y();
  if (auto ok = draw_qr(cr, certificate_qr_text(r.record_id, c.fingerprint),
                        k_page_width - k_margin - k_qr_size, qr_top, k_qr_size);
      !ok) {
    return ok;
  }
  // The fields beside the QR code use the narrower column until they are past it.
  for (const RecordLine& line : record_lines(r)) {
    const bool beside_qr = w.y() < qr_top + k_qr_size + 4;
    w.labelled(line.label, line.value, beside_qr ? width - k_qr_size - 10 : width);
  }
  w.skip(8);
  w.font(k_font, 11, true);
  w.paragraph("Signature", k_margin, width);
  w.labelled("Key fingerprint", c.fingerprint, width);
  const auto sig = nlohmann::json::parse(c.signature_json, nullptr, false);
  w.labelled("Signature (Ed25519)", sig.is_object() ? sig.value("value", "") : "", width, k_mono,
             7);
  w.skip(4);
  w.font(k_font, 9);
  for (const std::string& line : verification_instructions(r.record_id, c.fingerprint)) {
    w.paragraph(line, k_margin, width);
  }
  return {};
}

} // namespace

std::expected<std::string, std::string>
render_certificate_pdf(const std::vector<Certificate>& certificates, const PdfTitle& title) {
  if (certificates.empty()) {
    return std::unexpected("there is no signed erasure record to put in a certificate");
  }
  std::string bytes;
  SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(append_to_string, &bytes, k_page_width, k_page_height),
      cairo_surface_destroy);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return std::unexpected(fmt::format(
        "cannot create the PDF: {}", cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  std::string last_finish;
  for (const Certificate& c : certificates) {
    last_finish = std::max(last_finish, c.record.finished_at);
  }
  const std::string doc_title = fmt::format("Certificate of data erasure: {}", title.subject);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, doc_title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "atelier cert pdf");
  // Deterministic output: the date is the erasure's, not the rendering's ("YYYY-MM-DDTHH:MM:SS").
  const std::string date = last_finish.substr(0, 19);
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  ContextPtr cr(cairo_create(surface.get()), cairo_destroy);

  Writer w(cr.get());
  const double width = k_page_width - 2 * k_margin;
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  w.font(k_font, 18, true);
  w.paragraph("Certificate of data erasure", k_margin, width);
  w.font(k_font, 10);
  w.paragraph(fmt::format("{}{}: {} disk record{}, signed by the workshop", title.subject,
                          title.site.empty() ? "" : ", " + title.site, certificates.size(),
                          certificates.size() == 1 ? "" : "s"),
              k_margin, width);
  w.paragraph("Every disk below was sanitized as NIST SP 800-88 describes; the record of each is "
              "signed so that any change to it can be detected.",
              k_margin, width);
  w.skip(12);
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    if (i > 0) {
      w.new_page();
    }
    if (auto ok = draw_certificate(cr.get(), w, certificates[i], i, certificates.size()); !ok) {
      return std::unexpected(ok.error());
    }
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return std::unexpected(fmt::format(
        "cannot write the PDF: {}", cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  return bytes;
}

} // namespace atelier::daemon
