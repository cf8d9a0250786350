// Signing and verifying erasure certificates (workshop/erasure_certificate.h) with real keys: what
// a donor or auditor relies on. Every tampering case must fail and say what is wrong.
#include "records/canonical_json.h"
#include "support/sample_record.h"
#include "support/temp_dir.h"
#include "workshop/erasure_certificate.h"

#include <gtest/gtest.h>

namespace atelier::workshop {
namespace {

using Json = nlohmann::json;

class CertificateTest : public ::testing::Test {
protected:
  static bool mentions(const Verification& v, std::string_view text) {
    for (const auto& p : v.problems) {
      if (p.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  static std::string all(const Verification& v) {
    std::string out;
    for (const auto& p : v.problems) {
      out += p + "\n";
    }
    return out;
  }
  Json signed_document() { return sign_record(test::sample_record(), m_key).value().document(); }

  testing::TempDir m_dir;
  SigningKey m_key = SigningKey::load_or_create(m_dir / "keys").value();
};

TEST_F(CertificateTest, SignedRecordVerifiesWithTheWorkshopKey) {
  // Why: the normal case: a freshly signed certificate is valid and says who signed it.
  const Certificate c = sign_record(test::sample_record(), m_key).value();
  EXPECT_EQ(c.fingerprint, m_key.public_key().fingerprint());
  EXPECT_EQ(c.canonical_record, records::canonical_json(records::to_json(test::sample_record())));
  const Verification v = verify_certificate(c.document_text(), m_key.public_key());
  EXPECT_TRUE(v.valid()) << all(v);
  EXPECT_TRUE(v.signature_matches);
  EXPECT_EQ(v.signer_fingerprint, m_key.public_key().fingerprint());
  ASSERT_TRUE(v.record);
  EXPECT_EQ(v.record->serial, "S3Z1NB0K123456A");
  EXPECT_TRUE(v.notes.empty());
}

TEST_F(CertificateTest, SameRecordGivesTheSameDocumentBytes) {
  // Why: signing again (a retry, a second copy) must not produce a "different" certificate.
  EXPECT_EQ(sign_record(test::sample_record(), m_key).value().document_text(),
            sign_record(test::sample_record(), m_key).value().document_text());
}

TEST_F(CertificateTest, ReindentedOrReorderedFileStillVerifies) {
  // Why: the signature covers the canonical form, not the file's whitespace or key order.
  const Json doc = signed_document();
  const Verification compact = verify_certificate(doc.dump(), m_key.public_key());
  EXPECT_TRUE(compact.valid()) << all(compact);
  std::string reordered = "{\"signature\": " + doc["signature"].dump(4) +
                          ",\n \"record\": " + doc["record"].dump(1) + ", \"format\": \"" +
                          std::string(k_certificate_format) + "\"}";
  EXPECT_TRUE(verify_certificate(reordered, m_key.public_key()).valid());
}

TEST_F(CertificateTest, WithoutAKnownKeyItSaysWhoSignedAndThatAuthenticityWasNotChecked) {
  // Why: anyone can make a key; only comparing with the workshop's key proves the origin, so
  // without it a certificate is intact at best, never valid.
  const Verification v = verify_certificate(signed_document().dump(), std::nullopt);
  EXPECT_TRUE(v.intact()) << all(v);
  EXPECT_FALSE(v.valid());
  EXPECT_FALSE(v.authenticity_checked);
  EXPECT_FALSE(v.authentic);
  ASSERT_EQ(v.notes.size(), 1u);
  EXPECT_NE(v.notes[0].find(m_key.public_key().fingerprint()), std::string::npos);
  EXPECT_NE(v.notes[0].find("authenticity was not checked"), std::string::npos);
}

TEST_F(CertificateTest, SelfSignedForgeryIsIntactButNeverValid) {
  // Why (issue 14, finding 7): a record signed with a fresh key, that key in signature.public_key,
  // is consistent with itself; only the workshop key tells it from a certificate.
  testing::TempDir forger_dir;
  const SigningKey forger = SigningKey::load_or_create(forger_dir.path()).value();
  const std::string forged = sign_record(test::sample_record(), forger).value().document_text();
  const Verification unchecked = verify_certificate(forged, std::nullopt);
  EXPECT_TRUE(unchecked.intact()) << all(unchecked);
  EXPECT_FALSE(unchecked.valid());
  const Verification checked = verify_certificate(forged, m_key.public_key());
  EXPECT_FALSE(checked.intact());
  EXPECT_FALSE(checked.valid());
  EXPECT_TRUE(checked.authenticity_checked);
  EXPECT_FALSE(checked.authentic);
  // The genuine one is authentic.
  const Verification genuine = verify_certificate(signed_document().dump(), m_key.public_key());
  EXPECT_TRUE(genuine.valid()) << all(genuine);
  EXPECT_TRUE(genuine.authentic);
}

TEST_F(CertificateTest, AlteredFieldBreaksTheSignature) {
  // Why: the reason certificates are signed: an edited serial (or one byte) must be detected.
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, Json>>{{"serial", "S3Z1NB0K999999A"},
                                                 {"level", "purge"},
                                                 {"bytes_written", 500107862017ULL},
                                                 {"finished_at", "2026-11-23T11:00:01Z"}}) {
    Json doc = signed_document();
    doc["record"][key] = value;
    const Verification v = verify_certificate(doc.dump(2), m_key.public_key());
    EXPECT_FALSE(v.valid()) << key;
    EXPECT_FALSE(v.signature_matches) << key;
    EXPECT_TRUE(mentions(v, "the record was altered after signing")) << all(v);
  }
}

TEST_F(CertificateTest, ForgedSignatureBlockIsNamed) {
  // Why: swapping in another key (to re-sign an edited record) must be visible as such.
  testing::TempDir other_dir;
  const SigningKey other = SigningKey::load_or_create(other_dir.path()).value();
  records::ErasureRecord edited = test::sample_record();
  edited.serial = "S3Z1NB0K999999A";
  const Certificate forged = sign_record(edited, other).value();
  const Verification v = verify_certificate(forged.document_text(), m_key.public_key());
  EXPECT_FALSE(v.valid());
  EXPECT_TRUE(v.signature_matches); // consistent, but by the wrong key
  EXPECT_TRUE(mentions(v, "signed by key " + other.public_key().fingerprint() +
                              ", which is not the workshop key " +
                              m_key.public_key().fingerprint()))
      << all(v);
  // And a fingerprint edited to look like the workshop's no longer matches its key.
  Json doc = forged.document();
  doc["signature"]["key_fingerprint"] = m_key.public_key().fingerprint();
  EXPECT_TRUE(mentions(verify_certificate(doc.dump(), std::nullopt),
                       "is not the fingerprint of signature.public_key"));
}

TEST_F(CertificateTest, EveryMissingOrMistypedPartIsNamed) {
  // Why: "invalid" alone helps nobody; the reader must see which part of the file is wrong.
  const auto problems_after = [&](auto edit) {
    Json doc = signed_document();
    edit(doc);
    return all(verify_certificate(doc.dump(), m_key.public_key()));
  };
  EXPECT_NE(
      problems_after([](Json& d) { d.erase("signature"); }).find("key 'signature' is missing"),
      std::string::npos);
  EXPECT_NE(problems_after([](Json& d) {
              d["signature"].erase("value");
            }).find("key 'signature.value' is missing"),
            std::string::npos);
  EXPECT_NE(problems_after([](Json& d) {
              d["signature"]["algorithm"] = "rsa";
            }).find("signature.algorithm 'rsa' is not ed25519"),
            std::string::npos);
  EXPECT_NE(problems_after([](Json& d) {
              d["signature"]["value"] = "AAAA";
            }).find("not the base64 of a 64-byte Ed25519 signature"),
            std::string::npos);
  EXPECT_NE(problems_after([](Json& d) {
              d["record"].erase("serial");
            }).find("erasure record: key 'serial' is missing"),
            std::string::npos);
  EXPECT_NE(problems_after([](Json& d) {
              d["record"]["duration_ms"] = 1.5;
            }).find("record.duration_ms: floating-point numbers are not allowed"),
            std::string::npos);
  EXPECT_NE(problems_after([](Json& d) { d["format"] = "x/1"; }).find("format 'x/1' is not"),
            std::string::npos);
  EXPECT_NE(problems_after([](Json& d) {
              d["erased"] = true;
            }).find("key 'erased' is not part of a certificate"),
            std::string::npos);
  EXPECT_NE(all(verify_certificate("not json", std::nullopt)).find("not JSON"), std::string::npos);
  const std::string bare = records::to_json(test::sample_record()).dump();
  EXPECT_NE(all(verify_certificate(bare, std::nullopt)).find("unsigned erasure record"),
            std::string::npos);
}

TEST_F(CertificateTest, FailedErasureIsNeverSigned) {
  // Why: a failed wipe must never look like a certificate, even to a careless reader.
  const auto refused = sign_record(test::failed_record(), m_key);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("says the erasure failed (write: Input/output error"),
            std::string::npos)
      << refused.error();
  EXPECT_NE(refused.error().find("never signed"), std::string::npos);
}

TEST_F(CertificateTest, ARecordThatCannotBeFiledIsRefusedNamingTheField) {
  // Why: the database needs the times; an undated record is no evidence.
  records::ErasureRecord r = test::sample_record();
  r.started_at = "23/11/2026 10:00";
  EXPECT_NE(sign_record(r, m_key).error().find("started_at '23/11/2026 10:00' is not a UTC time"),
            std::string::npos);
  r = test::sample_record();
  r.finished_at = "2026-11-23T09:00:00Z";
  EXPECT_NE(sign_record(r, m_key).error().find("is before started_at"), std::string::npos);
  r = test::sample_record();
  r.model.clear();
  r.serial.clear();
  r.source_property.clear();
  EXPECT_NE(sign_record(r, m_key).error().find("does not say which disk"), std::string::npos);
}

TEST_F(CertificateTest, DiskWithoutModelOrSerialIsNamedByItsMachineAndCapacity) {
  // Why: virtual disks and some USB bridges report no identity, yet they were erased; like nwipe,
  // the certificate then names the disk by the asset tag of its machine, its size and device.
  records::ErasureRecord r = test::sample_record();
  r.model.clear();
  r.serial.clear();
  r.source_property = "AT-0042-7";
  auto certificate = sign_record(r, m_key);
  ASSERT_TRUE(certificate) << certificate.error();
  EXPECT_EQ(certificate->record.source_property, "AT-0042-7");
  r.size_bytes = 0;
  EXPECT_NE(sign_record(r, m_key).error().find("does not say which disk"), std::string::npos);
}

TEST(RecordTime, AcceptsUtcSecondsAndDropsFractions) {
  // Why: the engine may write milliseconds; the database keeps whole seconds.
  EXPECT_EQ(base::format_rfc3339(parse_record_time("2026-11-23T10:00:00Z").value()),
            "2026-11-23T10:00:00Z");
  EXPECT_EQ(base::format_rfc3339(parse_record_time("2026-11-23T10:00:00.250Z").value()),
            "2026-11-23T10:00:00Z");
  EXPECT_FALSE(parse_record_time("2026-11-23T10:00:00+01:00"));
  EXPECT_FALSE(parse_record_time("2026-11-23T10:00:00.Z"));
  EXPECT_FALSE(parse_record_time(""));
}

TEST(RecordDifferences, NamesEachFieldWithBothValues) {
  // Why: "serial: file says X, the record of 2026-11-23 says Y" is what an auditor needs.
  Json stored = records::to_json(test::sample_record());
  Json file = stored;
  file["serial"] = "S3Z1NB0K999999A";
  file["hidden_areas"]["hpa_present"] = true;
  file["notes"] = Json::array({"added"});
  const auto d = record_differences(file, stored, "2026-11-23");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], "hidden_areas.hpa_present: file says true, the record of 2026-11-23 says false");
  EXPECT_EQ(d[1], "notes[0]: file says \"added\", the record of 2026-11-23 says nothing");
  EXPECT_EQ(d[2], "serial: file says \"S3Z1NB0K999999A\", the record of 2026-11-23 says "
                  "\"S3Z1NB0K123456A\"");
  EXPECT_TRUE(record_differences(stored, stored, "2026-11-23").empty());
}

} // namespace
} // namespace atelier::workshop
