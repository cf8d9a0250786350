// The pure part of `atelier image build`: the cache key, the mmdebstrap command line, the /dev
// entries, and reading what mmdebstrap, apt and dpkg-query print.
#include "base/time_text.h"
#include "osbuild/image_recipe.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdio>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::osbuild {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ImageInputs minimal_inputs() {
  ImageInputs inputs;
  inputs.build.variant = profiles::BuildVariant::minbase;
  inputs.build.packages = {"linux-image-amd64", "grub2-common", "systemd-sysv"};
  inputs.mmdebstrap_version = "1.3.5";
  return inputs;
}

TEST(ImageCacheKey, IsStableForTheSameInputs) {
  EXPECT_EQ(image_cache_key(minimal_inputs()), image_cache_key(minimal_inputs()));
  EXPECT_EQ(image_cache_key(minimal_inputs()).size(), 32U);
}

// apt installs a set: listing the same packages in another order is the same image.
TEST(ImageCacheKey, IgnoresThePackageOrder) {
  ImageInputs reordered = minimal_inputs();
  std::swap(reordered.build.packages[0], reordered.build.packages[2]);
  EXPECT_EQ(image_cache_key(reordered), image_cache_key(minimal_inputs()));
}

// Any input that can change the archive must change the key, or a stale image would be reused.
TEST(ImageCacheKey, ChangesWithEveryInput) {
  const std::string base = image_cache_key(minimal_inputs());
  const std::vector<std::pair<std::string, void (*)(ImageInputs&)>> changes = {
      {"suite",
       [](ImageInputs& i) {
         i.build.suite = "trixie";
       }},
      {"mirror",
       [](ImageInputs& i) {
         i.build.mirror = "http://ftp.fr.debian.org/debian";
       }},
      {"variant",
       [](ImageInputs& i) {
         i.build.variant = profiles::BuildVariant::standard;
       }},
      {"components",
       [](ImageInputs& i) {
         i.build.components.push_back("non-free-firmware");
       }},
      {"packages",
       [](ImageInputs& i) {
         i.build.packages.push_back("e2fsprogs");
       }},
      {"install_recommends",
       [](ImageInputs& i) {
         i.build.install_recommends = true;
       }},
      {"sources",
       [](ImageInputs& i) {
         i.build.sources.push_back("deb http://deb.debian.org/debian bookworm-updates main");
       }},
      {"customize",
       [](ImageInputs& i) {
         i.build.customize.push_back("true");
       }},
      {"mmdebstrap",
       [](ImageInputs& i) {
         i.mmdebstrap_version = "1.4.0";
       }},
      {"SOURCE_DATE_EPOCH",
       [](ImageInputs& i) {
         i.source_date_epoch = 1700000000;
       }},
  };
  for (const auto& [what, change] : changes) {
    ImageInputs changed = minimal_inputs();
    change(changed);
    EXPECT_NE(image_cache_key(changed), base) << what;
  }
}

// Commands run in order; swapping two of them can give another system.
TEST(ImageCacheKey, KeepsTheOrderOfCommands) {
  ImageInputs a = minimal_inputs();
  a.build.customize = {"echo 1 > /etc/x", "echo 2 > /etc/x"};
  ImageInputs b = a;
  std::swap(b.build.customize[0], b.build.customize[1]);
  EXPECT_NE(image_cache_key(a), image_cache_key(b));
}

TEST(MmdebstrapArguments, BuildsInRootModeToATarStreamWithoutDevices) {
  profiles::ImageBuild build = minimal_inputs().build;
  const auto args = mmdebstrap_arguments(build, {"mmdebstrap", "/cache/k.building/packages.tsv"});
  EXPECT_EQ(args.front(), "mmdebstrap");
  EXPECT_THAT(args, Contains("--mode=root"));
  EXPECT_THAT(args, Contains("--format=tar"));
  EXPECT_THAT(args, Contains("--variant=minbase"));
  EXPECT_THAT(args, Contains("--architectures=amd64"));
  EXPECT_THAT(args, Contains("--components=main"));
  EXPECT_THAT(args, Contains("--include=linux-image-amd64,grub2-common,systemd-sysv"));
  EXPECT_THAT(args, Contains("--skip=output/dev"));
  // Nothing but the profile's settings reaches apt.
  for (const auto& a : args) {
    EXPECT_FALSE(a.starts_with("--aptopt")) << a;
  }
  // Suite, stdout as the target, the mirror: after "--" so none is read as an option.
  const std::vector<std::string> tail(args.end() - 4, args.end());
  EXPECT_THAT(tail, ElementsAre("--", "bookworm", "-", "http://deb.debian.org/debian"));
}

