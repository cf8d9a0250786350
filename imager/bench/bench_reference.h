// The reference machine every score is divided by: score 1.0 = as fast as the reference machine,
// 2.0 = twice as fast. One place, so two machines' scores are comparable only when both were
// produced against the same constants (the version is in every method string and in the report).
// How these were measured: docs/BENCHMARKS.md, "Reference machine".
#pragma once

#include <string_view>

namespace atelier::imager {

struct BenchReference {
  std::string_view id;         // recorded in the report as "reference"
  double cpu_single_ops_per_s; // CpuWorkload units per second, one thread
  double cpu_all_ops_per_s;    // ... all online CPUs of the reference (2 threads)
  double memory_copy_gb_s;     // memcpy, bytes read + written, 10^9 B/s
  double disk_seq_read_mb_s;   // 10^6 B/s, O_DIRECT, 1 MiB reads
  double disk_rand_read_iops;  // 4 KiB, O_DIRECT, queue depth 1
};

// CPU and memory: measured on the Atelier development VM ("AMD EPYC", 2 vCPUs, 24 GiB), six runs of
// `atelier-imager bench --budget 20`, rounded. Disk: NOT measured (that VM may not open its own
// disk); a nominal SATA SSD at queue depth 1, until a workshop machine is measured. Workload v1.
inline constexpr BenchReference k_reference{
    .id = "atelier-ref-1 (CPU/memory: AMD EPYC VM, 2 vCPU; disk: nominal SATA SSD; workload v1)",
    .cpu_single_ops_per_s = 17000.0,
    .cpu_all_ops_per_s = 34000.0,
    .memory_copy_gb_s = 35.0,
    .disk_seq_read_mb_s = 500.0,
    .disk_rand_read_iops = 10000.0,
};

} // namespace atelier::imager
