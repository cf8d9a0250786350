#include "imager/inventory/platform.h"

#include "imager/sys/file_system.h"

#include <utility>

namespace atelier::imager {
namespace {

// EFI_GLOBAL_VARIABLE {0x8BE4DF61, 0x93CA, 0x11D2, {0xAA, 0x0D, 0x00, 0xE0, 0x98, 0x03, 0x2B,
// 0x8C}} (UEFI 2.x, 3.3 "Globally Defined Variables"), as efivarfs names it. Checked against the
// listing of a real OVMF boot (tests/data/imager/vm-q35-ovmf-secboot-*.json).
constexpr std::string_view k_efi_global_guid = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

std::string text(FileSystem& fs, const std::string& path) {
  return read_trimmed(fs, path).value_or("");
}

} // namespace

std::vector<NetworkInterface> collect_network(FileSystem& fs) {
  std::vector<NetworkInterface> out;
  for (const auto& name : fs.list_dir("sys/class/net")) {
    const std::string base = "sys/class/net/" + name;
    if (name == "lo" || !fs.exists(base + "/device")) {
      continue;
    }
    NetworkInterface nic;
    nic.name = name;
    nic.kind =
        fs.exists(base + "/wireless") || fs.exists(base + "/phy80211") ? "wireless" : "wired";
    nic.mac = text(fs, base + "/address");
    nic.driver = link_basename(fs, base + "/device/driver").value_or("");
    // `speed` fails with EINVAL or says -1 when the link is down.
    if (auto speed = read_signed(fs, base + "/speed"); speed && *speed > 0) {
      nic.speed_mbps = speed;
    }
    nic.operstate = text(fs, base + "/operstate");
    const std::string device = fs.resolve(base + "/device").value_or("");
    if (device.find("/usb") != std::string::npos) {
      nic.bus = "usb";
    } else if (device.find("/virtio") != std::string::npos) {
      nic.bus = "virtio";
    } else if (device.find("/pci") != std::string::npos) {
      nic.bus = "pci";
    } else {
      nic.bus = "other";
    }
    // The PCI address is the last path component of form DDDD:BB:DD.F before the interface.
    std::string_view rest = device;
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      const std::string_view part = rest.substr(0, slash);
      if (part.size() == 12 && part[4] == ':' && part[7] == ':' && part[10] == '.') {
        nic.pci_address = std::string(part);
      }
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    out.push_back(std::move(nic));
  }
  return out;
}

std::vector<PciDevice> collect_pci(FileSystem& fs) {
  std::vector<PciDevice> out;
  for (const auto& address : fs.list_dir("sys/bus/pci/devices")) {
    const std::string base = "sys/bus/pci/devices/" + address;
    PciDevice dev;
    dev.address = address;
    auto u16 = [&](const char* file) {
      return static_cast<std::uint16_t>(read_number(fs, base + "/" + file).value_or(0) & 0xFFFFU);
    };
    dev.class_code =
        static_cast<std::uint32_t>(read_number(fs, base + "/class").value_or(0) & 0xFFFFFFU);
    dev.vendor_id = u16("vendor");
    dev.device_id = u16("device");
    dev.subsystem_vendor_id = u16("subsystem_vendor");
    dev.subsystem_device_id = u16("subsystem_device");
    dev.driver = link_basename(fs, base + "/driver").value_or("");
    out.push_back(std::move(dev));
  }
  return out;
}

std::vector<BatteryInfo> collect_batteries(FileSystem& fs) {
  std::vector<BatteryInfo> out;
  for (const auto& name : fs.list_dir("sys/class/power_supply")) {
    const std::string base = "sys/class/power_supply/" + name;
    if (text(fs, base + "/type") != "Battery" || text(fs, base + "/scope") == "Device") {
      continue;
    }
    BatteryInfo bat;
    bat.name = name;
    bat.manufacturer = text(fs, base + "/manufacturer");
    bat.model = text(fs, base + "/model_name");
    bat.serial = text(fs, base + "/serial_number");
    bat.technology = text(fs, base + "/technology");
    bat.status = text(fs, base + "/status");
    // Smart batteries report energy (µWh); others only charge (µAh). Never mix the two.
    for (const auto& [prefix, unit] : {std::pair{"energy", "uWh"}, std::pair{"charge", "uAh"}}) {
      auto design = read_number(fs, base + "/" + prefix + "_full_design");
      auto full = read_number(fs, base + "/" + prefix + "_full");
      if (design || full) {
        bat.unit = unit;
        bat.design_capacity = design;
        bat.full_capacity = full;
        break;
      }
    }
    if (auto cycles = read_number(fs, base + "/cycle_count"); cycles && *cycles > 0) {
      bat.cycle_count = cycles;
    }
    if (bat.design_capacity && bat.full_capacity && *bat.design_capacity > 0) {
      bat.health_percent = static_cast<double>(*bat.full_capacity) * 100.0 /
                           static_cast<double>(*bat.design_capacity);
    }
    out.push_back(std::move(bat));
  }
  return out;
}

std::optional<bool> parse_efivar_bool(std::string_view content) {
  if (content.size() < 5) {
    return std::nullopt;
  }
  return content.back() == 1;
}

FirmwareInfo collect_firmware(FileSystem& fs) {
  FirmwareInfo fw;
  // Linux creates /sys/firmware/efi only when it was booted through UEFI.
  fw.type = fs.exists("sys/firmware/efi") ? "uefi" : "bios";
  if (fw.type == "uefi") {
    auto var = [&](std::string_view name) -> std::optional<bool> {
      const auto content = fs.read_file("sys/firmware/efi/efivars/" + std::string(name) + "-" +
                                            std::string(k_efi_global_guid),
                                        64);
      return content ? parse_efivar_bool(*content) : std::nullopt;
    };
    fw.secure_boot = var("SecureBoot");
    fw.setup_mode = var("SetupMode");
    // efivarfs lists every variable; a listable store without SecureBoot means the firmware has no
    // Secure Boot (an empty or missing directory means efivarfs is not mounted: unknown).
    if (!fw.secure_boot && !fs.list_dir("sys/firmware/efi/efivars").empty() &&
        !fs.exists("sys/firmware/efi/efivars/SecureBoot-" + std::string(k_efi_global_guid))) {
      fw.secure_boot = false;
      fw.secure_boot_variable_missing = true;
    }
  }
  for (const auto& name : fs.list_dir("sys/class/tpm")) {
    if (!name.starts_with("tpm")) {
      continue;
    }
    fw.tpm_present = true;
    const std::string base = "sys/class/tpm/" + name;
    if (auto major = read_number(fs, base + "/tpm_version_major"); major && *major <= 9) {
      fw.tpm_version_major = static_cast<int>(*major);
    } else if (fs.exists(base + "/caps") || fs.exists(base + "/device/caps")) {
      fw.tpm_version_major = 1; // only TPM 1.2 drivers publish `caps` (kernels before 5.6)
    }
    break;
  }
  return fw;
}

std::vector<Webcam> collect_webcams(FileSystem& fs) {
  std::vector<Webcam> out;
  for (const auto& name : fs.list_dir("sys/class/video4linux")) {
    const std::string base = "sys/class/video4linux/" + name;
    // A webcam usually exposes two nodes (capture + metadata); keep index 0 of each device.
    if (read_number(fs, base + "/index").value_or(0) != 0) {
      continue;
    }
    out.push_back(Webcam{text(fs, base + "/name"), name});
  }
  return out;
}

DmiId collect_dmi_id(FileSystem& fs) {
  DmiId id;
  const std::string base = "sys/class/dmi/id/";
  id.any = fs.exists("sys/class/dmi/id");
  if (!id.any) {
    return id;
  }
  const std::pair<std::string*, const char*> fields[] = {
      {&id.sys_vendor, "sys_vendor"},           {&id.product_name, "product_name"},
      {&id.product_version, "product_version"}, {&id.product_serial, "product_serial"},
      {&id.product_uuid, "product_uuid"},       {&id.product_sku, "product_sku"},
      {&id.product_family, "product_family"},   {&id.board_vendor, "board_vendor"},
      {&id.board_name, "board_name"},           {&id.board_version, "board_version"},
      {&id.board_serial, "board_serial"},       {&id.chassis_vendor, "chassis_vendor"},
      {&id.chassis_serial, "chassis_serial"},   {&id.bios_vendor, "bios_vendor"},
      {&id.bios_version, "bios_version"},       {&id.bios_date, "bios_date"}};
  for (const auto& [field, file] : fields) {
    *field = text(fs, base + file);
  }
  if (auto type = read_number(fs, base + "chassis_type"); type && *type < 0x80) {
    id.chassis_type = static_cast<std::uint8_t>(*type);
  }
  return id;
}

std::optional<std::uint64_t> parse_meminfo_total(std::string_view meminfo) {
  const auto at = meminfo.find("MemTotal:");
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view line = meminfo.substr(at + 9);
  line = line.substr(0, line.find('\n'));
  line = trim(line);
  if (!line.ends_with("kB")) {
    return std::nullopt;
  }
  const auto kb = parse_unsigned(line.substr(0, line.size() - 2));
  return kb ? std::optional<std::uint64_t>(*kb * 1024U) : std::nullopt;
}

std::optional<std::uint64_t> read_meminfo_total(FileSystem& fs) {
  const auto content = fs.read_file("proc/meminfo", 65536);
  return content ? parse_meminfo_total(*content) : std::nullopt;
}

std::optional<std::uint64_t> read_memory_blocks_total(FileSystem& fs) {
  constexpr std::string_view k_dir = "sys/devices/system/memory";
  const auto size_text = read_trimmed(fs, std::string(k_dir) + "/block_size_bytes");
  if (!size_text) {
    return std::nullopt;
  }
  // The kernel prints the block size in hexadecimal without a prefix ("8000000" = 128 MiB).
  const auto block_size = parse_unsigned("0x" + *size_text);
  if (!block_size || *block_size == 0) {
    return std::nullopt;
  }
  std::uint64_t online = 0;
  for (const auto& name : fs.list_dir(k_dir)) {
    if (name.starts_with("memory") && name.size() > 6 &&
        read_trimmed(fs, std::string(k_dir) + "/" + name + "/state").value_or("") == "online") {
      ++online;
    }
  }
  return online > 0 ? std::optional<std::uint64_t>(online * *block_size) : std::nullopt;
}

std::string_view pci_class_name(std::uint32_t class_code) {
  const std::uint32_t base = class_code >> 16U;
  const std::uint32_t sub = (class_code >> 8U) & 0xFFU;
  switch (base) {
  case 0x01:
    return sub == 0x06   ? "SATA controller"
           : sub == 0x08 ? "Non-volatile memory controller"
                         : "Mass storage controller";
  case 0x02:
    return sub == 0x80   ? "Network controller"
           : sub == 0x00 ? "Ethernet controller"
                         : "Network controller";
  case 0x03:
    return sub == 0x00   ? "VGA compatible controller"
           : sub == 0x02 ? "3D controller"
                         : "Display controller";
  case 0x04:
    return sub == 0x03 ? "Audio device" : "Multimedia controller";
  case 0x05:
    return "Memory controller";
  case 0x06:
    return sub == 0x00   ? "Host bridge"
           : sub == 0x01 ? "ISA bridge"
           : sub == 0x04 ? "PCI bridge"
                         : "Bridge";
  case 0x07:
    return "Communication controller";
  case 0x08:
    return "System peripheral";
  case 0x09:
    return "Input device controller";
  case 0x0C:
    return sub == 0x03 ? "USB controller" : sub == 0x05 ? "SMBus" : "Serial bus controller";
  case 0x0D:
    return "Wireless controller";
  case 0x10:
    return "Encryption controller";
  case 0x11:
    return "Signal processing controller";
  case 0xFF:
    return "Unassigned class";
  default:
    return "Other";
  }
}

std::string_view pci_vendor_name(std::uint16_t vendor_id) {
  switch (vendor_id) {
  case 0x8086:
    return "Intel";
  case 0x1022:
    return "AMD";
  case 0x1002:
    return "AMD/ATI";
  case 0x10DE:
    return "NVIDIA";
  case 0x10EC:
    return "Realtek";
  case 0x14E4:
    return "Broadcom";
  case 0x168C:
    return "Qualcomm Atheros";
  case 0x17CB:
    return "Qualcomm";
  case 0x1969:
    return "Qualcomm Atheros";
  case 0x144D:
    return "Samsung";
  case 0x15B7:
    return "SanDisk/WD";
  case 0x1C5C:
    return "SK hynix";
  case 0x1179:
    return "Toshiba";
  case 0x1B4B:
    return "Marvell";
  case 0x1AF4:
    return "Red Hat (virtio)";
  case 0x1234:
    return "QEMU";
  case 0x15AD:
    return "VMware";
  case 0x80EE:
    return "VirtualBox";
  case 0x1106:
    return "VIA";
  case 0x1039:
    return "SiS";
  case 0x102B:
    return "Matrox";
  case 0x1180:
    return "Ricoh";
  default:
    return "";
  }
}

} // namespace atelier::imager
