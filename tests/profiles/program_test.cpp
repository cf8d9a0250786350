// Program files: grading rules and program settings, validated as completely as profiles.
// Documents are written inline; the first line after R"( is line 1.
#include "matchers.h"
#include "profiles/file_kind.h"
#include "profiles/program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;
using testing_support::body;
using testing_support::error_at;
using testing_support::warning_at;

Diagnostics errors_of(std::string_view text) {
  auto result = parse_program(body(text), "program.toml");
  return result ? Diagnostics{} : result.error();
}

constexpr std::string_view k_valid = R"(
[program]
name = "Ordi 2.0"
site = "Atelier numérique"
asset_tag_prefix = "AT"
language = "fr"

[grading]
ram = [ { min = "2GiB", points = 5 }, { min = "4GiB", points = 20 } ]
cpu_level = { 1 = 0, 2 = 15, 3 = 25, 4 = 30 }
cpu_threads = [ { min = 4, points = 5 } ]
disk_media = { hdd = 5, ssd = 20, nvme = 25 }
disk_size = [ { min = "120GB", points = 5 } ]

[grading.grades]
A = 60
B = 40
C = 20

[grading.floor]
min_ram = "4GiB"
min_cpu_level = "x86-64-v2"
)";

std::string with_line(int line, std::string_view replacement) {
  std::string text(body(k_valid));
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start) + 1;
  }
  text.replace(start, text.find('\n', start) - start, replacement);
  return text;
}

TEST(ProgramLoading, AcceptsACompleteProgram) {
  const auto program = parse_program(body(k_valid), "program.toml");
  ASSERT_TRUE(program) << ::testing::PrintToString(program.error());
  EXPECT_EQ(program->name, "Ordi 2.0");
  EXPECT_EQ(program->asset_tag_prefix, "AT");
  EXPECT_EQ(program->language, Language::fr);
  const GradingRules& rules = program->grading;
  ASSERT_EQ(rules.ram.size(), 2U);
  EXPECT_EQ(rules.ram[1].min.bytes, 4ULL << 30);
  EXPECT_EQ(rules.ram[1].points, 20);
  ASSERT_TRUE(rules.cpu_level);
  EXPECT_THAT(*rules.cpu_level, ElementsAre(0, 15, 25, 30));
  EXPECT_EQ(rules.disk_media->nvme, 25);
  EXPECT_EQ(rules.grades.a, 60);
  EXPECT_EQ(rules.floor.cpu_level, 2);
  EXPECT_TRUE(program->warnings.empty());
}

// The prefix is printed on every label; hardware-db accepts 1-4 letters A-Z.
TEST(ProgramValidation, RejectsAnAssetTagPrefixHardwareDbCannotPrint) {
  EXPECT_THAT(errors_of(with_line(4, R"(asset_tag_prefix = "at")")),
              ElementsAre(error_at(4, "program.asset_tag_prefix", "1 to 4 upper-case letters")));
  EXPECT_THAT(errors_of(with_line(4, R"(asset_tag_prefix = "ATELIER")")),
              ElementsAre(error_at(4, "program.asset_tag_prefix")));
  EXPECT_THAT(errors_of(with_line(4, R"(asset_tag_prefix = "A1")")),
              ElementsAre(error_at(4, "program.asset_tag_prefix")));
}

TEST(ProgramValidation, RejectsAnUnknownLanguage) {
  EXPECT_THAT(errors_of(with_line(5, R"(language = "de")")),
              ElementsAre(error_at(5, "program.language", R"(allowed: "fr", "en")")));
}

// The spec sheet prints them for the household: a blank contact or a non-web address is a mistake.
TEST(ProgramValidation, ChecksTheSupportContactAndUrl) {
  const auto with_support =
      parse_program(with_line(5, "language = \"fr\"\nsupport_contact = \"01 23 45 67 89\"\n"
                                 "support_url = \"https://example.org/ordi\""),
                    "program.toml");
  ASSERT_TRUE(with_support) << ::testing::PrintToString(with_support.error());
  EXPECT_EQ(with_support->support_contact, "01 23 45 67 89");
  EXPECT_EQ(with_support->support_url, "https://example.org/ordi");
  EXPECT_THAT(errors_of(with_line(5, "language = \"fr\"\nsupport_contact = \"\"")),
              ElementsAre(error_at(6, "program.support_contact", "must not be empty")));
  EXPECT_THAT(errors_of(with_line(5, "language = \"fr\"\nsupport_url = \"example.org\"")),
              ElementsAre(error_at(6, "program.support_url", "http:// or https://")));
}

