// The method policy on capabilities parsed from real drives' captures, and the level table.
#include "fake_drive.h"
#include "imager/purge/purge.h"
#include "imager/purge/purge_policy.h"
#include "purge_fixtures.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using profiles::WipeMethod;
using test::load_purge_fixture;

DriveCapabilities ata_drive(const std::string& fixture, const std::string& media) {
  DriveCapabilities d;
  d.device = "/dev/sda";
  d.pass_through = PassThrough::ata;
  d.kind = "ATA disk";
  d.bus = "sata";
  d.media = media;
  auto id = parse_ata_identify(load_purge_fixture(fixture));
  EXPECT_TRUE(id) << id.error();
  d.ata = *id;
  return d;
}

DriveCapabilities pm1733() {
  DriveCapabilities d;
  d.device = "/dev/nvme0n1";
  d.pass_through = PassThrough::nvme;
  d.kind = "NVMe namespace";
  d.bus = "nvme";
  d.media = "nvme";
  d.nvme = *parse_nvme_identify_controller(load_purge_fixture("samsung_pm1733.id-ctrl.txt"));
  d.nvme_namespace = *parse_nvme_identify_namespace(load_purge_fixture("samsung_nvme.id-ns.txt"));
  d.nvme_nsid = 8;
  return d;
}

const profiles::WipePolicy k_defaults{};

TEST(PurgePolicy, FrozenSamsung870FallsBackToZeroWithAReasonForEachSkippedMethod) {
  // The profile default for SSDs: sanitize crypto, secure erase, zero. This drive has no SANITIZE
  // and its security is frozen: an overwrite (Clear) is what remains.
  const auto drive = ata_drive("samsung_870_qvo_4tb.ata.txt", "ssd");
  const MethodChoice c = choose_method(k_defaults.methods_for(profiles::DiskMedia::ssd), drive);
  ASSERT_TRUE(c.method);
  EXPECT_EQ(*c.method, WipeMethod::zero);
  EXPECT_EQ(c.level.level, records::SanitizationLevel::clear);
  ASSERT_EQ(c.skipped.size(), 2U);
  EXPECT_EQ(c.skipped[0].reason,
            "ata-sanitize-crypto: drive does not support the SANITIZE feature set");
  EXPECT_EQ(c.skipped[1].reason, std::string("ata-secure-erase: ") + k_frozen_message);
}

TEST(PurgePolicy, UnfrozenSamsung870GetsEnhancedSecurityEraseRecordedAsClear) {
  auto drive = ata_drive("samsung_870_qvo_4tb.ata.txt", "ssd");
  drive.ata->security.frozen = false; // after a suspend/resume
  const MethodChoice c = choose_method(k_defaults.methods_for(profiles::DiskMedia::ssd), drive);
  ASSERT_TRUE(c.method);
  EXPECT_EQ(*c.method, WipeMethod::ata_secure_erase_enhanced);
  EXPECT_EQ(c.level.level, records::SanitizationLevel::clear);
  EXPECT_NE(c.level.reason.find("unless its vendor documents it as Purge"), std::string::npos);
}

TEST(PurgePolicy, OldHardDiskWithoutEnhancedEraseTakesTheNextMethod) {
  const auto drive = ata_drive("seagate_st3160023as.ata.txt", "hdd");
  const MethodChoice c = choose_method(
      {WipeMethod::ata_secure_erase_enhanced, WipeMethod::ata_secure_erase, WipeMethod::zero},
      drive);
  ASSERT_TRUE(c.method);
  EXPECT_EQ(*c.method, WipeMethod::ata_secure_erase);
  EXPECT_EQ(c.level.level, records::SanitizationLevel::clear);
  ASSERT_EQ(c.skipped.size(), 1U);
  EXPECT_EQ(c.skipped[0].reason,
            "ata-secure-erase-enhanced: drive does not support ENHANCED SECURITY ERASE UNIT");
}

