#include "base/process_runner.h"
#include "imager/inventory/inventory.h"
#include "imager/inventory/report.h"
#include "imager/sys/file_system.h"
#include "support/temp_dir.h"
#include "test_support.h"

#include <filesystem>
#include <fstream>

#ifdef ATELIER_HAVE_PROFILES
#include "profiles/machine_facts.h"
#endif

#include <map>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using Json = nlohmann::json;

// smartctl answers per device from the fixtures; nvme-cli is "not installed".
class FixtureRunner final : public base::ProcessRunner {
public:
  std::expected<base::ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds) override {
    static const std::map<std::string, std::string> k_answers{
        {"/dev/sda", "smart/sata-ssd-ok.json"},
        {"/dev/sdc", "smart/hdd-reallocated.json"},
        {"/dev/nvme0n1", "smart/nvme-ok.json"},
        {"/dev/sdb", "smart/usb-bridge-unknown.json"}};
    if (argv.at(0) != "smartctl") {
      return std::unexpected(argv.at(0) + ": not installed");
    }
    const auto it = k_answers.find(argv.back());
    if (it == k_answers.end()) {
      return base::ProcessResult{2, false, "", "no such device"};
    }
    return base::ProcessResult{0, false, test::read_fixture(it->second), ""};
  }
};

Inventory laptop_inventory() {
  DiskFileSystem fs(test::fixture_path("sysfs-laptop"));
  FixtureRunner runner;
  return collect_inventory(fs, runner, CollectOptions{});
}

TEST(Report, LaptopTreeGivesTheDocumentedFields) {
  // Why: docs/INVENTORY.md promises these names; the server and profiles read them.
  const Json j = to_json(laptop_inventory());
  EXPECT_EQ(j["schema"], "atelier.inventory/1");
  EXPECT_EQ(j["generator"]["name"], "atelier-imager");
  EXPECT_EQ(j["generator"]["version"], ATELIER_EXPECTED_VERSION); // CMake PROJECT_VERSION
  EXPECT_EQ(j["system"]["source"], "dmi-id");
  EXPECT_EQ(j["system"]["vendor"], "LENOVO");
  EXPECT_EQ(j["system"]["chassis"], "laptop");
  EXPECT_EQ(j["system"]["chassis_type"], "Notebook");
  EXPECT_EQ(j["identity"]["serial"], "PC01ABCD");
  EXPECT_EQ(j["identity"]["placeholders"], Json::array({"chassis.serial"}));
  EXPECT_EQ(j["cpu"]["x86_64_level"], 3);
  EXPECT_EQ(j["cpu"]["threads"], 4);
  EXPECT_EQ(j["cpu"]["generation"]["number"], 4);
  EXPECT_EQ(j["memory"]["total_bytes"], 8036352ULL * 1024U);
  EXPECT_EQ(j["memory"]["total_source"], "meminfo");
  ASSERT_EQ(j["disks"].size(), 4U);
  EXPECT_EQ(j["disks"][0]["name"], "nvme0n1");
  EXPECT_EQ(j["disks"][0]["health"]["status"], "ok");
  EXPECT_EQ(j["disks"][0]["health"]["percentage_used"], 3);
  EXPECT_EQ(j["disks"][1]["media"], "ssd");
  EXPECT_EQ(j["disks"][2]["media"], "usb");
  EXPECT_EQ(j["disks"][2]["health"]["status"], "unknown");
  EXPECT_EQ(j["disks"][3]["health"]["status"], "warning");
  EXPECT_EQ(j["disks"][3]["health"]["reallocated_sectors"], 24);
  EXPECT_EQ(j["optical"].size(), 1U);
  EXPECT_EQ(j["network"].size(), 2U);
  EXPECT_EQ(j["gpus"].size(), 1U);
  EXPECT_EQ(j["gpus"][0]["vendor_id"], "0x8086");
  EXPECT_EQ(j["batteries"][0]["cycle_count"], 412);
  EXPECT_EQ(j["firmware"]["type"], "uefi");
  EXPECT_EQ(j["firmware"]["secure_boot"], true);
  EXPECT_EQ(j["firmware"]["tpm"]["version_major"], 2);
  EXPECT_EQ(j["webcams"].size(), 1U);
}

