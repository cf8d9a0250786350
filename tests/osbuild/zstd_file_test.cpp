// ZstdFileWriter: what it writes decompresses to what it was given, the checksum it reports is the
// file's, and the bytes do not depend on how many threads compressed them (the cache key does not
// include the machine's CPU count).
#include "base/sha256.h"
#include "osbuild/zstd_file.h"
#include "support/temp_dir.h"

#include <archive.h>
#include <archive_entry.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include <gtest/gtest.h>

namespace atelier::osbuild {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// An independent decoder: libarchive's zstd filter.
std::string decompress(const fs::path& file) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* e = nullptr;
  EXPECT_EQ(archive_read_open_filename(a.get(), file.c_str(), 1 << 16), ARCHIVE_OK);
  EXPECT_EQ(archive_read_next_header(a.get(), &e), ARCHIVE_OK) << archive_error_string(a.get());
  std::string out;
  char buffer[65536];
  for (la_ssize_t n; (n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0;) {
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

// 24 MiB that compress somewhat (text-like runs with random bytes), large enough for several
// zstd jobs at level 9.
std::string sample_data() {
  std::mt19937 random(42);
  std::string data;
  data.reserve(24 << 20);
  while (data.size() < (24U << 20)) {
    data += "usr/share/doc/package-" + std::to_string(random() % 5000) + "/changelog.Debian.gz ";
    for (int i = 0; i < 64; ++i) {
      data += static_cast<char>(random() & 0xff);
    }
  }
  return data;
}

std::expected<WrittenFile, std::string> write(const fs::path& path, const std::string& data,
                                              int threads) {
  auto writer = ZstdFileWriter::create(path, 9, threads);
  if (!writer) {
    return std::unexpected(writer.error());
  }
  // In uneven pieces, as a pipe delivers them.
  for (std::size_t at = 0; at < data.size();) {
    const std::size_t n = std::min<std::size_t>(data.size() - at, 65536 + at % 7777);
    if (auto r = writer->write(std::string_view(data).substr(at, n)); !r) {
      return std::unexpected(r.error());
    }
    at += n;
  }
  return writer->finish();
}

TEST(ZstdFileWriter, WritesWhatDecompressesToTheInputAndReportsTheFilesChecksum) {
  testing::TempDir dir;
  const std::string data = sample_data();
  auto written = write(dir / "a.zst", data, 2);
  ASSERT_TRUE(written) << written.error();
  const std::string file = read(dir / "a.zst");
  EXPECT_EQ(written->sha256, base::sha256_hex(file));
  EXPECT_EQ(written->size_bytes, file.size());
  EXPECT_EQ(written->content_bytes, data.size());
  EXPECT_LT(file.size(), data.size());
  EXPECT_TRUE(decompress(dir / "a.zst") == data);
}

TEST(ZstdFileWriter, GivesTheSameBytesWithAnyNumberOfThreads) {
  testing::TempDir dir;
  const std::string data = sample_data();
  auto one = write(dir / "1.zst", data, 1);
  auto three = write(dir / "3.zst", data, 3);
  ASSERT_TRUE(one && three);
  EXPECT_EQ(one->sha256, three->sha256);
}

TEST(ZstdFileWriter, ReportsAnUnwritablePath) {
  testing::TempDir dir;
  auto writer = ZstdFileWriter::create(dir / "missing/dir/a.zst", 9, 1);
  ASSERT_FALSE(writer);
  EXPECT_NE(writer.error().find("missing/dir/a.zst"), std::string::npos) << writer.error();
}

} // namespace
} // namespace atelier::osbuild
