#include "workshop/signing.h"

#include "base/text.h"
#include "base/unique_fd.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace atelier::workshop {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free_all)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// The last OpenSSL error in words (and the queue emptied, so a later call starts clean).
std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "unknown OpenSSL error";
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

using base::errno_text;

std::expected<std::string, std::string> bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size < 0 || data == nullptr) {
    return std::unexpected(openssl_error());
  }
  return std::string(data, static_cast<std::size_t>(size));
}

std::expected<PublicKey, std::string> public_of(EVP_PKEY* key) {
  std::array<std::uint8_t, PublicKey::k_size> raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size()) {
    return std::unexpected("cannot read the raw public key: " + openssl_error());
  }
  return PublicKey::from_raw(raw);
}

std::expected<std::string, std::string> read_key_file(const std::filesystem::path& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    return std::unexpected(fmt::format("{}: {}", path.string(), errno_text(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return std::unexpected(fmt::format("{}: {}", path.string(), errno_text(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return std::unexpected(fmt::format("{}: not a regular file", path.string()));
  }
  // As ssh does: a private key others can read is no longer private; say so instead of using it.
  if ((st.st_mode & 077) != 0) {
    return std::unexpected(fmt::format(
        "{}: the workshop key is readable by others (mode {:04o}); run chmod 600 {} (and "
        "consider making a new key if others may have copied it)",
        path.string(), st.st_mode & 07777, path.string()));
  }
  std::string text;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(fmt::format("{}: {}", path.string(), errno_text(errno)));
    }
    if (n == 0) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

std::expected<void, std::string> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Generates a key and publishes it at `path` atomically: written to a temporary file (0600),
// synced, then hard-linked to the final name, which fails if another process got there first (the
// caller then loads that one). True when this call's key was published.
std::expected<bool, std::string> create_key_file(const std::filesystem::path& path) {
  EVP_PKEY* generated = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (generated == nullptr) {
    return std::unexpected("cannot generate an Ed25519 key: " + openssl_error());
  }
  KeyPtr key(generated, EVP_PKEY_free);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free_all);
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return std::unexpected("cannot encode the new key: " + openssl_error());
  }
  auto pem = bio_text(bio.get());
  if (!pem) {
    return std::unexpected(pem.error());
  }
  const std::filesystem::path temp =
      path.parent_path() / fmt::format(".{}.{}.tmp", path.filename().string(), ::getpid());
  {
    base::UniqueFd fd(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) {
      return std::unexpected(fmt::format("{}: {}", temp.string(), errno_text(errno)));
    }
    auto written = write_all(fd.get(), *pem);
    if (written && ::fchmod(fd.get(), 0600) != 0) { // whatever the umask
      written = std::unexpected(errno_text(errno));
    }
    if (written && ::fsync(fd.get()) != 0) {
      written = std::unexpected(errno_text(errno));
    }
    if (!written) {
      ::unlink(temp.c_str());
      return std::unexpected(fmt::format("{}: {}", temp.string(), written.error()));
    }
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_error = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && link_error != EEXIST) {
    return std::unexpected(fmt::format("{}: {}", path.string(), errno_text(link_error)));
  }
  base::UniqueFd dir(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) {
    ::fsync(dir.get()); // the new name survives a power cut
  }
  return linked == 0;
}

} // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::vector<std::uint8_t> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts padding as zero bytes; drop them, then insist on the one canonical
  // spelling (it also tolerates blanks, which a signed document must not contain).
  std::size_t size = static_cast<std::size_t>(n);
  if (text.ends_with("==")) {
    size -= 2;
  } else if (text.ends_with("=")) {
    size -= 1;
  }
  out.resize(size);
  if (base64_encode(out) != text) {
    return std::nullopt;
  }
  return out;
}

std::expected<PublicKey, std::string> PublicKey::from_raw(std::span<const std::uint8_t> raw) {
  if (raw.size() != k_size) {
    return std::unexpected(
        fmt::format("an Ed25519 public key has {} bytes, not {}", k_size, raw.size()));
  }
  PublicKey key;
  std::copy(raw.begin(), raw.end(), key.m_raw.begin());
  return key;
}

std::expected<PublicKey, std::string> PublicKey::from_base64(std::string_view text) {
  const auto raw = base64_decode(text);
  if (!raw) {
    return std::unexpected("not valid base64");
  }
  return from_raw(*raw);
}

std::expected<PublicKey, std::string> PublicKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free_all);
  if (!bio) {
    return std::unexpected(openssl_error());
  }
  KeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key) {
    ERR_clear_error();
    return std::unexpected("not a PEM public key (expected -----BEGIN PUBLIC KEY-----)");
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return std::unexpected(
        fmt::format("a {} key, not an Ed25519 key", OBJ_nid2sn(EVP_PKEY_get_id(key.get()))));
  }
  return public_of(key.get());
}

