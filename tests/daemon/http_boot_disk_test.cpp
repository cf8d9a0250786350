// The UEFI HTTP boot disk (daemon/http_boot_disk.h): what the firmware mounts as a RAM disk must
// hold shim at the removable path, GRUB under the name shim loads, and GRUB's configuration naming
// this server; read back here with mtools. The disk booting under OVMF with Secure Boot on is in
// tests/vm/pxe_boot_test.sh.
#include "base/file_io.h"
#include "base/process_runner.h"
#include "daemon/http_boot_disk.h"
#include "pxe/grub_config.h"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class HttpBootDiskTest : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::path(::testing::TempDir()) / ("atelier-http-disk-" + std::to_string(::getpid()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir / "bootenv");
    write(m_dir / "bootenv" / "shimx64.efi", pattern(1'100'000, 7));
    write(m_dir / "bootenv" / "grubx64.efi", pattern(1'900'000, 11));
  }
  void TearDown() override { fs::remove_all(m_dir); }

  static std::string pattern(std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) {
      seed = seed * 1103515245U + 12345U;
      bytes[i] = static_cast<char>(seed >> 24);
    }
    return bytes;
  }
  static void write(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary) << bytes;
  }
  // A file inside the FAT image, read with mtools (as the firmware's FAT driver would find it).
  std::string file_in(const fs::path& image, const std::string& name) {
    const fs::path out = m_dir / "out";
    fs::remove(out);
    auto copied = base::run_checked({"mcopy", "-n", "-i", image.string(), name, out.string()},
                                    {.environment = {"MTOOLS_SKIP_CHECK=1"}});
    EXPECT_TRUE(copied) << copied.error();
    return base::read_file(out.string()).value_or("(missing)");
  }

  fs::path m_dir;
};

TEST_F(HttpBootDiskTest, HoldsShimAtTheRemovablePathGrubBesideItAndItsConfig) {
  auto disk = make_http_boot_disk(m_dir / "bootenv", "198.18.0.2");
  ASSERT_TRUE(disk) << disk.error();
  // The memfd, read through the path the HTTP server opens, is the whole image.
  auto bytes = base::read_file(disk->path().string());
  ASSERT_TRUE(bytes) << bytes.error();
  EXPECT_EQ(bytes->size(), disk->size);
  EXPECT_EQ(disk->size % (1024 * 1024), 0U);
  EXPECT_GE(disk->size, 3'000'000U + 1024 * 1024);
  const fs::path image = m_dir / "copy.img";
  write(image, *bytes);
  EXPECT_TRUE(file_in(image, "::/EFI/BOOT/BOOTX64.EFI") ==
              base::read_file((m_dir / "bootenv" / "shimx64.efi").string()).value());
  EXPECT_TRUE(file_in(image, "::/EFI/BOOT/grubx64.efi") ==
              base::read_file((m_dir / "bootenv" / "grubx64.efi").string()).value());
  EXPECT_EQ(file_in(image, "::/grub/grub.cfg"), pxe::grub_http_disk_config("198.18.0.2"));
  // A bare FAT volume (no partition table): the boot sector's signature and a FAT type.
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[510]), 0x55);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[511]), 0xaa);
}

TEST_F(HttpBootDiskTest, AMissingGrubIsNamedWithWhatToDo) {
  fs::remove(m_dir / "bootenv" / "grubx64.efi");
  auto disk = make_http_boot_disk(m_dir / "bootenv", "198.18.0.2");
  ASSERT_FALSE(disk);
  EXPECT_THAT(disk.error(), HasSubstr("grubx64.efi"));
  EXPECT_THAT(disk.error(), HasSubstr("atelier bootenv build"));
}

} // namespace
} // namespace atelier::daemon
