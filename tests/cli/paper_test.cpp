// `atelier label` and `atelier spec-sheet` run in-process against a real SQLite file holding a unit
// taken through the pipeline's records (inventory from a fixture, grade, imaging record, erasure
// count, assignment). The PDFs are read back the way a person would see them: pdftotext for the
// words (-bbox for where they are), pdftoppm + zbarimg for the QR code
// (scripts/packages.d/cert.list).
#include "cli/cli.h"
#include "hardware-db/registry.h"
#include "papers/label_pdf.h"
#include "records/erasure_record.h"
#include "support/cli_output.h"
#include "support/sample_record.h"
#include "support/temp_dir.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using atelier::cli::run_cli;
using nlohmann::json;
namespace hwdb = atelier::hwdb;

const std::filesystem::path k_data = ATELIER_TEST_DATA;
const std::filesystem::path k_source = ATELIER_SOURCE_DIR;

using atelier::test::CliRun;
using atelier::test::have;
using atelier::test::read;
using atelier::test::shell;

// The longest CPU model name among the inventory fixtures' /proc/cpuinfo captures: the hardest
// real string a label has to fit.
std::string longest_fixture_cpu() {
  std::string longest;
  for (const auto& entry : std::filesystem::directory_iterator(k_data / "imager" / "cpuinfo")) {
    std::istringstream lines(read(entry.path()));
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("model name")) {
        const std::string model = line.substr(line.find(':') + 2);
        longest = model.size() > longest.size() ? model : longest;
      }
    }
  }
  return longest;
}

// One word of `pdftotext -bbox`: its text and box, in points from the page's top left.
struct Word {
  std::string text;
  double x_max = 0;
  double y_max = 0;
};

std::vector<Word> words(const std::string& pdf, int page) {
  const std::string html =
      shell(fmt::format("pdftotext -bbox -f {0} -l {0} '{1}' - 2>/dev/null", page, pdf));
  const std::regex word(
      R"re(<word xMin="[0-9.]+" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>)re");
  std::vector<Word> found;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), word); it != std::sregex_iterator();
       ++it) {
    found.push_back({(*it)[3], std::stod((*it)[1]), std::stod((*it)[2])});
  }
  return found;
}

// A `pdfinfo` field's value ("Pages", "Page size"), without the alignment spaces.
std::string pdf_info(const std::string& pdf, const std::string& field) {
  const std::string info = shell("pdfinfo '" + pdf + "' 2>/dev/null");
  const std::regex line("(^|\n)" + field + ": *([^\n]*)");
  std::smatch m;
  return std::regex_search(info, m, line) ? m[2].str() : "";
}

const char* k_program = R"(
[program]
name = "Ordi 2.0"
site = "Atelier numérique de la médiathèque"
asset_tag_prefix = "AT"
language = "fr"
support_contact = "Atelier numérique, 01 23 45 67 89, mardi et jeudi 14h-18h"
support_url = "https://example.org/ordi"

[grading]
ram = [ { min = "2GiB", points = 10 } ]
[grading.grades]
A = 9
B = 5
C = 1
)";

class PaperCli : public ::testing::Test {
protected:
  PaperCli() {
    EXPECT_EQ(run({"db", "init"}).status, 0);
    std::ofstream(m_program) << k_program;
    std::filesystem::create_directories(m_profiles);
    std::filesystem::copy_file(k_source / "profiles" / "family-desktop.toml",
                               m_profiles / "family-desktop.toml");
    m_tag = add_unit("HP", "ProDesk 400 G1", "CZC0000001");
  }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", m_db, "--actor", "cli:test"});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }
  CliRun paper(std::vector<std::string> args) {
    args.insert(args.end(), {"--program", m_program.string()});
    return run(args);
  }

  std::string add_unit(const std::string& vendor, const std::string& model,
                       const std::string& serial) {
    const CliRun added =
        run({"units", "add", "--vendor", vendor, "--model", model, "--serial", serial, "--json"});
    return json::parse(added.out).at("tag");
  }

