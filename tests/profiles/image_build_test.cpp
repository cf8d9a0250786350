// [image.build]: the recipe `atelier image build` hands to mmdebstrap. What is accepted, the
// defaults, and that every refusal names the line and key, like the rest of the profile.
// Documents are written inline; the first line after R"( is line 1.
#include "matchers.h"
#include "profiles/profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing_support::body;
using testing_support::error_at;
using testing_support::warning_at;

// A valid profile ending in [image.build] (line 13); `build` follows it from line 14.
std::string profile_with_build(std::string_view build, std::string_view format = "rootfs-archive") {
  std::string text = R"([profile]
name = "vm-minimal"
description = "test"
[tailoring]
locale = "C.UTF-8"
keyboard = "us"
timezone = "Etc/UTC"
[wipe]
[image]
source = "images/minimal.tar.zst"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
format = ")";
  text += format;
  text += "\"\n[image.build]\n";
  text += body(build);
  return text;
}

constexpr int k_header = 13;
constexpr int k_first = 14;

Diagnostics errors_of(const std::string& text) {
  auto result = parse_profile(text, "profiles/vm.toml");
  return result ? Diagnostics{} : result.error();
}

TEST(ImageBuildSection, IsOptional) {
  const auto profile = parse_profile(body(R"(
[profile]
name = "p"
description = "d"
[image]
source = "a.tar.zst"
format = "rootfs-archive"
[tailoring]
locale = "C.UTF-8"
keyboard = "us"
timezone = "Etc/UTC"
[wipe]
)"),
                                     "p.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  EXPECT_FALSE(profile->image.build);
}

// A workshop writes the package list and relies on Debian's defaults for the rest.
TEST(ImageBuildSection, AppliesTheDocumentedDefaults) {
  const auto profile =
      parse_profile(profile_with_build(R"(packages = ["linux-image-amd64"])"), "p.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  ASSERT_TRUE(profile->image.build);
  const ImageBuild& build = *profile->image.build;
  EXPECT_EQ(build.suite, "bookworm");
  EXPECT_EQ(build.mirror, "http://deb.debian.org/debian");
  EXPECT_EQ(build.variant, BuildVariant::important);
  EXPECT_THAT(build.components, ElementsAre("main"));
  EXPECT_THAT(build.packages, ElementsAre("linux-image-amd64"));
  EXPECT_FALSE(build.install_recommends);
  EXPECT_THAT(build.sources, IsEmpty());
  EXPECT_THAT(build.customize, IsEmpty());
  EXPECT_THAT(profile->warnings, IsEmpty());
}

TEST(ImageBuildSection, ReadsEveryKey) {
  const auto profile = parse_profile(profile_with_build(R"(
suite = "bookworm"
mirror = "https://snapshot.debian.org/archive/debian/20250520T000000Z"
variant = "minbase"
components = ["main", "non-free-firmware"]
packages = ["linux-image-amd64/bookworm-backports", "grub2-common", "vim=2:9.0.1378-2"]
install_recommends = true
sources = ["deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main", "deb file:///srv/local-repo ./"]
customize = ["echo hello > /etc/motd"]
)"),
                                     "p.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  const ImageBuild& build = *profile->image.build;
  EXPECT_EQ(build.variant, BuildVariant::minbase);
  EXPECT_THAT(build.components, ElementsAre("main", "non-free-firmware"));
  EXPECT_THAT(build.packages, ElementsAre("linux-image-amd64/bookworm-backports", "grub2-common",
                                          "vim=2:9.0.1378-2"));
  EXPECT_TRUE(build.install_recommends);
  EXPECT_EQ(build.sources.size(), 2U);
  EXPECT_THAT(build.customize, ElementsAre("echo hello > /etc/motd"));
}

// The packages are the point of the section: without them it builds nothing a volunteer wants.
TEST(ImageBuildSection, RequiresPackages) {
  EXPECT_THAT(errors_of(profile_with_build(R"(suite = "bookworm")")),
              ElementsAre(error_at(k_header, "image.build.packages", "missing required key")));
}

TEST(ImageBuildSection, ReportsAnUnknownKeyWithTheClosestKnownKey) {
  EXPECT_THAT(errors_of(profile_with_build(R"(
packages = ["linux-image-amd64"]
install_recomends = true
)")),
              ElementsAre(error_at(k_first + 1, "image.build.install_recomends",
                                   "did you mean 'install_recommends'?")));
}

TEST(ImageBuildSection, NamesTheAllowedVariants) {
  EXPECT_THAT(errors_of(profile_with_build(R"(
packages = ["linux-image-amd64"]
variant = "debootstrap"
)")),
              ElementsAre(error_at(k_first + 1, "image.build.variant",
                                   R"(allowed: "minbase", "important", "standard")")));
}

// Each bad element is reported at its own position, all of them at once.
TEST(ImageBuildSection, ReportsEveryBadPackageWithItsIndex) {
  const Diagnostics errors = errors_of(profile_with_build(R"(
packages = ["linux-image-amd64", "Firefox-ESR", "lxqt task-lxqt-desktop", "linux-image-amd64", 3]
)"));
  EXPECT_THAT(
      errors,
      ElementsAre(
          error_at(k_first, "image.build.packages[1]", "package names are lower case"),
          error_at(k_first, "image.build.packages[2]", "one package per string"),
          error_at(k_first, "image.build.packages[3]",
                   "\"linux-image-amd64\" is listed twice (also "
                   "image.build.packages[0])"),
          error_at(k_first, "image.build.packages[4]", "expected a string, found an integer")));
  EXPECT_EQ(errors[0].column, 34);
}

// A pinned version and the plain name are the same package: apt would take one of them.
TEST(ImageBuildSection, TreatsAVersionedRequestAsTheSamePackage) {
  EXPECT_THAT(errors_of(profile_with_build(
                  R"(packages = ["linux-image-amd64", "linux-image-amd64=6.1.140-1"])")),
              ElementsAre(error_at(k_first, "image.build.packages[1]", "listed twice")));
  EXPECT_THAT(
      errors_of(profile_with_build(R"(packages = ["linux-image-amd64=", "vim/Stable"])")),
      ElementsAre(error_at(k_first, "image.build.packages[0]", "is not a package version"),
                  error_at(k_first, "image.build.packages[1]", "after '/' comes a release")));
}

TEST(ImageBuildSection, WarnsWhenNoKernelIsListed) {
  const auto profile =
      parse_profile(profile_with_build(R"(packages = ["grub2-common", "lxqt"])"), "p.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  EXPECT_THAT(profile->warnings,
              ElementsAre(warning_at(k_first, "image.build.packages", "no kernel package")));
}

TEST(ImageBuildSection, ChecksTheMirrorAndSuiteShapes) {
  EXPECT_THAT(
      errors_of(profile_with_build(R"(
packages = ["linux-image-amd64"]
mirror = "ftp://ftp.debian.org/debian"
suite = "Bookworm"
components = ["main", "non free"]
)")),
      ElementsAre(
          error_at(k_first + 1, "image.build.mirror", "unsupported URI scheme 'ftp'"),
          error_at(k_first + 2, "image.build.suite", "is not a suite name"),
          error_at(k_first + 3, "image.build.components[1]", "is not an archive component")));
  EXPECT_THAT(errors_of(profile_with_build(R"(
packages = ["linux-image-amd64"]
mirror = "http:///debian"
)")),
              ElementsAre(error_at(k_first + 1, "image.build.mirror", "has no host")));
}

// An apt line that mmdebstrap would misread is refused here, with the reason.
TEST(ImageBuildSection, ChecksTheShapeOfExtraSources) {
  EXPECT_THAT(
      errors_of(profile_with_build(R"(
packages = ["linux-image-amd64"]
sources = [
  "http://security.debian.org/debian-security bookworm-security main",
  "deb-src http://deb.debian.org/debian bookworm main",
  "deb http://deb.debian.org/debian bookworm-backports",
  "deb [signed-by=/k.gpg http://deb.debian.org/debian bookworm main",
  "deb file:///srv/repo ./ main",
]
)")),
      ElementsAre(error_at(k_first + 2, "image.build.sources[0]", "must start with \"deb\""),
                  error_at(k_first + 3, "image.build.sources[1]", "deb-src"),
                  error_at(k_first + 4, "image.build.sources[2]", "names no component"),
                  error_at(k_first + 5, "image.build.sources[3]", "has no ']'"),
                  error_at(k_first + 6, "image.build.sources[4]", "flat repository")));
}

TEST(ImageBuildSection, RefusesEmptyListsAndCommands) {
  EXPECT_THAT(errors_of(profile_with_build(R"(
packages = []
customize = ["  "]
install_recommends = "yes"
)")),
              ElementsAre(error_at(k_first, "image.build.packages", "must not be empty"),
                          error_at(k_first + 1, "image.build.customize[0]", "empty command"),
                          error_at(k_first + 2, "image.build.install_recommends",
                                   "expected a boolean, found a string")));
}

// A raw-disk image carries its own partition table: mmdebstrap cannot make one.
TEST(ImageBuildSection, DoesNotApplyToRawDiskImages) {
  const Diagnostics errors =
      errors_of(profile_with_build(R"(packages = ["linux-image-amd64"])", "raw-disk"));
  EXPECT_THAT(errors, ElementsAre(error_at(k_header, "image.build", "builds rootfs archives")));
}

// oem mode: the household types its new password on the console at the first start, then at the
// login screen; without console-setup the console stays in the US layout (issue 14, finding 4).
TEST(ImageBuildSection, AnOemProfileWithAnotherLayoutNeedsConsoleSetup) {
  const auto french = [](std::string_view build, std::string_view account = "") {
    std::string text = profile_with_build(build);
    text.replace(text.find("keyboard = \"us\""), 15, "keyboard = \"fr\"");
    if (!account.empty()) {
      text.insert(text.find("[wipe]"), account);
    }
    return text;
  };
  EXPECT_THAT(errors_of(french(R"(packages = ["linux-image-amd64", "task-xfce-desktop"])")),
              ElementsAre(error_at(k_first, "image.build.packages", "add \"console-setup\"")));
  EXPECT_THAT(errors_of(french(R"(packages = ["linux-image-amd64", "console-setup/bookworm"])")),
              IsEmpty());
  EXPECT_THAT(errors_of(french(R"(packages = ["linux-image-amd64"])",
                               "[tailoring.account]\nmode = \"preset\"\nusername = \"famille\"\n"
                               "password = \"x\"\n")),
              IsEmpty());
  // The US layout needs nothing more.
  EXPECT_THAT(errors_of(profile_with_build(R"(packages = ["linux-image-amd64"])")), IsEmpty());
}

TEST(ImageBuildSection, AnOemProfileKeepsSystemdAsInit) {
  EXPECT_THAT(errors_of(profile_with_build(R"(packages = ["linux-image-amd64", "sysvinit-core"])")),
              ElementsAre(error_at(k_first, "image.build.packages",
                                   "\"sysvinit-core\" replaces systemd as init")));
}

} // namespace
} // namespace atelier::profiles
