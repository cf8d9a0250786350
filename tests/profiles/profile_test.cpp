// Profile files: what is accepted, and that every refusal names the line and key to fix.
// Documents are written inline; the first line after R"( is line 1.
#include "matchers.h"
#include "profiles/profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::profiles {
namespace {

using ::testing::ElementsAre;
using ::testing::Not;
using testing_support::body;
using testing_support::error_at;
using testing_support::warning_at;

Diagnostics errors_of(std::string_view text) {
  auto result = parse_profile(body(text), "profiles/test.toml");
  return result ? Diagnostics{} : result.error();
}

// A complete, valid profile; tests below that need a valid context start from it.
constexpr std::string_view k_valid = R"(
[profile]
name = "family-desktop"
description = "Debian 12 Xfce"
priority = 50

[image]
source = "images/debian12.tar.zst"
format = "rootfs-archive"
sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

[partitioning]
scheme = "auto"
swap = "2GiB"
filesystem = "ext4"

[tailoring]
hostname = "atelier-{tag}"
locale = "fr_FR.UTF-8"
keyboard = "fr"
timezone = "Europe/Paris"

[wipe]
ssd = ["ata-sanitize-crypto", "zero"]

[requirements]
min_ram = "4GiB"
min_disk = "64GB"
cpu_level = 2
firmware = ["uefi", "bios"]
chassis = ["desktop"]
)";

// k_valid with line `line` (1-based) replaced, so the error's line is the one replaced.
std::string with_line(int line, std::string_view replacement) {
  std::string text(body(k_valid));
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) {
    start = text.find('\n', start) + 1;
  }
  const std::size_t end = text.find('\n', start);
  text.replace(start, end - start, replacement);
  return text;
}

