// extract_rootfs: the hostile-archive corpus (every refused case, with a sentinel directory next to
// the target that must stay untouched), truncation and checksum errors, every compression, and a
// real root filesystem's metadata preserved on ext4 over a loop device.
#include "image_test_support.h"
#include "imager/image/image_source.h"
#include "imager/image/rootfs_extract.h"

#include <filesystem>
#include <set>
#include <sys/stat.h>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;
using testing::run_command;
using testing::TarBuilder;
using testing::TarCompression;

// Every path under `dir` with its size and mode: what "untouched" means for the sentinel.
std::set<std::string> snapshot(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out.insert(e.path().string() + " " + std::to_string(st.st_size) + " " +
               std::to_string(st.st_mode) + " " + std::to_string(st.st_nlink));
  }
  return out;
}

class RootfsExtractTest : public ::testing::Test {
protected:
  void SetUp() override {
    fs::create_directories(m_target);
    fs::create_directories(m_sentinel / "etc");
    testing::write_bytes(m_sentinel / "keep", "keep\n");
    testing::write_bytes(m_sentinel / "etc" / "passwd", "root:x:0:0::/root:/bin/sh\n");
    m_before = snapshot(m_dir.path());
  }

  // Extracts `bytes` (written to a file beside the target) into the target.
  std::expected<ExtractStats, ImageError>
  extract(const std::string& bytes, std::optional<std::string> sha256 = {}, bool pipelined = true) {
    const auto file = m_dir.path() / "image.tar";
    testing::write_bytes(file, bytes);
    m_before = snapshot(m_dir.path()); // the image itself is expected
    ImageStreamOptions options;
    options.expected_sha256 = std::move(sha256);
    auto stream = open_image(file.string(), options);
    EXPECT_TRUE(stream.has_value());
    ExtractOptions extract_options;
    extract_options.pipelined = pipelined;
    return extract_rootfs(**stream, m_target, extract_options);
  }

  // Nothing outside the target was created, changed or linked to.
  void expect_only_target_changed() {
    const auto outside = [&](const std::set<std::string>& lines) {
      std::set<std::string> out;
      for (const auto& line : lines) {
        if (!line.starts_with(m_target.string() + "/") &&
            !line.starts_with(m_target.string() + " ")) {
          out.insert(line);
        }
      }
      return out;
    };
    EXPECT_EQ(outside(snapshot(m_dir.path())), outside(m_before));
    EXPECT_EQ(testing::read_bytes(m_sentinel / "keep"), "keep\n");
  }

  void expect_refused(const std::expected<ExtractStats, ImageError>& result, ImageErrorKind kind,
                      const std::string& mentions) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().kind, kind) << result.error().message;
    EXPECT_NE(result.error().message.find(mentions), std::string::npos) << result.error().message;
    expect_only_target_changed();
  }

  testing::TempDir m_dir;
  fs::path m_target = m_dir.path() / "target";
  fs::path m_sentinel = m_dir.path() / "sentinel";
  std::set<std::string> m_before;
};

// "../" would climb out of the root: refused, not stripped.
TEST_F(RootfsExtractTest, DotDotPathIsRefused) {
  const auto tar = TarBuilder().file("etc/ok", "ok\n").file("../sentinel/pwned", "x").finish();
  expect_refused(extract(tar), ImageErrorKind::unsafe_entry, "../sentinel/pwned");
  EXPECT_FALSE(fs::exists(m_sentinel / "pwned"));
}

// An absolute path would land on the agent's own filesystem: refused.
TEST_F(RootfsExtractTest, AbsolutePathIsRefused) {
  const auto abs = (m_sentinel / "pwned").string();
  expect_refused(extract(TarBuilder().file(abs, "x").finish()), ImageErrorKind::unsafe_entry,
                 "absolute path");
  EXPECT_FALSE(fs::exists(m_sentinel / "pwned"));
}

// The classic: a symlink pointing outside, then a file written "through" it.
TEST_F(RootfsExtractTest, FileThroughASymlinkToOutsideIsRefused) {
  const auto tar =
      TarBuilder().symlink("evil", m_sentinel.string()).file("evil/pwned", "x").finish();
  expect_refused(extract(tar), ImageErrorKind::unsafe_entry, "evil/pwned");
  EXPECT_FALSE(fs::exists(m_sentinel / "pwned"));
}

