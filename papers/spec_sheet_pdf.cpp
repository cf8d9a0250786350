#include "papers/spec_sheet_pdf.h"

#include "base/i18n.h"
#include "papers/label_pdf.h"
#include "papers/paper_text.h"
#include "papers/pdf_draw.h"
#include "workshop/unit_json.h"

#include <fmt/format.h>

namespace atelier::papers {
namespace {

using base::tr;
using base::tr_n;
using base::trf;

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

std::string account_step(profiles::Language language,
                         const std::optional<profiles::Profile>& profile) {
  if (!profile) {
    return tr(language, "Follow the questions on the screen to create your account and choose a "
                        "password; keep the password safe.");
  }
  const profiles::Account& account = profile->tailoring.account;
  return account.mode == profiles::AccountMode::oem
             ? tr(language, "The computer asks you to create your own account: your name, a user "
                            "name and a password. Write the password down and keep it safe: "
                            "nobody at the workshop knows it.")
             : trf(language,
                   "Log in as \u201c{user}\u201d with the password given to you with the "
                   "computer; you are then asked to choose your own password.",
                   {{"user", account.username}});
}

} // namespace

std::expected<std::string, std::string> render_spec_sheet(const SpecSheetInput& in) {
  const UnitPaper& paper = *in.paper;
  const profiles::Language l = in.language;
  const std::string tag = paper.unit.tag.str();
  auto doc = pdf::PdfDocument::create(
      pdf::k_a4_width, pdf::k_a4_height,
      {trf(l, "Your computer: {tag}", {{"tag", tag}}), "atelier spec-sheet", ""});
  if (!doc) {
    return std::unexpected(doc.error());
  }
  cairo_t* cr = doc->cr();
  Page page(cr);

  // Header: title and program on the left, QR code and tag on the right.
  const double text_width = k_width - k_qr_size - 16;
  page.lines(tr(l, "Your computer"), k_margin, text_width, 24, true);
  page.skip(2);
  const std::string intro =
      in.site.empty()
          ? in.program_name
          : (in.program_name.empty()
                 ? in.site
                 : trf(l, "{program}, {site}", {{"program", in.program_name}, {"site", in.site}}));
  page.lines(intro, k_margin, text_width, 11);
  page.skip(4);
  page.lines(trf(l, "Asset tag {tag}", {{"tag", tag}}), k_margin, text_width, 16, true);
  const double qr_x = k_margin + k_width - k_qr_size;
  if (auto ok = pdf::draw_qr(cr, unit_qr_text(paper.unit), qr_x, k_margin - 8, k_qr_size); !ok) {
    return std::unexpected(ok.error());
  }
  page.skip(std::max(0.0, k_margin - 8 + k_qr_size - page.y()));

  // What is inside. spec_sheet_gaps() guarantees an inventory and a grade.
  const LabelContent label = label_content(paper, in.language, "");
  page.heading(tr(l, "What is inside"));
  page.row(tr(l, "Model"), label.model);
  const hwdb::InventorySnapshot& inv = *paper.inventory;
  page.row(tr(l, "Processor"), inv.cpu_threads > 0
                                   ? fmt::format("{}, {}", label.cpu,
                                                 tr_n(l, "{count} thread", "{count} threads",
                                                      static_cast<std::uint64_t>(inv.cpu_threads),
                                                      {{"count", inv.cpu_threads}}))
                                   : label.cpu);
  page.row(tr(l, "Memory (RAM)"), format_memory(inv.ram_bytes, l));
  page.row(tr(l, "Storage"), main_disk_words(paper, l));
  page.row(tr(l, "Firmware"),
           inv.firmware == "uefi" ? "UEFI" : (inv.firmware == "bios" ? "BIOS" : ""));
  if (const std::string secure_boot = workshop::secure_boot_state(inv); !secure_boot.empty()) {
    page.row(tr(l, "Secure Boot"),
             secure_boot == "on"
                 ? tr(l, "on: the computer starts only systems signed by a trusted publisher")
             : secure_boot == "off" ? tr(l, "off")
                                    : tr(l, "not configured (setup mode)"));
  }
  if (paper.grade) {
    page.row(tr(l, "Grade"),
             fmt::format("{} ({})", paper.grade->grade,
                         tr(l, "A is the best-equipped, C the most basic; every grade was tested "
                               "and works")));
  }

  page.heading(tr(l, "Installed system"));
  if (in.profile) {
    const profiles::Tailoring& tailoring = in.profile->tailoring;
    page.row(tr(l, "System"),
             in.profile->description.empty() ? in.profile->name : in.profile->description);
    page.row(tr(l, "Computer name"), paper.hostname.empty()
                                         ? profiles::expand_hostname(tailoring.hostname, tag)
                                         : paper.hostname);
    std::string keyboard = tailoring.keyboard;
    if (!tailoring.keyboard_variant.empty()) {
      keyboard += fmt::format(" ({})", tailoring.keyboard_variant);
    }
    page.row(tr(l, "Language and keyboard"),
             tailoring.locale.empty() || keyboard.empty()
                 ? tailoring.locale + keyboard
                 : fmt::format("{}, {}", tailoring.locale, keyboard));
    page.row(tr(l, "Time zone"), tailoring.timezone);
  } else {
    page.row(tr(l, "System"), paper.imaging->profile);
    page.row(tr(l, "Computer name"), paper.hostname);
  }
  if (paper.erased_disks > 0) {
    page.row(tr(l, "Previous data"),
             tr_n(l,
                  "{count} disk erased before installation; the signed erasure certificate is "
                  "available from the workshop.",
                  "{count} disks erased before installation; the signed erasure certificate is "
                  "available from the workshop.",
                  static_cast<std::uint64_t>(paper.erased_disks), {{"count", paper.erased_disks}}));
  }

  page.heading(tr(l, "The first time you start it"));
  int number = 0;
  for (const std::string& step :
       {tr(l, "Connect the power cable (and the screen, keyboard and mouse for a desktop), then "
              "press the power button."),
        account_step(l, in.profile),
        tr(l, "Connect to the internet: click the network icon next to the clock to choose your "
              "Wi-Fi, or plug in a network cable."),
        tr(l, "When the computer offers updates, accept them: they keep it safe.")}) {
    page.step(++number, step);
  }

  page.heading(tr(l, "Warranty"));
  page.lines(paper.warranty_end
                 ? trf(l, "Until {date}. Keep this sheet: the asset tag identifies your computer.",
                       {{"date", format_date(*paper.warranty_end, l)}})
                 : tr(l, "The warranty starts when the computer is handed over to you; ask the "
                         "workshop for its end date. Keep this sheet: the asset tag identifies "
                         "your computer."),
             k_margin, k_width, 10);

  page.heading(tr(l, "Help and repairs"));
  if (in.support_contact.empty() && in.support_url.empty()) {
    page.lines(trf(l, "Ask at {place}.", {{"place", in.site.empty() ? in.program_name : in.site}}),
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
                 trf(l, "{tag} \u00b7 unit record {id}", {{"tag", tag}, {"id", paper.unit.id}}));
  if (page.y() > pdf::k_a4_height - k_margin) {
    return std::unexpected(fmt::format("the spec sheet of {} does not fit on one page", tag));
  }
  return doc->finish();
}

} // namespace atelier::papers
