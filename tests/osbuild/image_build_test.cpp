// build_image with a stand-in mmdebstrap (tests/data/image/fake-mmdebstrap): the cache, the
// archive and manifest it writes, and the errors a volunteer sees. The real mmdebstrap runs in
// tests/vm/image_build_test.sh.
#include "base/sha256.h"
#include "base/text.h"
#include "osbuild/image_build.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::osbuild {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string k_fake = std::string(ATELIER_TEST_DATA) + "/image/fake-mmdebstrap";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Entry {
  std::string path;
  unsigned type;
  std::string data;
};

// The .tar.zst read back with libarchive, as the deploy will read it.
std::vector<Entry> read_archive(const fs::path& file) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_filename(a.get(), file.c_str(), 1 << 16), ARCHIVE_OK)
      << archive_error_string(a.get());
  std::vector<Entry> entries;
  archive_entry* e = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    Entry entry{archive_entry_pathname(e), archive_entry_filetype(e), ""};
    char buffer[4096];
    for (la_ssize_t n; (n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0;) {
      entry.data.append(buffer, static_cast<std::size_t>(n));
    }
    entries.push_back(std::move(entry));
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a.get());
  return entries;
}

// The size of the zstd stream's content, decompressed by libarchive.
std::uint64_t decompressed_size(const fs::path& file) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_raw(a.get());
  archive_entry* e = nullptr;
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    ADD_FAILURE() << archive_error_string(a.get());
    return 0;
  }
  std::uint64_t size = 0;
  char buffer[65536];
  for (la_ssize_t n; (n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0;) {
    size += static_cast<std::uint64_t>(n);
  }
  return size;
}

const Entry* find(const std::vector<Entry>& entries, const std::string& path) {
  for (const auto& e : entries) {
    if (e.path == path) {
      return &e;
    }
  }
  return nullptr;
}

class BuildImage : public ::testing::Test {
protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "image builds run mmdebstrap in root mode: run the tests as root";
    }
    // The stand-in appends one line per build it runs, so a test can tell a cache hit.
    ::setenv("FAKE_MMDEBSTRAP_RUNS", (m_dir / "runs").c_str(), 1);
    m_profile.name = "vm-minimal";
    m_profile.image.build.emplace();
    m_profile.image.build->variant = profiles::BuildVariant::minbase;
    m_profile.image.build->packages = {"linux-image-amd64", "grub2-common"};
    m_options.out = m_dir / "out/minimal.tar.zst";
    m_options.cache_dir = m_dir / "cache";
    m_options.mmdebstrap = k_fake;
    m_options.source_date_epoch = 1746869239;
    m_options.threads = 2;
    m_options.clock = &m_clock;
  }
  void TearDown() override { ::unsetenv("FAKE_MMDEBSTRAP_RUNS"); }

  std::expected<ImageBuildResult, std::string> build() {
    return build_image(m_profile, m_options,
                       [this](const std::string& line) { m_progress.push_back(line); });
  }
  int runs() const {
    const std::string text = read(m_dir / "runs");
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }
  std::string key() const {
    return image_cache_key({*m_profile.image.build, "0.0-fake", m_options.source_date_epoch});
  }

  testing::TempDir m_dir;
  testing::FakeClock m_clock;
  profiles::Profile m_profile;
  ImageBuildOptions m_options;
  std::vector<std::string> m_progress;
};

