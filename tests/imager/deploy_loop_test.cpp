// Deploys on REAL loop devices (root): a small rootfs archive built here (owners, a setcap'd
// binary, a hard link, an ACL, an extended attribute, a fake /etc) goes through the whole deploy
// but the bootloader (the archive has no kernel; the VM test boots real images). The partition
// table is read back with sfdisk, the filesystems checked with fsck, the tailored files read from
// the mounted root.
#include "base/process_runner.h"
#include "imager/deploy/deploy.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

namespace fs = std::filesystem;
using test::LoopDevice;
using test::MountPoint;
using test::must_run;
using test::run_command;

constexpr std::uint64_t k_mib_bytes = 1ULL << 20U;
constexpr const char* k_esp_type = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
constexpr const char* k_linux_type = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
constexpr const char* k_swap_type = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class DeployOnLoop : public ::testing::Test {
protected:
  void SetUp() override {
    if (auto missing = test::loop_support_missing()) {
      GTEST_SKIP() << *missing;
    }
    build_rootfs();
  }

  // A tree with what extraction must preserve and what tailoring must change.
  void build_rootfs() {
    const fs::path r = m_dir / "rootfs";
    const std::string q = "'" + r.string() + "'";
    must_run("mkdir -p " + q + "/etc/ssh " + q + "/usr/bin " + q + "/home/alice " + q +
             "/var/lib/dbus " + q + "/etc/skel " + q + "/etc/default");
    std::ofstream(r / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    std::ofstream(r / "etc/group") << "root:x:0:\nsudo:x:27:\naudio:x:29:\nusers:x:100:\n";
    std::ofstream(r / "etc/shadow") << "root:*:19000:0:99999:7:::\n";
    std::ofstream(r / "etc/gshadow") << "root:*::\nsudo:*::\naudio:*::\nusers:*::\n";
    std::ofstream(r / "etc/machine-id") << "0123456789abcdef0123456789abcdef\n";
    std::ofstream(r / "var/lib/dbus/machine-id") << "0123456789abcdef0123456789abcdef\n";
    std::ofstream(r / "etc/ssh/ssh_host_ed25519_key") << "private\n";
    std::ofstream(r / "etc/ssh/ssh_host_ed25519_key.pub") << "public\n";
    std::ofstream(r / "etc/ssh/sshd_config") << "# config\n";
    std::ofstream(r / "etc/hosts") << "127.0.0.1\tlocalhost\n127.0.1.1\tbuildhost\n";
    std::ofstream(r / "etc/default/keyboard")
        << "XKBMODEL=\"pc105\"\nXKBLAYOUT=\"us\"\nXKBVARIANT=\"\"\n";
    std::ofstream(r / "etc/fstab") << "# UNCONFIGURED FSTAB\n";
    std::ofstream(r / "home/alice/notes") << "data\n";
    must_run("cp /bin/true " + q + "/usr/bin/pinger && setcap cap_net_raw+ep " + q +
             "/usr/bin/pinger");
    must_run("ln " + q + "/home/alice/notes " + q + "/home/alice/notes-link");
    must_run("setfacl -m u:1234:r " + q + "/home/alice/notes && setfattr -n user.atelier -v kept " +
             q + "/home/alice/notes");
    must_run("chmod 640 " + q + "/etc/shadow " + q + "/etc/gshadow && chown -R 1000:1000 " + q +
             "/home/alice");
    m_archive = m_dir / "rootfs.tar.zst";
    must_run("tar --numeric-owner --xattrs --xattrs-include='*' --acls -C " + q +
             " -cf - . | zstd -q -f -o '" + m_archive.string() + "'");
    m_sha256 = must_run("sha256sum '" + m_archive.string() + "' | cut -d' ' -f1");
  }

  // A profile for the archive; `scheme`, `swap` and the checksum vary per test.
  profiles::Profile profile(const std::string& scheme, const std::string& swap,
                            const std::string& sha256) {
    const fs::path file = m_dir / "profile.toml";
    std::ofstream(file)
        << "[profile]\nname = \"test-family\"\ndescription = \"loop test\"\n"
        << "[image]\nsource = \"rootfs.tar.zst\"\nformat = \"rootfs-archive\"\nsha256 = \""
        << sha256 << "\"\n[partitioning]\nscheme = \"" << scheme << "\"\nswap = \"" << swap
        << "\"\nfilesystem = \"ext4\"\n"
        << "[tailoring]\nhostname = \"atelier-{tag}\"\nlocale = \"fr_FR.UTF-8\"\nkeyboard = "
           "\"fr\"\n"
        << "keyboard_variant = \"oss\"\ntimezone = \"Europe/Paris\"\n"
        << "[tailoring.account]\nmode = \"preset\"\nusername = \"famille\"\npassword = \"s3cret\"\n"
        << "[[tailoring.files]]\npath = \"/etc/skel/Bureau/Bienvenue.txt\"\nmode = \"0600\"\n"
        << "content = \"Bienvenue\\n\"\n"
        << "[[tailoring.files]]\npath = \"/usr/local/bin/aide\"\nmode = \"0755\"\n"
        << "content = \"#!/bin/sh\\necho aide\\n\"\n[wipe]\n";
    auto loaded = profiles::load_profile(file);
    if (!loaded) {
      throw std::runtime_error("test profile does not load: " + loaded.error().front().to_string());
    }
    return *loaded;
  }

  records::ImagingRecord deploy_to(const LoopDevice& loop, const profiles::Profile& p,
                                   profiles::Firmware firmware) {
    DeployOptions options;
    options.device = loop.path();
    options.profile = &p;
    options.firmware = firmware;
    options.asset_tag = "AT-0042-7";
    options.support_contact = "Atelier, 01 23 45 67 89";
    options.confirm_serial = loop.file().string(); // a loop device's serial is its backing file
    options.install_bootloader = false;
    base::PosixProcessRunner runner;
    return deploy(options, runner);
  }

  nlohmann::json sfdisk(const LoopDevice& loop) {
    return nlohmann::json::parse(must_run("sfdisk --json " + loop.path()))["partitiontable"];
  }

  std::string blkid(const std::string& device, const std::string& tag) {
    return must_run("blkid -p -s " + tag + " -o value " + device);
  }

  testing::TempDir m_dir;
  fs::path m_archive;
  std::string m_sha256;
};

TEST_F(DeployOnLoop, UefiGetsGptWithEspRootAndSwapAlignedCleanAndTailored) {
  LoopDevice loop(m_dir / "disk.img", 1024 * k_mib_bytes, "-P");
  const auto p = profile("auto", "64MiB", m_sha256);
  const records::ImagingRecord record = deploy_to(loop, p, profiles::Firmware::uefi);
  ASSERT_EQ(record.result, records::ImagingResult::imaged)
      << record.failed_step << ": " << record.failure_reason;
  EXPECT_EQ(record.image_sha256, m_sha256);
  EXPECT_EQ(record.hostname, "atelier-at-0042-7");
  EXPECT_EQ(record.firmware, "uefi");

  const auto table = sfdisk(loop);
  EXPECT_EQ(table["label"], "gpt");
  ASSERT_EQ(table["partitions"].size(), 3U);
  const char* types[] = {k_esp_type, k_linux_type, k_swap_type};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& part = table["partitions"][i];
    EXPECT_EQ(part["type"], types[i]) << i;
    EXPECT_EQ(part["start"].get<std::uint64_t>() % 2048, 0U)
        << "partition " << i + 1 << " starts on a MiB";
    EXPECT_EQ(part["size"].get<std::uint64_t>() % 2048, 0U)
        << "partition " << i + 1 << " is whole MiB";
  }
  EXPECT_EQ(table["partitions"][0]["size"], 512 * 2048);
  EXPECT_EQ(table["partitions"][2]["size"], 64 * 2048);
  EXPECT_EQ(run_command("fsck.vfat -n " + loop.path() + "p1").exit_code, 0);
  EXPECT_EQ(run_command("fsck.ext4 -fn " + loop.path() + "p2").exit_code, 0);
  EXPECT_EQ(blkid(loop.path() + "p3", "TYPE"), "swap");

  MountPoint root(loop.path() + "p2", m_dir / "mnt");
  const fs::path m = root.dir();
  EXPECT_EQ(slurp(m / "etc/hostname"), "atelier-at-0042-7\n");
  EXPECT_NE(slurp(m / "etc/hosts").find("127.0.1.1\tatelier-at-0042-7\n"), std::string::npos);
  EXPECT_EQ(slurp(m / "etc/hosts").find("buildhost"), std::string::npos);
  const std::string fstab = slurp(m / "etc/fstab");
  EXPECT_NE(fstab.find("UUID=" + blkid(loop.path() + "p2", "UUID") + " / ext4 "), std::string::npos)
      << fstab;
  EXPECT_NE(fstab.find("UUID=" + blkid(loop.path() + "p1", "UUID") + " /boot/efi vfat "),
            std::string::npos)
      << fstab;
  EXPECT_NE(fstab.find("UUID=" + blkid(loop.path() + "p3", "UUID") + " none swap "),
            std::string::npos)
      << fstab;
  EXPECT_EQ(fstab.find(loop.path()), std::string::npos)
      << "the loop device's name must not leak into fstab";
  EXPECT_TRUE(fs::is_regular_file(m / "etc/machine-id"));
  EXPECT_EQ(fs::file_size(m / "etc/machine-id"), 0U);
  EXPECT_EQ(fs::read_symlink(m / "var/lib/dbus/machine-id"), "/etc/machine-id");
  EXPECT_FALSE(fs::exists(m / "etc/ssh/ssh_host_ed25519_key"));
  EXPECT_FALSE(fs::exists(m / "etc/ssh/ssh_host_ed25519_key.pub"));
  EXPECT_TRUE(fs::exists(m / "etc/ssh/sshd_config"));
  EXPECT_EQ(slurp(m / "etc/default/locale"), "LANG=fr_FR.UTF-8\n");
  EXPECT_NE(slurp(m / "etc/default/keyboard").find("XKBLAYOUT=\"fr\"\nXKBVARIANT=\"oss\"\n"),
            std::string::npos);
  EXPECT_EQ(slurp(m / "etc/timezone"), "Europe/Paris\n");
  EXPECT_EQ(fs::read_symlink(m / "etc/localtime"), "/usr/share/zoneinfo/Europe/Paris");

  // The preset account: created, in the desktop groups the image has, password expired.
  const std::string shadow = slurp(m / "etc/shadow");
  const auto at = shadow.find("famille:$6$");
  ASSERT_NE(at, std::string::npos) << shadow;
  const std::string line = shadow.substr(at, shadow.find('\n', at) - at);
  EXPECT_NE(line.find(":0:"), std::string::npos) << "last change 0 forces a new password: " << line;
  EXPECT_NE(slurp(m / "etc/group").find("sudo:x:27:famille"), std::string::npos);
  EXPECT_EQ(slurp(m / "home/famille/Bureau/Bienvenue.txt"), "Bienvenue\n")
      << "skel reached the new home";

  EXPECT_EQ(fs::status(m / "etc/skel/Bureau/Bienvenue.txt").permissions(), fs::perms(0600));
  EXPECT_EQ(fs::status(m / "usr/local/bin/aide").permissions(), fs::perms(0755));
  EXPECT_EQ(slurp(m / "usr/local/bin/aide"), "#!/bin/sh\necho aide\n");
  const std::string unit = slurp(m / "etc/atelier/unit.toml");
  EXPECT_NE(unit.find("asset_tag = \"AT-0042-7\"\n"), std::string::npos) << unit;
  EXPECT_NE(unit.find("profile = \"test-family\"\n"), std::string::npos) << unit;
  EXPECT_NE(unit.find("image_sha256 = \"" + m_sha256 + "\"\n"), std::string::npos) << unit;
  EXPECT_NE(unit.find("support_contact = \"Atelier, 01 23 45 67 89\"\n"), std::string::npos)
      << unit;

  // What extraction preserved.
  EXPECT_EQ(must_run("stat -c '%u:%g %h' '" + (m / "home/alice/notes").string() + "'"),
            "1000:1000 2");
  EXPECT_NE(must_run("getcap '" + (m / "usr/bin/pinger").string() + "'").find("cap_net_raw=ep"),
            std::string::npos);
  EXPECT_NE(must_run("getfacl -n '" + (m / "home/alice/notes").string() + "' 2>/dev/null")
                .find("user:1234:r--"),
            std::string::npos);
  EXPECT_EQ(must_run("getfattr --only-values -n user.atelier '" +
                     (m / "home/alice/notes").string() + "'"),
            "kept");
}

