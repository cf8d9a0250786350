// The inventory subset: what matching and grading read from the agent's report.
#include "profiles/detail/text.h"
#include "profiles/machine_facts.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::HasSubstr;

std::string fixture(const std::string& name) {
  auto text = detail::read_text_file(std::filesystem::path(ATELIER_TEST_DATA) / "profiles" / name);
  EXPECT_TRUE(text) << name;
  return text.value_or("");
}

std::string error_of(std::string_view json) {
  auto facts = facts_from_inventory_json(json);
  EXPECT_FALSE(facts);
  return facts ? std::string() : facts.error();
}

constexpr std::string_view k_minimal = R"({
  "schema": "atelier.inventory/1",
  "memory": {"total_bytes": 4294967296},
  "disks": [{"size_bytes": 500107862016, "media": "hdd"}],
  "cpu": {"x86_64_level": 2, "threads": 4},
  "firmware": {"type": "uefi"}
})";

// Replaces the first occurrence of `from` in the minimal document.
std::string minimal_with(std::string_view from, std::string_view to) {
  std::string text(k_minimal);
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(InventoryFacts, ReadsAnOldBiosDesktop) {
  const auto facts = facts_from_inventory_json(fixture("old-desktop-2gb-bios.json"));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->ram_bytes, 2ULL << 30);
  EXPECT_EQ(facts->largest_disk_bytes, 160'041'885'696ULL);
  EXPECT_EQ(facts->main_disk_media, DiskMedia::hdd);
  EXPECT_EQ(facts->x86_64_level, 1);
  EXPECT_EQ(facts->cpu_threads, 2);
  EXPECT_EQ(facts->firmware, Firmware::bios);
  EXPECT_EQ(facts->chassis, Chassis::desktop);
}

// A USB stick left in the machine is never the disk a profile installs to, even when larger.
TEST(InventoryFacts, IgnoresUsbDisksForTheMainDisk) {
  const auto facts = facts_from_inventory_json(fixture("laptop-8gb-uefi-ssd.json"));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->largest_disk_bytes, 256'060'514'304ULL);
  EXPECT_EQ(facts->main_disk_media, DiskMedia::ssd);
  EXPECT_EQ(facts->firmware, Firmware::uefi);
  EXPECT_EQ(facts->chassis, Chassis::laptop);
}

TEST(InventoryFacts, TakesTheLargestDiskAsTheMainDisk) {
  const auto facts = facts_from_inventory_json(fixture("tower-4gb-uefi-no-chassis.json"));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->main_disk_media, DiskMedia::hdd);
  EXPECT_EQ(facts->largest_disk_bytes, 500'107'862'016ULL);
}

// Many boards report no usable chassis type; that is a fact, not an error.
TEST(InventoryFacts, AcceptsAnUnknownOrAbsentChassis) {
  const auto unknown = facts_from_inventory_json(fixture("tower-4gb-uefi-no-chassis.json"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->chassis, std::nullopt);
  const auto absent = facts_from_inventory_json(k_minimal);
  ASSERT_TRUE(absent) << absent.error();
  EXPECT_EQ(absent->chassis, std::nullopt);
}

TEST(InventoryFacts, AcceptsAMachineWithoutDisks) {
  const auto facts = facts_from_inventory_json(
      minimal_with(R"([{"size_bytes": 500107862016, "media": "hdd"}])", "[]"));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->largest_disk_bytes, 0U);
  EXPECT_EQ(facts->main_disk_media, std::nullopt);
}

// The message names the JSON path so the agent's author knows what to fix.
// Secure Boot as the grade reads it: setup mode wins, null is unknown, a BIOS claim is ignored.
TEST(InventoryFacts, ReadsTheSecureBootStateOfAUefiMachineOnly) {
  const auto state = [](std::string_view firmware) {
    auto facts =
        facts_from_inventory_json(minimal_with(R"("firmware": {"type": "uefi"})", firmware));
    EXPECT_TRUE(facts) << facts.error();
    return facts ? facts->secure_boot : std::nullopt;
  };
  EXPECT_EQ(state(R"("firmware": {"type": "uefi", "secure_boot": true, "setup_mode": false})"),
            SecureBoot::on);
  EXPECT_EQ(state(R"("firmware": {"type": "uefi", "secure_boot": false, "setup_mode": false})"),
            SecureBoot::off);
  EXPECT_EQ(state(R"("firmware": {"type": "uefi", "secure_boot": false, "setup_mode": true})"),
            SecureBoot::setup_mode);
  EXPECT_EQ(state(R"("firmware": {"type": "uefi", "secure_boot": null, "setup_mode": null})"),
            std::nullopt);
  EXPECT_EQ(state(R"("firmware": {"type": "uefi"})"), std::nullopt);
  EXPECT_EQ(state(R"("firmware": {"type": "bios", "secure_boot": true})"), std::nullopt);
  EXPECT_EQ(error_of(minimal_with(R"("firmware": {"type": "uefi"})",
                                  R"("firmware": {"type": "uefi", "secure_boot": "on"})")),
            "firmware.secure_boot: expected true, false or null, found string");
}

TEST(InventoryFacts, NamesThePathOfAMissingField) {
  EXPECT_EQ(error_of(minimal_with(R"("total_bytes": 4294967296)", R"("slots": [])")),
            "memory.total_bytes: missing");
  EXPECT_EQ(error_of(minimal_with(R"(, "media": "hdd")", "")), "disks[0].media: missing");
  EXPECT_EQ(error_of(minimal_with(R"(, "threads": 4)", "")), "cpu.threads: missing");
  EXPECT_EQ(error_of(minimal_with(R"("firmware": {"type": "uefi"})", R"("firmware": {})")),
            "firmware.type: missing");
  EXPECT_EQ(error_of(minimal_with(R"("schema": "atelier.inventory/1",)", "")), "schema: missing");
}

TEST(InventoryFacts, NamesThePathOfAWrongValue) {
  EXPECT_THAT(
      error_of(minimal_with(R"("media": "hdd")", R"("media": "sata")")),
      HasSubstr(R"(disks[0].media: expected one of "hdd", "ssd", "nvme", "usb", found "sata")"));
  EXPECT_THAT(error_of(minimal_with("4294967296", "-1")),
              HasSubstr("memory.total_bytes: expected a non-negative integer, found a negative"));
  EXPECT_THAT(error_of(minimal_with("4294967296", "\"4GiB\"")),
              HasSubstr("memory.total_bytes: expected a non-negative integer, found string"));
  EXPECT_THAT(error_of(minimal_with(R"("x86_64_level": 2)", R"("x86_64_level": 5)")),
              HasSubstr("cpu.x86_64_level: 5 is out of range (0 to 4)"));
  EXPECT_THAT(error_of(minimal_with(R"("type": "uefi")", R"("type": "efi")")),
              HasSubstr("firmware.type: expected one of \"bios\", \"uefi\""));
  EXPECT_THAT(error_of(minimal_with(R"("disks": [)", R"("disks": 3, "x": [)")),
              HasSubstr("disks: expected an array, found number"));
}

// Matching against an inventory of another format would silently be wrong.
TEST(InventoryFacts, RejectsAnotherSchemaVersion) {
  EXPECT_THAT(error_of(minimal_with("atelier.inventory/1", "atelier.inventory/2")),
              HasSubstr("schema: expected \"atelier.inventory/1\""));
}

TEST(InventoryFacts, RejectsInvalidJson) {
  EXPECT_THAT(error_of("{\"schema\": "), HasSubstr("not valid JSON"));
  EXPECT_THAT(error_of("[]"), HasSubstr("expected an object, found array"));
}

} // namespace
} // namespace atelier::profiles
