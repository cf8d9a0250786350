// set_image_sha256: `atelier image build --update-profile` writes the new checksum into a file a
// person wrote, so everything but that value must stay as it was.
#include "matchers.h"
#include "profiles/profile.h"
#include "profiles/profile_edit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::HasSubstr;
using testing_support::body;

const std::string k_new(64, 'b');

constexpr std::string_view k_profile = R"(
# Family desktop (comments stay)
[profile]
name = "family"
description = "Débutant·e·s bienvenu·e·s"

[image]   # the image
source = "images/family.tar.zst"
format = "rootfs-archive"
sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" # old build

[image.build]
packages = ["linux-image-amd64", "console-setup"]

[tailoring]
locale = "fr_FR.UTF-8"
keyboard = "fr"
timezone = "Europe/Paris"

[wipe]
)";

TEST(SetImageSha256, ReplacesTheValueInPlace) {
  const std::string before(body(k_profile));
  auto after = set_image_sha256(before, k_new);
  ASSERT_TRUE(after) << after.error();
  std::string expected = before;
  expected.replace(expected.find(std::string(64, 'a')), 64, k_new);
  EXPECT_EQ(*after, expected);
  auto profile = parse_profile(*after, "family.toml");
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->image.sha256, k_new);
}

// The usual case: the profile was written before its first build, without sha256.
TEST(SetImageSha256, AddsTheKeyAfterTheImageHeader) {
  std::string before(body(k_profile));
  const auto line = before.find("sha256 = ");
  before.erase(line, before.find('\n', line) + 1 - line);
  auto after = set_image_sha256(before, k_new);
  ASSERT_TRUE(after) << after.error();
  EXPECT_THAT(*after, HasSubstr("[image]   # the image\nsha256 = \"" + k_new + "\"\nsource = "));
  auto profile = parse_profile(*after, "family.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  EXPECT_EQ(profile->image.sha256, k_new);
  EXPECT_TRUE(profile->image.build);
}

TEST(SetImageSha256, RefusesWhatItCannotEditSafely) {
  EXPECT_THAT(
      set_image_sha256("image = { source = \"a\", format = \"rootfs-archive\" }\n", k_new).error(),
      HasSubstr("no [image] table header"));
  // Only [image.build] written: a line after its header would land in the wrong table.
  EXPECT_THAT(set_image_sha256("[image.build]\npackages = [\"x\"]\n", k_new).error(),
              HasSubstr("no [image] table header"));
  EXPECT_THAT(set_image_sha256("[image]\nsha256 = '''\nabc'''\n", k_new).error(),
              HasSubstr("line 2: image.sha256 is not a one-line string"));
  EXPECT_THAT(set_image_sha256("[image]\nsha256 = 3\n", k_new).error(),
              HasSubstr("not a one-line string"));
  EXPECT_THAT(set_image_sha256("[image\n", k_new).error(), HasSubstr("TOML syntax error"));
}

} // namespace
} // namespace atelier::profiles
