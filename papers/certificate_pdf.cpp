#include "papers/certificate_pdf.h"

#include "base/i18n.h"
#include "papers/certificate_text.h"
#include "papers/pdf_draw.h"

#include <fmt/format.h>

namespace atelier::papers {
namespace {

using pdf::k_a4_height;
using pdf::k_a4_width;
constexpr double k_margin = 50;
constexpr double k_label_width = 150;
constexpr double k_qr_size = 120;
constexpr const char* k_font = pdf::k_sans;
constexpr const char* k_mono = pdf::k_mono;

// Writes text top-down on pages, wrapping long values and starting a new page when full.
class Writer {
public:
  explicit Writer(pdf::PdfDocument& doc) : m_doc(doc), m_cr(doc.cr()) {}

  double y() const { return m_y; }
  void skip(double points) { m_y += points; }
  void new_page() {
    m_doc.next_page();
    m_y = k_margin;
  }
  void ensure(double points) {
    if (m_y + points > k_a4_height - k_margin) {
      new_page();
    }
  }

  void font(const char* family, double size, bool bold = false) {
    pdf::set_font(m_cr, family, size, bold);
    m_size = size;
  }

  // Text from x within `width`, wrapped at spaces (or anywhere inside a word wider than a line).
  void paragraph(const std::string& text, double x, double width) {
    for (const std::string& line : pdf::wrap(m_cr, text, width)) {
      ensure(m_size * 1.35);
      pdf::show_text(m_cr, x, m_y + m_size, line);
      m_y += m_size * 1.35;
    }
  }

  // A bold label, and its value wrapped in the column to its right.
  void labelled(const std::string& label, const std::string& value, double width,
                const char* value_family = k_font, double value_size = 9) {
    font(k_font, 9, true);
    ensure(9 * 1.35);
    pdf::show_text(m_cr, k_margin, m_y + 9, label);
    font(value_family, value_size);
    paragraph(value, k_margin + k_label_width, width - k_label_width);
  }

private:
  pdf::PdfDocument& m_doc;
  cairo_t* m_cr;
  double m_y = k_margin;
  double m_size = 10;
};

std::expected<void, std::string> draw_certificate(cairo_t* cr, Writer& w,
                                                  const workshop::Certificate& c, std::size_t index,
                                                  std::size_t count, profiles::Language language) {
  using base::tr;
  const records::ErasureRecord& r = c.record;
  const double width = k_a4_width - 2 * k_margin;
  w.ensure(k_qr_size + 40);
  w.font(k_font, 13, true);
  const std::string disk =
      fmt::format("{}{}{}", r.manufacturer, r.manufacturer.empty() ? "" : " ", r.model);
  w.paragraph(base::trf(language, "Disk {index} of {count}: {disk}",
                        {{"index", index + 1}, {"count", count}, {"disk", disk}}),
              k_margin, width);
  w.skip(4);
  const double qr_top = w.y();
  if (auto ok = pdf::draw_qr(cr, certificate_qr_text(r.record_id, c.fingerprint),
                             k_a4_width - k_margin - k_qr_size, qr_top, k_qr_size);
      !ok) {
    return ok;
  }
  // The fields beside the QR code use the narrower column until they are past it.
  for (const RecordLine& line : record_lines(r, language)) {
    const bool beside_qr = w.y() < qr_top + k_qr_size + 4;
    w.labelled(line.label, line.value, beside_qr ? width - k_qr_size - 10 : width);
  }
  w.skip(8);
  w.font(k_font, 11, true);
  w.paragraph(tr(language, "Signature"), k_margin, width);
  w.labelled(tr(language, "Key fingerprint"), c.fingerprint, width);
  const auto sig = nlohmann::json::parse(c.signature_json, nullptr, false);
  w.labelled(tr(language, "Signature (Ed25519)"), sig.is_object() ? sig.value("value", "") : "",
             width, k_mono, 7);
  w.skip(4);
  w.font(k_font, 9);
  for (const std::string& line : verification_instructions(r.record_id, c.fingerprint, language)) {
    w.paragraph(line, k_margin, width);
  }
  return {};
}

} // namespace

std::expected<std::string, std::string>
render_certificate_pdf(const std::vector<workshop::Certificate>& certificates,
                       const PdfTitle& title, profiles::Language language) {
  if (certificates.empty()) {
    return std::unexpected("there is no signed erasure record to put in a certificate");
  }
  std::string last_finish;
  for (const workshop::Certificate& c : certificates) {
    last_finish = std::max(last_finish, c.record.finished_at);
  }
  // Deterministic output: the date is the erasure's, not the rendering's ("YYYY-MM-DDTHH:MM:SS").
  auto doc = pdf::PdfDocument::create(
      k_a4_width, k_a4_height,
      {base::trf(language, "Certificate of data erasure: {subject}", {{"subject", title.subject}}),
       "atelier cert pdf", last_finish.substr(0, 19)});
  if (!doc) {
    return std::unexpected(doc.error());
  }
  cairo_t* cr = doc->cr();
  Writer w(*doc);
  const double width = k_a4_width - 2 * k_margin;
  w.font(k_font, 18, true);
  w.paragraph(base::tr(language, "Certificate of data erasure"), k_margin, width);
  w.font(k_font, 10);
  const std::string subject =
      title.subject + (title.site.empty() ? std::string() : ", " + title.site);
  const std::size_t count = certificates.size();
  w.paragraph(base::tr_n(language, "{subject}: {count} disk record, signed by the workshop",
                         "{subject}: {count} disk records, signed by the workshop", count,
                         {{"subject", subject}, {"count", count}}),
              k_margin, width);
  w.paragraph(base::tr(language, "Every disk below was sanitized as NIST SP 800-88 describes; the "
                                 "record of each is signed so that any change to it can be "
                                 "detected."),
              k_margin, width);
  w.skip(12);
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    if (i > 0) {
      w.new_page();
    }
    if (auto ok = draw_certificate(cr, w, certificates[i], i, certificates.size(), language); !ok) {
      return std::unexpected(ok.error());
    }
  }
  return doc->finish();
}

} // namespace atelier::papers
