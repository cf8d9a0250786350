// The inventories that atelier-imager produced inside QEMU VMs (tests/data/imager/vm-*.json, made
// by imager/tools/capture_vm_inventory.sh; VM-FIXTURES.md has each command line). Each case states
// what QEMU was told on its command line and checks that the report says the same; a second test
// re-derives the parsed fields from the report's raw material (SMBIOS blob, cpuinfo, tool answers).
#include "base/process_runner.h"
#include "imager/inventory/cpu.h"
#include "imager/inventory/inventory.h"
#include "imager/inventory/smart.h"
#include "imager/inventory/smbios.h"
#include "test_support.h"

#ifdef ATELIER_HAVE_PROFILES
#include "profiles/machine_facts.h"
#endif

#include <map>
#include <optional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using Json = nlohmann::json;

struct ExpectedDisk {
  std::string name;
  std::string bus;
  std::string media;
  std::uint64_t size_bytes;
  std::string serial;
  std::string health; // health.status
};

struct ExpectedNic {
  std::string driver;
  std::string mac;
};

struct VmCase {
  std::string config;         // vm-<config>.json
  std::string firmware;       // "bios" or "uefi"
  std::uint64_t memory_bytes; // -m
  std::string serial;         // -smbios type=1,serial=
  std::string uuid;           // -smbios type=1,uuid=
  std::string chassis_serial; // -smbios type=3,serial=
  std::vector<ExpectedDisk> disks;
  std::vector<ExpectedNic> nics; // in the order the kernel named them (eth0, eth1, ...)
  std::string slot_manufacturer; // -smbios type=17,manufacturer= (QEMU's "QEMU" when not given)
  std::optional<std::uint32_t> slot_speed_mts;
  std::string board_serial; // -smbios type=2,serial= ("" when no type 2)
};

constexpr std::uint64_t k_gib = 1ULL << 30U;

const std::vector<VmCase>& cases() {
  static const std::vector<VmCase> k_cases{
      {"pc-ide-e1000-512m",
       "bios",
       512ULL << 20U,
       "ATL-PC-IDE-01",
       "6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b01",
       "CH-PC-IDE-01",
       {{"sda", "sata", "hdd", 2 * k_gib, "IDE-SER-0001", "ok"}},
       {{"e1000", "52:54:00:a7:e1:01"}},
       "Atelier RAM",
       1333,
       ""},
      {"q35-ahci-ssd-rtl8139-2g",
       "bios",
       2 * k_gib,
       "ATL-Q35-AHCI-02",
       "6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b02",
       "CH-Q35-AHCI-02",
       {{"sda", "sata", "ssd", 3 * k_gib, "AHCI-SSD-0002", "ok"}},
       // QEMU's rtl8139 is an RTL8139C+ (revision 0x20): 8139too declines it, 8139cp drives it.
       {{"8139cp", "52:54:00:a7:e1:01"}},
       "Atelier RAM",
       2400,
       "MB-Q35-0002"},
      {"pc-ahci-nvme-virtionet-3g",
       "bios",
       3 * k_gib,
       "ATL-PC-NVME-03",
       "6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b03",
       "CH-PC-NVME-03",
       {{"nvme0n1", "nvme", "nvme", 5 * k_gib, "NVME-ATL-0003", "ok"},
        {"sda", "sata", "hdd", 4 * k_gib, "SATA-HDD-0003", "ok"}},
       {{"virtio_net", "52:54:00:a7:e1:01"}},
       "QEMU",
       std::nullopt,
       ""},
      {"q35-ovmf-nvme-virtioblk-2g",
       "uefi",
       2 * k_gib,
       "ATL-Q35-UEFI-04",
       "6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b04",
       "CH-Q35-UEFI-04",
       {{"nvme0n1", "nvme", "nvme", 5 * k_gib, "NVME-UEFI-0004", "ok"},
        {"vda", "virtio", "hdd", 6 * k_gib, "VBLK-0004", "unknown"}},
       {{"virtio_net", "52:54:00:a7:e1:01"}},
       "Atelier RAM",
       3200,
       ""},
      {"q35-virtioscsi-3nics-3000m",
       "bios",
       3000ULL << 20U,
       "ATL-Q35-SCSI-05",
       "6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b05",
       "CH-Q35-SCSI-05",
       {{"sda", "virtio", "hdd", 7 * k_gib, "SCSI-0005", "unknown"}},
       {{"e1000", "52:54:00:a7:e1:02"},
        {"8139cp", "52:54:00:a7:e1:03"},
        {"virtio_net", "52:54:00:a7:e1:01"}},
       "QEMU",
       std::nullopt,
       ""},
      {"q35-ovmf-secboot-usb-e1000e-1g",
       "uefi",
       1 * k_gib,
       "ATL-Q35-SB-06",
       "6a1d3c52-0b7e-4c1f-9a6e-1f2e3d4c5b06",
       "CH-Q35-SB-06",
       {{"sda", "sata", "hdd", 3 * k_gib, "AHCI-HDD-0006", "ok"},
        // QEMU's usb-storage is a bridge smartctl does not know: health unknown, serial from
        // nowhere.
        {"sdb", "usb", "usb", 1 * k_gib, "", "unknown"}},
       {{"e1000e", "52:54:00:a7:e1:01"}},
       "QEMU",
       std::nullopt,
       ""},
  };
  return k_cases;
}

