// Drawing helpers shared by the paper Atelier prints (docs/PAPER.md): the erasure certificate,
// asset labels and the household's spec sheet. A PdfDocument owns the cairo surface and context
// and collects the PDF bytes in memory; the helpers draw QR codes and fit text into a width
// (shrinking, then ellipsising) so that nothing ever overflows a label.
//
// Fonts: DejaVu Sans and DejaVu Sans Mono (Debian's fonts-dejavu-core), found through fontconfig.
// Units are PostScript points (1/72 inch); k_mm converts millimetres.
#pragma once

#include <cairo.h>
#include <expected>
#include <memory>
#include <string>
#include <vector>

namespace atelier::papers::pdf {

constexpr double k_mm = 72.0 / 25.4;
constexpr double k_a4_width = 595.276;
constexpr double k_a4_height = 841.890;
constexpr const char* k_sans = "DejaVu Sans";
constexpr const char* k_mono = "DejaVu Sans Mono";

struct Metadata {
  std::string title;
  std::string creator;     // e.g. "atelier label"
  std::string create_date; // "YYYY-MM-DDTHH:MM:SS"; empty: cairo's default (the clock)
};

// One PDF being drawn. Not copyable; the context stays valid until finish().
class PdfDocument {
public:
  static std::expected<PdfDocument, std::string> create(double width, double height,
                                                        const Metadata& metadata);
  PdfDocument(PdfDocument&&) noexcept;
  PdfDocument& operator=(PdfDocument&&) noexcept;
  ~PdfDocument();

  cairo_t* cr() const { return m_cr.get(); }
  // Ends the current page; the next one has the same size.
  void next_page() { cairo_show_page(m_cr.get()); }
  // Ends the document and returns its bytes; an error when cairo failed at any point.
  std::expected<std::string, std::string> finish();

private:
  PdfDocument() = default;
  // The byte sink outlives the surface that writes into it.
  std::unique_ptr<std::string> m_bytes;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> m_surface{
      nullptr, cairo_surface_destroy};
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> m_cr{nullptr, cairo_destroy};
};

void set_font(cairo_t* cr, const char* family, double size, bool bold = false);
// The horizontal advance of text in the current font.
double text_width(cairo_t* cr, const std::string& text);
// Text with its baseline at (x, baseline).
void show_text(cairo_t* cr, double x, double baseline, const std::string& text);

struct FittedText {
  std::string text; // the text, or its start followed by "…"
  double size = 0;  // the font size chosen
  bool shortened = false;
};

// Fits text into max_width: at `size` if it fits, else at the largest size down to min_size that
// fits, else at min_size cut at a UTF-8 character boundary and ended with "…". Leaves the font
// set at the chosen size.
FittedText fit_text(cairo_t* cr, const std::string& text, double max_width, double size,
                    double min_size, const char* family = k_sans, bool bold = false);

// Lines of at most `width` in the current font, broken at spaces (or inside a word wider than a
// line, never inside a UTF-8 sequence).
std::vector<std::string> wrap(cairo_t* cr, const std::string& text, double width);

// A QR code (error correction M, 8-bit) of `size` × `size` points at (x, y), on white, with a
// quiet zone of `quiet_modules` modules inside that square (4 is the standard's; labels whose
// edge is blank anyway use less to keep the modules large).
std::expected<void, std::string> draw_qr(cairo_t* cr, const std::string& text, double x, double y,
                                         double size, int quiet_modules = 4);

} // namespace atelier::papers::pdf