// Same with a relative symlink that climbs out, and a directory replaced by a symlink.
TEST_F(RootfsExtractTest, FileThroughARelativeSymlinkIsRefused) {
  const auto tar = TarBuilder()
                       .dir("etc")
                       .symlink("etc", "../sentinel/etc")
                       .file("etc/passwd", "evil::0:0::/:/bin/sh\n")
                       .finish();
  const auto result = extract(tar);
  ASSERT_FALSE(result.has_value());
  expect_only_target_changed();
  EXPECT_EQ(testing::read_bytes(m_sentinel / "etc" / "passwd"), "root:x:0:0::/root:/bin/sh\n");
}

// A hard link must not make a file outside the root reachable (and writable) from inside it.
TEST_F(RootfsExtractTest, HardLinkOutsideTheRootIsRefused) {
  expect_refused(extract(TarBuilder().hardlink("h", "../sentinel/keep").finish()),
                 ImageErrorKind::unsafe_entry, "hard link");
  expect_refused(extract(TarBuilder().hardlink("h", (m_sentinel / "keep").string()).finish()),
                 ImageErrorKind::unsafe_entry, "hard link");
  const auto through =
      TarBuilder().symlink("evil", m_sentinel.string()).hardlink("h", "evil/keep").finish();
  const auto result = extract(through);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ImageErrorKind::unsafe_entry) << result.error().message;
  expect_only_target_changed();
  EXPECT_EQ(fs::hard_link_count(m_sentinel / "keep"), 1u);
}

// A hard link carrying data (pax allows it) onto a symlink would write where the symlink points.
TEST_F(RootfsExtractTest, HardLinkWithDataIntoASymlinkIsRefused) {
  // Hand-made: the pax header gives the hard link a size, as libarchive honours.
  const std::string pax_record = "11 size=10\n";
  const std::string tar = testing::ustar_header("s", '2', 0, (m_sentinel / "keep").string()) +
                          testing::ustar_header("PaxHeader/h", 'x', pax_record.size()) +
                          testing::padded_block(pax_record) +
                          testing::ustar_header("h", '1', 0, "s") +
                          testing::padded_block("pwned!!!!\n") + testing::tar_end();
  expect_refused(extract(tar), ImageErrorKind::unsafe_entry, "hard link with data");
}

// Device nodes belong in /dev; anywhere else they are a way to reach the agent's disks.
TEST_F(RootfsExtractTest, DeviceNodeOutsideDevIsRefused) {
  expect_refused(extract(TarBuilder().device("etc/disk", true, 8, 0).finish()),
                 ImageErrorKind::unsafe_entry, "device node outside /dev");
  expect_refused(extract(TarBuilder().device("devx/null", false, 1, 3).finish()),
                 ImageErrorKind::unsafe_entry, "device node outside /dev");
  EXPECT_FALSE(fs::exists(m_target / "etc" / "disk"));
}

// A header announcing 1 PiB with a few bytes behind it (a decompression bomb) fails on the size,
// before anything of it is written.
TEST_F(RootfsExtractTest, EntryLargerThanTheFreeSpaceIsRefusedBeforeWriting) {
  const std::string tar =
      testing::ustar_header("bomb", '0', 1ULL << 50) + std::string(64 * 1024, '\0');
  expect_refused(extract(tar), ImageErrorKind::no_space, "'bomb'");
  EXPECT_FALSE(fs::exists(m_target / "bomb"));
}

// A sparse file of 1 TiB apparent size (GNU tar --sparse) is refused too: no copy of the system
// could ever hold it.
TEST_F(RootfsExtractTest, HugeSparseFileIsRefused) {
  if (fs::space(m_dir.path()).available >= (1ULL << 40)) {
    GTEST_SKIP() << "the temporary directory has 1 TiB free: a 1 TiB file would fit";
  }
  const auto tree = m_dir.path() / "sparse-tree";
  fs::create_directories(tree);
  testing::write_bytes(tree / "hole", "");
  fs::resize_file(tree / "hole", 1ULL << 40);
  const auto archive = m_dir.path() / "sparse.tar";
  const auto made = run_command("tar --sparse --format=posix -C '" + tree.string() + "' -cf '" +
                                archive.string() + "' hole");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  fs::remove_all(tree);
  expect_refused(extract(testing::read_bytes(archive)), ImageErrorKind::no_space, "'hole'");
  EXPECT_FALSE(fs::exists(m_target / "hole"));
}

