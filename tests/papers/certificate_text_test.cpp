// The erasure certificate's words (papers/certificate_text.h) in French and English: what a donor
// or an auditor reads must be right in both languages, with the same lines and placeholders.
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

TEST(CertificateText, EveryStringExistsInBothLanguagesWithTheSamePlaceholders) {
  // Why: a missing word would leave a blank on a donor's certificate, and a pattern with another
  // number of "{}" in one language would stop the PDF with a format error.
  const auto placeholders = [](std::string_view s) {
    std::size_t n = 0;
    for (auto at = s.find("{}"); at != std::string_view::npos; at = s.find("{}", at + 2)) {
      ++n;
    }
    return n;
  };
  const CertificateText& fr = certificate_text(profiles::Language::fr);
  const CertificateText& en = certificate_text(profiles::Language::en);
  const std::string_view CertificateText::*fields[] = {&CertificateText::bytes,
                                                       &CertificateText::not_recorded,
                                                       &CertificateText::result,
                                                       &CertificateText::record_id,
                                                       &CertificateText::manufacturer,
                                                       &CertificateText::model,
                                                       &CertificateText::serial,
                                                       &CertificateText::media_type,
                                                       &CertificateText::capacity,
                                                       &CertificateText::property_number,
                                                       &CertificateText::device,
                                                       &CertificateText::level,
                                                       &CertificateText::method,
                                                       &CertificateText::passes,
                                                       &CertificateText::tool,
                                                       &CertificateText::verification,
                                                       &CertificateText::started,
                                                       &CertificateText::finished,
                                                       &CertificateText::written,
                                                       &CertificateText::errors,
                                                       &CertificateText::hidden_areas,
                                                       &CertificateText::smart,
                                                       &CertificateText::performed_by,
                                                       &CertificateText::verified_by,
                                                       &CertificateText::location,
                                                       &CertificateText::contact,
                                                       &CertificateText::note,
                                                       &CertificateText::colon,
                                                       &CertificateText::semicolon,
                                                       &CertificateText::erased,
                                                       &CertificateText::failed_reason,
                                                       &CertificateText::media_hdd,
                                                       &CertificateText::media_ssd,
                                                       &CertificateText::media_nvme,
                                                       &CertificateText::media_usb,
                                                       &CertificateText::media_file,
                                                       &CertificateText::sectors,
                                                       &CertificateText::pass_one,
                                                       &CertificateText::pass_many,
                                                       &CertificateText::not_verified,
                                                       &CertificateText::sampled_read_back,
                                                       &CertificateText::full_read_back,
                                                       &CertificateText::checked,
                                                       &CertificateText::passed,
                                                       &CertificateText::failed,
                                                       &CertificateText::failed_detail,
                                                       &CertificateText::took,
                                                       &CertificateText::written_at,
                                                       &CertificateText::error_counts,
                                                       &CertificateText::failed_ranges,
                                                       &CertificateText::hidden_not_checked,
                                                       &CertificateText::hidden_none,
                                                       &CertificateText::and_,
                                                       &CertificateText::hidden_found_one,
                                                       &CertificateText::hidden_found_two,
                                                       &CertificateText::hidden_removed_one,
                                                       &CertificateText::hidden_removed_two,
                                                       &CertificateText::hidden_not_removed_one,
                                                       &CertificateText::hidden_not_removed_two,
                                                       &CertificateText::smart_unavailable,
                                                       &CertificateText::smart_passed,
                                                       &CertificateText::smart_failed,
                                                       &CertificateText::power_on_hours,
                                                       &CertificateText::reallocated,
                                                       &CertificateText::pending,
                                                       &CertificateText::uncorrectable,
                                                       &CertificateText::title,
                                                       &CertificateText::meta_title,
                                                       &CertificateText::unit_subject,
                                                       &CertificateText::intro_one,
                                                       &CertificateText::intro_many,
                                                       &CertificateText::intro_nist,
                                                       &CertificateText::disk_of,
                                                       &CertificateText::signature,
                                                       &CertificateText::key_fingerprint,
                                                       &CertificateText::signature_value,
                                                       &CertificateText::signature_none,
                                                       &CertificateText::signature_key,
                                                       &CertificateText::check_signed,
                                                       &CertificateText::check_command,
                                                       &CertificateText::check_by_hand};
  for (auto field : fields) {
    EXPECT_FALSE((fr.*field).empty()) << en.*field;
    EXPECT_FALSE((en.*field).empty()) << fr.*field;
    EXPECT_EQ(placeholders(fr.*field), placeholders(en.*field)) << fr.*field << " / " << en.*field;
  }
  for (std::size_t i = 0; i < en.units.size(); ++i) {
    EXPECT_FALSE(fr.units[i].empty());
    EXPECT_FALSE(en.units[i].empty());
  }
}

} // namespace
} // namespace atelier::papers