TEST(Report, KeepsRawMaterialForReparsing) {
  // Why: a later agent version re-parses the raw material instead of asking for the machine again.
  const Json j = to_json(laptop_inventory());
  const Json& raw = j["raw"];
  ASSERT_EQ(raw["smart"].size(), 4U);
  EXPECT_EQ(raw["smart"][3]["disk"], "sdc");
  EXPECT_EQ(raw["smart"][3]["stdout"], test::read_fixture("smart/hdd-reallocated.json"));
  EXPECT_EQ(raw["sysfs"]["sys/block/sda/size"], "488397168\n");
  // Binary efivars are kept as base64 (attributes 06 00 00 00, value 01).
  EXPECT_EQ(raw["sysfs"]["sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"]
               ["base64"],
            "BgAAAAE=");
  EXPECT_NE(raw["cpuinfo"].get<std::string>().find("i5-4300U"), std::string::npos);
}

TEST(Report, SmbiosTreeKeepsTheBlobAndReadsSlots) {
  // Why: with SMBIOS readable, installed memory comes from type 17 and the blob is kept as base64.
  DiskFileSystem fs(test::fixture_path("sysfs-vm"));
  FixtureRunner runner;
  const Inventory inv = collect_inventory(fs, runner, CollectOptions{false, false});
  const Json j = to_json(inv);
  EXPECT_EQ(j["system"]["source"], "smbios");
  EXPECT_EQ(j["system"]["uuid"], "12345678-9abc-def0-1122-334455667788");
  EXPECT_EQ(j["identity"]["serial"], "ATL-0001");
  EXPECT_EQ(j["memory"]["total_source"], "smbios");
  EXPECT_EQ(j["memory"]["total_bytes"], 2048ULL << 20U);
  EXPECT_EQ(j["memory"]["slots"][0]["type"], "RAM");
  EXPECT_EQ(j["system"]["virtual_machine"], true);
  EXPECT_EQ(j["disks"][0]["bus"], "virtio");
  EXPECT_EQ(j["disks"][0]["health"]["status"], "unknown");
  EXPECT_EQ(j["firmware"]["type"], "bios");
  const std::string table = test::read_fixture("smbios/qemu-pc-2.8/DMI");
  EXPECT_EQ(j["raw"]["smbios"]["table_base64"],
            base64_encode({reinterpret_cast<const std::uint8_t*>(table.data()), table.size()}));
  EXPECT_FALSE(j["raw"]["sysfs"].contains("sys/firmware/dmi/tables/DMI"));
}

TEST(Report, RealLaptopTableGivesSlotsBatteryAndPlaceholderIdentity) {
  // Why: a real laptop's firmware mixes real serials with fillers ("Chassis Serial Number"); the
  // report must keep both slots and the SMBIOS battery and flag the filler.
  const std::string entry =
      test::read_fixture("smbios/hp-spectre-x360-15-df0xxx/smbios_entry_point");
  const std::string table = test::read_fixture("smbios/hp-spectre-x360-15-df0xxx/DMI");
  const auto ep = smbios::parse_entry_point(
      {reinterpret_cast<const std::uint8_t*>(entry.data()), entry.size()});
  ASSERT_TRUE(ep);
  const auto t = smbios::parse_table(
      {reinterpret_cast<const std::uint8_t*>(table.data()), table.size()}, &*ep);
  ASSERT_TRUE(t);
  Inventory inv;
  apply_smbios(*t, inv);
  inv.identity = derive_identity(inv.system, {});
  const Json j = to_json(inv);
  EXPECT_EQ(j["system"]["chassis"], "laptop");
  EXPECT_EQ(j["system"]["chassis_type"], "Convertible");
  EXPECT_EQ(j["identity"]["serial"], "5CD0000ATL");
  EXPECT_EQ(j["identity"]["placeholders"], Json::array({"chassis.serial"}));
  EXPECT_EQ(j["memory"]["slot_count"], 2);
  EXPECT_EQ(j["memory"]["slots"][0]["form_factor"], "SODIMM");
  EXPECT_EQ(j["memory"]["slots"][0]["type"], "DDR4");
  EXPECT_EQ(j["smbios_batteries"][0]["design_capacity_mwh"], 84080);
  EXPECT_EQ(j["smbios_batteries"][0]["serial"], "0469");
  EXPECT_EQ(j["cpu"]["smbios_processors"][0]["thread_count"], 8);
}

