#include "cli/cert_key.h"

#include "base/file_io.h"
#include "base/i18n.h"
#include "workshop/settings.h"

#include <fmt/format.h>

namespace atelier::cli {

void add_cert_key_options(CLI::App& cmd, CertKeyOptions& options) {
  cmd.add_option("--key", options.key,
                 "the workshop's public key (PEM, from atelier cert key export); default: the "
                 "signing key in the key directory")
      ->check(CLI::ExistingFile);
  cmd.add_option("--key-dir", options.key_dir,
                 "the workshop key directory whose key to check against (default: "
                 "$ATELIER_KEY_DIR, else /var/lib/atelier/keys)");
}

std::expected<CertKey, std::string> find_cert_key(const CertKeyOptions& options, base::Language l) {
  if (!options.key.empty()) {
    auto pem = base::read_file(options.key);
    if (!pem) {
      return std::unexpected(fmt::format("--key {}: {}", options.key, pem.error()));
    }
    auto key = workshop::PublicKey::from_pem(*pem);
    if (!key) {
      return std::unexpected(fmt::format("--key {}: {}", options.key, key.error()));
    }
    return CertKey{*key, "--key " + options.key};
  }
  const bool given = !options.key_dir.empty();
  const std::string dir = given ? options.key_dir : workshop::default_key_dir();
  // Only the public half is used; the private key is loaded (never created) because the key
  // directory holds nothing else.
  auto signing = workshop::SigningKey::load(dir);
  if (!signing) {
    if (given) {
      return std::unexpected(fmt::format("--key-dir {}: {}", dir, signing.error()));
    }
    return CertKey{std::nullopt,
                   base::trf(l,
                             "no workshop key to check against ({error}); give the workshop's "
                             "public key with --key PUBKEY.pem (from atelier cert key export), "
                             "or its key directory with --key-dir",
                             {{"error", signing.error()}})};
  }
  return CertKey{signing->public_key(), base::trf(l, "the key directory {dir}", {{"dir", dir}})};
}

} // namespace atelier::cli