  // The records the pipeline writes for a unit that ends `ready`: an inventory (a fixture with an
  // SSD as its main disk), a grade, one erased disk, a successful imaging record.
  // Without `erasure`, the caller files a real signed record itself (atelier cert sign).
  void make_ready(const std::string& tag, const std::string& cpu, bool erasure_row = true) {
    hwdb::Registry registry(hwdb::open_store(m_db).value(), m_clock);
    hwdb::Unit unit = registry.find(tag).value();
    hwdb::Store& store = registry.store();
    hwdb::InventorySnapshot inv;
    inv.unit_id = unit.id;
    inv.taken_at = m_clock.wall_seconds();
    inv.schema = "atelier.inventory/1";
    // The fixture's VM disk is 3 GB; a donated PC's SSD is more like 256 GB.
    json raw = json::parse(read(k_data / "imager" / "vm-q35-ahci-ssd-rtl8139-2g.json"));
    for (json& disk : raw["disks"]) {
      if (disk["media"] == "ssd") {
        disk["size_bytes"] = 256'060'514'304ULL;
      }
    }
    inv.raw_json = raw.dump();
    inv.cpu_model = cpu;
    inv.cpu_threads = 4;
    inv.x86_64_level = 2;
    inv.ram_bytes = 8ULL << 30;
    inv.firmware = "uefi";
    ASSERT_TRUE(store.add_inventory(inv));
    hwdb::GradeRecord grade;
    grade.unit_id = unit.id;
    grade.graded_at = m_clock.wall_seconds();
    grade.grade = "A";
    grade.score = 85;
    ASSERT_TRUE(store.add_grade(grade));
    hwdb::Disk disk;
    disk.unit_id = unit.id;
    disk.model = "Samsung SSD 860 EVO 250GB";
    disk.serial = "S3Z1NB0K" + tag;
    hwdb::ErasureRecord erasure;
    erasure.result = "erased";
    erasure.method = "ata-sanitize-crypto";
    erasure.level = "purge";
    erasure.verification = "sample";
    erasure.record_json = "{}";
    erasure.signature = "{}";
    erasure.record_id = "rec-" + tag;
    ASSERT_TRUE(!erasure_row || store.transaction([&]() -> hwdb::Result<void> {
      auto id = store.upsert_disk(disk);
      if (!id) {
        return std::unexpected(id.error());
      }
      erasure.disk_id = *id;
      erasure.unit_id = unit.id;
      auto added = store.add_erasure_record(erasure);
      return added ? hwdb::Result<void>{} : std::unexpected(added.error());
    }));
    hwdb::ImagingRecord imaging;
    imaging.unit_id = unit.id;
    imaging.profile = "family-desktop";
    imaging.result = "imaged";
    imaging.detail = json{{"hostname", "atelier-" + lower(tag)}}.dump();
    ASSERT_TRUE(store.add_imaging_record(imaging));
    for (auto to : {hwdb::UnitState::inventoried, hwdb::UnitState::tested, hwdb::UnitState::wiped,
                    hwdb::UnitState::imaged, hwdb::UnitState::ready}) {
      unit = registry.transition(unit, to, "test", "pipeline step").value();
    }
  }

  static std::string lower(std::string text) {
    for (char& c : text) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
  }
  std::string pdf_text(const std::string& pdf) { return shell("pdftotext '" + pdf + "' -"); }
  hwdb::RowId unit_id(const std::string& tag) {
    return json::parse(run({"units", "show", tag, "--json"}).out).contains("tag")
               ? hwdb::Registry(hwdb::open_store(m_db).value(), m_clock).find(tag).value().id
               : 0;
  }

  atelier::testing::TempDir m_dir;
  std::string m_db = (m_dir / "atelier.db").string();
  std::filesystem::path m_program = m_dir / "program.toml";
  std::filesystem::path m_profiles = m_dir / "profiles";
  atelier::base::SystemClock m_clock;
  std::string m_tag;
};

