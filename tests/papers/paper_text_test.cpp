// The rules under every printed word: sizes in each language, CPU names as people write them, and
// text fitting that never exceeds its width (measured on a real cairo surface with DejaVu Sans).
#include "papers/paper_text.h"
#include "papers/pdf_draw.h"
#include "papers/unit_paper.h"

#include <memory>

#include <gtest/gtest.h>

namespace atelier::papers {
namespace {

using profiles::Language;

TEST(PaperText, SizesUseEachLanguagesUnitsAndDecimalMark) {
  // Why: French households read "Go" and "1,5 To"; memory is sold in binary units, disks decimal.
  EXPECT_EQ(format_memory(8ULL << 30, Language::fr), "8 Go");
  EXPECT_EQ(format_memory(8ULL << 30, Language::en), "8 GB");
  EXPECT_EQ(format_memory(3ULL << 29, Language::fr), "1,5 Go");
  EXPECT_EQ(format_memory(512ULL << 20, Language::en), "512 MB");
  EXPECT_EQ(format_capacity(256'060'514'304ULL, Language::en), "256 GB");
  EXPECT_EQ(format_capacity(1'500'301'910'016ULL, Language::fr), "1,5 To");
  EXPECT_EQ(format_capacity(1'000'204'886'016ULL, Language::en), "1 TB");
}

TEST(PaperText, DatesAsEachLanguageWritesThem) {
  const auto day = std::chrono::sys_days{std::chrono::year{2027} / 5 / 31};
  EXPECT_EQ(format_date(std::chrono::sys_seconds{day}, Language::fr), "31/05/2027");
  EXPECT_EQ(format_date(std::chrono::sys_seconds{day}, Language::en), "2027-05-31");
}

TEST(PaperText, FrenchWordsComeFromTheCatalogue) {
  // Why: the words live in po/fr.po now; a catalogue the papers cannot find would print English on
  // a French household's sheet.
  EXPECT_EQ(not_inventoried_words(Language::fr), "Inventaire \u00e0 faire");
  EXPECT_EQ(not_inventoried_words(Language::en), "Not inventoried yet");
}

TEST(TidyCpuModel, DropsTrademarksAndFillerWordsAsPeopleWriteModels) {
  EXPECT_EQ(tidy_cpu_model("Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz"),
            "Intel Core2 Duo E8400 @ 3.00GHz");
  EXPECT_EQ(tidy_cpu_model("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz"),
            "Intel Xeon Gold 6130 @ 2.10GHz");
  EXPECT_EQ(tidy_cpu_model("AMD Ryzen 5 3600 6-Core Processor"), "AMD Ryzen 5 3600 6-Core");
  EXPECT_EQ(tidy_cpu_model("AMD EPYC"), "AMD EPYC");
  EXPECT_EQ(tidy_cpu_model(""), "");
}

class FitText : public ::testing::Test {
protected:
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> m_surface{
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, 100, 100), cairo_surface_destroy};
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> m_cr{cairo_create(m_surface.get()),
                                                          cairo_destroy};
};

TEST_F(FitText, TextThatFitsKeepsItsSize) {
  const pdf::FittedText f = pdf::fit_text(m_cr.get(), "AT-0042-7", 200, 12, 6);
  EXPECT_EQ(f.text, "AT-0042-7");
  EXPECT_EQ(f.size, 12);
  EXPECT_FALSE(f.shortened);
}

TEST_F(FitText, SlightlyTooLongTextShrinksToTheWidth) {
  const std::string text = "Intel Core i5-4300U @ 1.90GHz";
  pdf::set_font(m_cr.get(), pdf::k_sans, 9);
  const double natural = pdf::text_width(m_cr.get(), text);
  const pdf::FittedText f = pdf::fit_text(m_cr.get(), text, natural * 0.8, 9, 4.5);
  EXPECT_EQ(f.text, text);
  EXPECT_NEAR(f.size, 9 * 0.8, 0.01);
  EXPECT_LE(pdf::text_width(m_cr.get(), f.text), natural * 0.8 + 0.01);
}

TEST_F(FitText, FarTooLongTextIsEllipsisedAtACharacterBoundaryWithinTheWidth) {
  // Why: accented names must not be cut inside a UTF-8 sequence, and the result must fit.
  const std::string text = "Ordinateur portable reconditionné très très très long modèle é";
  for (double width : {20.0, 40.0, 60.0, 90.0}) {
    const pdf::FittedText f = pdf::fit_text(m_cr.get(), text, width, 9, 4.5);
    EXPECT_TRUE(f.shortened) << width;
    EXPECT_EQ(f.size, 4.5);
    EXPECT_TRUE(f.text.ends_with("\u2026")) << f.text;
    EXPECT_LE(pdf::text_width(m_cr.get(), f.text), width) << f.text;
    // Valid UTF-8: every continuation byte follows a lead byte or another continuation byte.
    const std::string head = f.text.substr(0, f.text.size() - 3);
    EXPECT_TRUE(head.empty() || (static_cast<unsigned char>(head.back()) & 0xC0) != 0xC0) << head;
  }
}

TEST_F(FitText, WrapKeepsEveryLineWithinTheWidth) {
  pdf::set_font(m_cr.get(), pdf::k_sans, 10);
  const auto lines = pdf::wrap(m_cr.get(),
                               "L'ordinateur vous demande de créer votre propre compte "
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ",
                               120);
  EXPECT_GT(lines.size(), 3u);
  for (const std::string& line : lines) {
    EXPECT_LE(pdf::text_width(m_cr.get(), line), 120) << line;
  }
}

} // namespace
} // namespace atelier::papers
