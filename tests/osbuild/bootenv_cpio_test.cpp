// The initramfs writer: same entries, same bytes; and what the kernel will unpack is what we put
// in.
#include "osbuild/bootenv_build.h"
#include "osbuild/bootenv_cpio.h"
#include "support/temp_dir.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::osbuild {
namespace {

struct ReadEntry {
  std::string path;
  unsigned type = 0;
  unsigned perm = 0;
  std::int64_t size = 0;
  std::int64_t mtime = 0;
  std::int64_t uid = -1;
  std::int64_t ino = 0;
  std::string symlink;
  std::string data;
  dev_t rdev_major = 0;
  dev_t rdev_minor = 0;
};

// Reads an archive back with libarchive (any filter), as an independent check of the format.
std::vector<ReadEntry> read_back(const std::string& bytes, std::string* format = nullptr) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_cpio(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), bytes.data(), bytes.size()), ARCHIVE_OK);
  std::vector<ReadEntry> entries;
  archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    ReadEntry r;
    r.path = archive_entry_pathname(e);
    r.type = archive_entry_filetype(e);
    r.perm = archive_entry_perm(e);
    r.size = archive_entry_size(e);
    r.mtime = archive_entry_mtime(e);
    r.uid = archive_entry_uid(e);
    r.ino = archive_entry_ino64(e);
    if (const char* target = archive_entry_symlink(e)) {
      r.symlink = target;
    }
    r.rdev_major = archive_entry_rdevmajor(e);
    r.rdev_minor = archive_entry_rdevminor(e);
    r.data.resize(static_cast<std::size_t>(r.size));
    if (r.size > 0) {
      archive_read_data(a.get(), r.data.data(), r.data.size());
    }
    entries.push_back(r);
    if (format != nullptr) {
      *format = archive_format_name(a.get());
    }
  }
  return entries;
}

InitramfsImage sample_image() {
  InitramfsImage image;
  // Added out of order on purpose: the archive's order must not depend on it.
  image.add_file("/usr/bin/atelier-imager", "ELF...", 0755);
  image.add_file("init", "#!/bin/sh\n", 0755);
  image.add_symlink("bin/sh", "/bin/busybox");
  image.add_file("bin/busybox", std::string(100000, 'b'), 0755);
  image.add_char_device("dev/console", 5, 1, 0600);
  image.add_directory("tmp", 01777);
  return image;
}

TEST(InitramfsImage, SameEntriesGiveTheSameBytes) {
  const auto first = sample_image().to_bytes(CpioOptions{});
  const auto second = sample_image().to_bytes(CpioOptions{});
  ASSERT_TRUE(first.has_value()) << first.error();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*first, *second);
}

TEST(InitramfsImage, GzipHeaderCarriesNoTimestamp) {
  const auto bytes = sample_image().to_bytes(CpioOptions{});
  ASSERT_TRUE(bytes.has_value());
  ASSERT_GT(bytes->size(), 10U);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[1]), 0x8b);
  EXPECT_EQ(bytes->substr(4, 4), std::string(4, '\0')); // MTIME field
}

TEST(InitramfsImage, ReadsBackAsNewcWithSortedEntriesAndParents) {
  const auto bytes = sample_image().to_bytes(CpioOptions{1700000000, false});
  ASSERT_TRUE(bytes.has_value());
  EXPECT_TRUE(bytes->starts_with("070701")); // newc magic, uncompressed
  std::string format;
  const auto entries = read_back(*bytes, &format);
  EXPECT_EQ(format, "ASCII cpio (SVR4 with no CRC)");
  std::vector<std::string> paths;
  for (const auto& e : entries) {
    paths.push_back(e.path);
  }
  EXPECT_EQ(paths,
            (std::vector<std::string>{"bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init",
                                      "tmp", "usr", "usr/bin", "usr/bin/atelier-imager"}));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].mtime, 1700000000) << entries[i].path;
    EXPECT_EQ(entries[i].uid, 0) << entries[i].path;
    EXPECT_EQ(entries[i].ino, static_cast<std::int64_t>(i + 1)) << entries[i].path;
  }
  EXPECT_EQ(entries[0].type, AE_IFDIR); // "bin" made as a parent
  EXPECT_EQ(entries[0].perm, 0755U);
  EXPECT_EQ(entries[1].size, 100000);
  EXPECT_EQ(entries[1].data, std::string(100000, 'b'));
  EXPECT_EQ(entries[1].perm, 0755U);
  EXPECT_EQ(entries[2].type, AE_IFLNK);
  EXPECT_EQ(entries[2].symlink, "/bin/busybox");
  EXPECT_EQ(entries[4].type, AE_IFCHR);
  EXPECT_EQ(entries[4].rdev_major, dev_t{5});
  EXPECT_EQ(entries[4].rdev_minor, dev_t{1});
  EXPECT_EQ(entries[5].data, "#!/bin/sh\n");
  EXPECT_EQ(entries[6].perm, 01777U);
}

