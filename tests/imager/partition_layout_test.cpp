// The deploy layout is a pure function; these cases pin every rule of
// imager/deploy/partition_layout.h on the disks a workshop meets (tiny, exactly 2 TiB, 3 TiB, 4Kn)
// and the profile mistakes it must refuse before anything is written.
#include "imager/deploy/partition_layout.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using profiles::Firmware;
using profiles::PartitionScheme;

constexpr std::uint64_t k_gib = 1024 * k_mib;
constexpr std::uint64_t k_tib = 1024 * k_gib;

LayoutRequest request(std::uint64_t disk, Firmware fw, std::uint64_t swap = 0,
                      std::uint32_t ss = 512) {
  LayoutRequest r;
  r.disk_bytes = disk;
  r.sector_size = ss;
  r.firmware = fw;
  r.swap_bytes = swap;
  r.min_root_bytes = 100 * k_mib;
  return r;
}

// Every partition starts on a MiB boundary, is a whole number of MiB, and they do not overlap.
void expect_aligned(const PartitionLayout& layout) {
  const std::uint64_t align = k_mib / layout.sector_size;
  std::uint64_t previous_end = 0;
  for (const auto& p : layout.partitions) {
    EXPECT_EQ(p.start_sector % align, 0U) << "partition " << p.number;
    EXPECT_EQ(p.sectors() % align, 0U) << "partition " << p.number;
    EXPECT_GT(p.start_sector, previous_end) << "partition " << p.number;
    previous_end = p.end_sector;
  }
}

TEST(PartitionLayout, UefiGetsGptWithA512MibEspFirstAndRootFillingTheDisk) {
  const auto layout = plan_layout(request(8 * k_gib, Firmware::uefi));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->table, PartitionTable::gpt);
  ASSERT_EQ(layout->partitions.size(), 2U);
  EXPECT_EQ(layout->partitions[0].role, PartitionRole::esp);
  EXPECT_EQ(layout->partitions[0].start_sector, 2048U);
  EXPECT_EQ(layout->partitions[0].sectors() * 512, k_esp_bytes);
  EXPECT_EQ(layout->partitions[1].role, PartitionRole::root);
  // The GPT backup lives in the last 33 sectors; root ends on the last MiB boundary before them.
  EXPECT_EQ(layout->partitions[1].end_sector, 8 * k_gib / 512 - 2048 - 1);
  expect_aligned(*layout);
}

TEST(PartitionLayout, BiosGetsMbrWithRootThenSwapAtTheEnd) {
  const auto layout = plan_layout(request(8 * k_gib, Firmware::bios, 1 * k_gib));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->table, PartitionTable::msdos);
  ASSERT_EQ(layout->partitions.size(), 2U);
  EXPECT_EQ(layout->partitions[0].role, PartitionRole::root);
  EXPECT_EQ(layout->partitions[0].start_sector, 2048U);
  EXPECT_EQ(layout->partitions[1].role, PartitionRole::swap);
  EXPECT_EQ(layout->partitions[1].sectors() * 512, k_gib);
  // MBR has no backup: swap ends on the disk's last sector.
  EXPECT_EQ(layout->partitions[1].end_sector, 8 * k_gib / 512 - 1);
  expect_aligned(*layout);
}

TEST(PartitionLayout, SwapIsRoundedUpToWholeMebibytes) {
  const auto layout = plan_layout(request(8 * k_gib, Firmware::uefi, 1000 * 1000 * 1000));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->find(PartitionRole::swap)->sectors() * 512, 954 * k_mib);
  expect_aligned(*layout);
}

TEST(PartitionLayout, BiosOnExactly2TibStaysMbrBecauseEverySectorIsAddressable) {
  const auto layout = plan_layout(request(2 * k_tib, Firmware::bios));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->table, PartitionTable::msdos);
  EXPECT_EQ(layout->partitions.back().end_sector, (1ULL << 32U) - 1);
  EXPECT_TRUE(layout->notes.empty());
}

TEST(PartitionLayout, BiosBeyond2TibGetsGptWithA1MibBiosBootPartition) {
  const auto layout = plan_layout(request(3 * k_tib, Firmware::bios, 4 * k_gib));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->table, PartitionTable::gpt);
  ASSERT_EQ(layout->partitions.size(), 3U);
  EXPECT_EQ(layout->partitions[0].role, PartitionRole::bios_boot);
  EXPECT_EQ(layout->partitions[0].sectors() * 512, k_mib);
  EXPECT_EQ(layout->partitions[1].role, PartitionRole::root);
  // Root uses the whole 3 TiB, past the 2^32-sector MBR limit.
  EXPECT_GT(layout->partitions[1].end_sector, 1ULL << 32U);
  EXPECT_EQ(layout->partitions[2].role, PartitionRole::swap);
  ASSERT_EQ(layout->notes.size(), 1U);
  EXPECT_NE(layout->notes[0].find("BIOS boot partition"), std::string::npos);
  expect_aligned(*layout);
}