TEST_F(BuildImage, WritesTheArchiveAndItsManifest) {
  auto result = build();
  ASSERT_TRUE(result) << result.error();
  EXPECT_FALSE(result->cached);
  EXPECT_EQ(result->archive, m_options.out);
  EXPECT_EQ(result->cache_entry, m_options.cache_dir / key());

  // The checksum printed for the profile is the file's.
  const std::string bytes = read(m_options.out);
  EXPECT_EQ(result->manifest.sha256, base::sha256_hex(bytes));
  EXPECT_EQ(result->manifest.size_bytes, bytes.size());
  EXPECT_EQ(result->manifest.content_bytes, decompressed_size(m_options.out));

  const auto manifest = manifest_from_json(read(m_options.out.string() + ".manifest.json"));
  ASSERT_TRUE(manifest) << manifest.error();
  EXPECT_EQ(manifest->profile, "vm-minimal");
  EXPECT_EQ(manifest->key, key());
  EXPECT_EQ(manifest->sha256, result->manifest.sha256);
  EXPECT_EQ(manifest->source_date_epoch, 1746869239);
  EXPECT_EQ(manifest->inputs.mmdebstrap_version, "0.0-fake");
  EXPECT_EQ(manifest->built_at, "2026-11-23T10:00:00Z"); // the test's clock
  EXPECT_EQ(manifest->build_seconds, 0);
  EXPECT_THAT(manifest->packages,
              ElementsAre(InstalledPackage{"base-files", "1.0-fake", "amd64"},
                          InstalledPackage{"grub2-common", "1.0-fake", "amd64"},
                          InstalledPackage{"linux-image-amd64", "1.0-fake", "amd64"}));
  // The cache keeps the archive, the manifest and the log; nothing of the build is left over.
  EXPECT_EQ(read(m_options.cache_dir / key() / "image.tar.zst"), bytes);
  EXPECT_TRUE(fs::exists(m_options.cache_dir / key() / "manifest.json"));
  EXPECT_THAT(read(m_options.cache_dir / key() / "build.log"), HasSubstr("I: creating tarball"));
  EXPECT_FALSE(fs::exists(m_options.cache_dir / (key() + ".building")));
  EXPECT_THAT(m_progress, Contains("mmdebstrap: running apt-get update..."));
}

// /dev comes first and holds no device node; mmdebstrap's stream follows in the same archive.
TEST_F(BuildImage, ArchiveHasDevWithoutNodesAndTheFinishedRoot) {
  auto result = build();
  ASSERT_TRUE(result) << result.error();
  const auto entries = read_archive(m_options.out);
  ASSERT_GE(entries.size(), 8U);
  EXPECT_EQ(entries[0].path, "./dev/");
  for (const auto& e : entries) {
    EXPECT_NE(e.type, static_cast<unsigned>(AE_IFCHR)) << e.path;
    EXPECT_NE(e.type, static_cast<unsigned>(AE_IFBLK)) << e.path;
  }
  ASSERT_NE(find(entries, "./etc/hostname"), nullptr);
  EXPECT_EQ(find(entries, "./etc/hostname")->data, "localhost\n");
  // What mmdebstrap was given: SOURCE_DATE_EPOCH, and a TMPDIR on the cache's disk.
  EXPECT_EQ(find(entries, "./etc/fake-mmdebstrap.epoch")->data, "1746869239\n");
  const std::string args = find(entries, "./etc/fake-mmdebstrap.args")->data;
  EXPECT_THAT(args, HasSubstr("--include=linux-image-amd64,grub2-common\n"));
  EXPECT_THAT(args, HasSubstr("\n--skip=output/dev\n"));
}

TEST_F(BuildImage, ReusesTheCacheForTheSameInputs) {
  auto first = build();
  ASSERT_TRUE(first) << first.error();
  fs::remove(m_options.out);
  auto second = build();
  ASSERT_TRUE(second) << second.error();
  EXPECT_TRUE(second->cached);
  EXPECT_EQ(runs(), 1);
  EXPECT_EQ(second->manifest.sha256, first->manifest.sha256);
  EXPECT_EQ(base::sha256_hex(read(m_options.out)), first->manifest.sha256);
  EXPECT_EQ(second->manifest.built_at, first->manifest.built_at);
}

TEST_F(BuildImage, ForceRebuilds) {
  ASSERT_TRUE(build());
  m_options.force = true;
  auto again = build();
  ASSERT_TRUE(again) << again.error();
  EXPECT_FALSE(again->cached);
  EXPECT_EQ(runs(), 2);
}

