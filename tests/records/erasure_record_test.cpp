#include "records/canonical_json.h"
#include "records/erasure_record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::records {
namespace {

using Json = nlohmann::json;

// A record with every field set to something other than its default, so a field the JSON forgets
// shows up as a difference after the round trip.
ErasureRecord full_record() {
  ErasureRecord r;
  r.record_id = "3f1c2a9e-6d0b-4c1e-9a55-0b7e4e2d1c10";
  r.manufacturer = "Samsung";
  r.model = "SSD 860 EVO 500GB";
  r.serial = "S3Z1NB0K123456A";
  r.media_type = "ssd";
  r.device = "/dev/sda";
  r.size_bytes = 500107862016;
  r.logical_sector_size = 4096;
  r.source_property = "AT-0042-7";
  r.level = SanitizationLevel::purge;
  r.method = "ata-sanitize-crypto";
  r.method_detail = "ATA SANITIZE CRYPTO SCRAMBLE EXT";
  r.tool_version = "0.5.0";
  r.verification = VerificationMethod::sample;
  r.verification_result = "passed";
  r.operator_name = "alice";
  r.verified_by = "atelier-imager";
  r.site = "Repair Café Nord";
  r.contact = "workshop@example.org";
  r.started_at = "2026-11-23T10:00:00Z";
  r.finished_at = "2026-11-23T10:02:05Z";
  r.duration_seconds = 125.25;
  r.bytes_written = 0;
  r.bytes_verified = 50010786201;
  r.passes = 1;
  r.pattern = "crypto-scramble";
  r.prng_seed_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  r.throughput_bytes_per_second = 400086289.6;
  r.write_errors = 1;
  r.read_errors = 2;
  r.verify_mismatches = 3;
  r.failed_ranges = {{4096, 512, "write: Input/output error (EIO) after 3 attempts"}};
  r.hidden_areas = {true, true, false, true, 500107862016, 491517952000, "HPA of 8 GiB reset"};
  r.smart = {"passed", 1234, 0, std::nullopt, 5};
  r.result = ErasureResult::erased;
  r.failure_reason = "";
  r.notes = {"first note", "second note"};
  return r;
}

TEST(ErasureRecordJson, RoundTripKeepsEveryField) {
  // Why: the wipe engine writes the record, the daemon reads it back to sign and store it.
  const Json first = to_json(full_record());
  const auto parsed = erasure_record_from_json(first);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(to_json(*parsed), first);
  EXPECT_EQ(parsed->serial, "S3Z1NB0K123456A");
  EXPECT_EQ(parsed->level, SanitizationLevel::purge);
  EXPECT_EQ(parsed->smart.pending_sectors, std::nullopt);
  EXPECT_EQ(parsed->smart.uncorrectable_sectors, 5u);
  EXPECT_EQ(parsed->failed_ranges.at(0).length, 512u);
  EXPECT_EQ(parsed->notes.at(1), "second note");
}

TEST(ErasureRecordJson, DurationAndThroughputAreWholeIntegers) {
  // Why: a signed document holds no floating-point numbers (canonical_json.h).
  const Json j = to_json(full_record());
  EXPECT_EQ(j["duration_ms"], 125250);
  EXPECT_TRUE(j["duration_ms"].is_number_unsigned());
  EXPECT_EQ(j["throughput_bytes_per_second"], 400086290);
  EXPECT_FALSE(j.contains("duration_seconds"));
  const auto parsed = erasure_record_from_json(j);
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_DOUBLE_EQ(parsed->duration_seconds, 125.25);
}

TEST(ErasureRecordJson, EnumsAreSpelledAsDocumented) {
  // Why: docs/ERASURE-RECORD.md and the database columns use these words.
  EXPECT_EQ(to_string(SanitizationLevel::clear), "clear");
  EXPECT_EQ(to_string(SanitizationLevel::purge), "purge");
  EXPECT_EQ(to_string(ErasureResult::erased), "erased");
  EXPECT_EQ(to_string(ErasureResult::failed), "failed");
  EXPECT_EQ(to_string(VerificationMethod::none), "none");
  EXPECT_EQ(to_string(VerificationMethod::sample), "sample");
  EXPECT_EQ(to_string(VerificationMethod::full), "full");
  const Json j = to_json(full_record());
  EXPECT_EQ(j["level"], "purge");
  EXPECT_EQ(j["verification"], "sample");
  EXPECT_EQ(j["result"], "erased");
}

TEST(ErasureRecordJson, MissingKeyIsNamed) {
  // Why: a truncated or hand-made record must say which field is absent, not just "invalid".
  Json j = to_json(full_record());
  j.erase("serial");
  EXPECT_EQ(erasure_record_from_json(j).error(), "erasure record: key 'serial' is missing");
  Json nested = to_json(full_record());
  nested["hidden_areas"].erase("checked");
  EXPECT_EQ(erasure_record_from_json(nested).error(),
            "erasure record: key 'hidden_areas.checked' is missing");
}

TEST(ErasureRecordJson, MistypedKeyIsNamedWithTheExpectedType) {
  // Why: "size_bytes must be a non-negative integer" tells the reader what to fix.
  const auto error_for = [](const char* key, Json value) {
    Json j = to_json(full_record());
    j[key] = std::move(value);
    return erasure_record_from_json(j).error();
  };
  EXPECT_EQ(error_for("size_bytes", "500"),
            "erasure record: key 'size_bytes' must be a non-negative integer");
  EXPECT_EQ(error_for("size_bytes", -1),
            "erasure record: key 'size_bytes' must be a non-negative integer");
  EXPECT_EQ(error_for("duration_ms", 1.5),
            "erasure record: key 'duration_ms' must be a non-negative integer");
  EXPECT_EQ(error_for("serial", 42), "erasure record: key 'serial' must be a string");
  EXPECT_EQ(error_for("level", "destroy"),
            "erasure record: key 'level' must be one of clear, purge");
  EXPECT_EQ(error_for("result", "ok"),
            "erasure record: key 'result' must be one of erased, failed");
  EXPECT_EQ(error_for("notes", "x"), "erasure record: key 'notes' must be an array of strings");
  EXPECT_EQ(error_for("logical_sector_size", 5000000000ULL),
            "erasure record: key 'logical_sector_size' must be a non-negative integer");
}

TEST(ErasureRecordJson, NestedMistakesCarryTheirPath) {
  // Why: "failed_ranges[0].length" points at the exact element.
  Json j = to_json(full_record());
  j["failed_ranges"][0]["length"] = "512";
  EXPECT_EQ(erasure_record_from_json(j).error(),
            "erasure record: key 'failed_ranges[0].length' must be a non-negative integer");
  Json smart = to_json(full_record());
  smart["smart"]["power_on_hours"] = "many";
  EXPECT_EQ(erasure_record_from_json(smart).error(),
            "erasure record: key 'smart.power_on_hours' must be a non-negative integer or null");
  Json notes = to_json(full_record());
  notes["notes"][1] = 7;
  EXPECT_EQ(erasure_record_from_json(notes).error(),
            "erasure record: key 'notes[1]' must be a string");
}

TEST(ErasureRecordJson, UnknownKeyIsRefused) {
  // Why: a signed record says exactly what it says; an added key would go unverified by readers.
  Json j = to_json(full_record());
  j["erased_by_magic"] = true;
  EXPECT_EQ(erasure_record_from_json(j).error(),
            "erasure record: key 'erased_by_magic' is not part of the record (unknown key)");
  Json nested = to_json(full_record());
  nested["smart"]["temperature"] = 40;
  EXPECT_EQ(erasure_record_from_json(nested).error(),
            "erasure record: key 'smart.temperature' is not part of the record (unknown key)");
}

TEST(ErasureRecordJson, NewerFormatVersionIsRefused) {
  // Why: a reader must not half-understand a record written by a newer tool.
  Json j = to_json(full_record());
  j["format_version"] = 2;
  EXPECT_EQ(erasure_record_from_json(j).error(),
            "erasure record: format_version 2 is not understood by this version (it reads 1)");
  EXPECT_FALSE(erasure_record_from_json(Json::array()).has_value());
}

TEST(ErasureRecordJson, InvalidUtf8FromFirmwareBecomesReplacementCharacter) {
  // Why: disk serials come from firmware; the record must still be valid JSON and signable.
  ErasureRecord r = full_record();
  r.serial = std::string("AB\xff") + "CD";
  const Json j = to_json(r);
  EXPECT_EQ(j["serial"], "AB\xEF\xBF\xBD"
                         "CD");
  EXPECT_TRUE(canonical_json(j).has_value());
}

} // namespace
} // namespace atelier::records
