// Verification of an overwrite: the device is read back (O_DIRECT, after flush) and compared with
// the pattern of the last pass, regenerated from its seed for the random stream.
//
// Sampling (NIST SP 800-88 Rev. 1, section 4.7.2): the device is cut into 1000 equal subsections
// (the last one takes the remainder); in each, two non-overlapping samples at pseudorandom
// positions, each 5 % of the subsection rounded up to whole sectors, so that at least 10 % of the
// media is read; plus the first and the last sector. A device too small for 1000 subsections of 20
// sectors is read back in full instead (the outcome says so).
//
// Callable on its own (a verify-only run after the fact): it needs only the device, the pattern
// and, for the random stream, the seed.
#pragma once

#include "imager/disk/block_device.h"
#include "imager/disk/progress.h"
#include "imager/wipe/wipe_io.h"
#include "imager/wipe/wipe_pattern.h"
#include "records/erasure_record.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace atelier::imager {

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

inline constexpr std::uint64_t k_sample_subsections = 1000;
inline constexpr std::uint64_t k_sample_percent = 5; // per sample; two per subsection
inline constexpr std::uint64_t k_min_subsection_sectors = 20;

struct SamplePlan {
  std::vector<ByteRange> ranges; // sorted, non-overlapping, merged where adjacent
  bool full = false;             // the device was too small to sample: ranges is the whole device
  std::uint64_t subsections = 0;
};

// Pure: the sample positions for a device of size_bytes with the given sector size. The same seed
// gives the same plan.
SamplePlan plan_samples(std::uint64_t size_bytes, std::uint32_t sector_bytes, std::uint64_t seed);

struct VerifyOptions {
  records::VerificationMethod method = records::VerificationMethod::full;
  std::size_t buffer_bytes = 8U << 20;
  int max_attempts = 3;
  std::uint64_t sample_seed = 0; // 0: drawn from getrandom
  WipeControl* control = nullptr;
  ProgressSink progress;
  std::chrono::milliseconds progress_interval{250};
  std::string device_label;                         // Progress.device
  const base::Clock* clock = &base::system_clock(); // paces progress; never null
};

struct VerifyOutcome {
  bool completed = false; // every planned byte was read (false: cancelled or fatal)
  std::uint64_t bytes_planned = 0;
  std::uint64_t bytes_verified = 0; // read and compared
  std::uint64_t mismatched_sectors = 0;
  std::uint64_t unreadable_sectors = 0;
  std::vector<records::FailedRange>
      failed_ranges; // mismatches ("verify: content differs from the pattern") and read errors
  bool sampled_in_full = false; // sampling asked, device too small: read in full
  std::string fatal;            // why it stopped early, in plain words (empty when completed)
  bool passed() const { return completed && mismatched_sectors == 0 && unreadable_sectors == 0; }
  // "passed", "failed: 3 mismatching sectors, 1 unreadable sector", "incomplete: ..."
  std::string summary() const;
};

// Flushes the device (fdatasync + drop caches) and verifies it. method none returns at once.
VerifyOutcome verify_overwrite(BlockDevice& device, PatternKind pattern, const StreamSeed& seed,
                               const VerifyOptions& options);

} // namespace atelier::imager