// Secure Boot in the grade: off by default (older program files grade as before), one of three
// words, the line of an unknown word named.
TEST(ProgramLoading, ReadsTheSecureBootRule) {
  EXPECT_EQ(parse_program(body(k_valid), "program.toml")->grading.secure_boot,
            SecureBootRule::ignore);
  const auto noted = parse_program(with_line(13, "secure_boot = \"require\""), "program.toml");
  ASSERT_TRUE(noted) << ::testing::PrintToString(noted.error());
  EXPECT_EQ(noted->grading.secure_boot, SecureBootRule::require);
  EXPECT_THAT(
      errors_of(with_line(13, "secure_boot = \"yes\"")),
      ElementsAre(error_at(13, "grading.secure_boot", R"(allowed: "ignore", "note", "require")")));
}

// Grades would overlap otherwise: a score of 50 cannot be both A and B.
TEST(ProgramValidation, RequiresStrictlyDecreasingGradeThresholds) {
  EXPECT_THAT(errors_of(with_line(16, "B = 60")),
              ElementsAre(error_at(16, "grading.grades.B", "must be below A (60)")));
  EXPECT_THAT(errors_of(with_line(17, "C = 45")),
              ElementsAre(error_at(17, "grading.grades.C", "must be below B (40)")));
}

TEST(ProgramValidation, ReportsAMissingGradeAtItsTableHeader) {
  EXPECT_THAT(errors_of(with_line(17, "")),
              ElementsAre(error_at(14, "grading.grades.C", "missing required key")));
}

// "Highest step wins" only reads unambiguously when the steps increase.
TEST(ProgramValidation, RequiresIncreasingSteps) {
  EXPECT_THAT(errors_of(with_line(
                  8, R"(ram = [ { min = "4GiB", points = 20 }, { min = "4GB", points = 5 } ])")),
              ElementsAre(error_at(8, "grading.ram[1].min", "steps must increase")));
}

TEST(ProgramValidation, ChecksEveryStep) {
  EXPECT_THAT(
      errors_of(R"(
[program]
name = "Ordi 2.0"
site = "Atelier"
asset_tag_prefix = "AT"
language = "fr"
[grading]
ram = [
  { min = "2GiB", point = 5 },
  { min = "4 GiB", points = 20 },
  "8GiB",
]
cpu_threads = [ { min = 0, points = 5 } ]
[grading.grades]
A = 60
B = 40
C = 20
)"),
      ElementsAre(error_at(8, "grading.ram[0].point", "did you mean 'points'?"),
                  error_at(9, "grading.ram[1].min", "without a space"),
                  error_at(10, "grading.ram[2]", "expected a table, found a string"),
                  error_at(12, "grading.cpu_threads[0].min", "0 is out of range (1 to 4096)")));
}

TEST(ProgramValidation, RejectsUnknownCpuLevelsAndMedia) {
  EXPECT_THAT(errors_of(with_line(9, "cpu_level = { 1 = 0, 5 = 40 }")),
              ElementsAre(error_at(9, "grading.cpu_level.5", "(known keys: 1, 2, 3, 4)")));
  EXPECT_THAT(errors_of(with_line(11, "disk_media = { hdd = 5, sdd = 20 }")),
              ElementsAre(error_at(11, "grading.disk_media.sdd", "did you mean 'ssd'?")));
}

// Key names are case-sensitive in TOML; "a" is the likely typo for "A". One mistake is one error:
// the unknown key's suggestion stands for the missing key.
TEST(ProgramValidation, SuggestsTheRightCaseForGradeNames) {
  EXPECT_THAT(errors_of(with_line(15, "a = 60")),
              ElementsAre(error_at(15, "grading.grades.a", "did you mean 'A'?")));
}

// Accepted (rules may grow), but almost certainly a mistake in the points.
TEST(ProgramValidation, WarnsWhenNoMachineCanReachAGrade) {
  const auto program = parse_program(with_line(15, "A = 100"), "program.toml");
  ASSERT_TRUE(program);
  EXPECT_THAT(program->warnings,
              ElementsAre(warning_at(15, "grading.grades.A", "at most 85 points")));
}