TEST_F(BuildImage, ChangedPackagesBuildANewImage) {
  auto first = build();
  ASSERT_TRUE(first);
  m_profile.image.build->packages.push_back("e2fsprogs");
  auto second = build();
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(second->cached);
  EXPECT_NE(second->cache_entry, first->cache_entry);
  EXPECT_THAT(second->manifest.packages,
              Contains(InstalledPackage{"e2fsprogs", "1.0-fake", "amd64"}));
}

// A cache entry whose archive no longer has its checksum is never handed out.
TEST_F(BuildImage, RebuildsADamagedCacheEntry) {
  auto first = build();
  ASSERT_TRUE(first);
  std::ofstream(m_options.cache_dir / key() / "image.tar.zst", std::ios::app) << "bit rot";
  auto second = build();
  ASSERT_TRUE(second) << second.error();
  EXPECT_FALSE(second->cached);
  EXPECT_EQ(second->manifest.sha256, base::sha256_hex(read(m_options.out)));
  EXPECT_THAT(m_progress, Contains(HasSubstr("is damaged (checksum mismatch): rebuilding")));
}

TEST_F(BuildImage, NamesAPackageAptDoesNotKnow) {
  m_profile.image.build->packages.push_back("missing-pkg");
  auto result = build();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr("package 'missing-pkg' was not found in "
                                        "http://deb.debian.org/debian bookworm (main)"));
  EXPECT_THAT(result.error(), HasSubstr("check image.build.packages"));
  // Nothing half-built is left, and no archive is written where the profile expects one.
  EXPECT_FALSE(fs::exists(m_options.cache_dir / key()));
  EXPECT_FALSE(fs::exists(m_options.cache_dir / (key() + ".building")));
  EXPECT_FALSE(fs::exists(m_options.out));
  EXPECT_THAT(read(m_options.cache_dir / (key() + ".failed.log")),
              HasSubstr("E: Unable to locate package missing-pkg"));
}

TEST_F(BuildImage, QuotesTheEndOfTheLogForOtherFailures) {
  m_profile.image.build->packages.push_back("broken-pkg");
  auto result = build();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr("mmdebstrap failed (exit status 1)"));
  EXPECT_THAT(result.error(), HasSubstr("E: the disk caught fire"));
  EXPECT_THAT(result.error(), HasSubstr("noise line 20"));
  EXPECT_THAT(result.error(), Not(HasSubstr("noise line 1\n")));
  EXPECT_THAT(result.error(),
              HasSubstr("full log: " + (m_options.cache_dir / key()).string() + ".failed.log"));
}

TEST_F(BuildImage, RefusesAProfileWithoutABuildSection) {
  m_profile.image.build.reset();
  auto result = build();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr("profile vm-minimal has no [image.build] section"));
}

TEST_F(BuildImage, SaysHowToGetMmdebstrapWhenItIsMissing) {
  m_options.mmdebstrap = (m_dir / "no-such-mmdebstrap").string();
  auto result = build();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr("install the mmdebstrap package"));
}

// A second build of the same inputs at the same time would write the same directory.
TEST_F(BuildImage, RefusesToRunTwiceForTheSameInputs) {
  fs::create_directories(m_options.cache_dir);
  const fs::path lock = m_options.cache_dir / (key() + ".lock");
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto result = build();
  ::close(fd);
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr("another build of the same image is running"));
}

// An interrupted build leaves its directory; the next one starts afresh.
TEST_F(BuildImage, ClearsWhatAnInterruptedBuildLeft) {
  fs::create_directories(m_options.cache_dir / (key() + ".building/tmp/mmdebstrap.x"));
  std::ofstream(m_options.cache_dir / (key() + ".building/image.tar.zst")) << "partial";
  auto result = build();
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->manifest.sha256, base::sha256_hex(read(m_options.out)));
}

// --check asks apt through mmdebstrap --simulate: seconds instead of a build, nothing written.
TEST_F(BuildImage, CheckResolvesThePackagesWithoutBuilding) {
  auto checked = check_image_packages(m_profile, m_options, [](const std::string&) {});
  ASSERT_TRUE(checked) << checked.error();
  EXPECT_EQ(*checked, 2);
  EXPECT_EQ(read(m_dir / "runs"), "run simulate=yes\n");
  EXPECT_FALSE(fs::exists(m_options.cache_dir));
  EXPECT_FALSE(fs::exists(m_options.out));
}

