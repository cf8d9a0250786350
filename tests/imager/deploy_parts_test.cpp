// The deploy's pure parts and its file access, without a disk: what each tailored file looks like,
// how a hostile image's symbolic links are contained, which GRUB output is refused, and the
// record's JSON contract.
#include "imager/deploy/bootloader.h"
#include "imager/deploy/deploy.h"
#include "imager/deploy/make_filesystems.h"
#include "imager/deploy/tailor.h"
#include "imager/deploy/target_root.h"
#include "records/imaging_record.h"
#include "support/temp_dir.h"

#include <crypt.h>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Hostname, PatternTakesTheLowerCasedAssetTag) {
  EXPECT_EQ(hostname_for("atelier-{tag}", "AT-0042-7"), "atelier-at-0042-7");
}

TEST(Hostname, NoTagGivesUntagged) {
  EXPECT_EQ(hostname_for("pc-{tag}", ""), "pc-untagged");
}

TEST(Hostname, TagWithCharactersAHostnameCannotHoldIsRefusedNamingTheOption) {
  const auto name = hostname_for("atelier-{tag}", "AT 42/x");
  ASSERT_FALSE(name);
  EXPECT_TRUE(name.error().starts_with("--tag AT 42/x:")) << name.error();
}

TEST(Fstab, NamesEveryFilesystemByUuidAndNoDevicePath) {
  profiles::Profile profile;
  profile.name = "family";
  TailorInput in;
  in.profile = &profile;
  in.root_uuid = "11111111-2222-3333-4444-555555555555";
  in.esp_uuid = "ABCD-1234";
  in.swap_uuid = "66666666-7777-8888-9999-000000000000";
  const std::string fstab = render_fstab(in);
  EXPECT_NE(fstab.find("UUID=11111111-2222-3333-4444-555555555555 / ext4 errors=remount-ro 0 1\n"),
            std::string::npos);
  EXPECT_NE(fstab.find("UUID=ABCD-1234 /boot/efi vfat umask=0077 0 1\n"), std::string::npos);
  EXPECT_NE(fstab.find("UUID=66666666-7777-8888-9999-000000000000 none swap sw 0 0\n"),
            std::string::npos);
  EXPECT_EQ(fstab.find("/dev/"), std::string::npos);
}

TEST(Fstab, XfsRootIsNotCheckedAtBootAndBiosHasNoEsp) {
  profiles::Profile profile;
  TailorInput in;
  in.profile = &profile;
  in.root_uuid = "u";
  in.root_fs = FsKind::xfs;
  const std::string fstab = render_fstab(in);
  EXPECT_NE(fstab.find("UUID=u / xfs defaults 0 0\n"), std::string::npos);
  EXPECT_EQ(fstab.find("/boot/efi"), std::string::npos);
  EXPECT_EQ(fstab.find("swap"), std::string::npos);
}

TEST(Hosts, ReplacesTheOld127011LineAfterLocalhost) {
  const std::string hosts =
      render_hosts("127.0.0.1\tlocalhost\n127.0.1.1\tbuildhost\n::1\tlocalhost\n", "pc-1");
  EXPECT_EQ(hosts, "127.0.0.1\tlocalhost\n127.0.1.1\tpc-1\n::1\tlocalhost\n");
}

TEST(Hosts, WritesAStandardFileWhenTheImageHasNone) {
  const std::string hosts = render_hosts(std::nullopt, "pc-1");
  EXPECT_TRUE(hosts.starts_with("127.0.0.1\tlocalhost\n127.0.1.1\tpc-1\n")) << hosts;
}

TEST(Keyboard, SetsLayoutAndVariantKeepingTheOtherLines) {
  const std::string out = render_keyboard(
      "XKBMODEL=\"pc105\"\nXKBLAYOUT=\"us\"\nXKBVARIANT=\"\"\nXKBOPTIONS=\"ctrl:nocaps\"\n", "fr",
      "oss");
  EXPECT_EQ(
      out,
      "XKBMODEL=\"pc105\"\nXKBLAYOUT=\"fr\"\nXKBVARIANT=\"oss\"\nXKBOPTIONS=\"ctrl:nocaps\"\n");
}

