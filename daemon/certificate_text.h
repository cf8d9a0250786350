// An erasure record in plain words, for people: the NIST SP 800-88 Appendix G fields and what
// nwipe users expect, one labelled line each. Used by `atelier cert show` and the PDF certificate.
#pragma once

#include "imager/erasure_record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace atelier::daemon {

struct RecordLine {
  std::string label;
  std::string value;
};

std::vector<RecordLine> record_lines(const imager::ErasureRecord& record);

// "500.1 GB (500107862016 bytes)": decimal units, as disk labels use.
std::string format_bytes(std::uint64_t bytes);

// How anyone checks a certificate independently (docs/ERASURE-RECORD.md "Verifying by hand").
std::vector<std::string> verification_instructions(const std::string& record_id,
                                                   const std::string& fingerprint);

// The QR code's text: "atelier-erasure:<record_id>:<fingerprint>".
std::string certificate_qr_text(const std::string& record_id, const std::string& fingerprint);

} // namespace atelier::daemon