TEST(ProfileLoading, AcceptsACompleteProfile) {
  const auto profile = parse_profile(body(k_valid), "profiles/test.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  EXPECT_EQ(profile->name, "family-desktop");
  EXPECT_EQ(profile->priority, 50);
  EXPECT_EQ(profile->image.format, ImageFormat::rootfs_archive);
  // Checksums are compared as lower-case text by the imager.
  EXPECT_EQ(profile->image.sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  ASSERT_TRUE(profile->partitioning);
  EXPECT_EQ(profile->partitioning->swap.bytes, 2ULL << 30);
  EXPECT_EQ(profile->tailoring.account.mode, AccountMode::oem);
  EXPECT_THAT(profile->wipe.ssd, ElementsAre(WipeMethod::ata_sanitize_crypto, WipeMethod::zero));
  EXPECT_THAT(profile->wipe.hdd, ElementsAre(WipeMethod::zero)); // default
  EXPECT_EQ(profile->requirements.min_disk.bytes, 64'000'000'000ULL);
  EXPECT_EQ(profile->requirements.cpu_level, 2);
  EXPECT_THAT(profile->requirements.chassis, ElementsAre(Chassis::desktop));
  EXPECT_TRUE(profile->warnings.empty());
  EXPECT_EQ(profile->name_location.line, 2);
}

// Relative paths are relative to the profile file, wherever the command runs from.
TEST(ProfileLoading, ResolvesTheImagePathAgainstTheProfileDirectory) {
  const auto profile = parse_profile(body(k_valid), "/srv/atelier/profiles/family.toml");
  ASSERT_TRUE(profile);
  EXPECT_FALSE(profile->image.is_url);
  EXPECT_EQ(profile->image.path, "/srv/atelier/profiles/images/debian12.tar.zst");
}

TEST(ProfileLoading, AcceptsHttpAndHttpsImageUrls) {
  const auto profile = parse_profile(
      with_line(7, R"(source = "https://images.example.org/debian12.tar.zst")"), "test.toml");
  ASSERT_TRUE(profile);
  EXPECT_TRUE(profile->image.is_url);
  EXPECT_THAT(errors_of(with_line(7, R"(source = "ftp://example.org/a.tar")")),
              ElementsAre(error_at(7, "image.source", "unsupported URL scheme 'ftp'")));
}

// Images are built after the profile is written: no checksum is accepted, but said.
TEST(ProfileLoading, WarnsWhenTheImageHasNoChecksum) {
  const auto profile = parse_profile(with_line(9, ""), "test.toml");
  ASSERT_TRUE(profile);
  EXPECT_THAT(profile->warnings, ElementsAre(warning_at(6, "image.sha256", "no checksum")));
}

TEST(ProfileLoading, RejectsAChecksumThatIsNotSha256) {
  EXPECT_THAT(errors_of(with_line(9, R"(sha256 = "9f86d081")")),
              ElementsAre(error_at(9, "image.sha256", "expected 64 hexadecimal digits")));
}

// Defaults are documented in docs/PROFILES.md; a profile may rely on them.
TEST(ProfileLoading, AppliesDefaultsForOptionalTables) {
  const auto profile = parse_profile(body(R"(
[profile]
name = "minimal"
description = "Only what is required"
[image]
source = "a.tar"
format = "rootfs-archive"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
[tailoring]
locale = "en_GB.UTF-8"
keyboard = "gb"
timezone = "Europe/London"
[wipe]
)"),
                                     "test.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  EXPECT_EQ(profile->priority, 0);
  EXPECT_EQ(profile->partitioning->scheme, PartitionScheme::automatic);
  EXPECT_EQ(profile->partitioning->swap.bytes, 0U);
  EXPECT_EQ(profile->tailoring.hostname, "atelier-{tag}");
  EXPECT_EQ(profile->wipe.verify, Verification::sample);
  EXPECT_EQ(profile->requirements.cpu_level, 1);
  EXPECT_THAT(profile->requirements.firmware, ElementsAre(Firmware::bios, Firmware::uefi));
}

// toml++ stops at the first syntax error; its position is the one to report.
TEST(ProfileValidation, ReportsASyntaxErrorAtTheParsersLine) {
  EXPECT_THAT(errors_of(R"(
[profile]
name = "x"
description = = "y"
)"),
              ElementsAre(error_at(3, "", "TOML syntax error")));
}

// The typo the issue was written for.
TEST(ProfileValidation, ReportsAnUnknownKeyWithTheClosestKnownKey) {
  EXPECT_THAT(errors_of(with_line(4, "priorty = 50")),
              ElementsAre(error_at(4, "profile.priorty",
                                   "unknown key 'priorty' (did you mean 'priority'?)")));
}

TEST(ProfileValidation, ListsTheKnownKeysWhenNoneIsClose) {
  EXPECT_THAT(
      errors_of(with_line(4, "colour = \"blue\"")),
      ElementsAre(error_at(4, "profile.colour", "(known keys: name, description, priority)")));
}

TEST(ProfileValidation, ReportsAnUnknownTable) {
  EXPECT_THAT(errors_of(with_line(11, "[partitionning]")),
              ElementsAre(error_at(11, "partitionning", "did you mean 'partitioning'?")));
}

// A misspelt required key is one mistake: it is reported once, as the unknown key.
TEST(ProfileValidation, DoesNotAlsoReportTheMisspeltKeyAsMissing) {
  EXPECT_THAT(errors_of(with_line(3, R"(descripton = "Debian 12 Xfce")")),
              ElementsAre(error_at(3, "profile.descripton", "did you mean 'description'?")));
  EXPECT_THAT(errors_of(with_line(6, "[imgae]")),
              ElementsAre(error_at(6, "imgae", "did you mean 'image'?")));
}

// Unknown keys hide just as well inside inline tables and arrays of tables.
TEST(ProfileValidation, ReportsUnknownKeysInsideInlineTablesAndArraysOfTables) {
  std::string text = with_line(21, R"(account = { mode = "oem", usrname = "x" })");
  text += R"(
[[tailoring.files]]
path = "/etc/motd"
content = "Bonjour"
permissions = "0644"
)";
  EXPECT_THAT(errors_of(text),
              ElementsAre(error_at(21, "tailoring.account.usrname"),
                          error_at(35, "tailoring.files[0].permissions", "unknown key")));
}

// A missing key has no line of its own: point at its table's header.
TEST(ProfileValidation, ReportsAMissingKeyAtItsTableHeader) {
  EXPECT_THAT(errors_of(with_line(8, "")),
              ElementsAre(error_at(6, "image.format", "missing required key")));
}

TEST(ProfileValidation, ReportsAMissingTable) {
  EXPECT_THAT(errors_of(R"(
[profile]
name = "x"
description = "y"
)"),
              ElementsAre(error_at(1, "image", "missing required table [image]"),
                          error_at(1, "tailoring", "missing required table [tailoring]"),
                          error_at(1, "wipe", "missing required table [wipe]")));
}

TEST(ProfileValidation, ReportsAWrongType) {
  EXPECT_THAT(errors_of(with_line(4, R"(priority = "high")")),
              ElementsAre(error_at(4, "profile.priority", "expected an integer, found a string")));
  EXPECT_THAT(errors_of(with_line(7, "source = 42")),
              ElementsAre(error_at(7, "image.source", "expected a string, found an integer")));
}

TEST(ProfileValidation, ReportsAnUnknownEnumValueWithTheAllowedOnes) {
  EXPECT_THAT(errors_of(with_line(14, R"(filesystem = "ntfs")")),
              ElementsAre(error_at(14, "partitioning.filesystem",
                                   R"(unknown value "ntfs" (allowed: "ext4", "xfs", "btrfs"))")));
}

TEST(ProfileValidation, ReportsABadSize) {
  EXPECT_THAT(errors_of(with_line(13, R"(swap = "2 G")")),
              ElementsAre(error_at(13, "partitioning.swap", "without a space")));
  EXPECT_THAT(
      errors_of(with_line(26, "min_ram = 4")),
      ElementsAre(error_at(26, "requirements.min_ram", "expected a size string such as \"4GiB\"")));
}

TEST(ProfileValidation, AcceptsNoneAsSwap) {
  const auto profile = parse_profile(with_line(13, R"(swap = "none")"), "test.toml");
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->partitioning->swap.bytes, 0U);
}

// Validation is complete: fixing one error must not reveal the next.
TEST(ProfileValidation, ReportsEveryErrorOfTheFile) {
  EXPECT_THAT(errors_of(R"(
[profile]
name = "Family Desktop"
description = "x"
priority = 5000
[image]
source = "a.tar"
format = "tarball"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
[tailoring]
locale = "fr_FR"
keyboard = "fr"
timezone = "Europa/Paris"
[wipe]
nvme = ["ata-secure-erase"]
)"),
              ElementsAre(error_at(2, "profile.name", "use a-z, 0-9 and '-'"),
                          error_at(4, "profile.priority", "5000 is out of range (0 to 1000)"),
                          error_at(7, "image.format", "unknown value \"tarball\""),
                          error_at(10, "tailoring.locale", "not a UTF-8 locale"),
                          error_at(12, "tailoring.timezone", "unknown area 'Europa'"),
                          error_at(14, "wipe.nvme[0]", "does not apply to nvme disks")));
}

// A raw disk image carries its own partition table; partitioning keys would be ignored.
TEST(ProfileValidation, RejectsPartitioningForRawDiskImages) {
  EXPECT_THAT(errors_of(with_line(8, R"(format = "raw-disk")")),
              ElementsAre(error_at(11, "partitioning", "does not apply to raw-disk images")));
}

TEST(ProfileValidation, RejectsFirmwareTheSchemeCannotBoot) {
  EXPECT_THAT(errors_of(with_line(12, R"(scheme = "uefi-gpt")")),
              ElementsAre(error_at(29, "requirements.firmware",
                                   "\"uefi-gpt\" cannot boot a BIOS machine")));
}

TEST(ProfileValidation, DefaultsFirmwareToWhatTheSchemeCanBoot) {
  std::string text = with_line(12, R"(scheme = "bios-mbr")");
  text = text.substr(0, text.find("firmware = "));
  const auto profile = parse_profile(text, "test.toml");
  ASSERT_TRUE(profile) << ::testing::PrintToString(profile.error());
  EXPECT_THAT(profile->requirements.firmware, ElementsAre(Firmware::bios));
}

TEST(ProfileValidation, RejectsASwapThatFillsTheSmallestAcceptedDisk) {
  EXPECT_THAT(errors_of(with_line(13, R"(swap = "64GB")")),
              ElementsAre(error_at(27, "requirements.min_disk", "leaves no room")));
}

TEST(ProfileValidation, AcceptsCpuLevelAsNumberOrName) {
  const auto named = parse_profile(with_line(28, R"(cpu_level = "x86-64-v3")"), "test.toml");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->requirements.cpu_level, 3);
  EXPECT_THAT(errors_of(with_line(28, "cpu_level = 5")),
              ElementsAre(error_at(28, "requirements.cpu_level", "unknown CPU level 5")));
  EXPECT_THAT(errors_of(with_line(28, R"(cpu_level = "v2")")),
              ElementsAre(error_at(28, "requirements.cpu_level", "unknown CPU level \"v2\"")));
}

TEST(ProfileValidation, RejectsUnknownAndRepeatedListValues) {
  EXPECT_THAT(errors_of(with_line(30, R"(chassis = ["desktop", "notebook", "desktop"])")),
              ElementsAre(error_at(30, "requirements.chassis[1]", "unknown value \"notebook\""),
                          error_at(30, "requirements.chassis[2]", "listed twice")));
  EXPECT_THAT(errors_of(with_line(29, "firmware = []")),
              ElementsAre(error_at(29, "requirements.firmware", "at least one")));
}

// Each media has its own command set; an ATA command cannot erase an NVMe drive.
TEST(WipePolicyValidation, RejectsMethodsOfAnotherMedia) {
  EXPECT_THAT(errors_of(with_line(23, R"(ssd = ["nvme-format-crypto", "zero"])")),
              ElementsAre(error_at(23, "wipe.ssd[0]", "does not apply to ssd disks")));
  EXPECT_THAT(errors_of(with_line(23, R"(usb = ["ata-secure-erase", "zero"])")),
              ElementsAre(error_at(23, "wipe.usb[0]", "overwrites only")));
}

// An overwrite works on every disk, so a fallback listed after it is dead configuration.
TEST(WipePolicyValidation, RejectsMethodsThatCanNeverBeTried) {
  EXPECT_THAT(errors_of(with_line(23, R"(ssd = ["zero", "ata-sanitize-crypto"])")),
              ElementsAre(error_at(23, "wipe.ssd[1]", "\"zero\" before it works on every disk")));
}

TEST(WipePolicyValidation, RejectsUnknownMethodsAndEmptyLists) {
  EXPECT_THAT(errors_of(with_line(23, R"(ssd = ["shred"])")),
              ElementsAre(error_at(23, "wipe.ssd[0]", "unknown value \"shred\"")));
  EXPECT_THAT(errors_of(with_line(23, R"(ssd = [])")),
              ElementsAre(error_at(23, "wipe.ssd", "at least one")));
  EXPECT_THAT(errors_of(with_line(23, R"(verify = "partial")")),
              ElementsAre(error_at(23, "wipe.verify", R"(allowed: "none", "sample", "full")")));
}

TEST(TailoringValidation, RejectsMalformedLocaleKeyboardAndTimezone) {
  EXPECT_THAT(errors_of(with_line(18, R"(locale = "French")")),
              ElementsAre(error_at(18, "tailoring.locale")));
  EXPECT_THAT(errors_of(with_line(19, R"(keyboard = "FR")")),
              ElementsAre(error_at(19, "tailoring.keyboard")));
  EXPECT_THAT(errors_of(with_line(20, R"(timezone = "Paris")")),
              ElementsAre(error_at(20, "tailoring.timezone", "expected Area/City")));
  const auto profile =
      parse_profile(with_line(20, R"(timezone = "America/Argentina/Buenos_Aires")"), "test.toml");
  EXPECT_TRUE(profile);
}

TEST(TailoringValidation, RejectsABadHostnamePattern) {
  EXPECT_THAT(errors_of(with_line(17, R"(hostname = "atelier")")),
              ElementsAre(error_at(17, "tailoring.hostname", "must contain {tag}")));
}

// A preset account needs credentials; an OEM one must not carry any (they would be ignored).
TEST(TailoringValidation, ChecksTheAccountAgainstItsMode) {
  EXPECT_THAT(errors_of(with_line(21, R"(account = { mode = "preset" })")),
              ElementsAre(error_at(21, "tailoring.account.username", "missing required key"),
                          error_at(21, "tailoring.account.password", "missing required key")));
  EXPECT_THAT(errors_of(with_line(21, R"(account = { mode = "oem", username = "famille" })")),
              ElementsAre(error_at(21, "tailoring.account.username", "only applies to mode")));
  EXPECT_THAT(errors_of(with_line(
                  21, R"(account = { mode = "preset", username = "root", password = "x" })")),
              ElementsAre(error_at(21, "tailoring.account.username", "cannot be root")));
  EXPECT_THAT(errors_of(with_line(
                  21, R"(account = { mode = "preset", username = "lightdm", password = "x" })")),
              ElementsAre(error_at(21, "tailoring.account.username",
                                   "system account that Debian's packages create")));
  const auto profile = parse_profile(
      with_line(21,
                R"(account = { mode = "preset", username = "famille", password = "Ch4ngeMe" })"),
      "test.toml");
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->tailoring.account.username, "famille");
}

TEST(TailoringValidation, ChecksExtraFiles) {
  std::string text(body(k_valid));
  text += R"(
[[tailoring.files]]
path = "etc/motd"
content = "a"
mode = 644
[[tailoring.files]]
path = "/etc/../shadow"
source = "files/x"
content = "b"
[[tailoring.files]]
path = "/etc/issue"
mode = "0999"
[[tailoring.files]]
path = "/etc/issue"
source = "files/issue"
)";
  EXPECT_THAT(errors_of(text),
              ElementsAre(error_at(33, "tailoring.files[0].path", "must be an absolute path"),
                          error_at(35, "tailoring.files[0].mode",
                                   "expected a string, found an integer (write the mode as a "
                                   "quoted octal number"),
                          error_at(37, "tailoring.files[1].path", "no empty, '.' or '..'"),
                          error_at(39, "tailoring.files[1].content", "not both"),
                          error_at(40, "tailoring.files[2]", "needs source"),
                          error_at(42, "tailoring.files[2].mode", "not an octal mode"),
                          error_at(44, "tailoring.files[3].path", "already written")));
}

// Only load_profile touches the disk; it reports a tailoring file that is not there.
TEST(TailoringValidation, LoadReportsAMissingSourceFile) {
  const std::filesystem::path file =
      std::filesystem::path(ATELIER_TEST_DATA) / "profiles" / "missing-source-file.toml";
  const auto loaded = load_profile(file);
  ASSERT_FALSE(loaded);
  EXPECT_THAT(loaded.error(),
              ElementsAre(error_at(28, "tailoring.files[1].source", "file not found")));
  EXPECT_EQ(loaded.error()[0].file, file.string());
}

TEST(ProfileLoading, ReportsAFileThatCannotBeRead) {
  const auto profile = load_profile("/nonexistent/atelier/profile.toml");
  ASSERT_FALSE(profile);
  ASSERT_EQ(profile.error().size(), 1U);
  EXPECT_EQ(profile.error()[0].line, 0);
  EXPECT_THAT(profile.error()[0].message, ::testing::HasSubstr("cannot read file"));
}

TEST(HostnamePattern, AcceptsPatternsThatGiveValidLabels) {
  EXPECT_EQ(check_hostname_pattern("atelier-{tag}"), std::nullopt);
  EXPECT_EQ(check_hostname_pattern("{tag}"), std::nullopt);
  EXPECT_EQ(check_hostname_pattern("pc-{tag}-ecole2"), std::nullopt);
}

TEST(HostnamePattern, RejectsPatternsThatCannotNameEveryMachine) {
  EXPECT_THAT(check_hostname_pattern("atelier"), Not(std::nullopt)); // all machines alike
  EXPECT_THAT(check_hostname_pattern("Atelier-{tag}"), Not(std::nullopt));
  EXPECT_THAT(check_hostname_pattern("atelier_{tag}"), Not(std::nullopt));
  EXPECT_THAT(check_hostname_pattern("-{tag}"), Not(std::nullopt));
  EXPECT_THAT(check_hostname_pattern("pc-{serial}-{tag}"), Not(std::nullopt));
  EXPECT_THAT(check_hostname_pattern("atelier.{tag}"), Not(std::nullopt));
}

// 63 characters is the DNS label limit; the longest tag is 19 characters.
TEST(HostnamePattern, RejectsPatternsTooLongForTheLongestTag) {
  const std::string prefix_44(44, 'a');
  const std::string prefix_45(45, 'a');
  EXPECT_EQ(check_hostname_pattern(prefix_44 + "{tag}"), std::nullopt);
  EXPECT_THAT(*check_hostname_pattern(prefix_45 + "{tag}"), ::testing::HasSubstr("64 characters"));
}

TEST(HostnamePattern, ExpandsWithTheTagInLowerCase) {
  EXPECT_EQ(expand_hostname("atelier-{tag}", "AT-0042-7"), "atelier-at-0042-7");
  EXPECT_EQ(expand_hostname("{tag}-{tag}", "AT-1-1"), "at-1-1-at-1-1");
}

} // namespace
} // namespace atelier::profiles