TEST(LocaleGen, UncommentsTheLocaleOrAppendsIt) {
  EXPECT_EQ(render_locale_gen("# en_US.UTF-8 UTF-8\n# fr_FR.UTF-8 UTF-8\n", "fr_FR.UTF-8"),
            "# en_US.UTF-8 UTF-8\nfr_FR.UTF-8 UTF-8\n");
  EXPECT_EQ(render_locale_gen("", "ca_ES.UTF-8@valencia"), "ca_ES.UTF-8@valencia UTF-8\n");
}

TEST(UnitFile, RecordsTagProfileTimeChecksumAndContactAsToml) {
  profiles::Profile profile;
  profile.name = "light";
  TailorInput in;
  in.profile = &profile;
  in.asset_tag = "AT-0042-7";
  in.imaged_at = "2026-11-23T10:00:00Z";
  in.image_sha256 = "ab";
  in.support_contact = "Atelier \"Ordi 2.0\", 01 23";
  EXPECT_EQ(
      render_unit_file(in),
      "# This computer was refurbished by a workshop with Atelier (written at imaging time).\n"
      "asset_tag = \"AT-0042-7\"\nprofile = \"light\"\nimaged_at = \"2026-11-23T10:00:00Z\"\n"
      "image_sha256 = \"ab\"\nsupport_contact = \"Atelier \\\"Ordi 2.0\\\", 01 23\"\n");
}

TEST(Password, HashIsSha512CryptThatVerifies) {
  const auto hash = hash_password("changeme");
  ASSERT_TRUE(hash) << hash.error();
  EXPECT_TRUE(hash->starts_with("$6$"));
  crypt_data data{};
  EXPECT_EQ(std::string(crypt_r("changeme", hash->c_str(), &data)), *hash);
  EXPECT_NE(std::string(crypt_r("wrong", hash->c_str(), &data)), *hash);
  EXPECT_NE(*hash_password("changeme"), *hash) << "each hash gets a fresh salt";
}

TEST(Mkfs, CommandsAreForcedLabelledAndSkipDiscardOnlyWhenAsked) {
  FilesystemSpec spec{"/dev/sda2", FsKind::ext4, "atelier-root", false};
  EXPECT_EQ(mkfs_command(spec),
            (std::vector<std::string>{"mkfs.ext4", "-F", "-q", "-L", "atelier-root", "/dev/sda2"}));
  spec.skip_discard = true;
  EXPECT_EQ(mkfs_command(spec),
            (std::vector<std::string>{"mkfs.ext4", "-F", "-q", "-L", "atelier-root", "-E",
                                      "nodiscard", "/dev/sda2"}));
  EXPECT_EQ(mkfs_command({"/dev/sda1", FsKind::vfat, "EFI", true}),
            (std::vector<std::string>{"mkfs.vfat", "-F", "32", "-n", "EFI", "/dev/sda1"}));
  EXPECT_EQ(mkfs_command({"/dev/sda3", FsKind::swap, "swap", false}),
            (std::vector<std::string>{"mkswap", "-L", "swap", "/dev/sda3"}));
  EXPECT_EQ(mkfs_command({"/dev/sda2", FsKind::xfs, "r", true}).back(), "/dev/sda2");
}

TEST(Blkid, ExportOutputGivesUuidTypeAndLabel) {
  const auto id = parse_blkid_export(
      "DEVNAME=/dev/loop0p1\nLABEL=my\\ disk\nUUID=1BD9-28EF\nVERSION=FAT32\nTYPE=vfat\n");
  EXPECT_EQ(id.uuid, "1BD9-28EF");
  EXPECT_EQ(id.type, "vfat");
  EXPECT_EQ(id.label, "my disk");
}

TEST(GrubConfig, DeviceNamesOfTheImagingMachineAreLeaks) {
  const std::vector<std::string> devices{"/dev/sda", "/dev/sda1", "/dev/sda2"};
  EXPECT_EQ(find_device_leak("linux /vmlinuz root=/dev/sda2 ro", devices), "/dev/sda2");
  EXPECT_EQ(find_device_leak("linux /vmlinuz root=/dev/loop3p2 ro", {}), "/dev/loop");
  EXPECT_EQ(find_device_leak("linux /vmlinuz root=UUID=1234 ro\nsearch --fs-uuid --set=root 1234",
                             devices),
            std::nullopt);
  // /dev/sda is not a leak when only /dev/sdab is mentioned.
  EXPECT_EQ(find_device_leak("root=/dev/sdab1", {"/dev/sda"}), std::nullopt);
}

