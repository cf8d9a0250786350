#include "papers/spec_sheet_pdf.h"

#include "papers/label_pdf.h"
#include "papers/paper_text.h"
#include "papers/pdf_draw.h"
#include "workshop/unit_json.h"

#include <fmt/format.h>

namespace atelier::papers {
namespace {

constexpr double k_margin = 50;
constexpr double k_width = pdf::k_a4_width - 2 * k_margin;
constexpr double k_label_column = 150;
constexpr double k_qr_size = 92;

// Top-down text on the one page.
class Page {
public:
  explicit Page(cairo_t* cr) : m_cr(cr) {}
  double y() const { return m_y; }
  void skip(double points) { m_y += points; }

  void lines(const std::string& text, double x, double width, double size, bool bold = false) {
    pdf::set_font(m_cr, pdf::k_sans, size, bold);
    for (const std::string& line : pdf::wrap(m_cr, text, width)) {
      pdf::show_text(m_cr, x, m_y + size, line);
      m_y += size * 1.35;
    }
  }
  void heading(const std::string& text) {
    m_y += 10;
    lines(text, k_margin, k_width, 13, true);
    cairo_save(m_cr);
    cairo_set_source_rgb(m_cr, 0.6, 0.6, 0.6);
    cairo_set_line_width(m_cr, 0.5);
    cairo_move_to(m_cr, k_margin, m_y);
    cairo_line_to(m_cr, k_margin + k_width, m_y);
    cairo_stroke(m_cr);
    cairo_restore(m_cr);
    m_y += 5;
  }
  void row(std::string_view label, const std::string& value) {
    if (value.empty()) {
      return;
    }
    const double top = m_y;
    lines(std::string(label), k_margin, k_label_column - 8, 10, true);
    const double after_label = m_y;
    m_y = top;
    lines(value, k_margin + k_label_column, k_width - k_label_column, 10);
    m_y = std::max(m_y, after_label) + 2;
  }
  void step(int number, const std::string& text) {
    pdf::set_font(m_cr, pdf::k_sans, 10, true);
    pdf::show_text(m_cr, k_margin + 4, m_y + 10, fmt::format("{}.", number));
    lines(text, k_margin + 22, k_width - 22, 10);
    m_y += 3;
  }

private:
  cairo_t* m_cr;
  double m_y = k_margin;
};

std::string account_step(const PaperText& t, const std::optional<profiles::Profile>& profile) {
  if (!profile) {
    return std::string(t.step_unknown_account);
  }
  const profiles::Account& account = profile->tailoring.account;
  return account.mode == profiles::AccountMode::oem
             ? std::string(t.step_oem_account)
             : fmt::format(fmt::runtime(t.step_preset_account), account.username);
}

} // namespace

std::expected<std::string, std::string> render_spec_sheet(const SpecSheetInput& in) {
  const UnitPaper& paper = *in.paper;
  const PaperText& t = paper_text(in.language);
  const std::string tag = paper.unit.tag.str();
  auto doc = pdf::PdfDocument::create(
      pdf::k_a4_width, pdf::k_a4_height,
      {fmt::format("{}: {}", t.sheet_title, tag), "atelier spec-sheet", ""});
  if (!doc) {
    return std::unexpected(doc.error());
  }
  cairo_t* cr = doc->cr();
  Page page(cr);

  // Header: title and program on the left, QR code and tag on the right.
  const double text_width = k_width - k_qr_size - 16;
  page.lines(std::string(t.sheet_title), k_margin, text_width, 24, true);
  page.skip(2);
  const std::string intro =
      in.site.empty() ? in.program_name
                      : (in.program_name.empty()
                             ? in.site
                             : fmt::format(fmt::runtime(t.sheet_intro), in.program_name, in.site));
  page.lines(intro, k_margin, text_width, 11);
  page.skip(4);
  page.lines(fmt::format("{} {}", t.asset_tag, tag), k_margin, text_width, 16, true);
  const double qr_x = k_margin + k_width - k_qr_size;
  if (auto ok = pdf::draw_qr(cr, unit_qr_text(paper.unit), qr_x, k_margin - 8, k_qr_size); !ok) {
    return std::unexpected(ok.error());
  }
  page.skip(std::max(0.0, k_margin - 8 + k_qr_size - page.y()));

  // What is inside. spec_sheet_gaps() guarantees an inventory and a grade.
  const LabelContent label = label_content(paper, in.language, "");
  page.heading(std::string(t.specs_heading));
  page.row(t.model, label.model);
  const hwdb::InventorySnapshot& inv = *paper.inventory;
  page.row(t.processor, inv.cpu_threads > 0
                            ? fmt::format("{}, {}", label.cpu,
                                          fmt::format(fmt::runtime(t.threads), inv.cpu_threads))
                            : label.cpu);
  page.row(t.memory, format_memory(inv.ram_bytes, in.language));
  page.row(t.storage, main_disk_words(paper, in.language));
  page.row(t.firmware, inv.firmware == "uefi" ? "UEFI" : (inv.firmware == "bios" ? "BIOS" : ""));
  if (const std::string secure_boot = workshop::secure_boot_state(inv); !secure_boot.empty()) {
    page.row(t.secure_boot, std::string(secure_boot == "on"    ? t.secure_boot_on
                                        : secure_boot == "off" ? t.secure_boot_off
                                                               : t.secure_boot_setup_mode));
  }
  if (paper.grade) {
    page.row(t.grade_label, fmt::format("{} ({})", paper.grade->grade, t.grade_meaning));
  }

  page.heading(std::string(t.system_heading));
  if (in.profile) {
    const profiles::Tailoring& tailoring = in.profile->tailoring;
    page.row(t.operating_system,
             in.profile->description.empty() ? in.profile->name : in.profile->description);
    page.row(t.computer_name, paper.hostname.empty()
                                  ? profiles::expand_hostname(tailoring.hostname, tag)
                                  : paper.hostname);
    std::string keyboard = tailoring.keyboard;
    if (!tailoring.keyboard_variant.empty()) {
      keyboard += fmt::format(" ({})", tailoring.keyboard_variant);
    }
    page.row(t.language_keyboard, tailoring.locale.empty() || keyboard.empty()
                                      ? tailoring.locale + keyboard
                                      : fmt::format("{}, {}", tailoring.locale, keyboard));
    page.row(t.timezone, tailoring.timezone);
  } else {
    page.row(t.operating_system, paper.imaging->profile);
    page.row(t.computer_name, paper.hostname);
  }
  if (paper.erased_disks > 0) {
    page.row(t.erasure, fmt::format(fmt::runtime(t.erasure_done), paper.erased_disks));
  }

  page.heading(std::string(t.first_boot_heading));
  int number = 0;
  for (const std::string& step : {std::string(t.step_power), account_step(t, in.profile),
                                  std::string(t.step_network), std::string(t.step_updates)}) {
    page.step(++number, step);
  }

  page.heading(std::string(t.warranty_heading));
  page.lines(paper.warranty_end ? fmt::format(fmt::runtime(t.warranty_until),
                                              format_date(*paper.warranty_end, in.language))
                                : std::string(t.warranty_unknown),
             k_margin, k_width, 10);

  page.heading(std::string(t.support_heading));
  if (in.support_contact.empty() && in.support_url.empty()) {
    page.lines(
        fmt::format(fmt::runtime(t.support_fallback), in.site.empty() ? in.program_name : in.site),
        k_margin, k_width, 10);
  }
  if (!in.support_contact.empty()) {
    page.lines(in.support_contact, k_margin, k_width, 10);
  }
  if (!in.support_url.empty()) {
    page.lines(in.support_url, k_margin, k_width, 10, true);
  }

  // Foot: what the workshop looks the unit up by.
  cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
  pdf::set_font(cr, pdf::k_sans, 8);
  pdf::show_text(cr, k_margin, pdf::k_a4_height - k_margin + 20,
                 fmt::format(fmt::runtime(t.footer), tag, paper.unit.id));
  if (page.y() > pdf::k_a4_height - k_margin) {
    return std::unexpected(fmt::format("the spec sheet of {} does not fit on one page", tag));
  }
  return doc->finish();
}

} // namespace atelier::papers