TEST_F(DeployOnLoop, BiosGetsMbrWithAnActiveRootAndSwapAtTheEnd) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib_bytes, "-P");
  const auto p = profile("auto", "32MiB", m_sha256);
  const records::ImagingRecord record = deploy_to(loop, p, profiles::Firmware::bios);
  ASSERT_EQ(record.result, records::ImagingResult::imaged)
      << record.failed_step << ": " << record.failure_reason;
  const auto table = sfdisk(loop);
  EXPECT_EQ(table["label"], "dos");
  ASSERT_EQ(table["partitions"].size(), 2U);
  EXPECT_EQ(table["partitions"][0]["type"], "83");
  EXPECT_EQ(table["partitions"][0]["start"], 2048);
  EXPECT_EQ(table["partitions"][0].value("bootable", false), true);
  EXPECT_EQ(table["partitions"][1]["type"], "82");
  EXPECT_EQ(table["partitions"][1]["size"], 32 * 2048);
  EXPECT_EQ(table["partitions"][1]["start"].get<std::uint64_t>() + 32 * 2048, 512 * 2048U)
      << "swap ends the disk";
  EXPECT_EQ(run_command("fsck.ext4 -fn " + loop.path() + "p1").exit_code, 0);
  MountPoint root(loop.path() + "p1", m_dir / "mnt");
  EXPECT_EQ(slurp(root.dir() / "etc/fstab").find("/boot/efi"), std::string::npos);
}

