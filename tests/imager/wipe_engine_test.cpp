// The overwrite engine on the fault-injecting fake: every pattern lands on every byte, the random
// stream is the regenerable AES-128-CTR stream, I/O errors never turn into success, failing ranges
// are exact, verification catches what it must, and one hung disk does not hold up another.
#include "fake_block_device.h"
#include "imager/wipe/wipe_engine.h"
#include "imager/wipe/wipe_runner.h"
#include "imager/wipe/wipe_verify.h"

#include <algorithm>
#include <cerrno>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using test::FakeBlockDevice;
using test::FakeDisk;

constexpr std::uint64_t k_size = 24U << 20;
constexpr std::uint64_t k_odd_size = (9U << 20) + 4096 * 3; // a tail shorter than one buffer

WipeOptions options_for(OverwriteMethod method,
                        records::VerificationMethod verify = records::VerificationMethod::full) {
  WipeOptions options;
  options.method = method;
  options.verification = verify;
  options.buffer_bytes = 1U << 20; // many chunks on a small fake disk
  return options;
}

bool all_bytes(const std::vector<std::byte>& data, std::byte value, std::uint64_t from = 0) {
  return std::all_of(data.begin() + static_cast<std::ptrdiff_t>(from), data.end(),
                     [&](std::byte b) { return b == value; });
}

records::ErasureRecord wipe(std::shared_ptr<FakeDisk> disk, const WipeOptions& options) {
  FakeBlockDevice device(std::move(disk));
  records::ErasureRecord record;
  run_overwrite(device, options, record);
  return record;
}

TEST(WipeEngine, ZeroPassWritesEveryByteAndVerifiesInFull) {
  auto disk = std::make_shared<FakeDisk>(k_odd_size, 512);
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::erased) << record.failure_reason;
  EXPECT_TRUE(all_bytes(disk->data, std::byte{0}));
  EXPECT_EQ(record.bytes_written, k_odd_size);
  EXPECT_EQ(record.bytes_verified, k_odd_size);
  EXPECT_EQ(record.passes, 1);
  EXPECT_EQ(record.pattern, "zero");
  EXPECT_EQ(record.verification_result, "passed");
  EXPECT_EQ(record.level, records::SanitizationLevel::clear);
  EXPECT_TRUE(record.failed_ranges.empty());
  EXPECT_TRUE(record.prng_seed_sha256.empty()); // no random stream, no seed
}

TEST(WipeEngine, OnePassWritesFF) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512, std::byte{0});
  const auto record = wipe(disk, options_for(OverwriteMethod::one));
  EXPECT_EQ(record.result, records::ErasureResult::erased) << record.failure_reason;
  EXPECT_TRUE(all_bytes(disk->data, std::byte{0xFF}));
}

TEST(WipeEngine, RandomPassIsTheAesCtrStreamRegeneratedFromItsSeedWhichTheRecordNeverHolds) {
  auto disk = std::make_shared<FakeDisk>(k_odd_size, 512);
  auto options = options_for(OverwriteMethod::random);
  std::optional<StreamSeed> seed;
  options.seed_observer_for_tests = [&](const StreamSeed& s) {
    seed = s;
  };
  const auto record = wipe(disk, options);
  ASSERT_TRUE(seed.has_value());
  EXPECT_EQ(record.result, records::ErasureResult::erased) << record.failure_reason;
  std::vector<std::byte> expected(k_odd_size);
  PatternGenerator(PatternKind::random, *seed).fill(expected, 0);
  EXPECT_TRUE(disk->data == expected);
  EXPECT_FALSE(all_bytes(disk->data, std::byte{0}));
  EXPECT_EQ(record.pattern, "aes-128-ctr");
  EXPECT_EQ(record.prng_seed_sha256, seed_sha256(*seed));
  const std::string json = to_json(record).dump();
  EXPECT_EQ(json.find(to_hex(seed->key)), std::string::npos);
  EXPECT_EQ(json.find(to_hex(seed->iv)), std::string::npos);
}

TEST(WipeEngine, StreamAtAnOffsetEqualsTheSameBytesOfTheWholeStream) {
  // Verification and the generator threads rely on regenerating any range on its own.
  const StreamSeed seed{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                        {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                         0xFF, 0xFF, 0xFF, 0xF0}};
  PatternGenerator generator(PatternKind::random, seed);
  std::vector<std::byte> whole(1U << 16);
  generator.fill(whole, 0);
  std::vector<std::byte> part(4096);
  generator.fill(part, 8192); // the counter wraps through the IV's low 64 bits here
  EXPECT_TRUE(std::equal(part.begin(), part.end(), whole.begin() + 8192));
}

