// The erasure certificate for people: an A4 PDF (cairo) with one section per signed disk record,
// the record's fields in plain words, French or English (certificate_text.h), its signature
// fingerprint, how to check it, and a QR code holding "atelier-erasure:<record_id>:<fingerprint>".
//
// The PDF is a convenience; the signed JSON is the evidence. Rendering is deterministic for the
// same certificates (the creation date is the last erasure's finish time, not the clock).
#pragma once

#include "profiles/program.h"
#include "workshop/erasure_certificate.h"

#include <expected>
#include <string>
#include <vector>

namespace atelier::papers {

struct PdfTitle {
  std::string subject; // e.g. "Unit AT-0042-7" (translated by the caller) or a file name
  std::string site;    // the workshop, from the records
};

// The PDF bytes, every word in `language` (certificate_text.h); an error when there is nothing to
// certify or cairo fails.
std::expected<std::string, std::string>
render_certificate_pdf(const std::vector<workshop::Certificate>& certificates,
                       const PdfTitle& title, profiles::Language language);

} // namespace atelier::papers
