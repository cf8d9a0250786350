#include "imager/disk/disks.h"
#include "imager/inventory/inventory.h"
#include "imager/inventory/placeholder.h"
#include "imager/inventory/platform.h"
#include "imager/sys/file_system.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

// tests/data/imager/sysfs-laptop is made by make-sysfs-laptop.sh: a ThinkPad-like tree.
class LaptopTree : public ::testing::Test {
protected:
  DiskFileSystem m_fs{test::fixture_path("sysfs-laptop")};
  std::vector<std::string> m_warnings;
};

const Disk* find_disk(const std::vector<Disk>& disks, std::string_view name) {
  for (const auto& d : disks) {
    if (d.name == name) {
      return &d;
    }
  }
  return nullptr;
}

TEST_F(LaptopTree, ListsRealDisksOnlySkippingLoopZramDmAndOptical) {
  // Why: wiping or imaging must only ever consider real disks.
  const auto disks = collect_disks(m_fs, {}, m_warnings);
  std::vector<std::string> names;
  for (const auto& d : disks) {
    names.push_back(d.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"nvme0n1", "sda", "sdb", "sdc"}));
  EXPECT_TRUE(m_warnings.empty()) << m_warnings.front();
}

TEST_F(LaptopTree, OpticalDrivesOnlyWhenAsked) {
  // Why: a DVD drive is not a disk to install to, but a workshop may want it listed.
  const auto disks = collect_disks(m_fs, DiskOptions{true}, m_warnings);
  ASSERT_TRUE(find_disk(disks, "sr0"));
  EXPECT_TRUE(find_disk(disks, "sr0")->optical);
  const auto optical = collect_optical(m_fs, m_warnings);
  ASSERT_EQ(optical.size(), 1U);
  EXPECT_EQ(optical[0].model, "DVD-RAM UJ8E2");
  EXPECT_EQ(optical[0].bus, "sata");
}

TEST_F(LaptopTree, SataSsdFields) {
  // Why: size is in 512-byte units; the serial of a SATA disk lives in VPD page 0x80.
  const auto disks = collect_disks(m_fs, {}, m_warnings);
  const Disk* sda = find_disk(disks, "sda");
  ASSERT_TRUE(sda);
  EXPECT_EQ(sda->size_bytes, 488397168ULL * 512U);
  EXPECT_EQ(sda->model, "Samsung SSD 860 EVO 250GB");
  EXPECT_EQ(sda->serial, "S3YJNX0K123456L");
  EXPECT_EQ(sda->firmware, "4B6Q");
  EXPECT_EQ(sda->bus, "sata");
  EXPECT_EQ(sda->media, "ssd");
  EXPECT_EQ(sda->rotational, false);
  EXPECT_FALSE(sda->removable);
}

TEST_F(LaptopTree, HddNvmeAndUsbFields) {
  // Why: bus and media decide which disk a profile installs to (never USB).
  const auto disks = collect_disks(m_fs, {}, m_warnings);
  const Disk* sdc = find_disk(disks, "sdc");
  ASSERT_TRUE(sdc);
  EXPECT_EQ(sdc->media, "hdd");
  EXPECT_EQ(sdc->physical_sector_bytes, 4096U);
  EXPECT_EQ(sdc->logical_sector_bytes, 512U);
  const Disk* nvme = find_disk(disks, "nvme0n1");
  ASSERT_TRUE(nvme);
  EXPECT_EQ(nvme->bus, "nvme");
  EXPECT_EQ(nvme->media, "nvme");
  EXPECT_EQ(nvme->model, "SAMSUNG MZVLB256HAHQ-000L7");
  EXPECT_EQ(nvme->serial, "S41GNX0M123456");
  EXPECT_EQ(nvme->wwid, "eui.0025388b91b2c3d4");
  const Disk* usb = find_disk(disks, "sdb");
  ASSERT_TRUE(usb);
  EXPECT_EQ(usb->bus, "usb");
  EXPECT_EQ(usb->media, "usb");
  EXPECT_TRUE(usb->removable);
  EXPECT_EQ(usb->vendor, "SanDisk");
}

TEST_F(LaptopTree, DiskUnpluggedAfterListingIsAWarningNotAGap) {
  // Why: a disk that vanishes between the listing and the read must be named in a warning, never
  // silently missing (nor a crash, nor a 0-byte disk that a profile could pick).
  test::VanishingFileSystem fs(m_fs, "sys/block/sdc", 0);
  const auto disks = collect_disks(fs, {}, m_warnings);
  EXPECT_FALSE(find_disk(disks, "sdc"));
  EXPECT_EQ(disks.size(), 3U);
  ASSERT_EQ(m_warnings.size(), 1U);
  EXPECT_NE(m_warnings[0].find("disk sdc: listed under /sys/block but gone when read"),
            std::string::npos)
      << m_warnings[0];
}

