// `atelier image build` as a workshop runs it, with a stand-in mmdebstrap and a file:// mirror
// (tests/data/image/fake-mmdebstrap) so that it needs no network. The real build is
// tests/vm/image_build_test.sh.
#include "cli/cli.h"
#include "profiles/profile.h"
#include "support/temp_dir.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using atelier::cli::run_cli;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

const std::string k_fake = std::string(ATELIER_TEST_DATA) + "/image/fake-mmdebstrap";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ImageCli : public ::testing::Test {
protected:
  void SetUp() override {
    fs::create_directories(m_dir / "mirror/dists/bookworm");
    std::ofstream(m_dir / "mirror/dists/bookworm/Release")
        << "Origin: Debian\nCodename: bookworm\nDate: Sat, 10 May 2025 09:27:19 UTC\n";
  }
  CliRun run(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }
  CliRun build(const std::string& profile, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"image", "build",        profile, "--cache-dir",
                                     m_cache, "--mmdebstrap", k_fake};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }
  // A valid profile; `build` is the [image.build] section (empty: none).
  std::string write_profile(const std::string& build,
                            const std::string& source = "images/x.tar.zst") {
    std::string text = R"([profile]
name = "vm-minimal"
description = "test"

[image]
source = ")" + source + R"("
format = "rootfs-archive"

[tailoring]
locale = "C.UTF-8"
keyboard = "us"
timezone = "Etc/UTC"

[wipe]
)";
    if (!build.empty()) {
      text += "\n[image.build]\nmirror = \"file://" + (m_dir / "mirror").string() + "\"\n" + build;
    }
    const fs::path path = m_dir / "profiles/vm.toml";
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  bool root() const { return ::geteuid() == 0; }

  atelier::testing::TempDir m_dir;
  std::string m_cache = (m_dir / "cache").string();
};

TEST_F(ImageCli, AMissingProfileIsAUsageError) {
  const CliRun r = build((m_dir / "nope.toml").string());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.toml"));
}

TEST_F(ImageCli, AProfileWithoutABuildSectionSaysWhatToAdd) {
  const CliRun r = build(write_profile(""));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("vm.toml: no [image.build] section"));
  EXPECT_FALSE(fs::exists(m_cache));
}

// The profile's own errors come first, with their lines, and nothing runs.
TEST_F(ImageCli, AnInvalidProfileIsReportedWithItsLines) {
  const CliRun r = build(write_profile("packages = [\"Linux-Image\"]\n"));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("vm.toml:18:"));
  EXPECT_THAT(r.err, HasSubstr("image.build.packages[0]"));
  EXPECT_FALSE(fs::exists(m_cache));
}

TEST_F(ImageCli, AnImageServedByUrlNeedsOut) {
  const CliRun r = build(write_profile("packages = [\"linux-image-amd64\"]\n",
                                       "https://images.example.org/x.tar.zst"));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("pass --out FILE.tar.zst"));
}

// The workshop's loop: build, write the checksum into the profile, build again from the cache.
TEST_F(ImageCli, BuildsToTheProfilesImagePathAndUpdatesItsChecksum) {
  if (!root()) {
    GTEST_SKIP() << "image builds run mmdebstrap in root mode: run the tests as root";
  }
  const std::string profile = write_profile("packages = [\"linux-image-amd64\"]\n");
  const CliRun first = build(profile, {"--update-profile"});
  ASSERT_EQ(first.status, 0) << first.err;
  const fs::path image = m_dir / "profiles/images/x.tar.zst";
  EXPECT_TRUE(fs::exists(image));
  EXPECT_TRUE(fs::exists(image.string() + ".manifest.json"));
  EXPECT_THAT(first.out, HasSubstr("built in"));
  EXPECT_THAT(first.out, HasSubstr("image.sha256 updated"));
  EXPECT_THAT(first.err, HasSubstr("mmdebstrap: creating tarball..."));
  auto loaded = atelier::profiles::load_profile(profile);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->image.sha256);
  EXPECT_THAT(first.out, HasSubstr("sha256    " + *loaded->image.sha256));

  const CliRun second = build(profile);
  ASSERT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("cached: built "));
  EXPECT_THAT(second.out, HasSubstr("image.sha256 already matches"));
  EXPECT_THAT(second.err, Not(HasSubstr("mmdebstrap:")));
}

TEST_F(ImageCli, WithoutUpdateProfileItSaysWhereTheChecksumGoes) {
  if (!root()) {
    GTEST_SKIP() << "image builds run mmdebstrap in root mode: run the tests as root";
  }
  const std::string profile = write_profile("packages = [\"linux-image-amd64\"]\n");
  const std::string before = read(profile);
  const CliRun r = build(profile, {"--out", (m_dir / "elsewhere.tar.zst").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("next: set sha256 = \""));
  EXPECT_THAT(r.out, HasSubstr("--update-profile"));
  EXPECT_EQ(read(profile), before);
  EXPECT_TRUE(fs::exists(m_dir / "elsewhere.tar.zst.manifest.json"));
}

TEST_F(ImageCli, CheckResolvesThePackagesAndBuildsNothing) {
  if (!root()) {
    GTEST_SKIP() << "mmdebstrap runs in root mode: run the tests as root";
  }
  const std::string profile =
      write_profile("packages = [\"linux-image-amd64\", \"grub2-common\"]\n");
  const CliRun ok = build(profile, {"--check"});
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("check: the 2 packages of " + profile + " resolve in bookworm"));
  EXPECT_FALSE(fs::exists(m_dir / "profiles/images/x.tar.zst"));
  EXPECT_FALSE(fs::exists(m_cache));

  const CliRun bad =
      build(write_profile("packages = [\"linux-image-amd64\", \"missing-pkg\"]\n"), {"--check"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err,
              HasSubstr("image check for vm-minimal: package 'missing-pkg' was not found"));
}

TEST_F(ImageCli, AnUnknownPackageFailsNamingIt) {
  if (!root()) {
    GTEST_SKIP() << "image builds run mmdebstrap in root mode: run the tests as root";
  }
  const CliRun r = build(write_profile("packages = [\"linux-image-amd64\", \"missing-pkg\"]\n"));
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("image build for vm-minimal: package 'missing-pkg' was not found"));
  EXPECT_FALSE(fs::exists(m_dir / "profiles/images/x.tar.zst"));
}

} // namespace
