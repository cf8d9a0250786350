// The rest of the machine from sysfs: network interfaces, PCI devices, batteries, firmware
// (UEFI/BIOS, Secure Boot, TPM), webcams, the DMI fallback and /proc/meminfo.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

class FileSystem;

struct NetworkInterface {
  std::string name;
  std::string kind; // "wired" or "wireless"
  std::string mac;
  std::string driver;
  std::optional<std::int64_t>
      speed_mbps;          // nullopt when the link is down or the driver does not say
  std::string operstate;   // "up", "down", ...
  std::string bus;         // "pci", "usb", "virtio", ...
  std::string pci_address; // "0000:00:19.0" when on PCI
};

struct PciDevice {
  std::string address;          // "0000:00:02.0"
  std::uint32_t class_code = 0; // 0xCCSSPP
  std::uint16_t vendor_id = 0;
  std::uint16_t device_id = 0;
  std::uint16_t subsystem_vendor_id = 0;
  std::uint16_t subsystem_device_id = 0;
  std::string driver;
  bool is_gpu() const { return (class_code >> 16U) == 0x03U; }
};

struct BatteryInfo {
  std::string name; // "BAT0"
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::string technology;
  std::string status;                           // "Charging", "Discharging", "Full"...
  std::string unit;                             // "uWh" (energy_*) or "uAh" (charge_*)
  std::optional<std::uint64_t> design_capacity; // in `unit`
  std::optional<std::uint64_t> full_capacity;   // in `unit`
  std::optional<std::uint64_t>
      cycle_count;                      // nullopt when 0 (many firmwares report 0 for "unknown")
  std::optional<double> health_percent; // full / design * 100
};

struct FirmwareInfo {
  std::string type; // "uefi" or "bios" (no /sys/firmware/efi)
  // nullopt when not UEFI or efivarfs is unreadable. false also when the variable store is readable
  // but holds no SecureBoot variable: UEFI 2.3.1 firmware without Secure Boot support (as Linux's
  // efi_get_secureboot reads it); `secure_boot_variable_missing` then says so.
  std::optional<bool> secure_boot;
  bool secure_boot_variable_missing = false;
  std::optional<bool> setup_mode;
  bool tpm_present = false;
  std::optional<int> tpm_version_major; // 1 or 2
};

struct Webcam {
  std::string name;   // video4linux `name`
  std::string device; // "video0"
};

// The /sys/class/dmi/id values, used when the SMBIOS tables cannot be read.
struct DmiId {
  std::string sys_vendor, product_name, product_version, product_serial, product_uuid, product_sku,
      product_family, board_vendor, board_name, board_version, board_serial, chassis_vendor,
      chassis_serial, bios_vendor, bios_version, bios_date;
  std::optional<std::uint8_t> chassis_type;
  bool any = false; // false when the directory is missing
};

// Physical interfaces only: skips lo and everything without a `device` link (bridges, tunnels,
// veth).
std::vector<NetworkInterface> collect_network(FileSystem& fs);
std::vector<PciDevice> collect_pci(FileSystem& fs);
// Power supplies of type Battery, except those of scope Device (mice, keyboards, phones).
std::vector<BatteryInfo> collect_batteries(FileSystem& fs);
FirmwareInfo collect_firmware(FileSystem& fs);
std::vector<Webcam> collect_webcams(FileSystem& fs);
DmiId collect_dmi_id(FileSystem& fs);
// MemTotal of /proc/meminfo in bytes (what the OS sees, a little less than installed).
std::optional<std::uint64_t> read_meminfo_total(FileSystem& fs);
// The RAM the kernel manages in memory blocks (/sys/devices/system/memory: online `memoryN` blocks
// x `block_size_bytes`, hexadecimal): what lshw reports as "System memory". Closer to what is
// installed than MemTotal, which leaves out what firmware and kernel reserve (3-5 %, enough to drop
// a 4 GB machine under a "4GiB" step); rounded to the block size (128 MiB on most PCs). nullopt
// when the directory is absent (CONFIG_MEMORY_HOTPLUG off) or holds no online block.
std::optional<std::uint64_t> read_memory_blocks_total(FileSystem& fs);

// Pure helpers.
std::optional<std::uint64_t> parse_meminfo_total(std::string_view meminfo);
// The value byte of an efivarfs file (4 attribute bytes, then the data): SecureBoot, SetupMode.
std::optional<bool> parse_efivar_bool(std::string_view content);
std::string_view
pci_class_name(std::uint32_t class_code); // "VGA compatible controller", "Ethernet controller"
std::string_view pci_vendor_name(std::uint16_t vendor_id); // common vendors only; "" otherwise

} // namespace atelier::imager