TEST_F(DeployOnLoop, ProfileSchemeForcesUefiOverTheDetectedBios) {
  LoopDevice loop(m_dir / "disk.img", 1024 * k_mib_bytes, "-P");
  const auto p = profile("uefi-gpt", "none", m_sha256);
  DeployOptions options;
  options.device = loop.path();
  options.profile = &p;
  options.detected_firmware = profiles::Firmware::bios;
  options.confirm_serial = loop.file().string();
  options.install_bootloader = false;
  base::PosixProcessRunner runner;
  const auto record = deploy(options, runner);
  ASSERT_EQ(record.result, records::ImagingResult::imaged) << record.failure_reason;
  EXPECT_EQ(record.firmware, "uefi");
  EXPECT_EQ(sfdisk(loop)["label"], "gpt");
}

TEST_F(DeployOnLoop, TooSmallDiskIsRefusedBeforeAnythingIsWritten) {
  LoopDevice loop(m_dir / "disk.img", 300 * k_mib_bytes, "-P");
  must_run("head -c 1048576 /dev/urandom > '" + (m_dir / "before").string() + "' && dd if='" +
           (m_dir / "before").string() + "' of=" + loop.path() + " conv=notrunc,fsync status=none");
  const auto p = profile("auto", "64MiB", m_sha256);
  const records::ImagingRecord record = deploy_to(loop, p, profiles::Firmware::uefi);
  ASSERT_EQ(record.result, records::ImagingResult::failed);
  EXPECT_EQ(record.failed_step, "check");
  EXPECT_NE(record.failure_reason.find("too small"), std::string::npos) << record.failure_reason;
  EXPECT_FALSE(record.disk_left_unbootable) << "nothing was written, so nothing was zapped";
  must_run("dd if=" + loop.path() + " of='" + (m_dir / "after").string() +
           "' bs=1M count=1 status=none");
  EXPECT_EQ(slurp(m_dir / "before"), slurp(m_dir / "after")) << "the first MiB is unchanged";
}

