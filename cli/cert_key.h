// The workshop key `atelier cert verify` and `atelier cert pdf FILE` check a certificate against
// (docs/CLI.md, docs/ERASURE-RECORD.md "Verifying"): the key in the file proves nothing by itself.
// It is `--key PUBKEY.pem` when given, else the public half of the workshop's signing key in the
// key directory (`--key-dir`, else $ATELIER_KEY_DIR, else /var/lib/atelier/keys), the one
// `atelier cert sign` and atelierd sign with. Never created here. Internal to the CLI.
#pragma once

#include "base/language.h"
#include "workshop/signing.h"

#include <expected>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace atelier::cli {

struct CertKeyOptions {
  std::string key;     // --key: the workshop's public key (PEM)
  std::string key_dir; // --key-dir; empty: $ATELIER_KEY_DIR, else /var/lib/atelier/keys
};

// Adds --key and --key-dir to a command that checks certificates.
void add_cert_key_options(CLI::App& cmd, CertKeyOptions& options);

struct CertKey {
  std::optional<workshop::PublicKey> key; // empty: authenticity cannot be checked
  std::string source;                     // where the key came from, or why there is none
};

// The key to check against. An error for a --key or --key-dir given on the command line that does
// not give a key (the caller reports it as a usage error); the default key directory without a
// readable key is not an error: the result then holds no key and `source` says why, with what to
// do about it.
// `source` and the error are in `language`.
std::expected<CertKey, std::string> find_cert_key(const CertKeyOptions& options,
                                                  base::Language language);

} // namespace atelier::cli