Json load(const VmCase& c) {
  const std::string text = test::read_fixture("vm-" + c.config + ".json");
  return Json::parse(text);
}

std::string text_at(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

class VmInventory : public ::testing::TestWithParam<VmCase> {};

TEST_P(VmInventory, IdentityAndChassisAreWhatQemuWasGiven) {
  // Why: vendor + serial identify a returning machine; the values come from -smbios type=1 and 3.
  const VmCase& c = GetParam();
  const Json j = load(c);
  EXPECT_EQ(j["schema"], "atelier.inventory/1");
  EXPECT_EQ(j["system"]["source"], "smbios");
  EXPECT_EQ(j["system"]["vendor"], "Atelier VM Lab");
  EXPECT_EQ(j["system"]["serial"], c.serial);
  EXPECT_EQ(j["system"]["uuid"], c.uuid);
  EXPECT_EQ(j["identity"]["serial"], c.serial);
  EXPECT_EQ(j["identity"]["serial_source"], "system");
  EXPECT_EQ(j["identity"]["uuid"], c.uuid);
  EXPECT_EQ(j["system"]["virtual_machine"], true);
  EXPECT_EQ(j["cpu"]["hypervisor"], true);
  // QEMU writes chassis type 1, "Other" (no -smbios option changes it): class "other", not
  // "unknown".
  EXPECT_EQ(j["system"]["chassis"], "other");
  EXPECT_EQ(j["system"]["chassis_type"], "Other");
  EXPECT_EQ(j["system"]["chassis_type_code"], 1);
  EXPECT_EQ(j["system"]["chassis_vendor"], "Atelier Chassis Co");
  EXPECT_EQ(j["system"]["chassis_serial"], c.chassis_serial);
  if (c.board_serial.empty()) {
    EXPECT_TRUE(j["system"]["board"]["serial"].is_null()); // QEMU writes no type 2 unless asked
  } else {
    EXPECT_EQ(j["system"]["board"]["serial"], c.board_serial);
    EXPECT_EQ(j["system"]["board"]["vendor"], "Atelier Boards");
  }
}

TEST_P(VmInventory, MemoryIsTheSizeOfDashMFromSmbios) {
  // Why: RAM decides the grade; the OS sees less than is installed (firmware and kernel reserve
  // some).
  const VmCase& c = GetParam();
  const Json j = load(c);
  EXPECT_EQ(j["memory"]["total_bytes"], c.memory_bytes);
  EXPECT_EQ(j["memory"]["total_source"], "smbios");
  EXPECT_LT(j["memory"]["os_visible_bytes"].get<std::uint64_t>(), c.memory_bytes);
  ASSERT_EQ(j["memory"]["slots"].size(), 1U);
  const Json& slot = j["memory"]["slots"][0];
  EXPECT_EQ(slot["size_bytes"], c.memory_bytes);
  EXPECT_EQ(slot["manufacturer"], c.slot_manufacturer);
  if (c.slot_speed_mts) {
    EXPECT_EQ(slot["speed_mts"], *c.slot_speed_mts);
  } else {
    EXPECT_TRUE(slot["speed_mts"].is_null());
  }
}

TEST_P(VmInventory, FirmwareTypeAndSecureBootState) {
  // Why: the boot scheme (BIOS/UEFI) decides how a profile's image is installed; Secure Boot is
  // read from efivarfs, which /init mounts read-only. Both OVMF builds start in Setup Mode, Secure
  // Boot off.
  const VmCase& c = GetParam();
  const Json j = load(c);
  EXPECT_EQ(j["firmware"]["type"], c.firmware);
  if (c.firmware == "uefi") {
    EXPECT_EQ(j["firmware"]["secure_boot"], false);
    EXPECT_EQ(j["firmware"]["setup_mode"], true);
    EXPECT_EQ(j["system"]["bios"]["uefi_supported"], true);
    // The efivarfs name of the SecureBoot variable (EFI_GLOBAL_VARIABLE GUID), as read in the VM.
    EXPECT_TRUE(j["raw"]["sysfs"].contains(
        "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"));
  } else {
    EXPECT_TRUE(j["firmware"]["secure_boot"].is_null());
    EXPECT_EQ(j["system"]["bios"]["vendor"], "SeaBIOS");
  }
}

TEST_P(VmInventory, DisksHaveTheirBusMediaSizeSerialAndHealth) {
  // Why: bus and media pick the install disk and the grade's disk points; each QEMU controller
  // (PIIX IDE, ICH9/add-on AHCI, NVMe, virtio-blk, virtio-scsi, USB) must land on the right bus.
  const VmCase& c = GetParam();
  const Json j = load(c);
  ASSERT_EQ(j["disks"].size(), c.disks.size());
  for (std::size_t i = 0; i < c.disks.size(); ++i) {
    const Json& d = j["disks"][i];
    const ExpectedDisk& e = c.disks[i];
    SCOPED_TRACE(e.name);
    EXPECT_EQ(d["name"], e.name);
    EXPECT_EQ(d["bus"], e.bus);
    EXPECT_EQ(d["media"], e.media);
    EXPECT_EQ(d["size_bytes"], e.size_bytes);
    EXPECT_EQ(text_at(d, "serial"), e.serial);
    EXPECT_EQ(d["health"]["status"], e.health);
    if (e.health == "unknown") {
      // Never a silent gap: the reason is in the disk's health and among the warnings.
      EXPECT_FALSE(text_at(d["health"], "reason").empty());
      bool warned = false;
      for (const auto& w : j["warnings"]) {
        warned = warned || (w["source"] == "smart" &&
                            text_at(w, "message").find(e.name) != std::string::npos);
      }
      EXPECT_TRUE(warned);
    }
  }
}

TEST_P(VmInventory, NetworkCardsHaveTheirDriverAndMac) {
  // Why: the NIC that PXE-booted is found again by MAC; the driver tells a missing module apart.
  const VmCase& c = GetParam();
  const Json j = load(c);
  ASSERT_EQ(j["network"].size(), c.nics.size());
  for (std::size_t i = 0; i < c.nics.size(); ++i) {
    EXPECT_EQ(j["network"][i]["driver"], c.nics[i].driver);
    EXPECT_EQ(j["network"][i]["mac"], c.nics[i].mac);
    EXPECT_EQ(j["network"][i]["kind"], "wired");
  }
  EXPECT_EQ(j["identity"]["first_wired_mac"], c.nics.front().mac);
}

#ifdef ATELIER_HAVE_PROFILES
TEST_P(VmInventory, ProfilesReadTheCapturedReport) {
  // Why: a real report from the boot environment must satisfy the profiles' required subset.
  const VmCase& c = GetParam();
  const auto facts =
      profiles::facts_from_inventory_json(test::read_fixture("vm-" + c.config + ".json"));
  ASSERT_TRUE(facts) << facts.error();
  EXPECT_EQ(facts->ram_bytes, c.memory_bytes);
  EXPECT_EQ(facts->chassis, profiles::Chassis::other);
  EXPECT_EQ(facts->firmware,
            c.firmware == "uefi" ? profiles::Firmware::uefi : profiles::Firmware::bios);
}
#endif

// Answers each tool run exactly as it was answered in the VM (raw.smart[]).
class ReplayRunner final : public base::ProcessRunner {
public:
  explicit ReplayRunner(const Json& runs) {
    for (const auto& r : runs) {
      m_runs[r["argv"].get<std::vector<std::string>>()] = r;
    }
  }
  std::expected<base::ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds) override {
    const auto it = m_runs.find(argv);
    if (it == m_runs.end()) {
      return std::unexpected("not run in the VM: " + argv.at(0));
    }
    const Json& r = it->second;
    if (r["error"].is_string()) {
      return std::unexpected(r["error"].get<std::string>());
    }
    return base::ProcessResult{r["exit_code"].get<int>(), r["timed_out"].get<bool>(),
                               r["stdout"].get<std::string>(), ""};
  }

private:
  std::map<std::vector<std::string>, Json> m_runs;
};