TEST(MmdebstrapArguments, PassesRecommendsSnapshotsAndExtraSources) {
  profiles::ImageBuild build = minimal_inputs().build;
  build.install_recommends = true;
  build.mirror = "https://snapshot.debian.org/archive/debian/20250520T000000Z";
  build.components = {"main", "non-free-firmware"};
  build.sources = {"deb http://deb.debian.org/debian-security bookworm-security main"};
  const auto args = mmdebstrap_arguments(build, {"mmdebstrap", "/p"});
  EXPECT_THAT(args, Contains("--aptopt=APT::Install-Recommends \"true\""));
  EXPECT_THAT(args, Contains("--aptopt=Acquire::Check-Valid-Until \"false\""));
  EXPECT_THAT(args, Contains("--components=main,non-free-firmware"));
  EXPECT_EQ(args.back(), "deb http://deb.debian.org/debian-security bookworm-security main");
}

// The profile's commands run inside the image, before Atelier's finishing hooks; the package list
// is taken last so that it includes what the commands installed.
TEST(MmdebstrapArguments, RunsTheProfilesCommandsThenFinishesThenListsPackages) {
  profiles::ImageBuild build = minimal_inputs().build;
  build.customize = {"apt-get install -y vim", "echo 'it''s' > /etc/motd"};
  const auto args = mmdebstrap_arguments(build, {"mmdebstrap", "/cache/k.building/packages.tsv"});
  std::vector<std::string> hooks;
  for (const auto& a : args) {
    if (a.starts_with("--customize-hook=")) {
      hooks.push_back(a.substr(17));
    }
  }
  ASSERT_EQ(hooks.size(), 4U);
  EXPECT_EQ(hooks[0], "chroot \"$1\" /bin/sh -c 'apt-get install -y vim'");
  EXPECT_EQ(hooks[1], chroot_hook("echo 'it''s' > /etc/motd"));
  EXPECT_THAT(hooks[2], HasSubstr("rm -f \"$1/etc/apt/apt.conf.d/99mmdebstrap\""));
  EXPECT_THAT(hooks[2], HasSubstr("echo localhost > \"$1/etc/hostname\""));
  EXPECT_THAT(hooks[3], HasSubstr("dpkg-query --admindir=\"$1/var/lib/dpkg\""));
  EXPECT_THAT(hooks[3], HasSubstr("> '/cache/k.building/packages.tsv'"));
}

// Runs `sh -c "printf %s QUOTED"` and returns what the shell printed.
std::string through_the_shell(const std::string& text) {
  const std::string command = "printf %s " + shell_quote(text);
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
    out += buffer;
  }
  return out;
}

// A command is handed to a shell twice (mmdebstrap's hook, then chroot's sh -c): quoting must
// survive quotes, dollars and backslashes unchanged.
TEST(ShellQuote, SurvivesTheShellUnchanged) {
  for (const std::string text : {"plain", "it's", "$HOME `id` \\n \"x\"", "'", "a\nb"}) {
    EXPECT_EQ(through_the_shell(text), text);
  }
}

struct TarEntry {
  std::string path;
  unsigned type;
  unsigned perm;
  std::string symlink;
  std::int64_t mtime;
  std::string uname;
};

std::vector<TarEntry> read_tar(const std::string& bytes) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), &archive_read_free);
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), bytes.data(), bytes.size()), ARCHIVE_OK);
  std::vector<TarEntry> entries;
  archive_entry* e = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    const char* link = archive_entry_symlink(e);
    entries.push_back({archive_entry_pathname(e), archive_entry_filetype(e), archive_entry_perm(e),
                       link != nullptr ? link : "", archive_entry_mtime(e),
                       archive_entry_uname(e) != nullptr ? archive_entry_uname(e) : ""});
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a.get());
  return entries;
}

// The deploy extracts /dev without mknod; the booted system gets its nodes from devtmpfs.
TEST(DevTarEntries, AreDirectoriesAndSymlinksOnly) {
  std::string bytes = dev_tar_entries(1746869239);
  bytes.append(1024, '\0'); // end of archive
  const auto entries = read_tar(bytes);
  std::vector<std::string> paths;
  for (const auto& e : entries) {
    paths.push_back(e.path);
    EXPECT_TRUE(e.type == AE_IFDIR || e.type == AE_IFLNK) << e.path;
    EXPECT_EQ(e.mtime, 1746869239) << e.path;
    EXPECT_EQ(e.uname, "") << e.path; // numeric owners, as in the rest of the archive
  }
  EXPECT_THAT(paths, ElementsAre("./dev/", "./dev/fd", "./dev/pts/", "./dev/shm/", "./dev/stderr",
                                 "./dev/stdin", "./dev/stdout"));
  EXPECT_EQ(entries[0].perm, 0755U);
  EXPECT_EQ(entries[1].symlink, "/proc/self/fd");
  EXPECT_EQ(entries[3].perm, 01777U);
  EXPECT_EQ(entries[5].symlink, "/proc/self/fd/0");
}