TEST_F(LaptopTree, DiskGoneHalfWayThroughReadingIsLeftOutWithAWarning) {
  // Why: values read before the disk went away are partial; the disk is not there to wipe anyway.
  for (int reads = 1; reads <= 12; ++reads) {
    SCOPED_TRACE(reads);
    std::vector<std::string> warnings;
    test::VanishingFileSystem fs(m_fs, "sys/block/sda", reads);
    const auto disks = collect_disks(fs, {}, warnings);
    EXPECT_FALSE(find_disk(disks, "sda"));
    EXPECT_TRUE(find_disk(disks, "sdc"));
    bool named = false;
    for (const auto& w : warnings) {
      named = named || w.find("disk sda: listed under /sys/block but gone") != std::string::npos;
    }
    EXPECT_TRUE(named);
  }
}

TEST(DiskBus, FromResolvedDevicePaths) {
  // Why: the bus is only visible in the device path; USB wins over the SCSI layers under it.
  EXPECT_EQ(bus_from_path("sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host2/target2:0:0/"
                          "2:0:0:0/block/sdb",
                          "sdb"),
            "usb");
  EXPECT_EQ(bus_from_path("sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda", "vda"),
            "virtio");
  EXPECT_EQ(
      bus_from_path("sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda",
                    "sda"),
      "sata");
  EXPECT_EQ(bus_from_path("sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1",
                          "nvme0n1"),
            "nvme");
  EXPECT_EQ(
      bus_from_path("sys/devices/platform/mmc/mmc_host/mmc0/mmc0:0001/block/mmcblk0", "mmcblk0"),
      "mmc");
  EXPECT_EQ(media_for("mmc", true), "ssd");
  EXPECT_EQ(media_for("sata", std::nullopt), "hdd");
}

TEST(DiskSerial, VpdPage80) {
  // Why: a short or wrong page must not be read past its end.
  const std::vector<std::uint8_t> page{0x00, 0x80, 0x00, 0x06, ' ', 'A', 'B', 'C', '1', ' '};
  EXPECT_EQ(serial_from_vpd_pg80(page), "ABC1");
  const std::vector<std::uint8_t> lying{0x00, 0x80, 0x00, 0xFF, 'X', 'Y'};
  EXPECT_EQ(serial_from_vpd_pg80(lying), "XY");
  const std::vector<std::uint8_t> other{0x00, 0x83, 0x00, 0x01, 'Z'};
  EXPECT_FALSE(serial_from_vpd_pg80(other));
  EXPECT_FALSE(serial_from_vpd_pg80({}));
}

TEST_F(LaptopTree, NetworkSkipsLoopbackAndVirtualInterfaces) {
  // Why: docker0 and lo are not hardware; wired/wireless tells a volunteer what to test.
  const auto nics = collect_network(m_fs);
  ASSERT_EQ(nics.size(), 2U);
  EXPECT_EQ(nics[0].name, "enp0s25");
  EXPECT_EQ(nics[0].kind, "wired");
  EXPECT_EQ(nics[0].mac, "54:ee:75:12:34:56");
  EXPECT_EQ(nics[0].driver, "e1000e");
  EXPECT_EQ(nics[0].speed_mbps, 1000);
  EXPECT_EQ(nics[0].pci_address, "0000:00:19.0");
  EXPECT_EQ(nics[1].name, "wlp3s0");
  EXPECT_EQ(nics[1].kind, "wireless");
  EXPECT_EQ(nics[1].driver, "iwlwifi");
  EXPECT_FALSE(nics[1].speed_mbps);
}

TEST_F(LaptopTree, PciDevicesAndGpus) {
  // Why: GPUs are PCI class 0x03; IDs let the hardware database name them later.
  const auto pci = collect_pci(m_fs);
  ASSERT_EQ(pci.size(), 6U);
  int gpus = 0;
  for (const auto& p : pci) {
    if (p.is_gpu()) {
      ++gpus;
      EXPECT_EQ(p.vendor_id, 0x8086);
      EXPECT_EQ(p.device_id, 0x0a16);
      EXPECT_EQ(p.driver, "i915");
      EXPECT_EQ(pci_class_name(p.class_code), "VGA compatible controller");
    }
  }
  EXPECT_EQ(gpus, 1);
}

TEST_F(LaptopTree, BatteriesWithHealthSkippingPeripherals) {
  // Why: battery wear (< 80 % of design) is a grading flag; a wireless mouse is not the laptop's
  // battery.
  const auto bats = collect_batteries(m_fs);
  ASSERT_EQ(bats.size(), 2U);
  EXPECT_EQ(bats[0].name, "BAT0");
  EXPECT_EQ(bats[0].unit, "uWh");
  EXPECT_EQ(bats[0].cycle_count, 412U);
  EXPECT_NEAR(bats[0].health_percent.value_or(0), 69.0, 0.1);
  EXPECT_EQ(bats[1].unit, "uAh");
  EXPECT_FALSE(bats[1].cycle_count); // 0 means "not reported"
  EXPECT_NEAR(bats[1].health_percent.value_or(0), 95.7, 0.1);
}