TEST(ProgramValidation, RequiresTheProgramAndGradingTables) {
  EXPECT_THAT(errors_of(R"(
[program]
name = "Ordi 2.0"
site = "Atelier"
language = "fr"
)"),
              ElementsAre(error_at(1, "program.asset_tag_prefix", "missing required key"),
                          error_at(1, "grading", "missing required table [grading]")));
}

// The coordinator's sections are optional; without them the report cites ADEME 2022's figure.
TEST(ProgramCoordinatorSettings, DefaultsWhenAbsent) {
  const auto program = parse_program(body(k_valid), "program.toml");
  ASSERT_TRUE(program);
  EXPECT_FALSE(program->households.retention_days);
  EXPECT_EQ(program->handover.warranty_months, 0);
  EXPECT_FALSE(program->handover.price_max_cents);
  EXPECT_EQ(program->report.co2e_kg_per_unit, 27);
  EXPECT_THAT(program->report.co2e_source, ::testing::HasSubstr("ADEME 2022"));
  EXPECT_TRUE(program->report.kg_per_unit.empty());
}

TEST(ProgramCoordinatorSettings, ReadsRetentionWarrantyPricesAndFactors) {
  const std::string text = std::string(body(k_valid)) + R"(
[households]
retention_days = 730

[handover]
warranty_months = 6
price_min_eur = 30
price_max_eur = 149.5

[report]
kg_source = "our own scale, 2025"
kg_per_unit = { laptop = 2.2, desktop = 8 }
)";
  const auto program = parse_program(text, "program.toml");
  ASSERT_TRUE(program) << ::testing::PrintToString(program.error());
  EXPECT_EQ(program->households.retention_days, 730);
  EXPECT_EQ(program->handover.warranty_months, 6);
  EXPECT_EQ(program->handover.price_min_cents, 3000);
  EXPECT_EQ(program->handover.price_max_cents, 14950);
  ASSERT_EQ(program->report.kg_per_unit.size(), 2U);
  EXPECT_EQ(program->report.kg_per_unit[0], (std::pair<std::string, double>{"laptop", 2.2}));
  EXPECT_EQ(program->report.kg_per_unit[1], (std::pair<std::string, double>{"desktop", 8.0}));
  EXPECT_EQ(program->report.kg_source, "our own scale, 2025");
}

// Each mistake is reported at its line with its key, like the rest of the file.
TEST(ProgramCoordinatorSettings, ReportsBadValuesAtTheirLine) {
  const std::string text = std::string(body(k_valid)) + R"(
[households]
retention_days = 0

[handover]
price_min_eur = 100
price_max_eur = 50

[report]
co2e_kg_per_unit = 30
kg_per_unit = { laptop = "2kg", phone = 1 }
)";
  auto result = parse_program(text, "program.toml");
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(),
              ::testing::UnorderedElementsAre(
                  error_at(24, "households.retention_days", "out of range"),
                  error_at(28, "handover.price_max_eur", "must not be below price_min_eur"),
                  error_at(30, "report.co2e_source", "missing required key"),
                  error_at(32, "report.kg_per_unit.laptop", "expected a number"),
                  error_at(32, "report.kg_per_unit.phone", "unknown key"),
                  error_at(30, "report.kg_source", "missing required key")));
}

// `atelier profile check` takes both kinds of file.
TEST(FileKindDetection, TellsProfilesFromProgramFiles) {
  EXPECT_EQ(detect_kind(body(k_valid), "program.toml"), FileKind::program);
  EXPECT_EQ(detect_kind("[profile]\nname = \"x\"\n", "p.toml"), FileKind::profile);
}

TEST(FileKindDetection, RejectsFilesThatAreNeitherOrBoth) {
  const auto neither = detect_kind("[machine]\nname = \"x\"\n", "x.toml");
  ASSERT_FALSE(neither);
  EXPECT_THAT(neither.error(), ElementsAre(error_at(1, "", "neither a profile")));
  const auto both = detect_kind("[profile]\nname = \"x\"\n[program]\nname = \"y\"\n", "x.toml");
  ASSERT_FALSE(both);
  EXPECT_THAT(both.error(), ElementsAre(error_at(3, "program", "not both")));
  const auto broken = detect_kind("[profile\n", "x.toml");
  ASSERT_FALSE(broken);
  EXPECT_THAT(broken.error(), ElementsAre(error_at(1, "", "TOML syntax error")));
}

} // namespace
} // namespace atelier::profiles
