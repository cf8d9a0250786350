// Memory benchmarks: copy bandwidth over a buffer much larger than the last-level cache, and a
// quick pattern test (write, then read back) over a bounded part of the free memory. A mismatch in
// the pattern test is a finding about the machine, returned as data, never a crash.
#pragma once

#include "base/clock.h"

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

struct BandwidthRun {
  std::vector<double> samples_gb_s; // one per slice; bytes read + bytes written, 10^9 B/s
  std::uint64_t copies = 0;
  bool copy_verified = false; // the last copy compared equal to its source
  std::chrono::nanoseconds elapsed{0};
};

// memcpy from one buffer of `buffer_bytes` to another, repeated until each slice's deadline (single
// thread). Both buffers are touched before timing so page faults are not measured. Errors: the
// buffers could not be allocated.
std::expected<BandwidthRun, std::string> measure_bandwidth(std::size_t buffer_bytes,
                                                           const base::Clock& clock,
                                                           std::chrono::nanoseconds slice,
                                                           unsigned slices);

// The memory the pattern test writes and reads back. words() stays valid and at the same address
// for the region's lifetime.
class MemoryRegion {
public:
  virtual ~MemoryRegion() = default;
  virtual std::span<std::uint64_t> words() = 0;
  // Called between the write pass and the read-back pass of every pattern over `written` (a block
  // of words()). The real region does nothing; a fake flips bits here to prove the test finds them.
  virtual void settle(std::span<std::uint64_t> written) { (void)written; }
};

// Anonymous heap memory, not locked (mlock would need privileges and could starve the machine).
class HeapMemoryRegion final : public MemoryRegion {
public:
  // Errors: the allocation failed.
  static std::expected<std::unique_ptr<HeapMemoryRegion>, std::string> allocate(std::size_t bytes);
  std::span<std::uint64_t> words() override { return {m_words.get(), m_count}; }

private:
  HeapMemoryRegion(std::unique_ptr<std::uint64_t[]> words, std::size_t count)
      : m_words(std::move(words)), m_count(count) {}
  std::unique_ptr<std::uint64_t[]> m_words;
  std::size_t m_count;
};

struct MemoryError {
  std::uintptr_t address = 0; // virtual address of the word (the physical one needs pagemap)
  std::uint64_t expected = 0;
  std::uint64_t actual = 0;
  std::string_view pattern; // a name from k_memtest_patterns
};

struct MemtestRun {
  std::uint64_t bytes_tested = 0;         // the blocks every pattern ran over
  std::uint64_t errors = 0;               // mismatching words, over all patterns
  std::vector<MemoryError> first_errors;  // at most k_max_reported_errors
  std::vector<std::string_view> patterns; // the patterns run over every tested block
  bool stopped_early = false;             // the deadline passed before the whole region was tested
  std::chrono::nanoseconds elapsed{0};
  static constexpr std::size_t k_max_reported_errors = 16;
  static constexpr std::size_t k_block_bytes = std::size_t{64} << 20U;
};

// In this order: "walking-ones" (word i holds 1 << (i mod 64)), "address" (each word holds its own
// address), "random" (a seeded splitmix64 stream, regenerated for the check).
inline constexpr std::string_view k_memtest_patterns[] = {"walking-ones", "address", "random"};

// Block by block (block_bytes, a multiple of 8; the last one may be shorter), writes each pattern
// over the block, calls settle(), reads it back and counts mismatches. No block is started once the
// clock is past `deadline` (stopped_early), so the time, not an estimate, bounds the bytes tested:
// pages of the region that are never reached are never touched.
MemtestRun run_memtest(MemoryRegion& region, const base::Clock& clock,
                       std::chrono::nanoseconds deadline, std::uint64_t seed,
                       std::size_t block_bytes = MemtestRun::k_block_bytes);

} // namespace atelier::imager