TEST(WipeEngine, RandomThenZeroEndsWithZerosAfterTwoPasses) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  const auto record = wipe(disk, options_for(OverwriteMethod::random_then_zero));
  EXPECT_EQ(record.result, records::ErasureResult::erased) << record.failure_reason;
  EXPECT_EQ(record.passes, 2);
  EXPECT_EQ(record.pattern, "aes-128-ctr,zero");
  EXPECT_EQ(record.bytes_written, 2 * k_size);
  EXPECT_TRUE(all_bytes(disk->data, std::byte{0}));
}

TEST(WipeEngine, TransientIoErrorIsRetriedAndTheWipeSucceeds) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->faults.push_back({true, 100 * 512, 512, EIO, 2});
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::erased) << record.failure_reason;
  EXPECT_EQ(record.write_errors, 0U);
  EXPECT_TRUE(all_bytes(disk->data, std::byte{0}));
  ASSERT_FALSE(record.notes.empty());
  EXPECT_NE(record.notes.front().find("retries"), std::string::npos);
}

TEST(WipeEngine, PersistentIoErrorFailsTheWipeAndNamesExactlyTheBadSector) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->faults.push_back({true, 1000 * 512, 512, EIO, -1});
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_EQ(record.write_errors, 1U);
  ASSERT_EQ(record.failed_ranges.size(), 1U);
  EXPECT_EQ(record.failed_ranges[0].first_byte, 1000U * 512);
  EXPECT_EQ(record.failed_ranges[0].length, 512U);
  EXPECT_EQ(record.failed_ranges[0].error, "write: Input/output error (EIO) after 3 attempts");
  EXPECT_NE(record.failure_reason.find("1 sector could not be written (first at byte 512000"),
            std::string::npos)
      << record.failure_reason;
  EXPECT_EQ(record.verification_result, "not verified: the overwrite did not complete");
  // Every other sector was still written.
  EXPECT_EQ(record.bytes_written, k_size - 512);
  for (std::uint64_t i = 0; i < k_size; ++i) {
    if (i < 1000 * 512 || i >= 1001 * 512) {
      ASSERT_EQ(disk->data[i], std::byte{0}) << "byte " << i;
    }
  }
}

TEST(WipeEngine, FourKnSectorsAreTheUnitOfFailingRanges) {
  auto disk = std::make_shared<FakeDisk>(k_size, 4096);
  disk->faults.push_back({true, 5 * 4096 + 512, 1, EIO, -1});
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_EQ(record.logical_sector_size, 4096U);
  ASSERT_EQ(record.failed_ranges.size(), 1U);
  EXPECT_EQ(record.failed_ranges[0].first_byte, 5U * 4096);
  EXPECT_EQ(record.failed_ranges[0].length, 4096U);
}

TEST(WipeEngine, ShortWritesAreContinuedWhereTheyStopped) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->short_write_at = (3U << 20) + 512 * 7;
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::erased) << record.failure_reason;
  EXPECT_FALSE(disk->short_write_at.has_value()); // the injection really happened
  EXPECT_TRUE(all_bytes(disk->data, std::byte{0}));
}

TEST(WipeEngine, NoSpaceHalfwayFailsAndListsEverythingNotWritten) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->enospc_from = k_size / 2;
  auto options = options_for(OverwriteMethod::zero);
  options.max_failed_sectors = 64; // give up early: the rest is listed, not bisected
  const auto record = wipe(disk, options);
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_NE(record.failure_reason.find("gave up after"), std::string::npos)
      << record.failure_reason;
  std::uint64_t listed = 0;
  for (const auto& r : record.failed_ranges) {
    EXPECT_GE(r.first_byte, k_size / 2);
    listed += r.length;
  }
  EXPECT_EQ(listed, k_size / 2);
  EXPECT_EQ(record.bytes_written, k_size / 2);
}

TEST(WipeEngine, ADeviceThatEndsBeforeItsReportedSizeFails) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->ends_at = k_size - (1U << 20);
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_NE(
      record.failure_reason.find("the device ended at byte " + std::to_string(k_size - (1U << 20))),
      std::string::npos)
      << record.failure_reason;
  ASSERT_FALSE(record.failed_ranges.empty());
  EXPECT_EQ(record.failed_ranges.back().first_byte + record.failed_ranges.back().length, k_size);
}

TEST(WipeEngine, ReadOnlyDeviceIsRefusedAtTheFirstWrite) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->faults.push_back({true, 0, k_size, EROFS, -1});
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_NE(record.failure_reason.find("refused writes at byte 0"), std::string::npos)
      << record.failure_reason;
  EXPECT_EQ(disk->writes, 1U); // a device error is not retried
}

