// CPU facts from /proc/cpuinfo (a pure parser on its text) and cpufreq in sysfs.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

class FileSystem;

struct CpuGeneration {
  std::string family; // "intel-core" or "amd-ryzen"
  int number = 0;     // Intel Core generation (4 for i5-4300U) or Ryzen series digit (3 for 3500U)
};

struct CpuInfo {
  std::string vendor;     // vendor_id: "GenuineIntel", "AuthenticAMD"
  std::string model_name; // "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz"
  std::optional<int> family;
  std::optional<int> model;
  std::optional<int> stepping;
  int sockets = 0;
  int cores = 0;                  // physical cores, all sockets
  int threads = 0;                // logical processors listed
  std::set<std::string> flags;    // of the first processor
  int x86_64_level = 0;           // 1-4; 0 when not x86-64 or unknown
  std::string virtualization;     // "vt-x", "amd-v" or "" (none visible)
  bool hypervisor = false;        // the "hypervisor" flag: running inside a VM
  std::optional<double> base_mhz; // cpufreq base_frequency, else the "@ 1.90GHz" of the model name
  std::optional<double> max_mhz;  // cpufreq cpuinfo_max_freq
  std::optional<double> min_mhz;  // cpufreq cpuinfo_min_freq
  std::optional<CpuGeneration> generation;
};

// Parses /proc/cpuinfo text (x86 layout: "key\t: value" lines, blank line between processors).
// Frequencies are left unset; see read_cpufreq.
CpuInfo parse_cpuinfo(std::string_view text);

// The x86-64 psABI micro-architecture level the flags support: 1 baseline (lm cmov cx8 fpu fxsr mmx
// syscall sse sse2), 2 (+cx16 lahf_lm popcnt pni sse4_1 sse4_2 ssse3), 3 (+avx avx2 bmi1 bmi2 f16c
// fma abm movbe xsave), 4 (+avx512f avx512bw avx512cd avx512dq avx512vl); 0 if not even baseline.
int x86_64_level(const std::set<std::string>& flags);

// Generation from a model string: "i5-4300U" -> intel-core 4, "i7-10510U" -> 10, "i5-1135G7" -> 11,
// "i7-920" -> 1, "Ryzen 5 3500U" -> amd-ryzen 3. nullopt when not derivable (Pentium, Celeron,
// Xeon, Core 2, Core Ultra...).
std::optional<CpuGeneration> cpu_generation(std::string_view model_name);

// Fills base/max/min from sys/devices/system/cpu/cpu0/cpufreq when present (kHz in sysfs).
void read_cpufreq(FileSystem& fs, CpuInfo& cpu);

} // namespace atelier::imager