TEST_P(VmInventory, RawMaterialReparsesToTheSameFields) {
  // Why: the raw section exists so a newer agent or the server can re-derive the parsed fields;
  // this proves it holds everything needed for SMBIOS, CPU and disk health.
  const VmCase& c = GetParam();
  const Json j = load(c);
  const auto entry_bytes =
      test::base64_decode(j["raw"]["smbios"]["entry_point_base64"].get<std::string>());
  const auto table_bytes =
      test::base64_decode(j["raw"]["smbios"]["table_base64"].get<std::string>());
  const auto entry = smbios::parse_entry_point(entry_bytes);
  ASSERT_TRUE(entry) << entry.error();
  // The 64-bit entry point only where asked for (smbios-entry-point-type=64), QEMU 7.2's 2.8
  // otherwise.
  EXPECT_EQ(entry->kind, c.config == "q35-ovmf-nvme-virtioblk-2g"
                             ? smbios::EntryPoint::Kind::smbios3
                             : smbios::EntryPoint::Kind::smbios2);
  EXPECT_TRUE(entry->warnings.empty());
  const auto table = smbios::parse_table(table_bytes, &*entry);
  ASSERT_TRUE(table) << table.error();
  EXPECT_TRUE(table->warnings.empty()) << table->warnings.front();
  Inventory again;
  apply_smbios(*table, again);
  EXPECT_EQ(again.system.vendor, j["system"]["vendor"]);
  EXPECT_EQ(again.system.serial, j["system"]["serial"]);
  EXPECT_EQ(again.system.uuid.value_or(""), j["system"]["uuid"]);
  EXPECT_EQ(again.system.chassis, j["system"]["chassis"]);
  ASSERT_EQ(again.memory.slots.size(), j["memory"]["slots"].size());
  EXPECT_EQ(again.memory.slots[0].size_bytes.value_or(0), j["memory"]["slots"][0]["size_bytes"]);

  const CpuInfo cpu = parse_cpuinfo(j["raw"]["cpuinfo"].get<std::string>());
  EXPECT_EQ(cpu.threads, j["cpu"]["threads"]);
  EXPECT_EQ(cpu.x86_64_level, j["cpu"]["x86_64_level"]);
  EXPECT_EQ(cpu.model_name, j["cpu"]["model"]);

  ReplayRunner runner(j["raw"]["smart"]);
  for (const auto& d : j["disks"]) {
    SCOPED_TRACE(d["name"].get<std::string>());
    const HealthProbe probe =
        probe_health(runner, d["name"].get<std::string>(), d["bus"] == "nvme");
    EXPECT_EQ(to_string(probe.health.status), d["health"]["status"]);
    EXPECT_EQ(probe.health.reason, text_at(d["health"], "reason"));
    EXPECT_EQ(probe.health.power_on_hours.has_value(), !d["health"]["power_on_hours"].is_null());
  }
}

