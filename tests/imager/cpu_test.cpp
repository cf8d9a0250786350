#include "imager/inventory/cpu.h"
#include "imager/sys/file_system.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

CpuInfo parse_fixture(std::string_view name) {
  return parse_cpuinfo(test::read_fixture(std::string("cpuinfo/") + std::string(name)));
}

TEST(CpuLevel, Core2DuoIsV1) {
  // Why: no SSE4.2/POPCNT: such a machine cannot run a distribution built for x86-64-v2.
  const auto cpu = parse_fixture("core2duo-e8400.txt");
  EXPECT_EQ(cpu.x86_64_level, 1);
  EXPECT_EQ(cpu.threads, 2);
  EXPECT_EQ(cpu.cores, 2);
  EXPECT_EQ(cpu.virtualization, "vt-x");
  EXPECT_FALSE(cpu.generation); // Core 2 has no "iN-" generation
  EXPECT_DOUBLE_EQ(cpu.base_mhz.value_or(0), 3000.0);
}

TEST(CpuLevel, SandyBridgeIsV2) {
  // Why: AVX without AVX2/BMI is v2, the most common level of donated office PCs.
  const auto cpu = parse_fixture("sandybridge-i5-2520m.txt");
  EXPECT_EQ(cpu.x86_64_level, 2);
  EXPECT_EQ(cpu.cores, 2);
  EXPECT_EQ(cpu.threads, 4);
  ASSERT_TRUE(cpu.generation);
  EXPECT_EQ(cpu.generation->number, 2);
}

TEST(CpuLevel, HaswellIsV3) {
  // Why: Haswell is the first v3 generation; abm stands for LZCNT.
  const auto cpu = parse_fixture("haswell-i5-4300u.txt");
  EXPECT_EQ(cpu.x86_64_level, 3);
  EXPECT_EQ(cpu.vendor, "GenuineIntel");
  EXPECT_EQ(cpu.model_name, "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz");
  EXPECT_EQ(cpu.family, 6);
  EXPECT_EQ(cpu.model, 69);
  ASSERT_TRUE(cpu.generation);
  EXPECT_EQ(cpu.generation->family, "intel-core");
  EXPECT_EQ(cpu.generation->number, 4);
}

TEST(CpuLevel, SkylakeSpXeonIsV4) {
  // Why: the AVX-512 F/BW/CD/DQ/VL set makes v4; topology counts 16 cores, 32 threads.
  const auto cpu = parse_fixture("skylake-sp-xeon-gold-6130.txt");
  EXPECT_EQ(cpu.x86_64_level, 4);
  EXPECT_EQ(cpu.cores, 16);
  EXPECT_EQ(cpu.threads, 32);
  EXPECT_EQ(cpu.sockets, 1);
}

TEST(CpuLevel, RealCloudVmCpuinfo) {
  // Why: captured from the build machine (a VM): hypervisor flag, no vmx/svm passed through.
  const auto cpu = parse_fixture("cloud-vm-amd-epyc.txt");
  EXPECT_EQ(cpu.vendor, "AuthenticAMD");
  EXPECT_EQ(cpu.x86_64_level, 4);
  EXPECT_TRUE(cpu.hypervisor);
  EXPECT_EQ(cpu.virtualization, "");
}

TEST(CpuLevel, MissingOneFlagDropsALevel) {
  // Why: each level requires all of its flags.
  std::set<std::string> flags{"lm",      "cmov",   "cx8",    "fpu",  "fxsr",    "mmx",
                              "syscall", "sse",    "sse2",   "cx16", "lahf_lm", "popcnt",
                              "pni",     "sse4_1", "sse4_2", "ssse3"};
  EXPECT_EQ(x86_64_level(flags), 2);
  flags.erase("popcnt");
  EXPECT_EQ(x86_64_level(flags), 1);
  flags.erase("lm");
  EXPECT_EQ(x86_64_level(flags), 0);
  EXPECT_EQ(x86_64_level({}), 0);
}

TEST(CpuGeneration, DerivedFromIntelAndAmdModelNames) {
  // Why: generation is what volunteers and the Windows 11 floor talk about.
  auto gen = [](std::string_view name) {
    return cpu_generation(name).value_or(CpuGeneration{"", 0}).number;
  };
  EXPECT_EQ(gen("Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz"), 4);
  EXPECT_EQ(gen("Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz"), 10);
  EXPECT_EQ(gen("11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz"), 11);
  EXPECT_EQ(gen("12th Gen Intel(R) Core(TM) i5-1235U"), 12);
  EXPECT_EQ(gen("Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz"), 8);
  EXPECT_EQ(gen("Intel(R) Core(TM) i7 CPU         920  @ 2.67GHz"), 0); // no "i7-": not derivable
  EXPECT_EQ(gen("Intel(R) Core(TM) i5 CPU       M 520  @ 2.40GHz"), 0);
  EXPECT_EQ(gen("Intel(R) Core(TM) i3-370M"), 1);
  EXPECT_EQ(gen("Intel(R) Core(TM) i9-13900K"), 13);
  EXPECT_EQ(gen("AMD Ryzen 5 3500U with Radeon Vega Mobile Gfx"), 3);
  EXPECT_EQ(cpu_generation("AMD Ryzen 7 PRO 4750U with Radeon Graphics")->family, "amd-ryzen");
  EXPECT_FALSE(cpu_generation("Intel(R) Celeron(R) CPU N3050 @ 1.60GHz"));
  EXPECT_FALSE(cpu_generation("AMD EPYC"));
}

TEST(CpuFreq, ReadsSysfsInKilohertz) {
  // Why: cpufreq values are kHz; the report is MHz.
  DiskFileSystem fs(test::fixture_path("sysfs-laptop"));
  CpuInfo cpu = parse_cpuinfo(fs.read_file("proc/cpuinfo", 1U << 20).value_or(""));
  read_cpufreq(fs, cpu);
  EXPECT_DOUBLE_EQ(cpu.max_mhz.value_or(0), 2900.0);
  EXPECT_DOUBLE_EQ(cpu.min_mhz.value_or(0), 800.0);
  EXPECT_DOUBLE_EQ(cpu.base_mhz.value_or(0), 1900.0); // no base_frequency file: from the model name
}

} // namespace
} // namespace atelier::imager