TEST(PurgePolicy, Pm1733GetsSanitizeCryptoAsPurge) {
  const MethodChoice c = choose_method(k_defaults.methods_for(profiles::DiskMedia::nvme), pm1733());
  ASSERT_TRUE(c.method);
  EXPECT_EQ(*c.method, WipeMethod::nvme_sanitize_crypto);
  EXPECT_EQ(c.level.level, records::SanitizationLevel::purge);
  EXPECT_TRUE(c.skipped.empty());
}

TEST(PurgePolicy, NvmeWithoutSanitizeFallsBackToFormatCrypto) {
  auto drive = pm1733();
  drive.nvme->sanicap = 0;
  const MethodChoice c = choose_method(k_defaults.methods_for(profiles::DiskMedia::nvme), drive);
  ASSERT_TRUE(c.method);
  EXPECT_EQ(*c.method, WipeMethod::nvme_format_crypto);
  ASSERT_EQ(c.skipped.size(), 1U);
  EXPECT_EQ(c.skipped[0].reason,
            "nvme-sanitize-crypto: drive does not support the Sanitize command");
}

TEST(PurgePolicy, NoPassThroughOrAUsbBridgeLeavesOnlyOverwrites) {
  DriveCapabilities loop;
  loop.pass_through = PassThrough::none;
  loop.kind = "loop";
  MethodChoice c = choose_method({WipeMethod::ata_sanitize_crypto, WipeMethod::random}, loop);
  ASSERT_TRUE(c.method);
  EXPECT_EQ(*c.method, WipeMethod::random);
  EXPECT_EQ(c.skipped[0].reason,
            "ata-sanitize-crypto: no ATA/NVMe pass-through on this device (loop)");
  auto usb = ata_drive("seagate_st3160023as.ata.txt", "usb");
  usb.bus = "usb";
  c = choose_method({WipeMethod::ata_secure_erase}, usb);
  EXPECT_FALSE(c.method);
  EXPECT_NE(c.skipped[0].reason.find("USB bridge"), std::string::npos);
}

TEST(PurgePolicy, LevelsFollowNist80088PerMedia) {
  struct Row {
    WipeMethod method;
    const char* media;
    records::SanitizationLevel level;
  };
  const std::vector<Row> table{
      {WipeMethod::zero, "hdd", records::SanitizationLevel::clear},
      {WipeMethod::random, "ssd", records::SanitizationLevel::clear},
      {WipeMethod::random_then_zero, "nvme", records::SanitizationLevel::clear},
      {WipeMethod::ata_secure_erase, "hdd", records::SanitizationLevel::clear},
      {WipeMethod::ata_secure_erase, "ssd", records::SanitizationLevel::clear},
      {WipeMethod::ata_secure_erase_enhanced, "hdd", records::SanitizationLevel::purge},
      {WipeMethod::ata_secure_erase_enhanced, "ssd", records::SanitizationLevel::clear},
      {WipeMethod::ata_sanitize_crypto, "ssd", records::SanitizationLevel::purge},
      {WipeMethod::ata_sanitize_block, "ssd", records::SanitizationLevel::purge},
      {WipeMethod::ata_sanitize_overwrite, "hdd", records::SanitizationLevel::purge},
      {WipeMethod::ata_sanitize_overwrite, "ssd", records::SanitizationLevel::clear},
      {WipeMethod::nvme_sanitize_crypto, "nvme", records::SanitizationLevel::purge},
      {WipeMethod::nvme_sanitize_block, "nvme", records::SanitizationLevel::purge},
      {WipeMethod::nvme_sanitize_overwrite, "nvme", records::SanitizationLevel::purge},
      {WipeMethod::nvme_format_crypto, "nvme", records::SanitizationLevel::purge},
      {WipeMethod::nvme_format_user, "nvme", records::SanitizationLevel::purge},
      {WipeMethod::ata_secure_erase_enhanced, "",
       records::SanitizationLevel::clear}, // unknown media: judged as flash
  };
  for (const auto& row : table) {
    const auto v = level_for(row.method, row.media);
    EXPECT_EQ(v.level, row.level) << to_string(row.method) << " on " << row.media << ": "
                                  << v.reason;
    EXPECT_FALSE(v.reason.empty());
  }
}

