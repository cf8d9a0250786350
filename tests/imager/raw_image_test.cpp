// write_raw_image: plain and zstd images onto regular files and loop devices, zero skipping only
// on a disk known to be zero, and what a failed write leaves behind (a head that does not boot).
#include "image_test_support.h"
#include "imager/image/image_source.h"
#include "imager/image/raw_image.h"

#include <filesystem>
#include <vector>
#include <zstd.h>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_mib = 1U << 20;

// A disk image with the shape of a real one: a non-zero first MiB (MBR/GPT, boot code), data,
// a long run of zeros (free space), more data, and a non-zero last MiB (backup GPT).
std::string disk_image(std::size_t size = 12 * k_mib) {
  std::string image(size, '\0');
  const auto head = testing::pattern_bytes(k_mib, 3);
  image.replace(0, k_mib, head);
  image.replace(2 * k_mib, 3 * k_mib, testing::pattern_bytes(3 * k_mib, 4));
  image.replace(size - 2 * k_mib, 2 * k_mib, testing::pattern_bytes(2 * k_mib, 5));
  return image;
}

std::string zstd_compress(const std::string& bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const auto n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  out.resize(n);
  return out;
}

class RawImageTest : public ::testing::Test {
protected:
  std::expected<RawWriteStats, ImageError> write(const std::string& image_bytes,
                                                 const fs::path& target, bool zeroed,
                                                 std::optional<std::string> sha256 = {},
                                                 bool pipelined = true) {
    const auto file = m_dir.path() / "image.img";
    testing::write_bytes(file, image_bytes);
    ImageStreamOptions stream_options;
    stream_options.expected_sha256 = std::move(sha256);
    auto stream = open_image(file.string(), stream_options);
    EXPECT_TRUE(stream.has_value());
    RawWriteOptions options;
    options.disk_known_zero = zeroed;
    options.pipelined = pipelined;
    return write_raw_image(**stream, target, options);
  }

  fs::path target_file(char fill, std::size_t size) {
    const auto path = m_dir.path() / "disk";
    testing::write_bytes(path, std::string(size, fill));
    return path;
  }

  testing::TempDir m_dir;
};

// Without disk_known_zero every byte is written, zeros included: the old data (0xAA here) must go.
TEST_F(RawImageTest, PlainImageOverwritesEveryByteWhenTheDiskIsNotKnownZero) {
  const auto image = disk_image();
  for (const bool pipelined : {true, false}) {
    const auto disk = target_file('\xAA', image.size());
    const auto stats = write(image, disk, false, testing::sha256_of(image), pipelined);
    ASSERT_TRUE(stats.has_value()) << stats.error().message;
    EXPECT_TRUE(testing::read_bytes(disk) == image);
    EXPECT_EQ(stats->bytes_skipped_zero, 0u);
    EXPECT_EQ(stats->bytes_written, image.size());
    EXPECT_EQ(stats->image_bytes, image.size());
    EXPECT_EQ(stats->sha256, testing::sha256_of(image));
    EXPECT_FALSE(stats->compressed);
  }
}

// After a zero wipe, the zero blocks need not be written; the result is the same image.
TEST_F(RawImageTest, ZeroBlocksAreSkippedOnlyOnADiskKnownZero) {
  const auto image = disk_image();
  const auto disk = target_file('\0', image.size());
  const auto stats = write(image, disk, true);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_TRUE(testing::read_bytes(disk) == image);
  EXPECT_EQ(stats->bytes_skipped_zero, 6 * k_mib);
  EXPECT_EQ(stats->bytes_written + stats->bytes_skipped_zero, image.size());
}

// A regular file shorter than the image grows to the image's size even when its end was skipped.
TEST_F(RawImageTest, SkippedZerosAtTheEndStillGiveTheFullLength) {
  auto image = disk_image();
  image.replace(image.size() - 2 * k_mib, 2 * k_mib, std::string(2 * k_mib, '\0'));
  const auto disk = target_file('\0', 0);
  const auto stats = write(image, disk, true);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(fs::file_size(disk), image.size());
  EXPECT_TRUE(testing::read_bytes(disk) == image);
}

// .img.zst is recognised by its magic number and decompressed while streaming; the sha256 is of
// the compressed file as stored.
TEST_F(RawImageTest, ZstdImageIsDecompressed) {
  const auto image = disk_image() + std::string(1000, 'x'); // an unaligned tail too
  const auto compressed = zstd_compress(image);
  const auto disk = target_file('\xAA', image.size());
  const auto stats = write(compressed, disk, false, testing::sha256_of(compressed));
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_TRUE(testing::read_bytes(disk) == image);
  EXPECT_TRUE(stats->compressed);
  EXPECT_EQ(stats->bytes_in, compressed.size());
  EXPECT_EQ(stats->image_bytes, image.size());
  EXPECT_EQ(stats->sha256, testing::sha256_of(compressed));
}