// A cut archive names the entry it was in.
TEST_F(RootfsExtractTest, TruncatedArchiveNamesTheLastEntry) {
  const auto tar = TarBuilder()
                       .file("first", testing::pattern_bytes(100'000))
                       .file("second", testing::pattern_bytes(100'000, 2))
                       .finish();
  const auto result = extract(tar.substr(0, 150'000));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ImageErrorKind::truncated) << result.error().message;
  EXPECT_NE(result.error().message.find("'second'"), std::string::npos) << result.error().message;
  expect_only_target_changed();
}

// Truncation inside the compressed stream is reported as such too.
TEST_F(RootfsExtractTest, TruncatedCompressedArchiveIsAnError) {
  const auto tar = TarBuilder(TarCompression::zstd)
                       .file("first", testing::pattern_bytes(300'000))
                       .file("second", testing::pattern_bytes(300'000, 2))
                       .finish();
  const auto result = extract(tar.substr(0, tar.size() / 2));
  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(result.error().kind == ImageErrorKind::truncated ||
              result.error().kind == ImageErrorKind::format)
      << result.error().message;
  EXPECT_NE(result.error().message.find("last entry read"), std::string::npos)
      << result.error().message;
}

// The profile's sha256 covers the archive as stored; a mismatch is its own error kind.
TEST_F(RootfsExtractTest, WrongChecksumIsAChecksumMismatch) {
  const auto tar = TarBuilder(TarCompression::gzip).file("etc/hostname", "x\n").finish();
  const auto wrong = std::string(64, 'a');
  const auto result = extract(tar, wrong);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ImageErrorKind::checksum_mismatch);
  EXPECT_NE(result.error().message.find(testing::sha256_of(tar)), std::string::npos);
  EXPECT_TRUE(extract(tar, testing::sha256_of(tar)).has_value());
}

// The deploy log shows how far extraction got; the last event is the whole source.
TEST_F(RootfsExtractTest, ProgressEndsWithTheWholeSource) {
  const auto tar =
      TarBuilder(TarCompression::zstd).file("big", testing::pattern_bytes(2'000'000)).finish();
  const auto file = m_dir.path() / "image.tar.zst";
  testing::write_bytes(file, tar);
  auto stream = open_image(file.string(), {});
  ASSERT_TRUE(stream.has_value());
  std::vector<Progress> events;
  ExtractOptions options;
  options.device = "/dev/sda2";
  options.progress = [&](const Progress& p) {
    events.push_back(p);
  };
  ASSERT_TRUE(extract_rootfs(**stream, m_target, options).has_value());
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().operation, "extract");
  EXPECT_EQ(events.back().device, "/dev/sda2");
  EXPECT_EQ(events.back().done_bytes, tar.size());
  EXPECT_EQ(events.back().total_bytes, tar.size());
}

// Not an archive at all.
TEST_F(RootfsExtractTest, GarbageIsAFormatError) {
  const auto result = extract(testing::pattern_bytes(10'000));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ImageErrorKind::format) << result.error().message;
}

// pax archives carry names in UTF-8 and GNU ones as raw bytes; both come back byte for byte in
// the agent's C locale (libarchive would otherwise refuse every non-ASCII name). A pax header
// holding a name that is not UTF-8 (GNU tar writes them) cannot be decoded: a clear error, never
// a silently renamed file.
TEST_F(RootfsExtractTest, NonAsciiNamesSurviveInTheCLocale) {
  const std::string utf8 = "caf\xc3\xa9";
  const std::string latin1 = "lat\xe9n";
  const auto archive_of = [&](const std::string& format, const std::vector<std::string>& names) {
    const auto tree = m_dir.path() / "names";
    fs::remove_all(tree);
    fs::create_directories(tree);
    for (const auto& name : names) {
      testing::write_bytes(tree / name, name);
    }
    const auto archive = m_dir.path() / "names.tar";
    const auto made = run_command("LC_ALL=C tar --format=" + format + " -C '" + tree.string() +
                                  "' -cf '" + archive.string() + "' .");
    EXPECT_EQ(made.exit_code, 0) << made.output;
    fs::remove_all(tree);
    fs::remove_all(m_target);
    fs::create_directories(m_target);
    return testing::read_bytes(archive);
  };
  auto stats = extract(archive_of("pax", {utf8}));
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(testing::read_bytes(m_target / utf8), utf8);
  stats = extract(archive_of("gnu", {utf8, latin1}));
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(testing::read_bytes(m_target / utf8), utf8);
  EXPECT_EQ(testing::read_bytes(m_target / latin1), latin1);
  stats = extract(archive_of("pax", {latin1}));
  ASSERT_FALSE(stats.has_value());
  EXPECT_EQ(stats.error().kind, ImageErrorKind::format);
  EXPECT_NE(stats.error().message.find("UTF-8"), std::string::npos) << stats.error().message;
}

// tar, tar.gz, tar.xz and tar.zst all extract the same tree; the sha256 is of the bytes as
// stored, with and without the reader thread.
TEST_F(RootfsExtractTest, EveryCompressionExtractsTheSameTree) {
  for (const auto compression :
       {TarCompression::none, TarCompression::gzip, TarCompression::xz, TarCompression::zstd}) {
    for (const bool pipelined : {true, false}) {
      fs::remove_all(m_target);
      fs::create_directories(m_target);
      const auto big = testing::pattern_bytes(1'500'000, 7);
      const auto tar = TarBuilder(compression)
                           .dir("usr")
                           .dir("usr/lib")
                           .file("usr/lib/big", big)
                           .file("usr/lib/small", "small\n")
                           .symlink("lib", "usr/lib")
                           .hardlink("usr/lib/again", "usr/lib/small")
                           .finish();
      const auto stats = extract(tar, testing::sha256_of(tar), pipelined);
      ASSERT_TRUE(stats.has_value()) << stats.error().message;
      EXPECT_EQ(stats->sha256, testing::sha256_of(tar));
      EXPECT_EQ(stats->source_bytes, tar.size());
      EXPECT_EQ(stats->files, 2u);
      EXPECT_EQ(stats->hardlinks, 1u);
      EXPECT_EQ(stats->symlinks, 1u);
      EXPECT_EQ(stats->directories, 2u);
      EXPECT_EQ(stats->bytes, big.size() + 6);
      EXPECT_TRUE(testing::read_bytes(m_target / "usr/lib/big") == big);
      EXPECT_EQ(fs::read_symlink(m_target / "lib"), "usr/lib");
      EXPECT_EQ(fs::hard_link_count(m_target / "usr/lib/small"), 2u);
      expect_only_target_changed();
    }
  }
}

// A real root filesystem, archived by GNU tar as mmdebstrap does, extracted onto ext4 on a loop
// device: owners, modes (setuid, sticky), ACLs, xattrs, file capabilities, hard links, symlinks,
// an empty directory, a FIFO, a device node under /dev and a sparse file all come back.
TEST(RootfsExtractOnExt4, PreservesEverythingABootableSystemNeeds) {
  if (auto blocker = testing::root_test_blocker()) {
    GTEST_SKIP() << *blocker;
  }
  for (const char* tool : {"setfacl", "getfacl", "setcap", "getcap", "setfattr", "getfattr"}) {
    if (run_command(std::string("command -v ") + tool).exit_code != 0) {
      GTEST_SKIP() << tool << " is not installed (packages acl, libcap2-bin, attr)";
    }
  }
  testing::TempDir work;
  // The source tree lives on ext4 as well, so ACLs, xattrs and capabilities exist to be archived.
  fs::create_directories(work.path() / "source-fs");
  testing::MountedExt4 source(work.path() / "source-fs", 64ULL << 20);
  testing::MountedExt4 target(work.path(), 256ULL << 20);
  const auto src = source.root() / "tree";
  const std::string s = src.string();
  const std::string setup =
      "set -e; mkdir -p '" + s + "'; cd '" + s +
      "'; "
      "mkdir -p etc usr/bin home/user srv/shared var/empty run dev tmp; "
      "printf 'pinger' > usr/bin/pinger; chmod 0755 usr/bin/pinger; "
      "setcap cap_net_raw+ep usr/bin/pinger; "
      "printf 'su' > usr/bin/su; chmod 4755 usr/bin/su; "
      "chmod 1777 tmp; "
      "printf 'notes' > home/user/notes; chmod 0600 home/user/notes; "
      "chown -R 1234:1234 home/user; chmod 0750 home/user; "
      "setfacl -m u:1234:rwx srv/shared; setfacl -d -m g:1234:rx srv/shared; "
      "printf 'tagged' > etc/tagged; setfattr -n user.atelier -v hello etc/tagged; "
      "printf 'same' > usr/bin/a; ln usr/bin/a usr/bin/b; "
      "ln -s usr/bin bin; ln -s /usr/bin/su etc/abs-link; "
      "mkfifo run/fifo; mknod dev/null c 1 3; chmod 0666 dev/null; "
      "truncate -s 100M var/sparse; printf 'data' | dd of=var/sparse bs=1 seek=50000000 "
      "conv=notrunc status=none; "
      "touch -h -d @1700000000 etc/tagged usr/bin/pinger bin";
  auto made = run_command("bash -c \"" + setup + "\"");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto archive = work.path() / "rootfs.tar.zst";
  made = run_command("tar --xattrs --xattrs-include='*' --acls --sparse --numeric-owner "
                     "--format=posix -C '" +
                     s + "' -cf - . | zstd -q -o '" + archive.string() + "'");
  ASSERT_EQ(made.exit_code, 0) << made.output;

  auto stream = open_image(archive.string(), {});
  ASSERT_TRUE(stream.has_value());
  const auto stats = extract_rootfs(**stream, target.root(), {});
  ASSERT_TRUE(stats.has_value()) << stats.error().message;

  const std::string t = target.root().string();
  const auto sh = [&](const std::string& command) {
    return run_command("cd '" + t + "' && " + command).output;
  };
  EXPECT_EQ(sh("stat -c '%u:%g %a' home/user home/user/notes"), "1234:1234 750\n1234:1234 600\n");
  EXPECT_EQ(sh("stat -c '%a' usr/bin/su tmp"), "4755\n1777\n");
  EXPECT_EQ(sh("getcap usr/bin/pinger"), "usr/bin/pinger cap_net_raw=ep\n");
  EXPECT_NE(sh("getfacl -cp srv/shared").find("user:1234:rwx"), std::string::npos);
  EXPECT_NE(sh("getfacl -cp srv/shared").find("default:group:1234:r-x"), std::string::npos);
  EXPECT_EQ(sh("getfattr --only-values -n user.atelier etc/tagged"), "hello");
  EXPECT_EQ(sh("stat -c '%i' usr/bin/a"), sh("stat -c '%i' usr/bin/b"));
  EXPECT_EQ(sh("readlink bin etc/abs-link"), "usr/bin\n/usr/bin/su\n");
  EXPECT_EQ(sh("stat -c '%F' var/empty run/fifo dev/null"),
            "directory\nfifo\ncharacter special file\n");
  EXPECT_EQ(sh("stat -c '%t:%T' dev/null"), "1:3\n");
  EXPECT_EQ(sh("stat -c '%Y' etc/tagged usr/bin/pinger"), "1700000000\n1700000000\n");
  EXPECT_EQ(sh("stat -c '%s' var/sparse"), "104857600\n");
  // Allocated far less than the apparent size: the holes stayed holes.
  EXPECT_LT(std::stoull(sh("stat -c '%b' var/sparse")) * 512, 1ULL << 20);
  EXPECT_EQ(sh("dd if=var/sparse bs=1 skip=50000000 count=4 status=none"), "data");
  EXPECT_EQ(stats->hardlinks, 1u);
  EXPECT_EQ(stats->fifos, 1u);
  EXPECT_EQ(stats->device_nodes, 1u);
}

} // namespace
} // namespace atelier::imager