#define REQUIRE_POPPLER()                                                                          \
  if (!have("pdftotext") || !have("pdftoppm")) {                                                   \
    GTEST_SKIP() << "pdftotext/pdftoppm missing: install poppler-utils "                           \
                    "(scripts/packages.d/cert.list)";                                              \
  }

TEST_F(PaperCli, LabelCarriesTheTagKeySpecsAndAScannableQrCode) {
  // Why: the label is what volunteers and coordinators read and scan; its QR code must decode to
  // the tag and the unit's record id.
  REQUIRE_POPPLER();
  make_ready(m_tag, "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz");
  const std::string pdf = (m_dir / "label.pdf").string();
  const CliRun r = paper({"label", m_tag, "--out", pdf});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("1 label on 1 page (l7160)"), std::string::npos) << r.out;
  const std::string text = pdf_text(pdf);
  EXPECT_NE(text.find(m_tag), std::string::npos) << text;
  EXPECT_NE(text.find("HP ProDesk 400 G1"), std::string::npos) << text;
  EXPECT_NE(text.find("Intel Core i5-4300U @ 1.90GHz"), std::string::npos) << text;
  EXPECT_NE(text.find("RAM 8 Go · SSD 256 Go"), std::string::npos)
      << text; // the program's language
  EXPECT_NE(text.find("Classe A"), std::string::npos) << text;
  if (!have("zbarimg")) {
    GTEST_SKIP() << "zbarimg missing: install zbar-tools (scripts/packages.d/cert.list)";
  }
  const std::string png = (m_dir / "label").string();
  ASSERT_EQ(std::system(("pdftoppm -png -r 300 '" + pdf + "' '" + png + "'").c_str()), 0);
  const std::string codes = shell("zbarimg -q --raw " + png + "-*.png 2>/dev/null");
  EXPECT_EQ(codes, fmt::format("atelier-unit:{}:{}\n", m_tag, unit_id(m_tag)));
}

TEST_F(PaperCli, LabelSpeaksEnglishWithLang) {
  // Why: --lang overrides the program's language for a one-off print.
  REQUIRE_POPPLER();
  make_ready(m_tag, "AMD EPYC");
  const std::string pdf = (m_dir / "label.pdf").string();
  ASSERT_EQ(paper({"label", m_tag, "--out", pdf, "--lang", "en"}).status, 0);
  const std::string text = pdf_text(pdf);
  EXPECT_NE(text.find("RAM 8 GB"), std::string::npos) << text;
  EXPECT_NE(text.find("Grade A"), std::string::npos) << text;
  EXPECT_EQ(run({"label", m_tag, "--out", pdf, "--lang", "de"}).status, 2);
}

TEST_F(PaperCli, LabelTextNeverLeavesItsLabelInAnyFormat) {
  // Why: a long CPU or model name must shrink or be ellipsised, never run onto the next label.
  REQUIRE_POPPLER();
  const std::string cpu = longest_fixture_cpu();
  ASSERT_GE(cpu.size(), 40u) << cpu;
  const std::string tag = add_unit(
      "Hewlett-Packard Development Company, L.P.",
      "HP Compaq Elite 8300 Convertible Minitower with a very long marketing name", "CZC0000002");
  make_ready(tag, cpu);
  for (const auto& format : atelier::papers::label_formats()) {
    const std::string pdf = (m_dir / (std::string(format.name) + ".pdf")).string();
    const CliRun r = paper({"label", tag, "--out", pdf, "--format", std::string(format.name)});
    ASSERT_EQ(r.status, 0) << r.err;
    const double right = (format.left_mm + format.label_width_mm) * 72 / 25.4;
    const double bottom = (format.top_mm + format.label_height_mm) * 72 / 25.4;
    const std::vector<Word> found = words(pdf, 1);
    ASSERT_FALSE(found.empty()) << format.name;
    std::string all;
    for (const Word& w : found) {
      all += w.text + " ";
      EXPECT_LE(w.x_max, right + 0.01) << format.name << ": '" << w.text << "' overflows";
      EXPECT_LE(w.y_max, bottom + 0.01) << format.name << ": '" << w.text << "' overflows";
    }
    EXPECT_NE(all.find(tag), std::string::npos) << format.name << ": " << all;
    EXPECT_NE(all.find("\u2026"), std::string::npos) << format.name << " should ellipsise: " << all;
  }
}