TEST(Report, WithoutSmbiosMemoryTheKernelsMemoryBlocksGiveTheInstalledSize) {
  // Why: MemTotal leaves out what firmware and kernel reserve (a 4 GB machine shows ~3.8 GiB and
  // would miss a "4GiB" step); the online memory blocks are what lshw reports and match what is
  // installed.
  atelier::testing::TempDir root;
  const auto write = [&](const std::string& path, const std::string& text) {
    std::filesystem::create_directories((root / path).parent_path());
    std::ofstream(root / path) << text;
  };
  write("proc/meminfo", "MemTotal:         400000 kB\n");
  write("sys/devices/system/memory/block_size_bytes", "8000000\n"); // hexadecimal: 128 MiB
  for (int i = 0; i < 4; ++i) {
    write("sys/devices/system/memory/memory" + std::to_string(i) + "/state", "online\n");
  }
  write("sys/devices/system/memory/memory4/state", "offline\n"); // not counted
  DiskFileSystem fs(root.path());
  FixtureRunner runner;
  const Json j = to_json(collect_inventory(fs, runner, CollectOptions{false, false}));
  EXPECT_EQ(j["memory"]["total_bytes"], 512ULL << 20U);
  EXPECT_EQ(j["memory"]["total_source"], "memory-blocks");
  EXPECT_EQ(j["memory"]["memory_blocks_bytes"], 512ULL << 20U);
  EXPECT_EQ(j["memory"]["os_visible_bytes"], 400000ULL * 1024U);
  // Blocks that add up to less than the OS sees are not believed.
  write("proc/meminfo", "MemTotal:         600000 kB\n");
  const Json k = to_json(collect_inventory(fs, runner, CollectOptions{false, false}));
  EXPECT_EQ(k["memory"]["total_source"], "meminfo");
  EXPECT_EQ(k["memory"]["total_bytes"], 600000ULL * 1024U);
}

TEST(Report, EmptyRootStillGivesAValidReportWithWarnings) {
  // Why: nothing readable is a report full of warnings, never a crash or a missing required field.
  DiskFileSystem fs(test::fixture_path("smart"));
  FixtureRunner runner;
  const Inventory inv = collect_inventory(fs, runner, CollectOptions{});
  const Json j = to_json(inv);
  EXPECT_EQ(j["memory"]["total_bytes"], 0);
  EXPECT_EQ(j["cpu"]["x86_64_level"], 0);
  EXPECT_EQ(j["firmware"]["type"], "bios");
  EXPECT_GE(j["warnings"].size(), 3U);
}