// Bytes cannot be un-written: on a mismatch the image's first MiB (never written) and the last
// MiB written are zero, so the disk does not boot a wrong image, and the error says so.
TEST_F(RawImageTest, ChecksumMismatchLeavesADiskThatDoesNotBoot) {
  const auto image = disk_image();
  const auto disk = target_file('\xAA', image.size());
  const auto stats = write(image, disk, false, std::string(64, '0'));
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().kind, ImageErrorKind::checksum_mismatch);
  EXPECT_NE(stats.error().message.find("does not boot"), std::string::npos)
      << stats.error().message;
  const auto after = testing::read_bytes(disk);
  EXPECT_EQ(after.substr(0, k_mib), std::string(k_mib, '\0'));
  EXPECT_EQ(after.substr(after.size() - k_mib), std::string(k_mib, '\0'));
  // The middle was written: the contract says the caller must still re-image or wipe.
  EXPECT_EQ(after.substr(2 * k_mib, 3 * k_mib), image.substr(2 * k_mib, 3 * k_mib));
}

// The last progress event is the whole source, named after the device.
TEST_F(RawImageTest, ProgressEndsWithTheWholeSource) {
  const auto compressed = zstd_compress(disk_image());
  const auto disk = target_file('\0', 12 * k_mib);
  testing::write_bytes(m_dir.path() / "image.img.zst", compressed);
  auto stream = open_image((m_dir.path() / "image.img.zst").string(), {});
  ASSERT_TRUE(stream.has_value());
  std::vector<Progress> events;
  RawWriteOptions options;
  options.progress = [&](const Progress& p) {
    events.push_back(p);
  };
  ASSERT_TRUE(write_raw_image(**stream, disk, options).has_value());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().operation, "write");
  EXPECT_EQ(events.back().device, disk.string());
  EXPECT_EQ(events.back().done_bytes, compressed.size());
  EXPECT_EQ(events.back().total_bytes, compressed.size());
}

// A zstd stream cut in the middle of its frame is a truncation, not a short image.
TEST_F(RawImageTest, TruncatedZstdImageIsAnError) {
  const auto compressed = zstd_compress(disk_image());
  const auto disk = target_file('\xAA', 12 * k_mib);
  const auto stats = write(compressed.substr(0, compressed.size() - 100), disk, false);
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().kind, ImageErrorKind::truncated) << stats.error().message;
  EXPECT_EQ(testing::read_bytes(disk).substr(0, k_mib), std::string(k_mib, '\0'));
}

// Only .img and .img.zst: a gzip raw image is refused before anything is written.
TEST_F(RawImageTest, GzipRawImageIsRefusedUntouched) {
  const auto disk = target_file('\xAA', 4 * k_mib);
  const auto gzipped = std::string("\x1f\x8b\x08\x00", 4) + testing::pattern_bytes(4000);
  const auto stats = write(gzipped, disk, false);
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().kind, ImageErrorKind::unsupported);
  EXPECT_EQ(testing::read_bytes(disk), std::string(4 * k_mib, '\xAA'));
}

// A mistyped device must fail, not become a new file.
TEST_F(RawImageTest, MissingTargetIsNotCreated) {
  const auto missing = m_dir.path() / "sdz";
  const auto stats = write(disk_image(2 * k_mib), missing, false);
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().kind, ImageErrorKind::not_found);
  EXPECT_FALSE(fs::exists(missing));
}

// On a block device the writes go through O_DIRECT; the result is exactly the image.
TEST(RawImageOnLoopDevice, WritesThroughDirectIo) {
  if (auto blocker = testing::root_test_blocker()) {
    GTEST_SKIP() << *blocker;
  }
  testing::TempDir dir;
  testing::LoopDevice loop(dir.path() / "disk.img", 16 * k_mib);
  const auto image = disk_image() + testing::pattern_bytes(4096 * 3, 9);
  testing::write_bytes(dir.path() / "image.img.zst", zstd_compress(image));
  auto stream = open_image((dir.path() / "image.img.zst").string(), {});
  ASSERT_TRUE(stream.has_value());
  const auto stats = write_raw_image(**stream, loop.device(), {});
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_TRUE(stats->direct_io);
  const auto written = testing::read_bytes(loop.backing());
  EXPECT_TRUE(written.substr(0, image.size()) == image);
}

// An image that declares more bytes than the device has fails before the first write.
TEST(RawImageOnLoopDevice, ImageLargerThanTheDeviceIsRefusedBeforeWriting) {
  if (auto blocker = testing::root_test_blocker()) {
    GTEST_SKIP() << *blocker;
  }
  testing::TempDir dir;
  testing::LoopDevice loop(dir.path() / "disk.img", 8 * k_mib);
  testing::write_bytes(dir.path() / "image.img.zst", zstd_compress(disk_image(16 * k_mib)));
  auto stream = open_image((dir.path() / "image.img.zst").string(), {});
  ASSERT_TRUE(stream.has_value());
  const auto stats = write_raw_image(**stream, loop.device(), {});
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().kind, ImageErrorKind::no_space);
  EXPECT_NE(stats.error().message.find("nothing was written"), std::string::npos);
  EXPECT_EQ(testing::read_bytes(loop.backing()), std::string(8 * k_mib, '\0'));
}

} // namespace
} // namespace atelier::imager