TEST_F(DeployOnLoop, WrongChecksumAfterPartitioningLeavesTheDiskUnbootable) {
  LoopDevice loop(m_dir / "disk.img", 1024 * k_mib_bytes, "-P");
  const auto p = profile("auto", "none", std::string(64, 'e'));
  const records::ImagingRecord record = deploy_to(loop, p, profiles::Firmware::bios);
  ASSERT_EQ(record.result, records::ImagingResult::failed);
  EXPECT_EQ(record.failed_step, "extract");
  EXPECT_NE(record.failure_reason.find("sha256"), std::string::npos) << record.failure_reason;
  EXPECT_TRUE(record.disk_left_unbootable);
  // No partition table, no boot code: the first MiB is zeros and sfdisk finds nothing.
  must_run("dd if=" + loop.path() + " of='" + (m_dir / "after").string() +
           "' bs=1M count=1 status=none");
  EXPECT_EQ(slurp(m_dir / "after"), std::string(1 << 20, '\0'));
  EXPECT_NE(run_command("sfdisk --json " + loop.path() + " 2>/dev/null").exit_code, 0);
  EXPECT_FALSE(fs::exists(loop.path() + "p1")) << "the kernel's partitions were dropped";
  EXPECT_TRUE(
      run_command("grep -q '" + m_dir.path().string() + "' /proc/self/mountinfo").exit_code != 0)
      << "nothing stays mounted";
}