TEST_F(BuildImage, CheckNamesAPackageAptDoesNotKnow) {
  m_profile.image.build->packages.push_back("missing-pkg");
  auto checked = check_image_packages(m_profile, m_options, [](const std::string&) {});
  ASSERT_FALSE(checked);
  EXPECT_THAT(checked.error(), HasSubstr("package 'missing-pkg' was not found in "
                                         "http://deb.debian.org/debian bookworm (main)"));
}

// A tmpfs mounted at `path` for one test (root only), detached when the test ends.
class ScopedTmpfs {
public:
  explicit ScopedTmpfs(const fs::path& path) : m_path(path) {
    fs::create_directories(path);
    m_mounted = ::mount("atelier-test", path.c_str(), "tmpfs", 0, "size=1m") == 0;
  }
  ScopedTmpfs(const ScopedTmpfs&) = delete;
  ScopedTmpfs& operator=(const ScopedTmpfs&) = delete;
  ~ScopedTmpfs() {
    if (m_mounted) {
      ::umount2(m_path.c_str(), MNT_DETACH);
    }
  }
  bool mounted() const { return m_mounted; }

private:
  fs::path m_path;
  bool m_mounted = false;
};

// A build killed hard can leave mmdebstrap's /proc or /sys mounted in its directory: deleting
// through them would delete the host's files. The next build refuses and says what to unmount.
TEST_F(BuildImage, NeverDeletesThroughAMountLeftByAKilledBuild) {
  const fs::path chroot_proc = m_options.cache_dir / (key() + ".building/tmp/mmdebstrap.x/proc");
  const ScopedTmpfs mount(chroot_proc);
  ASSERT_TRUE(mount.mounted()) << "mount tmpfs: " << base::errno_text(errno);
  std::ofstream(chroot_proc / "host-file") << "must survive";
  EXPECT_THAT(mounts_under(m_options.cache_dir), ElementsAre(chroot_proc));

  auto result = build();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr(chroot_proc.string() + " is still mounted"));
  EXPECT_THAT(result.error(), HasSubstr("umount -R " + chroot_proc.string()));
  EXPECT_EQ(read(chroot_proc / "host-file"), "must survive");
  EXPECT_EQ(runs(), 0);
}

// Without SOURCE_DATE_EPOCH the mirror's Release date is the build's timestamp (a file:// mirror
// stands in for the network one).
TEST_F(BuildImage, TakesTheTimestampFromTheMirrorsReleaseFile) {
  fs::create_directories(m_dir / "mirror/dists/bookworm");
  std::ofstream(m_dir / "mirror/dists/bookworm/Release")
      << "Origin: Debian\nSuite: stable\nCodename: bookworm\nDate: Sat, 10 May 2025 09:27:19 UTC\n";
  m_profile.image.build->mirror = "file://" + (m_dir / "mirror").string();
  m_options.source_date_epoch.reset();
  auto result = build();
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->manifest.source_date_epoch, 1746869239);
  EXPECT_EQ(find(read_archive(m_options.out), "./etc/fake-mmdebstrap.epoch")->data, "1746869239\n");
}

TEST_F(BuildImage, ReportsAMirrorWithoutTheSuite) {
  fs::create_directories(m_dir / "mirror");
  m_profile.image.build->mirror = "file://" + (m_dir / "mirror").string();
  m_profile.image.build->suite = "bookwrom";
  m_options.source_date_epoch.reset();
  auto result = build();
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error(), HasSubstr("cannot fetch file://"));
  EXPECT_THAT(result.error(), HasSubstr("/dists/bookwrom/Release"));
  EXPECT_THAT(result.error(), HasSubstr("check image.build.mirror and image.build.suite"));
}

} // namespace
} // namespace atelier::osbuild
