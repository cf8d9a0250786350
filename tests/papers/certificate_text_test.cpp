// The erasure certificate's words (papers/certificate_text.h) in French and English: what a donor
// or an auditor reads must be right in both languages, with the same lines (the placeholders are
// checked by scripts/check-catalogue).
#include "papers/certificate_text.h"
#include "support/sample_record.h"

#include <gtest/gtest.h>

namespace atelier::papers {
namespace {

// The value of the record line labelled `label`, or "" when there is none.
std::string line_value(const records::ErasureRecord& r, profiles::Language language,
                       std::string_view label) {
  for (const RecordLine& line : record_lines(r, language)) {
    if (line.label == label) {
      return line.value;
    }
  }
  return "";
}

TEST(CertificateText, FrenchAgreesHiddenAreasInNumberAndWritesADecimalComma) {
  // Why: "HPA et DCO trouvées" but "HPA trouvée"; "500,1 Go" not "500.1 GB": a French reader
  // notices every slip on a document meant to be trusted.
  auto r = test::sample_record();
  r.hidden_areas = {true, true, true, true, 500107862016, 480103981056, ""};
  EXPECT_EQ(line_value(r, profiles::Language::fr, "Zones cach\u00e9es (HPA/DCO)"),
            "HPA et DCO trouv\u00e9es, retir\u00e9es avant l'effacement");
  EXPECT_EQ(line_value(r, profiles::Language::en, "Hidden areas (HPA/DCO)"),
            "HPA and DCO found, removed before erasing");
  r.hidden_areas = {true, true, false, false, 500107862016, 480103981056, "USB bridge"};
  EXPECT_EQ(line_value(r, profiles::Language::fr, "Zones cach\u00e9es (HPA/DCO)"),
            "HPA trouv\u00e9e, NON retir\u00e9e\u00a0; USB bridge");
  EXPECT_EQ(format_bytes(500107862016, profiles::Language::fr), "500,1 Go (500107862016 octets)");
  EXPECT_EQ(format_bytes(500107862016, profiles::Language::en), "500.1 GB (500107862016 bytes)");
  EXPECT_EQ(format_bytes(512, profiles::Language::fr), "512 octets");
  // A recorded outcome the text knows is translated; free text the imager wrote is kept as is.
  r.verification_result = "failed: 3 mismatching sectors";
  EXPECT_EQ(line_value(r, profiles::Language::fr, "V\u00e9rification"),
            "relecture compl\u00e8te\u00a0: \u00e9chou\u00e9e\u00a0: 3 mismatching sectors "
            "(500,1 Go v\u00e9rifi\u00e9s)");
}

TEST(CertificateText, BothLanguagesGiveTheSameLinesInTheSameOrder) {
  // Why: the French certificate must not silently drop a field the English one shows.
  const auto fr = record_lines(test::failed_record(), profiles::Language::fr);
  const auto en = record_lines(test::failed_record(), profiles::Language::en);
  ASSERT_EQ(fr.size(), en.size());
  for (std::size_t i = 0; i < fr.size(); ++i) {
    EXPECT_FALSE(fr[i].label.empty());
    EXPECT_FALSE(fr[i].value.empty()) << fr[i].label;
    EXPECT_EQ(fr[i].label == en[i].label,
              fr[i].label == "SMART" || fr[i].label == "Contact" || fr[i].label == "Note")
        << fr[i].label << " / " << en[i].label;
  }
  EXPECT_EQ(fr[1].value, en[1].value); // the record id, never translated
}

TEST(CertificateText, CountsTakeEachLanguagesPluralForm) {
  // Why: French puts 0 and 1 in the singular ("1 passe", "0 passe"), English only 1; the table
  // this replaced printed "0 passes" in French.
  auto r = test::sample_record();
  r.pattern.clear();
  r.passes = 1;
  EXPECT_EQ(line_value(r, profiles::Language::fr, "Passes et motif"), "1 passe");
  EXPECT_EQ(line_value(r, profiles::Language::en, "Passes and pattern"), "1 pass");
  r.passes = 0;
  EXPECT_EQ(line_value(r, profiles::Language::fr, "Passes et motif"), "0 passe");
  EXPECT_EQ(line_value(r, profiles::Language::en, "Passes and pattern"), "0 passes");
  r.passes = 3;
  EXPECT_EQ(line_value(r, profiles::Language::fr, "Passes et motif"), "3 passes");
}

} // namespace
} // namespace atelier::papers