bool has_warning(const Json& j, std::string_view source, std::string_view text) {
  for (const auto& w : j["warnings"]) {
    if (w["source"] == source && w["message"].get<std::string>().find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(Report, TruncatedSmbiosTableKeepsWhatItCouldAndSaysSo) {
  // Why: a damaged table gives a partial report with the damage named, and the memory size falls
  // back to what the OS sees rather than silently reading 0 or a partial sum.
  DiskFileSystem vm(test::fixture_path("sysfs-vm"));
  const std::string table = test::read_fixture("smbios/qemu-pc-2.8/DMI");
  const auto type17 = table.find("DIMM 0"); // cut inside the memory device's strings
  ASSERT_NE(type17, std::string::npos);
  test::VanishingFileSystem fs(vm, "", 0);
  fs.replace("sys/firmware/dmi/tables/DMI", table.substr(0, type17 + 2));
  FixtureRunner runner;
  const Json j = to_json(collect_inventory(fs, runner, CollectOptions{false, false}));
  EXPECT_EQ(j["system"]["source"], "smbios");
  EXPECT_EQ(j["system"]["serial"], "ATL-0001"); // type 1 comes before the cut
  EXPECT_TRUE(has_warning(j, "smbios", "string set runs past the end of the table"))
      << j["warnings"].dump();
  EXPECT_TRUE(has_warning(j, "smbios", "structures the entry point announces"))
      << j["warnings"].dump();
  EXPECT_GT(j["memory"]["total_bytes"].get<std::uint64_t>(), 0U);
}

// smartctl answers that a broken tool or bridge gives: text instead of JSON, or nothing in time.
class BrokenToolRunner final : public base::ProcessRunner {
public:
  std::expected<base::ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds) override {
    if (argv.at(0) != "smartctl") {
      return std::unexpected(argv.at(0) + ": not installed");
    }
    if (argv.back() == "/dev/sda") {
      return base::ProcessResult{1, false,
                                 "smartctl 7.3 2022-02-28 r5338\nSegmentation fault\n\x01\xff", ""};
    }
    if (argv.back() == "/dev/sdc") {
      return base::ProcessResult{-1, true, "{\"json_format_version\": [1,", ""}; // killed half-way
    }
    return base::ProcessResult{0, false, test::read_fixture("smart/nvme-ok.json"), ""};
  }
};

TEST(Report, GarbageOrHangingSmartctlLeavesTheDiskWithUnknownHealthAndAWarning) {
  // Why: a broken health tool must neither drop the disk nor pass it as healthy.
  DiskFileSystem fs(test::fixture_path("sysfs-laptop"));
  BrokenToolRunner runner;
  const Json j = to_json(collect_inventory(fs, runner, CollectOptions{}));
  ASSERT_EQ(j["disks"].size(), 4U);
  EXPECT_EQ(j["disks"][1]["name"], "sda");
  EXPECT_EQ(j["disks"][1]["health"]["status"], "unknown");
  EXPECT_EQ(j["disks"][1]["health"]["reason"], "smartctl did not answer with JSON");
  EXPECT_EQ(j["disks"][3]["name"], "sdc");
  EXPECT_EQ(j["disks"][3]["health"]["status"], "unknown");
  EXPECT_EQ(j["disks"][3]["health"]["reason"], "smartctl did not answer in time");
  EXPECT_TRUE(
      has_warning(j, "smart", "disk sda: health unknown: smartctl did not answer with JSON"));
  EXPECT_TRUE(has_warning(j, "smart", "disk sdc: health unknown: smartctl did not answer in time"));
  EXPECT_EQ(j["raw"]["smart"][1]["exit_code"], 1); // the garbage is kept for whoever looks later
  EXPECT_EQ(j["raw"]["smart"][3]["timed_out"], true);
}

TEST(Report, DiskThatVanishesDuringTheScanIsNamedInTheWarnings) {
  // Why: the volunteer must learn that a disk was there and went away (a loose cable), not see a
  // report that silently lists one disk fewer.
  DiskFileSystem laptop(test::fixture_path("sysfs-laptop"));
  test::VanishingFileSystem fs(laptop, "sys/block/sdc", 2);
  FixtureRunner runner;
  const Json j = to_json(collect_inventory(fs, runner, CollectOptions{}));
  EXPECT_EQ(j["disks"].size(), 3U);
  EXPECT_TRUE(has_warning(j, "disks", "disk sdc: listed under /sys/block but gone when read"))
      << j["warnings"].dump();
  for (const auto& run : j["raw"]["smart"]) {
    EXPECT_NE(run["disk"], "sdc"); // no tool is run on a disk that is gone
  }
}

TEST(Report, InvalidUtf8FromFirmwareIsReplacedNotThrown) {
  // Why: firmware strings are bytes; the JSON writer must not throw on them.
  Inventory inv;
  inv.system.vendor = std::string("Fuji\xff\xfe");
  const std::string text = to_json_text(inv);
  EXPECT_NE(text.find("Fuji"), std::string::npos);
}

TEST(Report, Base64) {
  // Why: raw blobs round-trip through a standard encoding.
  auto enc = [](std::string_view s) {
    return base64_encode({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
}

TEST(Report, TextSummaryNamesWhatAVolunteerChecks) {
  // Why: without --json the volunteer reads this on the workshop screen.
  const std::string text = to_text(laptop_inventory());
  EXPECT_NE(text.find("LENOVO 20AL009CMZ"), std::string::npos) << text;
  EXPECT_NE(text.find("x86-64-v3"), std::string::npos);
  EXPECT_NE(text.find("health warning: 24 reallocated sectors"), std::string::npos) << text;
  EXPECT_NE(text.find("Secure Boot on"), std::string::npos);
}

TEST(Report, TextSummaryInFrench) {
  // Why: the boot environment shows this page on the machine's screen in the program's language
  // (atelier.lang=); the values stay as the machine reported them.
  const std::string text = to_text(laptop_inventory(), base::Language::fr);
  EXPECT_NE(text.find("LENOVO 20AL009CMZ"), std::string::npos) << text;
  EXPECT_NE(text.find("Mémoire"), std::string::npos) << text;
  EXPECT_NE(text.find("Secure Boot activé"), std::string::npos) << text;
  EXPECT_NE(text.find("cœurs"), std::string::npos) << text;
  EXPECT_NE(text.find("portable"), std::string::npos) << text;
  EXPECT_NE(text.find("filaire"), std::string::npos) << text;
  EXPECT_NE(text.find("256\u00a0Go"), std::string::npos) << text;
  EXPECT_NE(text.find("7,7\u00a0Gio"), std::string::npos) << text;
  // The machine's own notes (after the blank line) are shown as reported; the page above is French.
  const std::string page = text.substr(0, text.find("\n\n"));
  for (const char* english :
       {"Memory", "Secure Boot on", "cores", "Disk ", "health ", "laptop", "wired", " GB", "GiB"}) {
    EXPECT_EQ(page.find(english), std::string::npos) << english << " in\n" << page;
  }
}

#ifdef ATELIER_HAVE_PROFILES
TEST(Report, ProfilesReadTheReport) {
  // Why: the profiles library is the first consumer; its documented subset must parse.
  const auto facts = profiles::facts_from_inventory_json(to_json_text(laptop_inventory()));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->ram_bytes, 8036352ULL * 1024U);
  EXPECT_EQ(facts->x86_64_level, 3);
  EXPECT_EQ(facts->cpu_threads, 4);
  EXPECT_EQ(facts->firmware, profiles::Firmware::uefi);
  EXPECT_EQ(facts->chassis, profiles::Chassis::laptop);
  EXPECT_EQ(facts->largest_disk_bytes, 976773168ULL * 512U); // the HDD; the USB stick never counts
  EXPECT_EQ(facts->main_disk_media, profiles::DiskMedia::hdd);
}

TEST(Report, ProfilesReadTheSmbiosVmReport) {
  // Why: chassis "other" and firmware "bios" are valid profile inputs too.
  DiskFileSystem fs(test::fixture_path("sysfs-vm"));
  FixtureRunner runner;
  const auto facts =
      profiles::facts_from_inventory_json(to_json_text(collect_inventory(fs, runner, {})));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->chassis, profiles::Chassis::other);
  EXPECT_EQ(facts->firmware, profiles::Firmware::bios);
}
#endif

} // namespace
} // namespace atelier::imager
