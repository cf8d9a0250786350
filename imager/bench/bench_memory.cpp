#include "imager/bench/bench_memory.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace atelier::imager {
namespace {

struct FreeDeleter {
  void operator()(std::byte* p) const { ::operator delete[](p, std::align_val_t{64}); }
};
using Buffer = std::unique_ptr<std::byte[], FreeDeleter>;

Buffer allocate_bytes(std::size_t bytes) {
  return Buffer(
      static_cast<std::byte*>(::operator new[](bytes, std::align_val_t{64}, std::nothrow)));
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

// The value pattern `p` puts in word i. The random pattern is a stream, so it is generated in order
// by the caller instead (see run_pattern).
std::uint64_t fixed_value(std::size_t pattern, std::span<std::uint64_t> words, std::size_t i) {
  if (pattern == 0) {
    return std::uint64_t{1} << (i % 64U);
  }
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&words[i]));
}

void run_pattern(std::size_t pattern, MemoryRegion& region, std::span<std::uint64_t> words,
                 std::uint64_t seed, MemtestRun& run) {
  const bool random = pattern == 2;
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < words.size(); ++i) {
    words[i] = random ? splitmix64(state) : fixed_value(pattern, words, i);
  }
  region.settle(words);
  state = seed;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::uint64_t expected = random ? splitmix64(state) : fixed_value(pattern, words, i);
    const std::uint64_t actual = words[i];
    if (actual != expected) {
      ++run.errors;
      if (run.first_errors.size() < MemtestRun::k_max_reported_errors) {
        run.first_errors.push_back(MemoryError{reinterpret_cast<std::uintptr_t>(&words[i]),
                                               expected, actual, k_memtest_patterns[pattern]});
      }
    }
  }
}

} // namespace

std::expected<BandwidthRun, std::string> measure_bandwidth(std::size_t buffer_bytes,
                                                           const base::Clock& clock,
                                                           std::chrono::nanoseconds slice,
                                                           unsigned slices) {
  Buffer src = allocate_bytes(buffer_bytes);
  Buffer dst = allocate_bytes(buffer_bytes);
  if (!src || !dst) {
    return std::unexpected(std::string("could not allocate two buffers of ") +
                           std::to_string(buffer_bytes) + " bytes");
  }
  // Touch every page first (and give the source non-zero content, so no zero-page tricks apply).
  for (std::size_t i = 0; i < buffer_bytes; ++i) {
    src[i] = static_cast<std::byte>(i * 131U);
  }
  std::memset(dst.get(), 0, buffer_bytes);

  BandwidthRun run;
  const std::chrono::nanoseconds stage_start = clock.monotonic().time_since_epoch();
  for (unsigned s = 0; s < slices; ++s) {
    std::uint64_t copies = 0;
    const std::chrono::nanoseconds start = clock.monotonic().time_since_epoch();
    const std::chrono::nanoseconds deadline = start + slice;
    do {
      std::memcpy(dst.get(), src.get(), buffer_bytes);
      ++copies;
    } while (clock.monotonic().time_since_epoch() < deadline);
    const double seconds =
        std::chrono::duration<double>(clock.monotonic().time_since_epoch() - start).count();
    const double bytes = 2.0 * static_cast<double>(buffer_bytes) * static_cast<double>(copies);
    run.samples_gb_s.push_back(seconds > 0 ? bytes / seconds / 1e9 : 0.0);
    run.copies += copies;
  }
  run.elapsed = clock.monotonic().time_since_epoch() - stage_start;
  // Reading the destination back keeps the copies observable (and catches a broken memcpy).
  run.copy_verified = std::memcmp(dst.get(), src.get(), buffer_bytes) == 0;
  return run;
}

std::expected<std::unique_ptr<HeapMemoryRegion>, std::string>
HeapMemoryRegion::allocate(std::size_t bytes) {
  const std::size_t count = bytes / sizeof(std::uint64_t);
  std::unique_ptr<std::uint64_t[]> words(new (std::nothrow) std::uint64_t[count]);
  if (!words) {
    return std::unexpected("could not allocate " + std::to_string(bytes) +
                           " bytes for the memory test");
  }
  return std::unique_ptr<HeapMemoryRegion>(new HeapMemoryRegion(std::move(words), count));
}

MemtestRun run_memtest(MemoryRegion& region, const base::Clock& clock,
                       std::chrono::nanoseconds deadline, std::uint64_t seed,
                       std::size_t block_bytes) {
  MemtestRun run;
  const std::chrono::nanoseconds start = clock.monotonic().time_since_epoch();
  const std::span<std::uint64_t> all = region.words();
  const std::size_t block_words = std::max<std::size_t>(block_bytes / sizeof(std::uint64_t), 1);
  for (std::size_t first = 0; first < all.size(); first += block_words) {
    if (first > 0 && clock.monotonic().time_since_epoch() >= deadline) {
      run.stopped_early = true;
      break;
    }
    const auto block = all.subspan(first, std::min(block_words, all.size() - first));
    for (std::size_t p = 0; p < std::size(k_memtest_patterns); ++p) {
      // The seed differs per block so no two blocks hold the same random words.
      run_pattern(p, region, block, seed + first, run);
    }
    run.bytes_tested += block.size_bytes();
  }
  for (const auto p : k_memtest_patterns) {
    run.patterns.push_back(p);
  }
  run.elapsed = clock.monotonic().time_since_epoch() - start;
  return run;
}

} // namespace atelier::imager
