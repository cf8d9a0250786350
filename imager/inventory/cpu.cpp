#include "imager/inventory/cpu.h"

#include "imager/sys/file_system.h"

#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <utility>

namespace atelier::imager {
namespace {

std::optional<int> to_int(std::string_view text) {
  const auto value = parse_unsigned(text);
  if (!value || *value > 1'000'000U) {
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

bool has_all(const std::set<std::string>& flags, std::initializer_list<std::string_view> wanted) {
  for (const auto w : wanted) {
    if (!flags.contains(std::string(w))) {
      return false;
    }
  }
  return true;
}

// "... @ 1.90GHz" -> 1900.
std::optional<double> mhz_from_model_name(std::string_view name) {
  const auto at = name.rfind('@');
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = trim(name.substr(at + 1));
  double value = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || value <= 0) {
    return std::nullopt;
  }
  const std::string_view unit =
      trim(std::string_view(end, static_cast<std::size_t>(rest.data() + rest.size() - end)));
  if (unit.starts_with("GHz")) {
    return value * 1000.0;
  }
  if (unit.starts_with("MHz")) {
    return value;
  }
  return std::nullopt;
}

std::size_t count_digits(std::string_view text, std::size_t from) {
  std::size_t n = 0;
  while (from + n < text.size() && std::isdigit(static_cast<unsigned char>(text[from + n])) != 0) {
    ++n;
  }
  return n;
}

} // namespace

int x86_64_level(const std::set<std::string>& flags) {
  if (!has_all(flags, {"lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2"})) {
    return 0;
  }
  if (!has_all(flags, {"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"})) {
    return 1;
  }
  // abm is how Linux names LZCNT support on both vendors.
  if (!has_all(flags, {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"})) {
    return 2;
  }
  if (!has_all(flags, {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"})) {
    return 3;
  }
  return 4;
}

std::optional<CpuGeneration> cpu_generation(std::string_view name) {
  // Intel Core i3/i5/i7/i9: the digits after "iN-".
  for (const std::string_view tier : {"i3-", "i5-", "i7-", "i9-"}) {
    const auto at = name.find(tier);
    if (at == std::string_view::npos) {
      continue;
    }
    const std::size_t from = at + tier.size();
    const std::size_t digits = count_digits(name, from);
    const std::string_view number = name.substr(from, digits);
    if (digits == 3) {
      return CpuGeneration{"intel-core", 1}; // i7-920, i5-520M: first generation (Nehalem/Westmere)
    }
    if (digits == 4) {
      // 2xxx-9xxx: the first digit. 1xxx only exists from the 10th generation on (i5-1035G1,
      // i5-1135G7, i5-1235U, i7-1355U): the first two digits.
      if (number[0] == '1') {
        return CpuGeneration{"intel-core", (number[1] - '0') + 10};
      }
      return CpuGeneration{"intel-core", number[0] - '0'};
    }
    if (digits == 5) {
      return CpuGeneration{"intel-core", (number[0] - '0') * 10 + (number[1] - '0')}; // i7-10510U
    }
    return std::nullopt;
  }
  // AMD Ryzen: "Ryzen 5 3500U", "Ryzen 7 PRO 4750U": the first digit of the 4-digit model number.
  if (const auto at = name.find("Ryzen"); at != std::string_view::npos) {
    for (std::size_t i = at + 5; i < name.size(); ++i) {
      const std::size_t digits = count_digits(name, i);
      if (digits == 4) {
        return CpuGeneration{"amd-ryzen", name[i] - '0'};
      }
      i += digits;
    }
  }
  return std::nullopt;
}

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo cpu;
  std::set<std::pair<std::string, std::string>> cores; // (physical id, core id)
  std::set<std::string> packages;
  std::optional<int> cores_per_package;
  std::string physical_id;
  bool first_processor_done = false;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      if (trim(line).empty() && cpu.threads > 0) {
        first_processor_done = true;
      }
      continue;
    }
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "processor") {
      ++cpu.threads;
      physical_id.clear();
    } else if (key == "physical id") {
      physical_id = std::string(value);
      packages.insert(physical_id);
    } else if (key == "core id") {
      cores.emplace(physical_id, std::string(value));
    } else if (key == "cpu cores" && !cores_per_package) {
      cores_per_package = to_int(value);
    } else if (first_processor_done) {
      continue; // the remaining keys are the same on every processor
    } else if (key == "vendor_id") {
      cpu.vendor = std::string(value);
    } else if (key == "model name") {
      cpu.model_name = std::string(value);
    } else if (key == "cpu family") {
      cpu.family = to_int(value);
    } else if (key == "model") {
      cpu.model = to_int(value);
    } else if (key == "stepping") {
      cpu.stepping = to_int(value);
    } else if (key == "flags") {
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto space = rest.find(' ');
        const std::string_view flag = rest.substr(0, space);
        if (!flag.empty()) {
          cpu.flags.emplace(flag);
        }
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      }
    }
  }
  cpu.sockets = packages.empty() ? (cpu.threads > 0 ? 1 : 0) : static_cast<int>(packages.size());
  if (!cores.empty()) {
    cpu.cores = static_cast<int>(cores.size());
  } else if (cores_per_package) {
    cpu.cores = *cores_per_package * cpu.sockets;
  } else {
    cpu.cores = cpu.threads; // no topology given (some VMs): assume no SMT
  }
  cpu.x86_64_level = x86_64_level(cpu.flags);
  cpu.virtualization = cpu.flags.contains("vmx")   ? "vt-x"
                       : cpu.flags.contains("svm") ? "amd-v"
                                                   : "";
  cpu.hypervisor = cpu.flags.contains("hypervisor");
  cpu.base_mhz = mhz_from_model_name(cpu.model_name);
  cpu.generation = cpu_generation(cpu.model_name);
  return cpu;
}

void read_cpufreq(FileSystem& fs, CpuInfo& cpu) {
  constexpr std::string_view k_dir = "sys/devices/system/cpu/cpu0/cpufreq/";
  auto mhz = [&](std::string_view file) -> std::optional<double> {
    const auto khz = read_number(fs, std::string(k_dir) + std::string(file));
    return khz && *khz > 0 ? std::optional<double>(static_cast<double>(*khz) / 1000.0)
                           : std::nullopt;
  };
  if (auto base = mhz("base_frequency")) {
    cpu.base_mhz = base; // intel_pstate's nominal frequency beats the model-name text
  }
  cpu.max_mhz = mhz("cpuinfo_max_freq");
  cpu.min_mhz = mhz("cpuinfo_min_freq");
}

} // namespace atelier::imager