TEST(GrubConfig, DisablingUuidsIsCommentedOut) {
  EXPECT_EQ(render_default_grub("GRUB_TIMEOUT=5\nGRUB_DISABLE_LINUX_UUID=true\n"),
            "GRUB_TIMEOUT=5\n# disabled by atelier-imager deploy: the root is named by UUID\n"
            "# GRUB_DISABLE_LINUX_UUID=true\n");
}

TEST(BootPackages, MissingKernelOrGrubNamesThePackage) {
  testing::TempDir dir;
  auto root = TargetRoot::open(dir.path());
  ASSERT_TRUE(root);
  EXPECT_NE(missing_boot_packages(*root, profiles::Firmware::bios)->find("linux-image-amd64"),
            std::string::npos);
  ASSERT_TRUE(root->write("/boot/vmlinuz-6.1.0-1-amd64", "kernel", 0644));
  EXPECT_NE(missing_boot_packages(*root, profiles::Firmware::bios)->find("grub-pc-bin"),
            std::string::npos);
  EXPECT_NE(missing_boot_packages(*root, profiles::Firmware::uefi)->find("grub-efi-amd64-bin"),
            std::string::npos);
  ASSERT_TRUE(root->make_directories("/usr/lib/grub/i386-pc"));
  EXPECT_NE(missing_boot_packages(*root, profiles::Firmware::bios)->find("grub2-common"),
            std::string::npos);
  ASSERT_TRUE(root->write("/usr/sbin/grub-install", "", 0755));
  ASSERT_TRUE(root->write("/usr/sbin/grub-mkconfig", "", 0755));
  EXPECT_EQ(missing_boot_packages(*root, profiles::Firmware::bios), std::nullopt);
}

TEST(TargetRoot, AbsoluteSymlinkInTheImageStaysInsideTheTree) {
  // An image whose /etc/skel points at /outside must not make the deploy write to the host's
  // /outside.
  testing::TempDir dir;
  const fs::path tree = dir / "tree";
  const fs::path host_outside = dir / "outside";
  fs::create_directories(tree / "etc");
  fs::create_directories(host_outside);
  fs::create_symlink(host_outside, tree / "etc/skel"); // absolute, as an image could carry
  auto root = TargetRoot::open(tree);
  ASSERT_TRUE(root);
  ASSERT_TRUE(root->write("/etc/skel/Desktop/hello.txt", "hi\n", 0640))
      << "written inside, through the link";
  EXPECT_FALSE(fs::exists(host_outside / "Desktop/hello.txt"));
  // Inside the tree, the absolute link resolves to <tree><host_outside>.
  const fs::path inside = tree / host_outside.relative_path() / "Desktop/hello.txt";
  EXPECT_EQ(slurp(inside), "hi\n");
  EXPECT_EQ(fs::status(inside).permissions(), fs::perms(0640));
}

TEST(TargetRoot, DotDotCannotClimbOutOfTheTree) {
  testing::TempDir dir;
  fs::create_directories(dir / "tree/etc");
  fs::create_symlink("../../../../../../..", dir / "tree/etc/up");
  auto root = TargetRoot::open(dir / "tree");
  ASSERT_TRUE(root);
  ASSERT_TRUE(root->write("/etc/up/escape.txt", "x", 0644));
  EXPECT_TRUE(fs::exists(dir / "tree/escape.txt"));
  EXPECT_FALSE(fs::exists(dir / "escape.txt"));
}

TEST(TargetRoot, WriteReplacesALinkInsteadOfWritingThroughIt) {
  testing::TempDir dir;
  fs::create_directories(dir / "tree/etc");
  std::ofstream(dir / "tree/target") << "keep";
  fs::create_symlink("/target", dir / "tree/etc/hostname");
  auto root = TargetRoot::open(dir / "tree");
  ASSERT_TRUE(root);
  ASSERT_TRUE(root->write("/etc/hostname", "pc\n", 0644));
  EXPECT_FALSE(fs::is_symlink(dir / "tree/etc/hostname"));
  EXPECT_EQ(slurp(dir / "tree/etc/hostname"), "pc\n");
  EXPECT_EQ(slurp(dir / "tree/target"), "keep");
}

