// Reading what host tools print while the boot environment is assembled (ldd, apt-cache).
#include "osbuild/bootenv_build.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::osbuild {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LddOutput, ListsLibrariesAndTheLoaderButNotTheVdso) {
  const auto libs =
      parse_ldd_output("\tlinux-vdso.so.1 (0x00007ffd3b9e2000)\n"
                       "\tlibfmt.so.9 => /lib/x86_64-linux-gnu/libfmt.so.9 (0x00007f8874a52000)\n"
                       "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f887451e000)\n"
                       "\t/lib64/ld-linux-x86-64.so.2 (0x00007f8874b81000)\n");
  ASSERT_TRUE(libs.has_value());
  EXPECT_THAT(*libs, ElementsAre("/lib/x86_64-linux-gnu/libfmt.so.9",
                                 "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"));
}

TEST(LddOutput, StaticBinaryHasNoLibraries) {
  const auto libs = parse_ldd_output("\tnot a dynamic executable\n");
  ASSERT_TRUE(libs.has_value());
  EXPECT_TRUE(libs->empty());
}

TEST(LddOutput, MissingLibraryIsAnErrorNamingIt) {
  const auto libs =
      parse_ldd_output("\tlibnvme.so.1 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)\n");
  ASSERT_FALSE(libs.has_value());
  EXPECT_THAT(libs.error(), HasSubstr("libnvme.so.1"));
}

TEST(AptFields, FirstStanzaWithContinuationLines) {
  const auto fields =
      parse_control_fields("Package: linux-image-amd64\nVersion: 6.1.192-2\n"
                           "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)\n"
                           "Description: Linux for\n 64-bit PCs\n\nPackage: other\n");
  EXPECT_EQ(fields.at("Version"), "6.1.192-2");
  EXPECT_EQ(fields.at("Description"), "Linux for\n64-bit PCs");
  EXPECT_EQ(fields.at("Package"), "linux-image-amd64");
}

TEST(AptFields, MetaPackageDependencyByPrefix) {
  EXPECT_EQ(dependency_with_prefix("linux-image-6.1.0-56-amd64 (= 6.1.192-2)", "linux-image-"),
            "linux-image-6.1.0-56-amd64");
  EXPECT_EQ(dependency_with_prefix("libc6 (>= 2.34), linux-image-6.1.0-56-amd64-unsigned | foo",
                                   "linux-image-"),
            "linux-image-6.1.0-56-amd64-unsigned");
  EXPECT_EQ(dependency_with_prefix("libc6", "linux-image-"), "");
}

} // namespace
} // namespace atelier::osbuild
