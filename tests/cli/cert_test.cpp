// `atelier cert ...` run in-process against a real SQLite file and a real key directory, as a
// workshop uses it for a disk wiped in a USB dock: sign, file, verify, list, show, PDF.
#include "cli/cli.h"
#include "records/erasure_record.h"
#include "support/cli_output.h"
#include "support/sample_record.h"
#include "support/temp_dir.h"
#include "workshop/erasure_certificate.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using atelier::cli::run_cli;
using nlohmann::json;

using atelier::test::CliRun;
using atelier::test::have;
using atelier::test::read;
using atelier::test::shell;

class CertCli : public ::testing::Test {
protected:
  CertCli() {
    // No program file unless a test names one, whatever the machine has in /etc/atelier: the
    // default language is then French, as for labels.
    ::setenv("ATELIER_PROGRAM", (m_dir / "no-program.toml").c_str(), 1);
    // The workshop key `cert verify` and `cert pdf FILE` check against by default: the test's own
    // key directory, whatever the machine has in /var/lib/atelier/keys.
    ::setenv("ATELIER_KEY_DIR", m_keys.c_str(), 1);
    EXPECT_EQ(run({"db", "init"}).status, 0);
    const CliRun added = run({"units", "add", "--vendor", "HP", "--model", "ProDesk 400 G1",
                              "--serial", "CZC0000001", "--json"});
    m_tag = json::parse(added.out).at("tag");
  }
  ~CertCli() override { ::unsetenv("ATELIER_KEY_DIR"); }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", m_db, "--actor", "cli:test"});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }
  // `cert` subcommands that need the key get the test's key directory.
  CliRun sign(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"cert", "sign", file, "--tag", m_tag, "--key-dir", m_keys};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }
  std::string write_record(const atelier::records::ErasureRecord& r, const std::string& name) {
    const auto path = (m_dir / name).string();
    std::ofstream(path) << atelier::records::to_json(r).dump(2);
    return path;
  }
  // A program file saying which language the papers speak (docs/PROFILES.md).
  std::string program_file(const char* language) {
    const auto path = (m_dir / fmt::format("program-{}.toml", language)).string();
    std::ofstream(path) << fmt::format(R"([program]
name = "Ordi 2.0"
site = "Médiathèque"
asset_tag_prefix = "AT"
language = "{}"

[grading]
ram = [ {{ min = "2GiB", points = 10 }} ]
[grading.grades]
A = 9
B = 5
C = 1
)",
                                       language);
    return path;
  }
  // A self-signed forgery: a record signed with a fresh key of the forger's own, with that key in
  // signature.public_key. Intact, but not signed by the workshop.
  std::string forge(const atelier::records::ErasureRecord& r, const std::string& name) {
    const auto key = atelier::workshop::SigningKey::load_or_create(m_dir / "forger-keys").value();
    const auto path = (m_dir / name).string();
    std::ofstream(path) << atelier::workshop::sign_record(r, key).value().document_text();
    return path;
  }
  atelier::records::ErasureRecord forged_record() const {
    auto r = atelier::test::sample_record("0b9d6c52-41e3-4f0a-8d2e-7c6b5a4f3e21");
    r.serial = "S3Z1NB0K777777A"; // a disk this workshop never erased
    r.source_property = m_tag;
    return r;
  }
  std::string export_key() {
    const std::string pem = (m_dir / "workshop.pem").string();
    EXPECT_EQ(run({"cert", "key", "export", "--key-dir", m_keys, "--out", pem}).status, 0);
    return pem;
  }

  atelier::testing::TempDir m_dir;
  std::string m_db = (m_dir / "atelier.db").string();
  std::string m_keys = (m_dir / "keys").string();
  std::string m_tag;
};

