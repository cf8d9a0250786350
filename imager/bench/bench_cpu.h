// CPU benchmark: a fixed, deterministic integer workload (docs/BENCHMARKS.md, "cpu"), timed in
// slices on one thread and on every online CPU. The workload's result is checked on every run, so
// the compiler cannot drop it and a CPU that computes wrong is reported instead of scored.
#pragma once

#include "base/clock.h"

#include <chrono>
#include <cstdint>
#include <vector>

namespace atelier::imager {

// One unit of work ("op"): SHA-256 compression rounds over a 16 KiB pseudo-random buffer, then a
// greedy LZ77 match search (hash chains of one, 32 KiB window) over the same buffer, folded into a
// 64-bit checksum. Integer only, no allocation inside run_once, about 60 us on the reference
// machine. Changing anything here changes the scores: bump k_cpu_workload_version and re-measure
// the reference (bench_reference.h).
class CpuWorkload {
public:
  CpuWorkload(); // builds the input from a fixed seed
  // Pure function of the input; the same on every machine, compiler and thread.
  std::uint64_t run_once() const;

  static constexpr int k_version = 1;
  static constexpr std::size_t k_input_bytes = 16 * 1024;
  // run_once()'s answer; a CPU that returns anything else computes wrong.
  static constexpr std::uint64_t k_expected_checksum = 0x6d2efeeebc5a1f6aULL;

private:
  std::vector<std::uint8_t> m_input;
};

struct CpuRun {
  std::vector<double> samples_ops_per_s; // one per slice
  std::uint64_t ops = 0;                 // units run in total
  std::uint64_t wrong_results = 0;       // units whose checksum was not k_expected_checksum
  std::chrono::nanoseconds elapsed{0};   // whole stage, thread start-up included
};

// Runs `slices` slices of `slice` each; in each, `threads` workers (1 = on the calling thread) run
// units until the clock passes the slice's deadline. A slice's sample is units / elapsed.
// Blocks the calling thread for about slices * slice.
CpuRun measure_cpu(const CpuWorkload& workload, const base::Clock& clock, unsigned threads,
                   std::chrono::nanoseconds slice, unsigned slices);

// Online CPUs (sysconf(_SC_NPROCESSORS_ONLN)), at least 1.
unsigned online_cpus();

} // namespace atelier::imager