std::string PublicKey::base64() const {
  return base64_encode(m_raw);
}

std::string PublicKey::fingerprint() const {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(m_raw.data(), m_raw.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return "SHA256:?"; // only on an OpenSSL without SHA-256: nothing sensible to show
  }
  std::string text = base64_encode(std::span(digest.data(), length));
  while (text.ends_with('=')) {
    text.pop_back();
  }
  return "SHA256:" + text;
}

std::string PublicKey::pem() const {
  KeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, m_raw.data(), m_raw.size()),
             EVP_PKEY_free);
  BioPtr bio(BIO_new(BIO_s_mem()), BIO_free_all);
  if (!key || !bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) {
    return "";
  }
  return bio_text(bio.get()).value_or("");
}

bool PublicKey::verify(std::string_view message, std::span<const std::uint8_t> signature) const {
  if (signature.size() != SigningKey::k_signature_size) {
    return false;
  }
  KeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, m_raw.data(), m_raw.size()),
             EVP_PKEY_free);
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  const int ok =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return ok == 1;
}

void SigningKey::Free::operator()(evp_pkey_st* key) const {
  EVP_PKEY_free(key);
}

SigningKey::SigningKey(std::unique_ptr<evp_pkey_st, Free> key, PublicKey pub,
                       std::filesystem::path path)
    : m_key(std::move(key)), m_public(pub), m_path(std::move(path)) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

std::expected<SigningKey, std::string> SigningKey::load(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / k_key_file_name;
  auto pem = read_key_file(path);
  if (!pem) {
    return std::unexpected(pem.error());
  }
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), BIO_free_all);
  std::unique_ptr<evp_pkey_st, Free> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return std::unexpected(
        fmt::format("{}: not a PEM private key ({})", path.string(), openssl_error()));
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return std::unexpected(fmt::format("{}: not an Ed25519 key", path.string()));
  }
  auto pub = public_of(key.get());
  if (!pub) {
    return std::unexpected(fmt::format("{}: {}", path.string(), pub.error()));
  }
  return SigningKey(std::move(key), *pub, path);
}

std::expected<SigningKey, std::string> SigningKey::load_or_create(const std::filesystem::path& dir,
                                                                  bool* created) {
  const std::filesystem::path path = dir / k_key_file_name;
  bool made = false;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!std::filesystem::exists(dir, ec)) {
      std::filesystem::create_directories(dir.parent_path().empty() ? dir : dir.parent_path(), ec);
      if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return std::unexpected(
            fmt::format("cannot create the key directory {}: {}", dir.string(), errno_text(errno)));
      }
    }
    auto published = create_key_file(path);
    if (!published) {
      return std::unexpected(published.error());
    }
    made = *published;
  }
  auto key = load(dir);
  if (key && created != nullptr) {
    *created = made;
  }
  return key;
}

std::expected<std::array<std::uint8_t, SigningKey::k_signature_size>, std::string>
SigningKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::array<std::uint8_t, k_signature_size> signature{};
  std::size_t length = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature.data(), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != signature.size()) {
    return std::unexpected("signing failed: " + openssl_error());
  }
  return signature;
}

} // namespace atelier::workshop