TEST_F(CertCli, SignWritesTheCertificateFilesItAndVerifies) {
  // Why: the whole USB-dock path: record in, signed file out, stored against the unit.
  const std::string file = write_record(atelier::test::sample_record(), "sda.json");
  const CliRun signed_run = sign(file, {"--operator", "alice"});
  ASSERT_EQ(signed_run.status, 0) << signed_run.err;
  EXPECT_NE(signed_run.err.find("created the workshop signing key"), std::string::npos);
  const std::string certificate = (m_dir / "sda.signed.json").string();
  const json doc = json::parse(read(certificate));
  EXPECT_EQ(doc["format"], "atelier.erasure-certificate/1");
  EXPECT_EQ(doc["record"]["source_property"], m_tag);
  EXPECT_EQ(doc["record"]["operator_name"], "alice");
  const std::string fingerprint = doc["signature"]["key_fingerprint"];
  EXPECT_NE(signed_run.out.find(fingerprint), std::string::npos);

  const CliRun verified = run({"cert", "verify", certificate, "--key", export_key(), "--db", m_db});
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("VALID erasure certificate"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find("signed by the workshop key " + fingerprint), std::string::npos);
  EXPECT_NE(verified.out.find("identical to the record filed against " + m_tag), std::string::npos);

  const CliRun list = run({"cert", "list", m_tag, "--json"});
  ASSERT_EQ(list.status, 0) << list.err;
  const json rows = json::parse(list.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["serial"], "S3Z1NB0K123456A");
  EXPECT_EQ(rows[0]["key_fingerprint"], fingerprint);

  const CliRun shown = run({"cert", "show", doc["record"]["record_id"], "--json"});
  ASSERT_EQ(shown.status, 0) << shown.err;
  EXPECT_EQ(shown.out, read(certificate)); // the stored record is the signed one, byte for byte
  const CliRun words = run({"cert", "show", doc["record"]["record_id"]});
  EXPECT_NE(words.out.find("Serial number:          S3Z1NB0K123456A"), std::string::npos)
      << words.out;
  EXPECT_NE(words.out.find("Ed25519, key " + fingerprint), std::string::npos);
}

TEST_F(CertCli, SigningTheSameRecordTwiceStoresItOnce) {
  // Why: re-running a command must not create a second certificate for one erasure.
  const std::string file = write_record(atelier::test::sample_record(), "sda.json");
  ASSERT_EQ(sign(file).status, 0);
  const CliRun again = sign(file);
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("already in the database: unchanged"), std::string::npos);
  EXPECT_EQ(json::parse(run({"cert", "list", m_tag, "--json"}).out).size(), 1u);
  // The same record id with other content is refused: a stored record is never replaced.
  auto edited = atelier::test::sample_record();
  edited.serial = "OTHER";
  const CliRun conflict = sign(write_record(edited, "edited.json"));
  EXPECT_EQ(conflict.status, 1);
  EXPECT_NE(conflict.err.find("already stored with different content"), std::string::npos)
      << conflict.err;
}

TEST_F(CertCli, TamperedFileIsRejectedNamingTheChangedField) {
  // Why: an edited serial must fail, and the database's copy says what the original was.
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  std::string text = read(m_dir / "sda.signed.json");
  const auto at = text.find("S3Z1NB0K123456A");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 15, "S3Z1NB0K999999A");
  std::ofstream((m_dir / "tampered.json").string()) << text;
  const CliRun v = run({"cert", "verify", (m_dir / "tampered.json").string(), "--db", m_db});
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.out.find("NOT VALID"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("the record was altered after signing"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("serial: file says \"S3Z1NB0K999999A\", the record of 2026-11-23 says "
                       "\"S3Z1NB0K123456A\""),
            std::string::npos)
      << v.out;
  // Without the database it still fails, on the signature alone.
  const CliRun offline = run({"cert", "verify", (m_dir / "tampered.json").string()});
  EXPECT_EQ(offline.status, 1);
  EXPECT_NE(offline.out.find("altered after signing"), std::string::npos);
}

TEST_F(CertCli, OneFlippedByteInTheSignatureFails) {
  // Why: the smallest possible tampering must be caught too.
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  json doc = json::parse(read(m_dir / "sda.signed.json"));
  std::string value = doc["signature"]["value"];
  value[5] = value[5] == 'A' ? 'B' : 'A';
  doc["signature"]["value"] = value;
  std::ofstream((m_dir / "flipped.json").string()) << doc.dump(2);
  const CliRun v = run({"cert", "verify", (m_dir / "flipped.json").string()});
  EXPECT_EQ(v.status, 1);
  EXPECT_NE(v.out.find("does not match"), std::string::npos) << v.out;
}

