// check_overwrite_allowed on REAL loop devices: every refusal is provoked the way it happens in a
// workshop (a mounted filesystem, a mounted partition, swap, another program holding the disk, a
// missing or wrong serial), and the machine's own root disk is refused by the check alone (nothing
// is ever written to it).
#include "imager/disk/device_identity.h"
#include "imager/disk/device_safety.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using test::LoopDevice;
using test::MountPoint;
using test::must_run;

class DeviceSafety : public ::testing::Test {
protected:
  void SetUp() override {
    if (auto reason = test::loop_support_missing()) {
      GTEST_SKIP() << *reason;
    }
  }
  // The options a workshop computer would pass for this loop device: serial confirmed.
  static SafetyOptions confirmed(const LoopDevice& loop) {
    SafetyOptions options;
    options.confirm_serial = std::filesystem::canonical(loop.file()).string();
    return options;
  }
  // A 64 MiB file with a GPT and one Linux partition, written before the loop device exists.
  static std::filesystem::path partitioned_file(const std::filesystem::path& file) {
    must_run("truncate -s 64M '" + file.string() +
             "' && printf 'label: gpt\\n,,L\\n' | sfdisk -q '" + file.string() + "' >/dev/null");
    return file;
  }
  // The kernel may lack partition-table parsers (this CI kernel has none): partx reads the table in
  // user space and adds the partitions with BLKPG. Returns the first partition's node.
  static std::string add_partitions(const LoopDevice& loop) {
    const std::string partition = loop.path() + "p1";
    must_run("[ -b '" + partition + "' ] || partx -a '" + loop.path() + "'");
    must_run("for i in 1 2 3 4 5 6 7 8 9 10; do [ -b '" + partition +
             "' ] && exit 0; sleep 0.2; done; exit 1");
    return partition;
  }
  atelier::testing::TempDir m_dir;
};

TEST_F(DeviceSafety, AllowsAnIdleLoopDeviceConfirmedByItsBackingFile) {
  // The positive case, so that every refusal below is caused by what its test sets up.
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  const auto result = check_overwrite_allowed(loop.path(), confirmed(loop));
  EXPECT_TRUE(result.has_value()) << result.error();
}

TEST_F(DeviceSafety, RefusesAMountedFilesystem) {
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  must_run("mkfs.ext4 -q -F '" + loop.path() + "'");
  MountPoint mount(loop.path(), m_dir / "mnt");
  const auto result = check_overwrite_allowed(loop.path(), confirmed(loop));
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(
      result.error().find(loop.path() + ": refused: it is mounted on " + mount.dir().string()),
      std::string::npos)
      << result.error();
  EXPECT_NE(result.error().find("umount"), std::string::npos) << result.error();
}

TEST_F(DeviceSafety, RefusesTheWholeDiskWhenOneOfItsPartitionsIsMounted) {
  const auto file = partitioned_file(m_dir / "disk.img");
  LoopDevice loop(file, 64U << 20, "-P");
  const std::string partition = add_partitions(loop);
  must_run("mkfs.ext4 -q -F '" + partition + "'");
  MountPoint mount(partition, m_dir / "mnt");
  const auto result = check_overwrite_allowed(loop.path(), confirmed(loop));
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("its partition " + loop.name() + "p1 is mounted on " +
                                mount.dir().string()),
            std::string::npos)
      << result.error();
}

TEST_F(DeviceSafety, RefusesAPartitionBecauseOnlyWholeDisksAreErased) {
  const auto file = partitioned_file(m_dir / "disk.img");
  LoopDevice loop(file, 64U << 20, "-P");
  const std::string partition = add_partitions(loop);
  const auto result = check_overwrite_allowed(partition, confirmed(loop));
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("it is a partition of " + loop.name()), std::string::npos)
      << result.error();
}

TEST_F(DeviceSafety, RefusesADeviceUsedAsSwap) {
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  test::SwapOn swap(loop.path());
  const auto result = check_overwrite_allowed(loop.path(), confirmed(loop));
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("in use as swap"), std::string::npos) << result.error();
  EXPECT_NE(result.error().find("swapoff"), std::string::npos) << result.error();
}

