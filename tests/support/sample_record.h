// A complete erasure record for the certificate tests: every field set, result erased.
#pragma once

#include "records/erasure_record.h"

namespace atelier::test {

inline records::ErasureRecord
sample_record(const char* id = "3f1c2a9e-6d0b-4c1e-9a55-0b7e4e2d1c10") {
  records::ErasureRecord r;
  r.record_id = id;
  r.manufacturer = "Samsung";
  r.model = "SSD 860 EVO 500GB";
  r.serial = "S3Z1NB0K123456A";
  r.media_type = "ssd";
  r.device = "/dev/sda";
  r.size_bytes = 500107862016;
  r.level = records::SanitizationLevel::clear;
  r.method = "zero";
  r.method_detail = "one pass of zeros";
  r.tool_version = "0.1.0";
  r.verification = records::VerificationMethod::full;
  r.verification_result = "passed";
  r.verified_by = "atelier-imager";
  r.site = "Repair Café Nord";
  r.contact = "workshop@example.org";
  r.started_at = "2026-11-23T10:00:00Z";
  r.finished_at = "2026-11-23T11:00:00Z";
  r.duration_seconds = 3600;
  r.bytes_written = 500107862016;
  r.bytes_verified = 500107862016;
  r.passes = 1;
  r.pattern = "zero";
  r.throughput_bytes_per_second = 138918850;
  r.hidden_areas = {true, false, false, false, 500107862016, 500107862016, ""};
  r.smart = {"passed", 1234, 0, std::nullopt, std::nullopt};
  r.result = records::ErasureResult::erased;
  return r;
}

inline records::ErasureRecord
failed_record(const char* id = "9b0e77c4-1d2a-4f5e-8c3b-6a7d8e9f0a1b") {
  records::ErasureRecord r = sample_record(id);
  r.result = records::ErasureResult::failed;
  r.failure_reason = "write: Input/output error (EIO) at byte 4096 after 3 attempts";
  r.write_errors = 3;
  r.failed_ranges = {{4096, 512, "write: Input/output error (EIO) after 3 attempts"}};
  return r;
}

} // namespace atelier::test
