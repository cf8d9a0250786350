// An erasure record in plain words, for people: the NIST SP 800-88 Appendix G fields and what
// nwipe users expect, one labelled line each, in French or English (the program's `language`, or
// `--lang`). Used by `atelier cert show` and the PDF certificate. Only the words change with the
// language: the signed record, its ids, fingerprints and timestamps are shown as recorded, and
// free text the imager recorded (method detail, notes) stays as it was written.
#pragma once

#include "profiles/program.h"
#include "records/erasure_record.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::papers {

// Every word of the certificate, one table per language (certificate_text.cpp). Strings with "{}"
// are fmt patterns; their arguments are named in the comment.
struct CertificateText {
  // Sizes: "bytes" after a count, then kB..PB after a decimal number.
  std::string_view bytes;
  std::array<std::string_view, 5> units; // kB, MB, GB, TB, PB
  std::string_view not_recorded;

  // Record lines: the labels.
  std::string_view result, record_id, manufacturer, model, serial, media_type, capacity,
      property_number, device, level, method, passes, tool, verification, started, finished,
      written, errors, hidden_areas, smart, performed_by, verified_by, location, contact, note;

  // Record lines: the values.
  std::string_view colon;         // ": " between a word and its detail
  std::string_view semicolon;     // "; " between two statements
  std::string_view erased;        // "ERASED"
  std::string_view failed_reason; // "FAILED: {}" (reason)
  std::string_view media_hdd, media_ssd, media_nvme, media_usb, media_file;
  std::string_view sectors;   // "{}, {}-byte sectors" (capacity, sector size)
  std::string_view pass_one;  // "{} pass" (count)
  std::string_view pass_many; // "{} passes" (count)
  std::string_view not_verified, sampled_read_back, full_read_back;
  std::string_view checked;        // "{}: {} ({} checked)" (how, outcome, size)
  std::string_view passed, failed; // a recorded verification outcome
  std::string_view failed_detail;  // "failed: {}" (detail)
  std::string_view took;           // "{} (took {})" (finish time, duration)
  std::string_view written_at;     // "{} at {}/s" (size, rate)
  std::string_view error_counts;   // "{} write, {} read, {} verification mismatches"
  std::string_view failed_ranges;  // "; {} failed ranges" (count)
  std::string_view hidden_not_checked, hidden_none;
  std::string_view and_; // " and " between HPA and DCO
  // "{} found, {}" (areas, removed or not): _one for HPA or DCO, _two for both (French agrees).
  std::string_view hidden_found_one, hidden_found_two;
  std::string_view hidden_removed_one, hidden_removed_two;
  std::string_view hidden_not_removed_one, hidden_not_removed_two;
  std::string_view smart_unavailable, smart_passed, smart_failed;
  std::string_view power_on_hours, reallocated, pending, uncorrectable;

  // The PDF and `cert show`.
  std::string_view title;        // "Certificate of data erasure"
  std::string_view meta_title;   // "Certificate of data erasure: {}" (subject), PDF metadata
  std::string_view unit_subject; // "Unit {}" (asset tag)
  std::string_view intro_one;    // "{}: 1 disk record, signed by the workshop" (subject)
  std::string_view intro_many;   // "{}: {} disk records, signed..." (subject, count)
  std::string_view intro_nist;   // one sentence: what was done and why it is signed
  std::string_view disk_of;      // "Disk {} of {}: {}" (index, count, disk)
  std::string_view signature;    // the section heading
  std::string_view key_fingerprint;
  std::string_view signature_value; // "Signature (Ed25519)"
  std::string_view signature_none;  // "none ({})" (why) in `cert show`
  std::string_view signature_key;   // "Ed25519, key {}" (fingerprint) in `cert show`
  std::string_view check_signed;    // "{}" (fingerprint): signed with the workshop key
  std::string_view check_command;   // "{}" (record id): the atelier cert verify command
  std::string_view check_by_hand;   // python3 and openssl alone
};

const CertificateText& certificate_text(profiles::Language);

struct RecordLine {
  std::string label;
  std::string value;
};

std::vector<RecordLine> record_lines(const records::ErasureRecord& record, profiles::Language);

// "500.1 GB (500107862016 bytes)" / "500,1 Go (500107862016 octets)": decimal units, as disk
// labels use.
std::string format_bytes(std::uint64_t bytes, profiles::Language);

// How anyone checks a certificate independently (docs/ERASURE-RECORD.md "Verifying by hand").
std::vector<std::string> verification_instructions(const std::string& record_id,
                                                   const std::string& fingerprint,
                                                   profiles::Language);

// The QR code's text: "atelier-erasure:<record_id>:<fingerprint>" (never translated).
std::string certificate_qr_text(const std::string& record_id, const std::string& fingerprint);

} // namespace atelier::papers
