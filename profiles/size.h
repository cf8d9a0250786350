// Byte sizes as people write them in profile and program files: "4GiB", "64GB", "512MiB", "1.5GiB".
//
// Grammar: NUMBER UNIT, no space, where NUMBER is digits with an optional fraction of at most three
// digits and UNIT is one of B, kB (or KB), MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB
// (powers of 1024). "0" alone is accepted. The unit is required otherwise: "4" could mean GB or
// GiB, and "4 G", "4gb", "-1GiB" are refused rather than guessed, because a wrong guess silently
// changes which machines a profile accepts.
//
// The base a size was written in is kept (ByteSize::base) so that messages speak the file's
// language: a disk requirement written "64GB" is reported as "64.0 GB", not "59.6 GiB".
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace atelier::profiles {

enum class SizeBase { binary, decimal };

struct ByteSize {
  std::uint64_t bytes = 0;
  SizeBase base = SizeBase::binary;

  friend bool operator==(const ByteSize&, const ByteSize&) = default;
};

// Errors are one sentence naming the text, e.g. "invalid size \"4 G\": ...".
std::expected<ByteSize, std::string> parse_byte_size(std::string_view text);
std::expected<std::uint64_t, std::string> parse_size(std::string_view text);

// One decimal in the largest unit of the base that keeps the number >= 1: "4.0 GiB", "64.0 GB",
// "512 B" (bytes have no decimal).
std::string format_size(std::uint64_t bytes, SizeBase base = SizeBase::binary);
inline std::string format_size(ByteSize size) {
  return format_size(size.bytes, size.base);
}

} // namespace atelier::profiles