TEST_F(LaptopTree, UefiSecureBootAndTpm2) {
  // Why: UEFI + Secure Boot + TPM 2.0 is the Windows 11 floor and a profile input.
  const auto fw = collect_firmware(m_fs);
  EXPECT_EQ(fw.type, "uefi");
  EXPECT_EQ(fw.secure_boot, true);
  EXPECT_EQ(fw.setup_mode, false);
  EXPECT_TRUE(fw.tpm_present);
  EXPECT_EQ(fw.tpm_version_major, 2);
  EXPECT_EQ(parse_efivar_bool(std::string("\x06\x00\x00\x00", 4)), std::nullopt);
}

TEST_F(LaptopTree, WebcamOncePerDevice) {
  // Why: uvcvideo exposes two nodes per camera.
  const auto cams = collect_webcams(m_fs);
  ASSERT_EQ(cams.size(), 1U);
  EXPECT_EQ(cams[0].name, "Integrated Camera: Integrated C");
}

TEST(Platform, NoEfiDirectoryMeansBios) {
  // Why: firmware.type is required by profiles and must never be "unknown".
  DiskFileSystem fs(test::fixture_path("smbios"));
  const auto fw = collect_firmware(fs);
  EXPECT_EQ(fw.type, "bios");
  EXPECT_FALSE(fw.secure_boot);
  EXPECT_FALSE(fw.tpm_present);
}

TEST(Platform, UefiVariableStoreWithoutSecureBootMeansOff) {
  // Why: firmware without Secure Boot support has no SecureBoot variable (UEFI 2.3.1); that is
  // "off", while an unmounted efivarfs (empty directory) stays unknown.
  DiskFileSystem laptop(test::fixture_path("sysfs-laptop"));
  test::VanishingFileSystem no_secure_boot(
      laptop, "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", 0);
  const auto fw = collect_firmware(no_secure_boot);
  EXPECT_EQ(fw.secure_boot, false);
  EXPECT_TRUE(fw.secure_boot_variable_missing);
  EXPECT_EQ(fw.setup_mode, false);
  test::VanishingFileSystem unmounted(laptop, "sys/firmware/efi/efivars", 0);
  const auto unknown = collect_firmware(unmounted);
  EXPECT_EQ(unknown.type, "uefi");
  EXPECT_FALSE(unknown.secure_boot);
  EXPECT_FALSE(unknown.secure_boot_variable_missing);
}

TEST(Platform, MeminfoTotal) {
  // Why: the fallback for memory.total_bytes when SMBIOS has no memory devices.
  EXPECT_EQ(parse_meminfo_total("MemTotal:        8036352 kB\nMemFree: 1 kB\n"),
            8036352ULL * 1024U);
  EXPECT_FALSE(parse_meminfo_total("MemFree: 1 kB\n"));
  EXPECT_FALSE(parse_meminfo_total("MemTotal: lots\n"));
}

TEST(Placeholder, RecognisesFillerValues) {
  // Why: identity must never be "To Be Filled By O.E.M." shared by thousands of boards.
  for (const auto* filler :
       {"To Be Filled By O.E.M.", "System Serial Number", "Default string", "0123456789", "None",
        "0000000000", "  ", "", "Not Specified", "FFFFFFFF", "........"}) {
    EXPECT_TRUE(is_placeholder(filler)) << filler;
  }
  for (const auto* real : {"PC01ABCD", "CZC1234XYZ", "5CG7301ABC", "S3YJNX0K123456L"}) {
    EXPECT_FALSE(is_placeholder(real)) << real;
  }
}

TEST(Identity, FallsBackFromPlaceholderSerialsToBoardThenMac) {
  // Why: vendor + model + serial identifies a returning machine; the MAC is the last resort.
  SystemInfo s;
  s.serial = "System Serial Number";
  s.board.serial = "MB-12345";
  s.uuid = "03000200-0400-0500-0006-000700080009";
  const std::vector<NetworkInterface> nics{
      {"wlan0", "wireless", "aa:aa:aa:aa:aa:aa", "", {}, "", "", ""},
      {"eth0", "wired", "bb:bb:bb:bb:bb:bb", "", {}, "", "", ""}};
  auto id = derive_identity(s, nics);
  EXPECT_EQ(id.serial, "MB-12345");
  EXPECT_EQ(id.serial_source, "board");
  EXPECT_FALSE(id.uuid);
  EXPECT_EQ(id.first_wired_mac, "bb:bb:bb:bb:bb:bb");
  EXPECT_EQ(id.placeholders, (std::vector<std::string>{"system.serial", "system.uuid"}));
  s.board.serial = "To Be Filled By O.E.M.";
  id = derive_identity(s, nics);
  EXPECT_FALSE(id.serial);
}

TEST(FileSystem, ResolveNeverEscapesTheRoot) {
  // Why: --root must confine every read to the given tree.
  DiskFileSystem fs(test::fixture_path("sysfs-laptop"));
  EXPECT_FALSE(fs.resolve("../../../../../../etc"));
  EXPECT_EQ(fs.resolve("sys/block/sda").value_or(""),
            "sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda");
  EXPECT_FALSE(fs.read_file("sys/does/not/exist", 10));
  EXPECT_TRUE(fs.list_dir("sys/nothing").empty());
}

} // namespace
} // namespace atelier::imager
