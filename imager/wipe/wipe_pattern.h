// What an overwrite pass writes: zeros, ones (0xFF), or a cryptographic random stream.
//
// The random stream is AES-128-CTR (OpenSSL EVP) encrypting zeros, with key and IV from
// getrandom(2): byte i of the stream is byte i of `openssl enc -aes-128-ctr -K KEY -iv IV` applied
// to /dev/zero. The counter for the 16-byte block at device offset o is IV + o/16 (128-bit
// big-endian), so any range can be regenerated on its own: verification needs only the seed, never
// a copy. The seed is kept in memory for the verification and never written to a record; the record
// keeps sha256(key || iv) (seed_sha256).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace atelier::imager {

enum class PatternKind { zero, one, random };

std::string_view to_string(PatternKind); // "zero", "one", "aes-128-ctr"

struct StreamSeed {
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 16> iv{};
};

// A fresh seed from getrandom(2); an error sentence if the kernel's generator is unavailable.
std::expected<StreamSeed, std::string> new_stream_seed();
// Lower-case hex of sha256(key || iv).
std::string seed_sha256(const StreamSeed& seed);
std::string to_hex(std::span<const std::uint8_t> bytes);

// Fills buffers with a pattern at a device offset. One generator per thread (it owns an OpenSSL
// cipher context); cheap to create.
class PatternGenerator {
public:
  // seed is used (copied) only for PatternKind::random.
  PatternGenerator(PatternKind kind, const StreamSeed& seed);
  ~PatternGenerator();
  PatternGenerator(const PatternGenerator&) = delete;
  PatternGenerator& operator=(const PatternGenerator&) = delete;

  // Writes the pattern's bytes [offset, offset + out.size()) into out. offset must be a multiple of
  // 16 for the random stream (device offsets always are: sectors are 512 or 4096 bytes).
  void fill(std::span<std::byte> out, std::uint64_t offset);
  PatternKind kind() const { return m_kind; }

private:
  PatternKind m_kind;
  StreamSeed m_seed;
  struct Cipher;
  std::unique_ptr<Cipher> m_cipher;
};

} // namespace atelier::imager