TEST_F(PaperCli, ManyTagsFillPagesAndSkipStartsOnAPartlyUsedSheet) {
  // Why: a coordinator reuses a sheet with 20 labels gone; the rest flows onto the next sheet.
  REQUIRE_POPPLER();
  const std::string second = add_unit("Dell", "OptiPlex 7010", "DELL0002");
  const std::string third = add_unit("Lenovo", "ThinkCentre M73", "LEN00003");
  const std::string pdf = (m_dir / "sheet.pdf").string();
  const CliRun r = paper({"label", m_tag, second, third, "--skip", "20", "--out", pdf});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("3 labels on 2 pages"), std::string::npos) << r.out;
  const auto first_page = words(pdf, 1);
  ASSERT_EQ(std::count_if(first_page.begin(), first_page.end(),
                          [](const Word& w) { return w.text.starts_with("AT-"); }),
            1);
  // The last position of a 3 x 7 sheet: bottom right.
  const auto tag_word = *std::find_if(first_page.begin(), first_page.end(),
                                      [&](const Word& w) { return w.text == m_tag; });
  EXPECT_GT(tag_word.x_max, 2 * 66.04 * 72 / 25.4);
  EXPECT_GT(tag_word.y_max, 6 * 38.1 * 72 / 25.4);
  const std::string page2 = shell("pdftotext -f 2 -l 2 '" + pdf + "' -");
  EXPECT_NE(page2.find(second), std::string::npos) << page2;
  EXPECT_NE(page2.find(third), std::string::npos) << page2;

  const CliRun too_many = paper({"label", m_tag, "--skip", "21", "--out", pdf});
  EXPECT_EQ(too_many.status, 1);
  EXPECT_NE(too_many.err.find("a l7160 sheet has 21 labels, so skip 0 to 20"), std::string::npos)
      << too_many.err;
}

TEST_F(PaperCli, RollFormatPrintsOnePagePerLabelOfTheLabelsSize) {
  // Why: a label printer cuts one label per page; the page must be the label.
  REQUIRE_POPPLER();
  const std::string second = add_unit("Dell", "OptiPlex 7010", "DELL0002");
  const std::string pdf = (m_dir / "roll.pdf").string();
  ASSERT_EQ(paper({"label", m_tag, second, "--format", "dk-11209", "--out", pdf}).status, 0);
  EXPECT_EQ(pdf_info(pdf, "Pages"), "2");
  EXPECT_EQ(pdf_info(pdf, "Page size"), "175.748 x 82.2047 pts"); // 62 x 29 mm
  EXPECT_EQ(paper({"label", m_tag, "--format", "dk-11209", "--skip", "1", "--out", pdf}).status, 1);
}

TEST_F(PaperCli, UnitWithoutInventoryGetsALabelWithWhatIsKnown) {
  // Why: volunteers label machines at intake, before the agent ever ran on them.
  REQUIRE_POPPLER();
  const std::string pdf = (m_dir / "intake.pdf").string();
  const CliRun r = paper({"label", m_tag, "--out", pdf});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(m_tag + " has no inventory yet"), std::string::npos) << r.err;
  const std::string text = pdf_text(pdf);
  EXPECT_NE(text.find("Inventaire à faire"), std::string::npos) << text;
  EXPECT_NE(text.find(m_tag), std::string::npos) << text;
}

TEST_F(PaperCli, OneUnknownTagPrintsNothingAndNamesIt) {
  // Why: a typo must not cost a sheet of labels.
  const std::string pdf = (m_dir / "none.pdf").string();
  const CliRun r = paper({"label", m_tag, "AT-9999-9", "--out", pdf});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("AT-9999-9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no PDF was written"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(pdf));
  EXPECT_EQ(paper({"label", m_tag, "--format", "a5", "--out", pdf}).status, 2);
}