TEST(PartitionLayout, FourKnSectorsAlignOn256SectorBoundaries) {
  const auto layout = plan_layout(request(8 * k_gib, Firmware::uefi, k_gib, 4096));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->partitions[0].start_sector, 256U);
  EXPECT_EQ(layout->partitions[0].sectors() * 4096, k_esp_bytes);
  // 4Kn GPT backup: 4 entry sectors + header, so the last MiB (256 sectors) stays free.
  EXPECT_EQ(layout->partitions.back().end_sector, 8 * k_gib / 4096 - 256 - 1);
  expect_aligned(*layout);
}

TEST(PartitionLayout, FourKnBiosStaysMbrUpTo16Tib) {
  const auto layout = plan_layout(request(3 * k_tib, Firmware::bios, 0, 4096));
  ASSERT_TRUE(layout) << layout.error();
  EXPECT_EQ(layout->table, PartitionTable::msdos);
}

TEST(PartitionLayout, TinyDiskIsRefusedWithWhatItWouldNeed) {
  const auto layout = plan_layout(request(200 * k_mib, Firmware::uefi, 64 * k_mib));
  ASSERT_FALSE(layout);
  EXPECT_NE(layout.error().find("the disk (200.0 MiB) is too small"), std::string::npos)
      << layout.error();
  EXPECT_NE(layout.error().find("EFI system partition"), std::string::npos) << layout.error();
  EXPECT_NE(layout.error().find("64.0 MiB of swap"), std::string::npos) << layout.error();
}

TEST(PartitionLayout, DiskJustLargeEnoughIsAccepted) {
  // 1 MiB lead + 512 MiB ESP + 100 MiB root + 1 MiB for the GPT backup.
  EXPECT_TRUE(plan_layout(request(614 * k_mib, Firmware::uefi)));
  EXPECT_FALSE(plan_layout(request(613 * k_mib, Firmware::uefi)));
  // MBR needs no backup area.
  EXPECT_TRUE(plan_layout(request(101 * k_mib, Firmware::bios)));
  EXPECT_FALSE(plan_layout(request(100 * k_mib, Firmware::bios)));
}

TEST(PartitionLayout, SwapLargerThanTheDiskNamesTheProfileKey) {
  const auto layout = plan_layout(request(4 * k_gib, Firmware::bios, 8 * k_gib));
  ASSERT_FALSE(layout);
  EXPECT_EQ(layout.error(), "partitioning.swap: 8.0 GiB of swap does not fit on a 4.0 GiB disk");
}

TEST(PartitionLayout, OddSectorSizeIsRefused) {
  EXPECT_FALSE(plan_layout(request(8 * k_gib, Firmware::bios, 0, 520)));
  EXPECT_FALSE(plan_layout(request(8 * k_gib, Firmware::bios, 0, 256)));
}

TEST(PartitionLayout, SummaryAndJsonDescribeEveryPartition) {
  const auto layout = plan_layout(request(8 * k_gib, Firmware::uefi, 512 * k_mib));
  ASSERT_TRUE(layout);
  EXPECT_EQ(summary(*layout),
            "gpt, 512-byte sectors: 1 esp 512.0 MiB, 2 root 7.0 GiB, 3 swap 512.0 MiB");
  const auto json = to_json(*layout);
  EXPECT_EQ(json["table"], "gpt");
  EXPECT_EQ(json["partitions"].size(), 3U);
  EXPECT_EQ(json["partitions"][2]["role"], "swap");
  EXPECT_EQ(json["partitions"][2]["size_bytes"], 512 * k_mib);
}

TEST(ChooseFirmware, DetectedFirmwareIsUsedForAnAutoScheme) {
  EXPECT_EQ(choose_firmware(std::nullopt, PartitionScheme::automatic, Firmware::uefi),
            Firmware::uefi);
  EXPECT_EQ(choose_firmware(std::nullopt, PartitionScheme::automatic, Firmware::bios),
            Firmware::bios);
}

TEST(ChooseFirmware, ProfileSchemeForcesItsFirmwareOverTheDetection) {
  EXPECT_EQ(choose_firmware(std::nullopt, PartitionScheme::bios_mbr, Firmware::uefi),
            Firmware::bios);
  EXPECT_EQ(choose_firmware(std::nullopt, PartitionScheme::uefi_gpt, Firmware::bios),
            Firmware::uefi);
}

TEST(ChooseFirmware, CommandLineWinsOverTheDetection) {
  EXPECT_EQ(choose_firmware(Firmware::bios, PartitionScheme::automatic, Firmware::uefi),
            Firmware::bios);
}

TEST(ChooseFirmware, CommandLineContradictingTheProfileIsAnError) {
  const auto fw = choose_firmware(Firmware::uefi, PartitionScheme::bios_mbr, Firmware::uefi);
  ASSERT_FALSE(fw);
  EXPECT_EQ(fw.error(),
            "--firmware uefi contradicts the profile's partitioning.scheme \"bios-mbr\"");
}

TEST(ChooseFirmware, UnknownFirmwareWithoutARequestIsAnError) {
  EXPECT_FALSE(choose_firmware(std::nullopt, PartitionScheme::automatic, Firmware::unknown));
}

} // namespace
} // namespace atelier::imager