TEST(InitramfsImage, GzippedArchiveHoldsTheSameEntries) {
  const auto plain = sample_image().to_bytes(CpioOptions{0, false});
  const auto gz = sample_image().to_bytes(CpioOptions{0, true});
  ASSERT_TRUE(plain.has_value());
  ASSERT_TRUE(gz.has_value());
  EXPECT_LT(gz->size(), plain->size());
  EXPECT_EQ(read_back(*gz).size(), read_back(*plain).size());
}

TEST(InitramfsImage, AddingAPathAgainReplacesIt) {
  InitramfsImage image;
  image.add_file("etc/passwd", "old");
  image.add_file("/etc/passwd", "new");
  EXPECT_EQ(image.size(), 1U);
  EXPECT_EQ(image.content_bytes(), 3U);
  const auto bytes = image.to_bytes(CpioOptions{0, false});
  ASSERT_TRUE(bytes.has_value());
  const auto entries = read_back(*bytes);
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[1].data, "new");
}

// The machines' screen speaks the program's language only if the agent finds its catalogue in the
// boot environment: at /usr/share/locale, beside /usr/bin/atelier-imager (issue 21).
TEST(BootenvCatalogues, TheBuiltCataloguesGoWhereTheAgentLooks) {
  InitramfsImage image;
  image.add_file("usr/bin/atelier-imager", "ELF...", 0755);
  auto added = add_catalogues(image, ATELIER_LOCALE_BUILD_DIR);
  ASSERT_TRUE(added) << added.error();
  EXPECT_EQ(*added, std::vector<std::string>{"usr/share/locale/fr/LC_MESSAGES/atelier.mo"});
  const auto bytes = image.to_bytes({});
  ASSERT_TRUE(bytes) << bytes.error();
  const auto entries = read_back(*bytes);
  const auto mo = std::find_if(entries.begin(), entries.end(), [](const ReadEntry& e) {
    return e.path == "usr/share/locale/fr/LC_MESSAGES/atelier.mo";
  });
  ASSERT_NE(mo, entries.end());
  std::ifstream built(std::string(ATELIER_LOCALE_BUILD_DIR) + "/fr/LC_MESSAGES/atelier.mo",
                      std::ios::binary);
  const std::string expected{std::istreambuf_iterator<char>(built), {}};
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(mo->data, expected); // the catalogue as msgfmt built it, byte for byte
  EXPECT_EQ(mo->perm, 0644U);
}

TEST(BootenvCatalogues, NoCatalogueIsAnErrorNotAnEnglishScreen) {
  atelier::testing::TempDir dir;
  InitramfsImage image;
  // A language directory without its .mo counts for nothing.
  std::filesystem::create_directories(dir.path() / "fr" / "LC_MESSAGES");
  const auto added = add_catalogues(image, dir.path());
  ASSERT_FALSE(added);
  EXPECT_NE(added.error().find("no translation catalogue"), std::string::npos) << added.error();
  EXPECT_FALSE(add_catalogues(image, ""));
  EXPECT_EQ(image.size(), 0u);
}

} // namespace
} // namespace atelier::osbuild