TEST_F(DeployOnLoop, UnconfirmedDiskOutsideTheBootEnvironmentIsRefused) {
  LoopDevice loop(m_dir / "disk.img", 1024 * k_mib_bytes, "-P");
  const auto p = profile("auto", "none", m_sha256);
  DeployOptions options;
  options.device = loop.path();
  options.profile = &p;
  options.firmware = profiles::Firmware::bios;
  base::PosixProcessRunner runner;
  const auto record = deploy(options, runner);
  EXPECT_EQ(record.failed_step, "check");
  EXPECT_NE(record.failure_reason.find("confirm-serial"), std::string::npos)
      << record.failure_reason;
}

// The command line the VM test uses: JSON record on stdout, JSON progress lines on stderr.
TEST_F(DeployOnLoop, CommandPrintsTheRecordAndProgressAsJson) {
  LoopDevice loop(m_dir / "disk.img", 1024 * k_mib_bytes, "-P");
  (void)profile("auto", "none", m_sha256);
  const std::string err = (m_dir / "stderr").string();
  const auto result =
      run_command(std::string(ATELIER_IMAGER_BIN) + " deploy " + loop.path() + " --profile '" +
                  (m_dir / "profile.toml").string() + "' --firmware uefi --tag AT-7 --json " +
                  "--progress json --no-bootloader --confirm-serial '" + loop.file().string() +
                  "' 2>'" + err + "'");
  ASSERT_EQ(result.exit_code, 0) << result.out << slurp(err);
  const auto record = nlohmann::json::parse(result.out);
  EXPECT_EQ(record["result"], "imaged");
  EXPECT_EQ(record["hostname"], "atelier-at-7");
  EXPECT_EQ(record["image_sha256"], m_sha256);
  std::vector<std::string> steps;
  for (const auto& s : record["steps"]) {
    steps.push_back(s["name"]);
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"check", "partition", "mkfs", "extract", "tailor",
                                             "finish"}));
  std::ifstream lines(err);
  std::string line;
  int events = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("{")) {
      EXPECT_TRUE(nlohmann::json::parse(line).contains("operation")) << line;
      ++events;
    }
  }
  EXPECT_GT(events, 5);
}

} // namespace
} // namespace atelier::imager