TEST_F(DeviceSafety, RefusesADeviceAnotherProgramHoldsOpenExclusively) {
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  const int holder = ::open(loop.path().c_str(), O_RDONLY | O_EXCL | O_CLOEXEC);
  ASSERT_GE(holder, 0);
  const auto result = check_overwrite_allowed(loop.path(), confirmed(loop));
  ::close(holder);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("holds it open exclusively"), std::string::npos) << result.error();
}

TEST_F(DeviceSafety, OutsideTheBootEnvironmentDemandsTheSerial) {
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  const auto result = check_overwrite_allowed(loop.path(), SafetyOptions{});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("--confirm-serial"), std::string::npos) << result.error();
}

TEST_F(DeviceSafety, RefusesASerialThatDoesNotMatch) {
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  SafetyOptions options;
  options.confirm_serial = "WD-WCC4E0000000";
  const auto result = check_overwrite_allowed(loop.path(), options);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("does not match the disk's serial '" +
                                std::filesystem::canonical(loop.file()).string() + "'"),
            std::string::npos)
      << result.error();
}

TEST_F(DeviceSafety, InTheBootEnvironmentTheSerialIsNotDemandedButAGivenOneMustMatch) {
  LoopDevice loop(m_dir / "disk.img", 32U << 20);
  SafetyOptions options;
  options.in_boot_environment = true;
  EXPECT_TRUE(check_overwrite_allowed(loop.path(), options).has_value());
  options.confirm_serial = "wrong";
  EXPECT_FALSE(check_overwrite_allowed(loop.path(), options).has_value());
}

TEST_F(DeviceSafety, RefusesARegularFileUnlessFilesAreAllowed) {
  must_run("truncate -s 1M '" + (m_dir / "image.bin").string() + "'");
  SafetyOptions options;
  const auto refused = check_overwrite_allowed(m_dir / "image.bin", options);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().find("regular file"), std::string::npos) << refused.error();
  options.allow_regular_file = true;
  EXPECT_TRUE(check_overwrite_allowed(m_dir / "image.bin", options).has_value());
}

TEST_F(DeviceSafety, RefusesAPathThatDoesNotExist) {
  const auto result = check_overwrite_allowed("/dev/atelier-no-such-disk", SafetyOptions{});
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("/dev/atelier-no-such-disk"), std::string::npos) << result.error();
}

// The disk under this machine's "/" (only the check runs: nothing is opened for writing).
std::optional<std::string> root_disk() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point != "/") {
      continue;
    }
    const auto sep = line.find(" - ");
    std::istringstream tail(line.substr(sep + 3));
    std::string fstype, source;
    tail >> fstype >> source;
    if (!source.starts_with("/dev/") || !std::filesystem::exists(source)) {
      return std::nullopt;
    }
    auto id_or = identify_device(source);
    if (!id_or) {
      return std::nullopt;
    }
    return id_or->partition ? "/dev/" + id_or->kernel_parent : source;
  }
  return std::nullopt;
}

TEST_F(DeviceSafety, RefusesTheRunningSystemsRootDiskEvenWithItsSerialAndInTheBootEnvironment) {
  const auto disk = root_disk();
  if (!disk) {
    GTEST_SKIP() << "the root filesystem is not on a block device here (container or overlay)";
  }
  SafetyOptions options;
  options.in_boot_environment = true;
  auto id = identify_device(*disk);
  ASSERT_TRUE(id.has_value());
  options.confirm_serial = id->serial.empty() ? id->kernel_name : id->serial;
  const auto result = check_overwrite_allowed(*disk, options);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("running system's root filesystem"), std::string::npos)
      << result.error();
}

TEST(BootEnvironment, IsRecognisedByItsMarkerFile) {
  atelier::testing::TempDir dir;
  EXPECT_FALSE(running_in_boot_environment(dir / "bootenv"));
  std::ofstream(dir / "bootenv") << "kernel=6.1\n";
  EXPECT_TRUE(running_in_boot_environment(dir / "bootenv"));
}

} // namespace
} // namespace atelier::imager
