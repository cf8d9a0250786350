// The erasure record: what happened to one disk in one erasure, with the fields of NIST SP 800-88
// Appendix G and the ones people ask of nwipe. The wipe engine (overwrite) and the firmware purge
// fill it; the daemon signs its canonical JSON with the workshop's Ed25519 key and stores it
// against the unit and the disk. Format and signature: docs/ERASURE-RECORD.md.
//
// Contract: a record whose result is not `erased` is never signed as a certificate; it is kept as
// the evidence of a failed attempt. Every count is exact; unknown values are empty strings or
// std::nullopt, never guesses.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace atelier::records {

enum class SanitizationLevel { clear, purge };
enum class ErasureResult { erased, failed };
enum class VerificationMethod { none, sample, full };

// A range of sectors that could not be written or read back correctly.
struct FailedRange {
  std::uint64_t first_byte = 0;
  std::uint64_t length = 0;
  std::string error; // e.g. "write: Input/output error (EIO) after 3 attempts"
};

struct HiddenAreaStatus {
  bool checked = false;            // false: the drive could not be asked (USB bridge, virtual disk)
  bool hpa_present = false;        // a Host Protected Area was found
  bool dco_present = false;        // a Device Configuration Overlay restricted the capacity
  bool reset = false;              // and it was removed before erasing
  std::uint64_t native_bytes = 0;  // capacity including hidden areas, when known
  std::uint64_t visible_bytes = 0; // capacity the OS saw before any reset
  std::string note;                // plain words for the record, e.g. "HPA of 8 GiB not erased"
};

struct SmartSummary {
  std::string overall; // "passed", "failed" or "" when unknown
  std::optional<std::uint64_t> power_on_hours;
  std::optional<std::uint64_t> reallocated_sectors;
  std::optional<std::uint64_t> pending_sectors;
  std::optional<std::uint64_t> uncorrectable_sectors;
};

struct ErasureRecord {
  int format_version = 1;
  std::string record_id; // UUID generated when the erasure starts

  // Appendix G: the media
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::string media_type; // "hdd", "ssd", "nvme", "usb", "file" (tests, benches)
  std::string device;     // path at the time, e.g. "/dev/sda"
  std::uint64_t size_bytes = 0;
  std::uint32_t logical_sector_size = 512;
  std::string source_property; // the unit's asset tag, when known

  // Appendix G: the sanitization
  SanitizationLevel level = SanitizationLevel::clear;
  std::string method;        // profile spelling: "zero", "random", "ata-sanitize-crypto", ...
  std::string method_detail; // e.g. "AES-128-CTR stream, then zero pass"
  std::string tool = "atelier-imager";
  std::string tool_version;
  VerificationMethod verification = VerificationMethod::none;
  std::string verification_result; // "passed", "failed: 3 mismatching sectors", "not verified"
  std::string operator_name;       // who performed it (volunteer or "atelierd")
  std::string verified_by;         // who/what verified it
  std::string site;                // workshop name
  std::string contact;             // the program's contact for questions about this record

  // What people ask of nwipe
  std::string started_at; // RFC 3339 UTC, e.g. "2026-11-23T10:00:00Z"
  std::string finished_at;
  double duration_seconds = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t bytes_verified = 0;
  int passes = 0;
  std::string pattern;          // "zero", "one", "aes-128-ctr", ...
  std::string prng_seed_sha256; // hash of the seed (the seed itself is never recorded)
  double throughput_bytes_per_second = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t read_errors = 0;
  std::uint64_t verify_mismatches = 0;
  std::vector<FailedRange> failed_ranges;
  HiddenAreaStatus hidden_areas;
  SmartSummary smart;

  ErasureResult result = ErasureResult::failed;
  std::string failure_reason;     // plain words when result == failed
  std::vector<std::string> notes; // e.g. "overwrite of an SSD: Clear, spare blocks not reached"
};

std::string_view to_string(SanitizationLevel);
std::string_view to_string(ErasureResult);
std::string_view to_string(VerificationMethod);

// JSON with every field (stable key names = the member names above), with two exceptions because a
// signed document holds integers only (records/canonical_json.h): duration_seconds is written as
// "duration_ms" (whole milliseconds) and throughput_bytes_per_second as whole bytes per second.
// Strings that are not valid UTF-8 are written with U+FFFD in place of the bad bytes; optional
// SMART counts are null when unknown. from_json requires every key, refuses unknown ones and names
// the first missing or mistyped key in its error ("erasure record: key 'serial' is missing",
// "erasure record: key 'hidden_areas.checked' must be true or false").
nlohmann::json to_json(const ErasureRecord&);
std::expected<ErasureRecord, std::string> erasure_record_from_json(const nlohmann::json&);

} // namespace atelier::records