TEST(PurgeIdentify, ReportsCapabilitiesAsJsonWithAVerdictPerMethod) {
  test::FakeClock clock;
  test::FakeDrive drive(clock, test::FakeDrive::Type::ata_ssd);
  drive.frozen = true;
  const auto json = to_json(identify_drive(drive));
  EXPECT_EQ(json["format"], "atelier.identify/1");
  EXPECT_EQ(json["pass_through"], "ata");
  EXPECT_EQ(json["serial"], "S5STNF0W706332M");
  EXPECT_EQ(json["ata"]["security"]["frozen"], true);
  EXPECT_EQ(json["ata"]["security"]["enhanced_erase_estimate"]["minutes"], 8);
  EXPECT_EQ(json["hidden_areas"]["checked"], true);
  EXPECT_EQ(json["hidden_areas"]["hpa"], false);
  bool found = false;
  for (const auto& m : json["methods"]) {
    if (m["method"] == "ata-secure-erase") {
      found = true;
      EXPECT_EQ(m["usable"], false);
      EXPECT_EQ(m["reason"], k_frozen_message);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_NE(to_text(identify_drive(drive)).find(k_frozen_message), std::string::npos);
}

// A real loop device: the pass-through layer must say plainly that there is none, not crash.
TEST(PurgeDevice, LoopDeviceHasNoPassThroughAndPurgeRefusesPlainly) {
  if (auto missing = test::loop_support_missing()) {
    GTEST_SKIP() << *missing;
  }
  atelier::testing::TempDir dir;
  test::LoopDevice loop(dir / "disk.img", 16U << 20U);
  auto device = open_firmware_erase_device(loop.path());
  ASSERT_TRUE(device) << device.error();
  EXPECT_EQ((*device)->pass_through(), PassThrough::none);
  EXPECT_EQ((*device)->kind(), "loop");
  const DriveCapabilities caps = identify_drive(**device);
  EXPECT_EQ(to_json(caps)["message"], "no ATA/NVMe pass-through on this device (loop)");
  EXPECT_NE(to_text(caps).find("no ATA/NVMe pass-through on this device (loop)"),
            std::string::npos);
  const auto ata = (*device)->ata(ata_identify_device(), {}, std::chrono::seconds(1));
  ASSERT_FALSE(ata);
  EXPECT_TRUE(ata.error().rejected);
  base::SystemClock clock;
  PurgeOptions options;
  options.method = WipeMethod::ata_sanitize_crypto;
  PurgeEnvironment env{**device, clock, nullptr, nullptr, {}};
  const records::ErasureRecord r = purge_drive(options, env);
  EXPECT_EQ(r.result, records::ErasureResult::failed);
  EXPECT_NE(r.failure_reason.find("no ATA/NVMe pass-through on this device (loop)"),
            std::string::npos)
      << r.failure_reason;
  EXPECT_FALSE(r.hidden_areas.checked);
}

TEST(PurgeDevice, RefusesAPartitionAndARegularFile) {
  if (auto missing = test::loop_support_missing()) {
    GTEST_SKIP() << *missing;
  }
  atelier::testing::TempDir dir;
  test::must_run("truncate -s 16M '" + (dir / "disk.img").string() + "'");
  auto file = open_firmware_erase_device(dir / "disk.img");
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().find("regular file"), std::string::npos) << file.error();
  test::must_run("printf 'label: dos\\n,8M\\n' | sfdisk -q '" + (dir / "disk.img").string() + "'");
  test::LoopDevice loop(dir / "disk.img", 16U << 20U, "-P");
  // Some kernels lack partition-table parsers: partx adds the partition from user space.
  const std::string partition = loop.path() + "p1";
  test::must_run("[ -b '" + partition + "' ] || partx -a '" + loop.path() + "'");
  test::must_run("for i in 1 2 3 4 5 6 7 8 9 10; do [ -b '" + partition +
                 "' ] && exit 0; sleep 0.2; done; exit 1");
  auto part = open_firmware_erase_device(partition);
  ASSERT_FALSE(part);
  EXPECT_NE(part.error().find("whole disks"), std::string::npos) << part.error();
}

} // namespace
} // namespace atelier::imager