// A device that takes every write into its cache and reports the failure only when the data is made
// durable (fdatasync): every pwrite succeeded, yet the pass is not complete and the wipe fails,
// without a verification that could only read back the cache.
TEST(WipeEngine, AnErrorReportedOnlyAtFlushFailsTheWipe) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->flush_error = EIO;
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_EQ(record.failure_reason,
            "pass 1 of 1: the data could not be flushed to the device (Input/output error (EIO))");
  EXPECT_EQ(disk->flushes, 1U);
  EXPECT_EQ(record.write_errors, 0U); // no write said so: only the flush did
  EXPECT_EQ(record.passes, 0);
  ASSERT_EQ(record.failed_ranges.size(), 1U);
  EXPECT_EQ(record.failed_ranges[0].first_byte, 0U);
  EXPECT_EQ(record.failed_ranges[0].length, k_size);
  EXPECT_EQ(record.failed_ranges[0].error, "flush: Input/output error (EIO)");
  EXPECT_EQ(record.verification_result, "not verified: the overwrite did not complete");
  EXPECT_EQ(disk->reads, 0U);
  EXPECT_EQ(record.bytes_verified, 0U);
}

// The same in the last pass of two: the first pass's success does not carry the wipe.
TEST(WipeEngine, AFlushErrorInTheLastPassFailsTheWipe) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  disk->flush_error = EIO;
  disk->flush_fails_from = 2;
  const auto record = wipe(disk, options_for(OverwriteMethod::random_then_zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_EQ(record.failure_reason,
            "pass 2 of 2: the data could not be flushed to the device (Input/output error (EIO))");
  EXPECT_EQ(record.passes, 1);
  EXPECT_EQ(record.verification_result, "not verified: the overwrite did not complete");
}

// A device that acknowledges writes and drops them: nothing in the write path says so (not the
// writes, not the flush), so the read-back must. The dropped sectors keep their old bytes.
TEST(WipeEngine, WritesTheDeviceAcknowledgesButDropsAreCaughtByVerification) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512); // old content 0xAB
  const std::uint64_t first = (5U << 20) + 4096;
  disk->dropped_writes = {{first, 60U << 10}};
  const auto record = wipe(disk, options_for(OverwriteMethod::zero));
  EXPECT_EQ(record.result, records::ErasureResult::failed);
  EXPECT_EQ(record.write_errors, 0U);
  EXPECT_EQ(record.passes, 1);
  EXPECT_EQ(record.verify_mismatches, (60U << 10) / 512);
  ASSERT_EQ(record.failed_ranges.size(), 1U);
  EXPECT_EQ(record.failed_ranges[0].first_byte, first);
  EXPECT_EQ(record.failed_ranges[0].length, 60U << 10);
  EXPECT_EQ(record.failed_ranges[0].error, "verify: content differs from the pattern");
  EXPECT_NE(record.failure_reason.find("the disk did not keep what was written"), std::string::npos)
      << record.failure_reason;
}

TEST(WipeVerify, CatchesOnePlantedByteWhenRunOnItsOwn) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512);
  ASSERT_EQ(wipe(disk, options_for(OverwriteMethod::zero)).result, records::ErasureResult::erased);
  disk->data[777777] = std::byte{1};
  FakeBlockDevice device(disk);
  VerifyOptions options;
  options.buffer_bytes = 1U << 20;
  const auto outcome = verify_overwrite(device, PatternKind::zero, StreamSeed{}, options);
  EXPECT_TRUE(outcome.completed);
  EXPECT_FALSE(outcome.passed());
  EXPECT_EQ(outcome.mismatched_sectors, 1U);
  ASSERT_EQ(outcome.failed_ranges.size(), 1U);
  EXPECT_EQ(outcome.failed_ranges[0].first_byte, 777777U / 512 * 512);
  EXPECT_EQ(outcome.summary(), "failed: 1 mismatching sector");
}

TEST(WipeVerify, UnreadableSectorsFailVerification) {
  auto disk = std::make_shared<FakeDisk>(k_size, 512, std::byte{0});
  disk->faults.push_back({false, 4096, 1024, EIO, -1});
  FakeBlockDevice device(disk);
  VerifyOptions options;
  options.buffer_bytes = 1U << 20;
  const auto outcome = verify_overwrite(device, PatternKind::zero, StreamSeed{}, options);
  EXPECT_EQ(outcome.unreadable_sectors, 2U);
  EXPECT_EQ(outcome.mismatched_sectors, 0U);
  EXPECT_EQ(outcome.summary(), "failed: 2 unreadable sectors");
  EXPECT_EQ(outcome.bytes_verified, k_size - 1024);
}

TEST(WipeVerify, SamplingAlwaysReadsTheFirstAndLastSector) {
  auto disk = std::make_shared<FakeDisk>(64U << 20, 512, std::byte{0});
  disk->data.back() = std::byte{7};
  FakeBlockDevice device(disk);
  VerifyOptions options;
  options.method = records::VerificationMethod::sample;
  options.sample_seed = 42;
  const auto outcome = verify_overwrite(device, PatternKind::zero, StreamSeed{}, options);
  EXPECT_FALSE(outcome.sampled_in_full);
  EXPECT_EQ(outcome.mismatched_sectors, 1U);
  EXPECT_LT(outcome.bytes_verified, disk->data.size() / 2); // it really sampled
}

