// Erasure certificates: an erasure record (records/erasure_record.h) signed with the workshop's
// Ed25519 key, as a JSON document anyone can check offline (docs/ERASURE-RECORD.md):
//
//   {"format": "atelier.erasure-certificate/1",
//    "record": { ...every field of the record... },
//    "signature": {"algorithm": "ed25519", "public_key": "<base64 of the raw 32-byte key>",
//                  "key_fingerprint": "SHA256:...", "value": "<base64 of the 64-byte signature>"}}
//
// The signature covers exactly the canonical JSON (records/canonical_json.h) of "record"; nothing
// else in the document is trusted. A record whose result is `failed` is never signed: it is filed
// unsigned as the evidence of a failed attempt.
#pragma once

#include "hardware-db/registry.h"
#include "records/erasure_record.h"
#include "workshop/signing.h"

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace atelier::workshop {

inline constexpr std::string_view k_certificate_format = "atelier.erasure-certificate/1";

// "2026-11-23T10:00:00Z", also with a fraction of a second ("...:00.250Z", dropped): the record's
// times as the database stores them. nullopt for anything else (local times, offsets).
std::optional<hwdb::Timestamp> parse_record_time(std::string_view text);

// What every record needs before it is filed (signed or not); the error names the field.
std::expected<void, std::string> check_fileable(const records::ErasureRecord& record);
// What a certificate needs on top: result erased and a record that says which disk and how. A disk
// is named by its model and/or serial; one that reports neither, by the asset tag of its machine
// and its capacity (docs/ERASURE-RECORD.md).
std::expected<void, std::string> check_certifiable(const records::ErasureRecord& record);

struct Certificate {
  records::ErasureRecord record;
  std::string canonical_record; // the signed bytes
  std::string signature_json;   // canonical JSON of the signature object
  std::string fingerprint;      // of the key that signed

  nlohmann::json document() const;
  // The document as written to a file: indented, fields sorted, ending with a newline.
  std::string document_text() const;
};

// Signs a record after check_certifiable (so a failed erasure is refused, with its reason).
std::expected<Certificate, std::string> sign_record(const records::ErasureRecord& record,
                                                    const SigningKey& key);

// A certificate rebuilt from its database row (record_json + signature); an error for an unsigned
// (failed) record.
std::expected<Certificate, std::string> certificate_from_stored(const hwdb::ErasureRecord& row);

struct Verification {
  // Intact: well-formed, the signature matches the record and the record says `erased`. That alone
  // says nothing about who signed: anyone can make a key, sign any record with it and put that key
  // in signature.public_key (a self-signed forgery is intact).
  bool intact() const { return problems.empty(); }
  // Valid: intact and signed by the workshop key given to verify_certificate. Without a workshop
  // key nothing is valid (authenticity_checked is then false: "not checked", not "forged").
  bool valid() const { return intact() && authentic; }

  std::vector<std::string> problems; // why it is not valid; each names the field or part
  std::vector<std::string> notes;    // what the reader should know even when it is valid
  std::optional<std::string> signer_fingerprint;
  bool signature_matches = false;
  bool authenticity_checked = false; // a workshop key was given
  bool authentic = false;            // the signature matches and the signer is the workshop key
  nlohmann::json record_json;        // "record" as found in the document
  std::optional<records::ErasureRecord> record; // when it has every field
};

// Checks a certificate offline: shape, every field, the signature over the canonical bytes, the
// key, and that the record says `erased`. The key is checked against `workshop_key`: a certificate
// signed by any other key is not valid (a problem names both fingerprints). Without
// `workshop_key` the result is at best intact, never valid, and a note names the signer.
Verification verify_certificate(std::string_view document_text,
                                const std::optional<PublicKey>& workshop_key);

// Each field where the file's record differs from the database's copy, in words:
//   serial: file says "X", the record of 2026-11-23 says "Y"
std::vector<std::string> record_differences(const nlohmann::json& file_record,
                                            const nlohmann::json& stored_record,
                                            std::string_view stored_date);

struct FiledErasure {
  hwdb::ErasureFiled filed;
  std::optional<Certificate> certificate; // empty for a failed erasure (filed unsigned)
};

// Files one record against `unit`: an erased disk's record is signed and stored with its
// signature; a failed one is stored unsigned as evidence. Storing the same record again is
// harmless (filed.created is false). The disk is found or created by the record's model + serial.
std::expected<FiledErasure, std::string> file_erasure(hwdb::Registry& registry,
                                                      const hwdb::Unit& unit,
                                                      const records::ErasureRecord& record,
                                                      const SigningKey& key);

} // namespace atelier::workshop
