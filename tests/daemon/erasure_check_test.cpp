// The server's rules for believing a wipe (daemon/erasure_check.h), as pure functions; the
// pipeline tests (WipeJudgement) drive the same rules through the agent API and SQLite.
#include "daemon/erasure_check.h"

#include <gtest/gtest.h>

using namespace atelier;

namespace {

profiles::DiskFact disk(std::string name, std::string serial, profiles::DiskMedia media,
                        std::string bus = "sata", bool removable = false) {
  profiles::DiskFact d;
  d.name = std::move(name);
  d.model = "Model";
  d.serial = std::move(serial);
  d.size_bytes = 1'000'000;
  d.media = media;
  d.bus = std::move(bus);
  d.removable = removable;
  return d;
}

records::ErasureRecord erased(const profiles::DiskFact& d) {
  records::ErasureRecord r;
  r.record_id = "r-" + d.name;
  r.serial = d.serial;
  r.device = "/dev/" + d.name;
  r.size_bytes = d.size_bytes;
  r.source_property = "AT-0001-3";
  r.method = "zero";
  r.passes = 1;
  r.bytes_written = d.size_bytes;
  r.verification = records::VerificationMethod::sample;
  r.verification_result = "passed";
  r.bytes_verified = 4096;
  r.result = records::ErasureResult::erased;
  return r;
}

} // namespace

TEST(ErasureCheck, RemovableMediaFollowTheProfileRule) {
  const std::vector<profiles::DiskFact> inventory{
      disk("sda", "S1", profiles::DiskMedia::ssd),
      disk("sdb", "U1", profiles::DiskMedia::usb, "usb"),
      disk("sdc", "C1", profiles::DiskMedia::hdd, "mmc", true)};
  profiles::WipePolicy policy;
  EXPECT_EQ(daemon::disks_to_erase(inventory, policy).size(), 3u);
  policy.removable = profiles::RemovableMedia::leave;
  const auto fixed = daemon::disks_to_erase(inventory, policy);
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_EQ(fixed[0].name, "sda");
}

TEST(ErasureCheck, RecordsNameDisksBySerialElseByKernelName) {
  const auto with_serial = disk("sda", "S1", profiles::DiskMedia::ssd);
  auto r = erased(with_serial);
  EXPECT_TRUE(daemon::record_names_disk(r, with_serial));
  r.device = "/dev/sdz"; // names move between boots; the serial does not
  EXPECT_TRUE(daemon::record_names_disk(r, with_serial));
  r.serial = "S2";
  EXPECT_FALSE(daemon::record_names_disk(r, with_serial));

  const auto anonymous = disk("sdb", "", profiles::DiskMedia::hdd);
  auto a = erased(anonymous);
  EXPECT_TRUE(daemon::record_names_disk(a, anonymous));
  a.serial = "CLAIMED"; // a serial the inventory did not see is another disk
  EXPECT_FALSE(daemon::record_names_disk(a, anonymous));
  EXPECT_FALSE(
      daemon::record_names_disk(erased(anonymous), disk("", "", profiles::DiskMedia::hdd)));
}

TEST(ErasureCheck, AnHonestRecordPasses) {
  const auto d = disk("sda", "S1", profiles::DiskMedia::hdd);
  EXPECT_TRUE(daemon::check_erased_record(erased(d), d, {}, "AT-0001-3").empty());
  EXPECT_TRUE(daemon::check_wipe({erased(d)}, {d}, {}, "AT-0001-3", true).empty());
}

TEST(ErasureCheck, RandomThenZeroNeedsBothPasses) {
  const auto d = disk("sda", "S1", profiles::DiskMedia::hdd);
  profiles::WipePolicy policy;
  policy.hdd = {profiles::WipeMethod::random_then_zero};
  auto r = erased(d);
  r.method = "random-then-zero";
  const auto problems = daemon::check_erased_record(r, d, policy, "AT-0001-3");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("completed 1 of the 2 pass(es)"), std::string::npos) << problems[0];
  r.passes = 2;
  r.bytes_written = 2 * d.size_bytes;
  EXPECT_TRUE(daemon::check_erased_record(r, d, policy, "AT-0001-3").empty());
}

TEST(ErasureCheck, FullVerificationMustReadTheWholeDisk) {
  const auto d = disk("sda", "S1", profiles::DiskMedia::hdd);
  profiles::WipePolicy policy;
  policy.verify = profiles::Verification::full;
  auto r = erased(d);
  r.verification = records::VerificationMethod::full;
  const auto problems = daemon::check_erased_record(r, d, policy, "AT-0001-3");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("read 4096 of 1000000 bytes"), std::string::npos) << problems[0];
}

TEST(ErasureCheck, FailedRecordsAreEvidenceNotCoverage) {
  const auto d = disk("sda", "S1", profiles::DiskMedia::hdd);
  auto r = erased(d);
  r.result = records::ErasureResult::failed;
  EXPECT_TRUE(daemon::check_wipe({r}, {d}, {}, "AT-0001-3", false).empty());
  EXPECT_EQ(daemon::check_wipe({r}, {d}, {}, "AT-0001-3", true).size(), 1u);
}

TEST(ErasureCheck, OnlyVerifiedZeroLastPassesLeaveZeros) {
  const auto d = disk("sda", "S1", profiles::DiskMedia::hdd);
  auto r = erased(d);
  EXPECT_TRUE(daemon::leaves_zeros({r}));
  r.method = "random";
  EXPECT_FALSE(daemon::leaves_zeros({r}));
  r.method = "ata-sanitize-crypto";
  EXPECT_FALSE(daemon::leaves_zeros({r}));
  r.method = "zero";
  r.verification = records::VerificationMethod::none;
  EXPECT_FALSE(daemon::leaves_zeros({r}));
  EXPECT_FALSE(daemon::leaves_zeros({}));
}