TEST(SamplePlan, MeetsNistParametersOnATerabyte) {
  // >= 1000 subsections, two non-overlapping samples in each (>= 10 % of each), first and last
  // sector.
  const std::uint64_t size = 1'000'204'886'016ULL; // a "1 TB" disk
  const auto plan = plan_samples(size, 512, 7);
  EXPECT_EQ(plan.subsections, 1000U);
  EXPECT_FALSE(plan.full);
  ASSERT_FALSE(plan.ranges.empty());
  EXPECT_EQ(plan.ranges.front().offset, 0U);
  EXPECT_EQ(plan.ranges.back().offset + plan.ranges.back().length, size);
  const std::uint64_t sub = size / 512 / 1000 * 512;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const std::uint64_t begin = i * sub;
    const std::uint64_t end = i == 999 ? size : begin + sub;
    std::uint64_t covered = 0;
    for (const auto& r : plan.ranges) {
      const auto lo = std::max(begin, r.offset);
      const auto hi = std::min(end, r.offset + r.length);
      covered += hi > lo ? hi - lo : 0;
    }
    ASSERT_GE(covered * 10, end - begin) << "subsection " << i;
  }
  for (std::size_t i = 1; i < plan.ranges.size(); ++i) {
    ASSERT_GT(plan.ranges[i].offset, plan.ranges[i - 1].offset + plan.ranges[i - 1].length);
  }
  EXPECT_NE(plan_samples(size, 512, 8).ranges[1].offset,
            plan.ranges[1].offset); // positions are drawn
}

TEST(SamplePlan, ADeviceTooSmallToSampleIsReadInFull) {
  const auto plan = plan_samples(8U << 20, 512, 1);
  EXPECT_TRUE(plan.full);
  ASSERT_EQ(plan.ranges.size(), 1U);
  EXPECT_EQ(plan.ranges[0].length, 8U << 20);
}

TEST(WipeRunner, AStalledDiskIsDeclaredFailedWhileTheOtherDiskCompletes) {
  auto healthy = std::make_shared<FakeDisk>(k_size, 512);
  auto hung = std::make_shared<FakeDisk>(k_size, 512);
  hung->stall_at = 5U << 20;
  std::vector<WipeJob> jobs;
  for (auto [name, disk] : {std::pair{"healthy", healthy}, std::pair{"hung", hung}}) {
    WipeJob job;
    job.device = name;
    job.open = [disk]() -> std::expected<std::unique_ptr<BlockDevice>, std::string> {
      return std::make_unique<FakeBlockDevice>(disk);
    };
    jobs.push_back(std::move(job));
  }
  RunOptions options;
  options.wipe = options_for(OverwriteMethod::zero);
  options.stall_timeout = std::chrono::seconds(1);
  options.poll_interval = std::chrono::milliseconds(50);
  const auto result = run_wipes(std::move(jobs), options);
  ASSERT_EQ(result.records.size(), 2U);
  EXPECT_EQ(result.records[0].result, records::ErasureResult::erased)
      << result.records[0].failure_reason;
  EXPECT_EQ(result.records[1].result, records::ErasureResult::failed);
  EXPECT_NE(result.records[1].failure_reason.find("no progress for 1 s"), std::string::npos)
      << result.records[1].failure_reason;
  EXPECT_EQ(result.abandoned, 1U);
  EXPECT_TRUE(hung->stalled()); // the worker is still blocked while the report is made
  // Let the abandoned worker return; it sees the cancellation and drops its device.
  hung->release_stall();
  for (int i = 0; i < 500 && hung.use_count() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(hung.use_count(), 1);
}

TEST(WipeRunner, ADeviceThatCannotBeOpenedIsAFailedRecordWithTheReason) {
  WipeJob job;
  job.device = "/dev/gone";
  job.open = []() -> std::expected<std::unique_ptr<BlockDevice>, std::string> {
    return std::unexpected(std::string("/dev/gone: open: No such file or directory (ENOENT)"));
  };
  std::vector<WipeJob> jobs;
  jobs.push_back(std::move(job));
  const auto result = run_wipes(std::move(jobs), RunOptions{});
  ASSERT_EQ(result.records.size(), 1U);
  EXPECT_EQ(result.records[0].result, records::ErasureResult::failed);
  EXPECT_EQ(result.records[0].failure_reason,
            "/dev/gone: open: No such file or directory (ENOENT)");
}

} // namespace
} // namespace atelier::imager