// The lines apt prints, as captured from mmdebstrap 1.3.5 on Debian 12.
TEST(MissingPackageInLog, FindsThePackageAptCouldNotLocate) {
  const std::string log = R"(I: installing remaining packages inside the chroot...
Reading package lists...
Building dependency tree...
E: Unable to locate package no-such-package-atelier
E: setup failed: E: apt-get -o Dir::Bin::dpkg=env --yes install linux-image-amd64 no-such-package-atelier failed
I: main() received signal PIPE: waiting for setup...
E: mmdebstrap failed to run
)";
  EXPECT_EQ(missing_package_in_log(log), "no-such-package-atelier");
  EXPECT_EQ(missing_package_in_log("E: Package 'firefox' has no installation candidate\n"),
            "firefox");
  EXPECT_EQ(missing_package_in_log("E: Version '9.9' for 'vim' was not found\n"), "vim");
  EXPECT_EQ(missing_package_in_log("E: Release 'bookworm-backports' for 'linux-image-amd64' was "
                                   "not found\n"),
            "linux-image-amd64");
  EXPECT_EQ(missing_package_in_log("E: Sub-process /usr/bin/dpkg returned an error code (1)\n"),
            std::nullopt);
}

TEST(LastLines, KeepsTheTailOfALog) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(last_lines("a\nb\nc", 1), "c");
  EXPECT_EQ(last_lines("a\nb\n", 5), "a\nb");
  EXPECT_EQ(last_lines("", 3), "");
}

TEST(ReleaseDate, ReadsTheDateFieldAsUtcSeconds) {
  EXPECT_EQ(release_date("Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: bookworm\n"
                         "Date: Sat, 10 May 2025 09:27:19 UTC\nAcquire-By-Hash: yes\n"),
            1746869239);
  EXPECT_EQ(base::format_rfc3339(std::chrono::sys_seconds{std::chrono::seconds{1746869239}}),
            "2025-05-10T09:27:19Z");
  EXPECT_FALSE(release_date("Origin: Debian\n"));
  EXPECT_THAT(release_date("Date: Sat, 10 May 2025 09:27:19 +0200\n").error(),
              HasSubstr("not in UTC"));
  EXPECT_THAT(release_date("Date: Sat, 31 Feb 2025 09:27:19 UTC\n").error(),
              HasSubstr("not a valid date"));
}

TEST(PackageList, ParsesDpkgQueryOutputSortedByName) {
  const auto packages = parse_package_list("systemd\t252.39-1~deb12u2\tamd64\n"
                                           "base-files\t12.4+deb12u15\tamd64\n");
  ASSERT_TRUE(packages) << packages.error();
  EXPECT_THAT(*packages, ElementsAre(InstalledPackage{"base-files", "12.4+deb12u15", "amd64"},
                                     InstalledPackage{"systemd", "252.39-1~deb12u2", "amd64"}));
  EXPECT_THAT(parse_package_list("base-files\t12.4\tamd64\nbroken line\n").error(),
              HasSubstr("line 2"));
}

TEST(ImageManifest, RoundTripsThroughJson) {
  ImageManifest m;
  m.profile = "vm-minimal";
  m.inputs = minimal_inputs();
  m.inputs.build.sources = {"deb http://deb.debian.org/debian bookworm-updates main"};
  m.inputs.source_date_epoch = 1746869239;
  m.key = image_cache_key(m.inputs);
  m.built_at = "2025-05-10T10:00:00Z";
  m.build_seconds = 152;
  m.source_date_epoch = 1746869239;
  m.sha256 = std::string(64, 'a');
  m.size_bytes = 191661290;
  m.content_bytes = 718855680;
  m.packages = {{"base-files", "12.4+deb12u15", "amd64"}};
  const std::string text = manifest_to_json(m);
  EXPECT_THAT(text, HasSubstr("\"schema\": \"atelier.image-manifest/1\""));
  auto back = manifest_from_json(text);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(manifest_to_json(*back), text);
  EXPECT_EQ(image_cache_key(back->inputs), m.key);
  EXPECT_THAT(manifest_from_json("{\"schema\": \"other\"}").error(), HasSubstr("schema"));
  EXPECT_FALSE(manifest_from_json("not json"));
}

} // namespace
} // namespace atelier::osbuild