TEST_F(CertCli, WrongKeyIsRefusedShowingBothFingerprints) {
  // Why: a certificate signed by some other key proves nothing about this workshop.
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const std::string signer =
      json::parse(read(m_dir / "sda.signed.json"))["signature"]["key_fingerprint"];
  const std::string other_pem = (m_dir / "other.pem").string();
  ASSERT_EQ(run({"cert", "key", "export", "--key-dir", (m_dir / "other-keys").string(), "--out",
                 other_pem})
                .status,
            0);
  const CliRun v =
      run({"cert", "verify", (m_dir / "sda.signed.json").string(), "--key", other_pem});
  EXPECT_EQ(v.status, 1);
  const CliRun other_show =
      run({"cert", "key", "show", "--key-dir", (m_dir / "other-keys").string()});
  const std::string other = other_show.out.substr(13, other_show.out.find('\n') - 13);
  EXPECT_NE(v.out.find("signed by key " + signer + ", which is not the workshop key " + other),
            std::string::npos)
      << v.out << "\n"
      << other;
}

TEST_F(CertCli, SelfSignedForgeryIsNotValidWithoutAnyOption) {
  // Why (issue 14, finding 7): anyone can make a key, sign any record with it and put that key in
  // the file. `cert verify` must check against the workshop's own key by default, not trust the
  // key the file brings.
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const std::string forged = forge(forged_record(), "forged.json");
  const CliRun v = run({"cert", "verify", forged});
  EXPECT_EQ(v.status, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("NOT VALID"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("which is not the workshop key"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find("VALID erasure certificate"), std::string::npos) << v.out;
  // The genuine certificate verifies with no option either: the workshop key is the one in the
  // key directory ($ATELIER_KEY_DIR here).
  const std::string fingerprint =
      json::parse(read(m_dir / "sda.signed.json"))["signature"]["key_fingerprint"];
  const CliRun genuine = run({"cert", "verify", (m_dir / "sda.signed.json").string()});
  EXPECT_EQ(genuine.status, 0) << genuine.out << genuine.err;
  EXPECT_NE(genuine.out.find("signed by the workshop key " + fingerprint), std::string::npos)
      << genuine.out;
  // --key-dir names the key directory on the command line; the forger's own directory is not
  // special: the key it holds is compared like any other.
  EXPECT_EQ(run({"cert", "verify", forged, "--key-dir", m_keys}).status, 1);
}

TEST_F(CertCli, WithoutAWorkshopKeyVerifyExitsThreeNotZero) {
  // Why (issue 14, finding 7): "could not check who signed it" is not "valid"; scripts must be able
  // to tell it from a forgery (1) and from a usage error (2).
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const std::string genuine = (m_dir / "sda.signed.json").string();
  const std::string forged = forge(forged_record(), "forged.json");
  ::setenv("ATELIER_KEY_DIR", (m_dir / "no-keys").c_str(), 1); // a default place with no key
  for (const std::string& file : {genuine, forged}) {
    const CliRun v = run({"cert", "verify", file});
    EXPECT_EQ(v.status, 3) << v.out << v.err;
    EXPECT_NE(v.out.find("AUTHENTICITY NOT CHECKED"), std::string::npos) << v.out;
    EXPECT_EQ(v.out.find("VALID erasure certificate"), std::string::npos) << v.out;
    // It says why there was no key, and how to give one.
    EXPECT_NE(v.out.find((m_dir / "no-keys" / "workshop-ed25519.pem").string()), std::string::npos)
        << v.out;
    EXPECT_NE(v.out.find("--key"), std::string::npos) << v.out;
  }
  EXPECT_FALSE(std::filesystem::exists(m_dir / "no-keys")); // verifying never creates a key
  // A tampered file is not valid, key or no key.
  std::string text = read(genuine);
  text.replace(text.find("S3Z1NB0K123456A"), 15, "S3Z1NB0K999999A");
  std::ofstream((m_dir / "tampered.json").string()) << text;
  EXPECT_EQ(run({"cert", "verify", (m_dir / "tampered.json").string()}).status, 1);
  // --key still decides alone; a key directory named on the command line that holds no key is a
  // usage error, like an unreadable --key.
  EXPECT_EQ(run({"cert", "verify", genuine, "--key", export_key()}).status, 0);
  EXPECT_EQ(run({"cert", "verify", forged, "--key", export_key()}).status, 1);
  EXPECT_EQ(run({"cert", "verify", genuine, "--key-dir", (m_dir / "no-keys").string()}).status, 2);
}

TEST_F(CertCli, PdfOfAFileRefusesAForgeryOrAnUncheckedKey) {
  // Why (issue 14, finding 7): a PDF with the workshop's name on it must never be made of a record
  // the workshop did not sign, nor of one whose signer could not be checked.
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const std::string forged = forge(forged_record(), "forged.json");
  const CliRun bad = run({"cert", "pdf", forged, "--out", (m_dir / "forged.pdf").string()});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("which is not the workshop key"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("no PDF was written"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(m_dir / "forged.pdf"));

  ::setenv("ATELIER_KEY_DIR", (m_dir / "no-keys").c_str(), 1);
  const std::string genuine = (m_dir / "sda.signed.json").string();
  const CliRun unchecked =
      run({"cert", "pdf", genuine, "--out", (m_dir / "unchecked.pdf").string()});
  EXPECT_EQ(unchecked.status, 1);
  EXPECT_NE(unchecked.err.find("could not be checked"), std::string::npos) << unchecked.err;
  EXPECT_NE(unchecked.err.find((m_dir / "no-keys" / "workshop-ed25519.pem").string()),
            std::string::npos)
      << unchecked.err;
  EXPECT_NE(unchecked.err.find("no PDF was written"), std::string::npos) << unchecked.err;
  EXPECT_FALSE(std::filesystem::exists(m_dir / "unchecked.pdf"));
  // With the workshop's public key it is made.
  const CliRun with_key =
      run({"cert", "pdf", genuine, "--out", (m_dir / "ok.pdf").string(), "--key", export_key()});
  EXPECT_EQ(with_key.status, 0) << with_key.err;
  EXPECT_TRUE(read(m_dir / "ok.pdf").starts_with("%PDF-"));
}

TEST_F(CertCli, FailedRecordIsStoredAsEvidenceButNotSigned) {
  // Why: the database keeps why a disk was not certified; no certificate file may appear.
  const std::string file = write_record(atelier::test::failed_record(), "sdb.json");
  const CliRun r = sign(file);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("failed (write: Input/output error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kept in the database against " + m_tag + " as evidence"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(m_dir / "sdb.signed.json"));
  const json rows = json::parse(run({"cert", "list", m_tag, "--json"}).out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["result"], "failed");
  EXPECT_TRUE(rows[0]["key_fingerprint"].is_null());
  const CliRun pdf = run({"cert", "pdf", m_tag, "--out", (m_dir / "c.pdf").string()});
  EXPECT_EQ(pdf.status, 1);
  EXPECT_NE(pdf.err.find("no signed erasure record (1 failed attempt kept as evidence)"),
            std::string::npos)
      << pdf.err;
}

TEST_F(CertCli, RecordFromAnotherUnitOrOperatorIsNotRewritten) {
  // Why: filing a disk against the wrong machine, or changing who did it, would falsify the record.
  auto r = atelier::test::sample_record();
  r.source_property = "AT-0002-6";
  const CliRun other_unit = sign(write_record(r, "x.json"));
  EXPECT_EQ(other_unit.status, 1);
  EXPECT_NE(other_unit.err.find("the record says the disk came from 'AT-0002-6'"),
            std::string::npos)
      << other_unit.err;
  r = atelier::test::sample_record();
  r.operator_name = "bob";
  const CliRun other_operator = sign(write_record(r, "y.json"), {"--operator", "alice"});
  EXPECT_EQ(other_operator.status, 1);
  EXPECT_NE(other_operator.err.find("already names its operator 'bob'"), std::string::npos);
  EXPECT_EQ(json::parse(run({"cert", "list", m_tag, "--json"}).out).size(), 0u);
}

TEST_F(CertCli, BrokenRecordFileIsRefusedNamingTheKey) {
  // Why: a hand-edited or truncated record must say which field is wrong.
  json j = atelier::records::to_json(atelier::test::sample_record());
  j.erase("serial");
  const auto path = (m_dir / "broken.json").string();
  std::ofstream(path) << j.dump();
  const CliRun r = sign(path);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("erasure record: key 'serial' is missing"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(m_keys)); // nothing was created for a refused record
}

TEST_F(CertCli, UsageErrorsExitWithTwo) {
  // Why: scripts tell "not valid" (1) from "called wrongly" (2).
  EXPECT_EQ(run({"cert", "verify", (m_dir / "missing.json").string()}).status, 2);
  EXPECT_EQ(run({"cert", "verify"}).status, 2);
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const auto junk_key = (m_dir / "junk.pem").string();
  std::ofstream(junk_key) << "junk";
  EXPECT_EQ(run({"cert", "verify", (m_dir / "sda.signed.json").string(), "--key", junk_key}).status,
            2);
  EXPECT_EQ(run({"cert", "verify", (m_dir / "sda.signed.json").string(), "--db",
                 (m_dir / "nope.db").string()})
                .status,
            2);
  EXPECT_FALSE(std::filesystem::exists(m_dir / "nope.db"));
}

TEST_F(CertCli, KeyExportPrintsPemAndTheFingerprint) {
  // Why: the public key is what the workshop publishes for verifiers.
  const CliRun r = run({"cert", "key", "export", "--key-dir", m_keys});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("-----BEGIN PUBLIC KEY-----")) << r.out;
  EXPECT_NE(r.err.find("workshop key SHA256:"), std::string::npos);
  const CliRun show = run({"cert", "key", "show", "--key-dir", m_keys});
  EXPECT_EQ(show.status, 0);
  EXPECT_EQ(run({"cert", "key", "show", "--key-dir", (m_dir / "none").string()}).status, 1);
}

TEST_F(CertCli, PdfCarriesTheFieldsTheFingerprintAndAReadableQrCode) {
  // Why: the paper a donor receives must name the disk and the key, and its QR code must scan.
  if (!have("pdftotext") || !have("pdftoppm")) {
    GTEST_SKIP()
        << "pdftotext/pdftoppm missing: install poppler-utils (scripts/packages.d/cert.list)";
  }
  auto second = atelier::test::sample_record("5d2f7a11-0c3e-4b8a-9f6d-2e1b0a9c8d7e");
  second.serial = "WD-WCC4N0123456";
  second.model = "WDC WD10EZEX";
  second.manufacturer = "Western Digital";
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  ASSERT_EQ(sign(write_record(second, "sdb.json")).status, 0);
  const std::string fingerprint =
      json::parse(read(m_dir / "sda.signed.json"))["signature"]["key_fingerprint"];
  const std::string pdf = (m_dir / "unit.pdf").string();
  const CliRun r = run({"cert", "pdf", m_tag, "--out", pdf});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("2 disk records"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(fr)"), std::string::npos) << r.out; // no program file: French, as labels
  EXPECT_NE(r.err.find("no program file at"), std::string::npos) << r.err;
  EXPECT_TRUE(read(pdf).starts_with("%PDF-"));
  const std::string text = shell("pdftotext '" + pdf + "' -");
  EXPECT_NE(text.find("S3Z1NB0K123456A"), std::string::npos) << text;
  EXPECT_NE(text.find("WD-WCC4N0123456"), std::string::npos);
  EXPECT_NE(text.find(fingerprint), std::string::npos);
  EXPECT_NE(text.find("Clear (NIST SP 800-88)"), std::string::npos);
  if (!have("zbarimg")) {
    GTEST_SKIP() << "zbarimg missing: install zbar-tools (scripts/packages.d/cert.list)";
  }
  const std::string png = (m_dir / "page").string();
  ASSERT_EQ(std::system(("pdftoppm -png -r 150 '" + pdf + "' '" + png + "'").c_str()), 0);
  const std::string codes = shell("zbarimg -q --raw " + png + "-*.png 2>/dev/null");
  EXPECT_NE(codes.find("atelier-erasure:3f1c2a9e-6d0b-4c1e-9a55-0b7e4e2d1c10:" + fingerprint),
            std::string::npos)
      << codes;
  EXPECT_NE(codes.find("atelier-erasure:5d2f7a11-0c3e-4b8a-9f6d-2e1b0a9c8d7e:" + fingerprint),
            std::string::npos)
      << codes;
}

TEST_F(CertCli, PdfOfASignedFileChecksItFirst) {
  // Why: a PDF must never lend credibility to a tampered file.
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const std::string good = (m_dir / "sda.signed.json").string();
  const CliRun ok = run({"cert", "pdf", good, "--out", (m_dir / "file.pdf").string()});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_TRUE(read(m_dir / "file.pdf").starts_with("%PDF-"));
  std::string text = read(good);
  text.replace(text.find("S3Z1NB0K123456A"), 15, "S3Z1NB0K999999A");
  std::ofstream((m_dir / "tampered.json").string()) << text;
  const CliRun bad = run(
      {"cert", "pdf", (m_dir / "tampered.json").string(), "--out", (m_dir / "bad.pdf").string()});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("is not a valid erasure certificate"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(m_dir / "bad.pdf"));
}

TEST_F(CertCli, PdfSpeaksTheProgramFilesLanguage) {
  // Why: a French program hands the certificate to French donors and auditors; an English one to
  // English readers. Only the words change: the ids, the fingerprint and the QR code do not.
  if (!have("pdftotext")) {
    GTEST_SKIP() << "pdftotext missing: install poppler-utils (scripts/packages.d/cert.list)";
  }
  auto second = atelier::test::sample_record("5d2f7a11-0c3e-4b8a-9f6d-2e1b0a9c8d7e");
  second.media_type = "hdd";
  second.verification = atelier::records::VerificationMethod::sample;
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  ASSERT_EQ(sign(write_record(second, "sdb.json")).status, 0);
  const std::string signed_before = read(m_dir / "sda.signed.json");
  const std::string fingerprint = json::parse(signed_before)["signature"]["key_fingerprint"];
  const std::string fr_pdf = (m_dir / "fr.pdf").string();
  const std::string en_pdf = (m_dir / "en.pdf").string();
  const CliRun fr = run({"--program", program_file("fr"), "cert", "pdf", m_tag, "--out", fr_pdf});
  ASSERT_EQ(fr.status, 0) << fr.err;
  const CliRun en = run({"--program", program_file("en"), "cert", "pdf", m_tag, "--out", en_pdf});
  ASSERT_EQ(en.status, 0) << en.err;
  EXPECT_TRUE(fr.err.empty()) << fr.err; // a program file was found: no note

  const std::string french = shell("pdftotext '" + fr_pdf + "' -");
  for (const std::string& words :
       {std::string("Certificat d'effacement des données"), "Ordinateur " + m_tag,
        std::string("EFFACÉ"), std::string("Disque 1 sur 2"), std::string("Disque 2 sur 2"),
        std::string("Numéro de série"), std::string("disque SSD"), std::string("disque dur (HDD)"),
        std::string("relecture complète"), std::string("relecture par échantillons"),
        std::string("1234 heures de fonctionnement"), std::string("500,1 Go"),
        std::string("Empreinte de la clé"), std::string("Clear (NIST SP 800-88)"),
        std::string("3f1c2a9e-6d0b-4c1e-9a55-0b7e4e2d1c10"),
        std::string("5d2f7a11-0c3e-4b8a-9f6d-2e1b0a9c8d7e"), fingerprint}) {
    EXPECT_NE(french.find(words), std::string::npos) << words << "\n" << french;
  }
  EXPECT_EQ(french.find("ERASED"), std::string::npos) << french;
  EXPECT_EQ(french.find("Serial number"), std::string::npos) << french;

  const std::string english = shell("pdftotext '" + en_pdf + "' -");
  for (const std::string& words :
       {std::string("Certificate of data erasure"), "Unit " + m_tag, std::string("ERASED"),
        std::string("Disk 1 of 2"), std::string("Serial number"),
        std::string("hard disk drive (HDD)"), std::string("full read-back"),
        std::string("1234 power-on hours"), std::string("500.1 GB"), std::string("Key fingerprint"),
        std::string("3f1c2a9e-6d0b-4c1e-9a55-0b7e4e2d1c10"), fingerprint}) {
    EXPECT_NE(english.find(words), std::string::npos) << words << "\n" << english;
  }
  EXPECT_EQ(english.find("EFFACÉ"), std::string::npos) << english;

  // The PDF's own title (its metadata) speaks the same language.
  EXPECT_NE(shell("pdfinfo '" + fr_pdf + "'").find("Certificat d'effacement des données"),
            std::string::npos);
  // The evidence is language-independent: rendering changed nothing in the signed record.
  EXPECT_EQ(read(m_dir / "sda.signed.json"), signed_before);
  EXPECT_EQ(run({"cert", "show", "3f1c2a9e-6d0b-4c1e-9a55-0b7e4e2d1c10", "--json"}).out,
            signed_before);
}

TEST_F(CertCli, PdfLangOverridesTheProgramFile) {
  // Why: --lang prints a one-off copy in the other language, as for labels; anything but fr or en
  // is a usage error.
  if (!have("pdftotext")) {
    GTEST_SKIP() << "pdftotext missing: install poppler-utils (scripts/packages.d/cert.list)";
  }
  ASSERT_EQ(sign(write_record(atelier::test::sample_record(), "sda.json")).status, 0);
  const std::string signed_file = (m_dir / "sda.signed.json").string();
  const std::string pdf = (m_dir / "c.pdf").string();
  const std::string fr_program = program_file("fr");
  ASSERT_EQ(run({"--program", fr_program, "cert", "pdf", signed_file, "--out", pdf, "--lang", "en"})
                .status,
            0);
  EXPECT_NE(shell("pdftotext '" + pdf + "' -").find("Certificate of data erasure"),
            std::string::npos);
  // The command's own --program works like the global one.
  ASSERT_EQ(run({"cert", "pdf", signed_file, "--out", pdf, "--program", program_file("en")}).status,
            0);
  EXPECT_NE(shell("pdftotext '" + pdf + "' -").find("1 disk record, signed by the workshop"),
            std::string::npos);
  ASSERT_EQ(run({"cert", "pdf", signed_file, "--out", pdf, "--lang", "fr"}).status, 0);
  EXPECT_NE(shell("pdftotext '" + pdf + "' -").find("Certificat d'effacement des données"),
            std::string::npos);
  EXPECT_EQ(run({"cert", "pdf", signed_file, "--out", pdf, "--lang", "de"}).status, 2);
  // A program file that cannot be read stops the command before anything is written.
  std::ofstream((m_dir / "broken.toml").string()) << "[program]\nname = \"\"\n";
  const CliRun broken = run({"--program", (m_dir / "broken.toml").string(), "cert", "pdf",
                             signed_file, "--out", (m_dir / "b.pdf").string()});
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("broken.toml:2"), std::string::npos) << broken.err;
  EXPECT_FALSE(std::filesystem::exists(m_dir / "b.pdf"));
}

TEST_F(CertCli, ShowSaysWhyAFailedErasureFailedInFrench) {
  // Why: a failed attempt is kept as evidence; read in French it must still give the reason, in
  // French framing (a no-break space before the colon, as French typography wants).
  const std::string file = write_record(atelier::test::failed_record(), "sdb.json");
  ASSERT_EQ(sign(file).status, 1); // filed, not signed
  const std::string id = "9b0e77c4-1d2a-4f5e-8c3b-6a7d8e9f0a1b";
  const CliRun fr = run({"cert", "show", id, "--lang", "fr"});
  ASSERT_EQ(fr.status, 0) << fr.err;
  EXPECT_NE(fr.out.find("Résultat\u00a0:"), std::string::npos) << fr.out;
  EXPECT_NE(fr.out.find("ÉCHEC\u00a0: write: Input/output error (EIO) at byte 4096 after 3 "
                        "attempts"),
            std::string::npos)
      << fr.out;
  EXPECT_NE(fr.out.find("3 en écriture, 0 en lecture"), std::string::npos) << fr.out;
  // One range: the singular (the table this replaced printed "1 plages").
  EXPECT_NE(fr.out.find("\u00a0; 1 plage en échec"), std::string::npos) << fr.out;
  EXPECT_NE(fr.out.find("Signature\u00a0:"), std::string::npos) << fr.out;
  EXPECT_NE(fr.out.find("aucune ("), std::string::npos) << fr.out;
  // Without --lang, `cert show` keeps the coordinator CLI's English.
  const CliRun en = run({"cert", "show", id});
  EXPECT_NE(en.out.find("FAILED: write: Input/output error"), std::string::npos) << en.out;
  EXPECT_EQ(run({"cert", "show", id, "--lang", "de"}).status, 2);
}

} // namespace
