// An erasure record in plain words, for people: the NIST SP 800-88 Appendix G fields and what
// nwipe users expect, one labelled line each, in the program's `language` or `--lang`. Used by
// `atelier cert show` and the PDF certificate. Every word comes from the translation catalogue
// (base/i18n.h, docs/TRANSLATING.md); only the words change with the language: the signed record,
// its ids, fingerprints and timestamps are shown as recorded, and free text the imager recorded
// (method detail, notes) stays as it was written.
#pragma once

#include "profiles/program.h"
#include "records/erasure_record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace atelier::papers {

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
