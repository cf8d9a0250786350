// The overwrite engine: writes every sector of one device with the passes of a method, verifies the
// last pass, and fills the I/O half of the erasure record (the caller fills the media half:
// identity, operator, site).
//
// Semantics (docs/WIPE.md): a wipe is `erased` only when every sector of every pass was written,
// the data was flushed, and the verification (if asked) read back exactly the pattern. Anything
// else is `failed` with failure_reason in plain words and every failing range listed; a partial
// result is never reported as success.
//
// Threads: run_overwrite runs on the calling thread (the writer) plus one generator thread for the
// random stream; it may block in the kernel on a hung device. control lets a supervisor on another
// thread cancel it and see whether it still makes progress (wipe_runner.h).
#pragma once

#include "imager/disk/block_device.h"
#include "imager/disk/progress.h"
#include "imager/wipe/wipe_io.h"
#include "imager/wipe/wipe_pattern.h"
#include "records/erasure_record.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

enum class OverwriteMethod { zero, one, random, random_then_zero };

std::string_view
    to_string(OverwriteMethod); // the profile spelling: "zero", "one", "random", "random-then-zero"
std::optional<OverwriteMethod> overwrite_method_from_string(std::string_view);
std::optional<records::VerificationMethod>
    verification_from_string(std::string_view); // "none", "sample", "full"
std::vector<PatternKind> passes_of(OverwriteMethod);
// Plain words for the record's method_detail, e.g. "AES-128-CTR stream, then zero pass".
std::string method_detail(OverwriteMethod);

struct WipeOptions {
  OverwriteMethod method = OverwriteMethod::zero;
  records::VerificationMethod verification = records::VerificationMethod::full;
  std::size_t buffer_bytes = 8U << 20;      // per I/O; a multiple of 4096
  std::size_t ring_buffers = 4;             // random stream: chunks generated ahead of the writer
  int max_attempts = 3;                     // per failing range, the first try included
  std::uint64_t max_failed_sectors = 65536; // beyond this many unwritable sectors the wipe gives up
  std::uint64_t sample_seed = 0;            // verification sample positions (0: random)
  WipeControl* control = nullptr;
  // Stamps started_at/finished_at, times the passes and paces progress; must outlive the run.
  const base::Clock* clock = &base::system_clock(); // never null
  ProgressSink progress;
  std::chrono::milliseconds progress_interval{250};
  std::string device_label; // Progress.device, e.g. "/dev/sdb"
  // TEST-ONLY SEAM: called with the random stream's seed before the first random pass, so that a
  // test can regenerate the stream with an independent tool (openssl enc). Production code never
  // sets it; the seed is never written to the record (only its sha256).
  std::function<void(const StreamSeed&)> seed_observer_for_tests;
};

// Overwrites and verifies `device`. Fills in `record`: method, method_detail, pattern, passes,
// prng_seed_sha256, started_at, finished_at, duration_seconds, bytes_written, bytes_verified,
// throughput_bytes_per_second, write_errors, read_errors, verify_mismatches, failed_ranges,
// verification, verification_result, verified_by, size_bytes, logical_sector_size, level (clear),
// result and failure_reason. Other fields are left as the caller set them.
void run_overwrite(BlockDevice& device, const WipeOptions& options, records::ErasureRecord& record);

} // namespace atelier::imager