TEST_F(PaperCli, SpecSheetInTheProgramsLanguageWithProfileAndSupport) {
  // Why: the household reads it at home: its system, how to create its account, whom to call.
  REQUIRE_POPPLER();
  make_ready(m_tag, "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz");
  const std::string pdf = (m_dir / "sheet.pdf").string();
  const CliRun r = paper({"spec-sheet", m_tag, "--out", pdf, "--profiles", m_profiles.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(pdf_info(pdf, "Pages"), "1");
  const std::string text = pdf_text(pdf);
  for (const std::string& expected :
       {std::string("Votre ordinateur"), m_tag, std::string("HP ProDesk 400 G1"),
        std::string("Intel Core i5-4300U @ 1.90GHz, 4 threads"), std::string("8 Go"),
        std::string("SSD 256 Go"), std::string("Debian 12 Xfce"), "atelier-" + lower(m_tag),
        std::string("fr_FR.UTF-8, fr (oss)"), std::string("Europe/Paris"),
        std::string("créer votre propre compte"), std::string("1 disque effacé"),
        std::string("La garantie commence"), std::string("01 23 45 67 89"),
        std::string("https://example.org/ordi")}) {
    EXPECT_NE(text.find(expected), std::string::npos) << "missing '" << expected << "' in\n"
                                                      << text;
  }
}

TEST_F(PaperCli, SpecSheetInEnglishWithWarrantyFromTheDelivery) {
  // Why: a delivered unit's sheet gives the warranty end recorded at handover.
  REQUIRE_POPPLER();
  make_ready(m_tag, "AMD EPYC");
  {
    hwdb::Registry registry(hwdb::open_store(m_db).value(), m_clock);
    hwdb::Unit unit = registry.find(m_tag).value();
    hwdb::Assignment a;
    a.unit_id = unit.id;
    a.assigned_at = m_clock.wall_seconds();
    a.delivered_at = m_clock.wall_seconds();
    a.warranty_end = atelier::base::parse_rfc3339("2027-05-31T00:00:00Z");
    ASSERT_TRUE(registry.store().add_assignment(a));
    unit = registry.transition(unit, hwdb::UnitState::assigned, "test", "assigned").value();
    ASSERT_TRUE(registry.transition(unit, hwdb::UnitState::delivered, "test", "handed over"));
  }
  const std::string pdf = (m_dir / "sheet.pdf").string();
  const CliRun r =
      paper({"spec-sheet", m_tag, "--out", pdf, "--lang", "en", "--profiles", m_profiles.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string text = pdf_text(pdf);
  EXPECT_NE(text.find("Your computer"), std::string::npos) << text;
  EXPECT_NE(text.find("create your own account"), std::string::npos) << text;
  EXPECT_NE(text.find("Until 2027-05-31"), std::string::npos) << text;
  ASSERT_EQ(paper({"spec-sheet", m_tag, "--out", pdf, "--profiles", m_profiles.string()}).status,
            0);
  EXPECT_NE(pdf_text(pdf).find("Jusqu'au 31/05/2027"), std::string::npos);
}

TEST_F(PaperCli, SpecSheetWithoutTheProfileFileNamesTheProfile) {
  // Why: a profile renamed since the imaging must not block the sheet, only make it generic.
  REQUIRE_POPPLER();
  make_ready(m_tag, "AMD EPYC");
  const std::string pdf = (m_dir / "sheet.pdf").string();
  const CliRun r =
      paper({"spec-sheet", m_tag, "--out", pdf, "--profiles", (m_dir / "nowhere").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("profile 'family-desktop' is not in"), std::string::npos) << r.err;
  const std::string text = pdf_text(pdf);
  EXPECT_NE(text.find("family-desktop"), std::string::npos) << text;
  EXPECT_NE(text.find("Suivez les questions"), std::string::npos) << text;
}

TEST_F(PaperCli, SpecSheetIsRefusedForAUnitNotReadyNamingWhatIsMissing) {
  // Why: a household must never get a sheet for a machine that was not erased and installed.
  const std::string pdf = (m_dir / "sheet.pdf").string();
  const CliRun r = paper({"spec-sheet", m_tag, "--out", pdf});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(m_tag + " cannot have a spec sheet yet; it needs state ready, assigned or "
                               "delivered (it is detected); an inventory; a grade; an installed "
                               "system"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(pdf));
}

TEST_F(PaperCli, LabelSpecSheetAndCertificateOfOneUnitAllNameItsTag) {
  // Why: the three papers of one machine travel together; each must say which machine it is for.
  // With ATELIER_PAPER_KEEP=DIR the PDFs are also copied there (docs/PAPER.md: the images in
  // docs/images are rendered from them).
  REQUIRE_POPPLER();
  make_ready(m_tag, "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz", false);
  auto record = atelier::test::sample_record();
  record.source_property = m_tag;
  const std::string record_file = (m_dir / "sda.json").string();
  std::ofstream(record_file) << atelier::records::to_json(record).dump(2);
  ASSERT_EQ(
      run({"cert", "sign", record_file, "--tag", m_tag, "--key-dir", (m_dir / "keys").string()})
          .status,
      0);
  const std::string label = (m_dir / "label.pdf").string();
  const std::string sheet = (m_dir / "spec-sheet.pdf").string();
  const std::string certificate = (m_dir / "certificate.pdf").string();
  const std::string certificate_en = (m_dir / "certificate-en.pdf").string();
  ASSERT_EQ(paper({"label", m_tag, "--out", label, "--format", "l7160", "--outline"}).status, 0);
  ASSERT_EQ(paper({"spec-sheet", m_tag, "--out", sheet, "--profiles", m_profiles.string()}).status,
            0);
  ASSERT_EQ(paper({"cert", "pdf", m_tag, "--out", certificate}).status, 0);
  ASSERT_EQ(paper({"cert", "pdf", m_tag, "--out", certificate_en, "--lang", "en"}).status, 0);
  for (const std::string& pdf : {label, sheet, certificate, certificate_en}) {
    EXPECT_NE(pdf_text(pdf).find(m_tag), std::string::npos) << pdf;
  }
  // All three speak the program's language (French here).
  EXPECT_NE(pdf_text(sheet).find("1 disque effacé"), std::string::npos);
  EXPECT_NE(pdf_text(certificate).find("Certificat d'effacement des données"), std::string::npos);
  EXPECT_NE(pdf_text(certificate_en).find("Certificate of data erasure"), std::string::npos);
  if (const char* keep = std::getenv("ATELIER_PAPER_KEEP"); keep != nullptr && *keep != '\0') {
    for (const std::string& pdf : {label, sheet, certificate, certificate_en}) {
      std::filesystem::copy_file(
          pdf, std::filesystem::path(keep) / std::filesystem::path(pdf).filename(),
          std::filesystem::copy_options::overwrite_existing);
    }
  }
}

TEST_F(PaperCli, BrokenProgramFileIsReportedWithItsLine) {
  // Why: the program file is edited by hand; its errors name file and line like everywhere else.
  std::ofstream(m_program) << "[program]\nname = \"\"\n";
  const CliRun r = paper({"label", m_tag, "--out", (m_dir / "x.pdf").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("program.toml:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not a valid program file; nothing was printed"), std::string::npos);
}

TEST_F(PaperCli, GlobalProgramOptionReachesThePapers) {
  // Why: `atelier --program F label ...` is how every other coordinator command takes the file.
  std::ofstream(m_program) << "[program]\nname = \"\"\n";
  const CliRun r =
      run({"--program", m_program.string(), "label", m_tag, "--out", (m_dir / "x.pdf").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("program.toml:2"), std::string::npos) << r.err;
}

} // namespace
