#include "imager/wipe/wipe_pattern.h"

#include "base/text.h"

#include <cerrno>
#include <cstring>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdexcept>
#include <sys/random.h>

namespace atelier::imager {
namespace {

// Zeros the cipher encrypts: the CTR key stream itself. 64 KiB stays in L2 while it is reused.
constexpr std::size_t k_zero_block = 64 * 1024;
const std::array<std::uint8_t, k_zero_block> k_zeros{};

// iv + blocks, as a 128-bit big-endian integer (what OpenSSL's CTR mode increments).
std::array<std::uint8_t, 16> counter_at(const std::array<std::uint8_t, 16>& iv,
                                        std::uint64_t blocks) {
  std::array<std::uint8_t, 16> counter = iv;
  std::uint64_t carry = blocks;
  for (int i = 15; i >= 0 && carry != 0; --i) {
    const std::uint64_t sum = counter[static_cast<std::size_t>(i)] + (carry & 0xFFU);
    counter[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum & 0xFFU);
    carry = (carry >> 8U) + (sum >> 8U);
  }
  return counter;
}

} // namespace

struct PatternGenerator::Cipher {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~Cipher() { EVP_CIPHER_CTX_free(ctx); }
};

std::string_view to_string(PatternKind kind) {
  switch (kind) {
  case PatternKind::zero:
    return "zero";
  case PatternKind::one:
    return "one";
  case PatternKind::random:
    return "aes-128-ctr";
  }
  return "unknown";
}

std::expected<StreamSeed, std::string> new_stream_seed() {
  std::array<std::uint8_t, 32> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::unexpected(std::string("getrandom: ") + base::errno_text(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  StreamSeed seed;
  std::memcpy(seed.key.data(), bytes.data(), 16);
  std::memcpy(seed.iv.data(), bytes.data() + 16, 16);
  return seed;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const auto b : bytes) {
    out.push_back(k_digits[b >> 4U]);
    out.push_back(k_digits[b & 0xFU]);
  }
  return out;
}

std::string seed_sha256(const StreamSeed& seed) {
  std::array<std::uint8_t, 32> both{};
  std::memcpy(both.data(), seed.key.data(), 16);
  std::memcpy(both.data() + 16, seed.iv.data(), 16);
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  unsigned int length = 0;
  EVP_Digest(both.data(), both.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return to_hex(std::span(digest.data(), length));
}

PatternGenerator::PatternGenerator(PatternKind kind, const StreamSeed& seed)
    : m_kind(kind), m_seed(seed) {
  if (kind == PatternKind::random) {
    m_cipher = std::make_unique<Cipher>();
    if (m_cipher->ctx == nullptr) {
      throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
    }
  }
}

PatternGenerator::~PatternGenerator() = default;

void PatternGenerator::fill(std::span<std::byte> out, std::uint64_t offset) {
  if (m_kind != PatternKind::random) {
    std::memset(out.data(), m_kind == PatternKind::one ? 0xFF : 0x00, out.size());
    return;
  }
  if (offset % 16 != 0) {
    throw std::logic_error("random stream: offset must be a multiple of 16");
  }
  const auto counter = counter_at(m_seed.iv, offset / 16);
  EVP_CIPHER_CTX* ctx = m_cipher->ctx;
  if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, m_seed.key.data(), counter.data()) != 1) {
    throw std::runtime_error("OpenSSL: AES-128-CTR initialisation failed");
  }
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  std::size_t left = out.size();
  while (left > 0) {
    const std::size_t piece = left < k_zero_block ? left : k_zero_block;
    int written = 0;
    if (EVP_EncryptUpdate(ctx, dst, &written, k_zeros.data(), static_cast<int>(piece)) != 1) {
      throw std::runtime_error("OpenSSL: AES-128-CTR encryption failed");
    }
    dst += piece;
    left -= piece;
  }
}

} // namespace atelier::imager