INSTANTIATE_TEST_SUITE_P(Qemu, VmInventory, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<VmCase>& param_info) {
                           std::string name;
                           for (const char ch : param_info.param.config) {
                             name += (ch == '-') ? '_' : ch;
                           }
                           return name;
                         });

TEST(VmInventorySmart, RealToolAnswersFromTheVms) {
  // Why: these are smartctl 7.3's own words for QEMU's IDE disk, NVMe controller, virtio-blk and an
  // unknown USB bridge, not hand-written JSON.
  const Json ide = Json::parse(test::read_fixture("vm-pc-ide-e1000-512m.json"));
  const DiskHealth ata = parse_smartctl_json(ide["raw"]["smart"][0]["stdout"].get<std::string>());
  EXPECT_EQ(ata.status, HealthStatus::ok);
  EXPECT_EQ(ata.reallocated_sectors, 0U);
  EXPECT_EQ(ata.temperature_c, 31);
  EXPECT_EQ(ata.model, "Atelier IDE Disk");
  const Json sb = Json::parse(test::read_fixture("vm-q35-ovmf-secboot-usb-e1000e-1g.json"));
  for (const auto& run : sb["raw"]["smart"]) {
    if (run["disk"] == "sdb") {
      const DiskHealth usb = parse_smartctl_json(run["stdout"].get<std::string>());
      EXPECT_EQ(usb.status, HealthStatus::unknown);
      EXPECT_NE(usb.reason.find("Unknown USB bridge"), std::string::npos) << usb.reason;
    }
  }
}

} // namespace
} // namespace atelier::imager