TEST(TargetRoot, RemoveListSymlinkAndRead) {
  testing::TempDir dir;
  auto root = TargetRoot::open(dir.path());
  ASSERT_TRUE(root);
  ASSERT_TRUE(root->write("/etc/ssh/ssh_host_rsa_key", "k", 0600));
  ASSERT_TRUE(root->write("/etc/ssh/sshd_config", "c", 0644));
  EXPECT_EQ(root->list("/etc/ssh"), (std::vector<std::string>{"ssh_host_rsa_key", "sshd_config"}));
  ASSERT_TRUE(root->remove("/etc/ssh/ssh_host_rsa_key"));
  ASSERT_TRUE(root->remove("/etc/ssh/missing"));
  EXPECT_FALSE(root->exists("/etc/ssh/ssh_host_rsa_key"));
  ASSERT_TRUE(root->symlink("/usr/share/zoneinfo/Europe/Paris", "/etc/localtime"));
  EXPECT_TRUE(root->exists("/etc/localtime")) << "a dangling link exists";
  EXPECT_EQ(fs::read_symlink(dir / "etc/localtime"), "/usr/share/zoneinfo/Europe/Paris");
  EXPECT_EQ(root->read("/etc/ssh/sshd_config"), "c");
  EXPECT_EQ(root->read("/etc/ssh"), std::nullopt);
}

TEST(DeploySizing, RootNeedsTheArchivePlusRoomOrTheFilesystemFloor) {
  EXPECT_EQ(min_root_bytes(std::nullopt, profiles::Filesystem::ext4), 64ULL << 20U);
  EXPECT_EQ(min_root_bytes(std::nullopt, profiles::Filesystem::xfs), 300ULL << 20U);
  EXPECT_EQ(min_root_bytes(10ULL << 30U, profiles::Filesystem::ext4),
            (11ULL << 30U) + (256ULL << 20U));
}

TEST(DeploySizing, ZstdFrameContentSizeIsReadFromALocalFile) {
  testing::TempDir dir;
  const auto file = dir / "a.zst";
  ASSERT_EQ(std::system(("head -c 3000000 /dev/zero | zstd -q -o " + file.string()).c_str()), 0);
  EXPECT_EQ(zstd_content_size(file.string()), std::nullopt)
      << "zstd from a pipe does not know the size";
  ASSERT_EQ(std::system(("head -c 3000000 /dev/zero > " + (dir / "raw").string() +
                         " && zstd -q -f -o " + file.string() + " " + (dir / "raw").string())
                            .c_str()),
            0);
  EXPECT_EQ(zstd_content_size(file.string()), 3000000U);
  EXPECT_EQ(zstd_content_size("http://198.18.0.1/a.tar.zst"), std::nullopt);
}

TEST(ImagingRecord, JsonRoundTripsEveryField) {
  records::ImagingRecord r;
  r.device = "/dev/sda";
  r.disk_bytes = 1ULL << 40U;
  r.sector_size = 4096;
  r.asset_tag = "AT-1";
  r.profile = "light";
  r.image_source = "http://198.18.0.1/light.tar.zst";
  r.image_format = "rootfs-archive";
  r.image_sha256 = std::string(64, 'a');
  r.firmware = "uefi";
  r.partition_table = "gpt";
  r.partitions.push_back({1, "esp", "/dev/sda1", 256, 131327, 512ULL << 20U, "vfat", "ABCD-1234"});
  r.hostname = "atelier-at-1";
  r.bootloader_installed = true;
  r.started_at = "2026-11-23T10:00:00Z";
  r.finished_at = "2026-11-23T10:05:00Z";
  r.duration_seconds = 300.5;
  r.steps.push_back({"partition", 1.5, true, "gpt"});
  r.result = records::ImagingResult::failed;
  r.failed_step = "extract";
  r.failure_reason = "checksum mismatch";
  r.disk_left_unbootable = true;
  r.notes = {"n"};
  const auto back = records::imaging_record_from_json(to_json(r));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(to_json(*back), to_json(r));
  EXPECT_EQ(to_json(r)["result"], "failed");
}

TEST(ImagingRecord, MissingKeyIsNamed) {
  auto j = to_json(records::ImagingRecord{});
  j.erase("profile");
  EXPECT_EQ(records::imaging_record_from_json(j).error(),
            "imaging record: key 'profile' is missing");
  j = to_json(records::ImagingRecord{});
  j["steps"] = nlohmann::json::array({{{"name", "x"}}});
  EXPECT_EQ(records::imaging_record_from_json(j).error(),
            "imaging record: key 'steps[0].duration_seconds' is missing");
}

} // namespace
} // namespace atelier::imager
