#include "imager/file_system.h"
#include "imager/inventory.h"
#include "imager/process_runner.h"
#include "imager/report.h"

#include "test_support.h"

#ifdef ATELIER_HAVE_PROFILES
#include "profiles/machine_facts.h"
#endif

#include <map>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using Json = nlohmann::json;

// smartctl answers per device from the fixtures; nvme-cli is "not installed".
class FixtureRunner final : public ProcessRunner {
public:
  std::expected<ProcessResult, std::string> run(const std::vector<std::string>& argv,
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
      return ProcessResult{2, false, "", "no such device"};
    }
    return ProcessResult{0, false, test::read_fixture(it->second), ""};
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
  EXPECT_EQ(raw["sysfs"]["sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0398c2b4a50"]["base64"],
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
  const auto facts = profiles::facts_from_inventory_json(to_json_text(collect_inventory(fs, runner, {})));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->chassis, profiles::Chassis::other);
  EXPECT_EQ(facts->firmware, profiles::Firmware::bios);
}
#endif

} // namespace
} // namespace atelier::imager
