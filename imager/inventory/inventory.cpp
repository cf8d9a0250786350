#include "imager/inventory/inventory.h"

#include "base/process_runner.h"
#include "imager/inventory/placeholder.h"
#include "imager/sys/file_system.h"

#include <array>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

constexpr std::string_view k_entry_point_path = "sys/firmware/dmi/tables/smbios_entry_point";
constexpr std::string_view k_table_path = "sys/firmware/dmi/tables/DMI";
constexpr std::size_t k_max_table_bytes =
    1U << 20; // 3.x tables may be up to 4 GiB in theory; 1 MiB in practice

// UUIDs shipped on many boards at once (AMI's default); useless to tell machines apart.
constexpr std::array<std::string_view, 2> k_placeholder_uuids{
    "03000200-0400-0500-0006-000700080009", "00020003-0004-0005-0006-000700080009"};

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void warn(Inventory& inv, std::string source, std::string message) {
  inv.warnings.push_back(Warning{std::move(source), std::move(message)});
}

void read_smbios(FileSystem& fs, Inventory& inv) {
  auto entry_bytes = fs.read_file(k_entry_point_path, 64);
  auto table_bytes = fs.read_file(k_table_path, k_max_table_bytes);
  if (!entry_bytes || !table_bytes) {
    warn(inv, "smbios",
         "no readable SMBIOS tables in /sys/firmware/dmi/tables (not root, or the firmware "
         "publishes none); falling back to /sys/class/dmi/id");
    return;
  }
  inv.raw.smbios_entry_point = *entry_bytes;
  inv.raw.smbios_table = *table_bytes;
  auto entry = smbios::parse_entry_point(as_bytes(*entry_bytes));
  if (!entry) {
    warn(inv, "smbios", "entry point: " + entry.error() + "; table read as SMBIOS 3.0");
  } else {
    for (const auto& w : entry->warnings) {
      warn(inv, "smbios", w);
    }
  }
  auto table = smbios::parse_table(as_bytes(*table_bytes), entry ? &*entry : nullptr);
  if (!table) {
    warn(inv, "smbios", table.error());
    return;
  }
  for (const auto& w : table->warnings) {
    warn(inv, "smbios", w);
  }
  apply_smbios(*table, inv);
}

void compute_memory_total(Inventory& inv) {
  std::uint64_t installed = 0;
  bool any_known = false;
  for (const auto& slot : inv.memory.slots) {
    if (slot.size_bytes) {
      installed += *slot.size_bytes;
      any_known = true;
    }
  }
  const auto visible = inv.memory.os_visible_bytes;
  // Memory blocks count only when they are at least what the OS sees (they always are when sane).
  const std::uint64_t blocks = inv.memory.blocks_bytes.value_or(0);
  const bool use_blocks = visible && blocks >= *visible;
  if (any_known && installed > 0 && (!visible || installed >= *visible)) {
    inv.memory.total_bytes = installed;
    inv.memory.total_source = "smbios";
  } else if (visible) {
    if (any_known && installed > 0) {
      warn(inv, "memory",
           fmt::format("SMBIOS memory devices add up to {} bytes, less than the {} the OS sees; "
                       "reporting the {}",
                       installed, *visible, use_blocks ? "kernel's memory blocks" : "OS figure"));
    }
    inv.memory.total_bytes = use_blocks ? blocks : *visible;
    inv.memory.total_source = use_blocks ? "memory-blocks" : "meminfo";
  } else {
    inv.memory.total_source = "none";
    warn(inv, "memory", "neither SMBIOS memory devices nor /proc/meminfo give the memory size");
  }
}

} // namespace

void apply_smbios(const smbios::Table& t, Inventory& inv) {
  SystemInfo& s = inv.system;
  s.source = "smbios";
  if (t.system) {
    s.vendor = t.system->manufacturer;
    s.model = t.system->product_name;
    s.version = t.system->version;
    s.serial = t.system->serial_number;
    s.uuid = t.system->uuid;
    s.sku = t.system->sku_number;
    s.family = t.system->family;
  }
  if (t.baseboard) {
    s.board = BoardInfo{t.baseboard->manufacturer, t.baseboard->product, t.baseboard->version,
                        t.baseboard->serial_number, t.baseboard->asset_tag};
  }
  if (t.chassis) {
    s.chassis_type_code = t.chassis->type_code;
    s.chassis_type = std::string(smbios::chassis_type_name(t.chassis->type_code));
    s.chassis = std::string(smbios::chassis_class(t.chassis->type_code));
    s.chassis_vendor = t.chassis->manufacturer;
    s.chassis_serial = t.chassis->serial_number;
    s.chassis_asset_tag = t.chassis->asset_tag;
  }
  if (t.bios) {
    s.bios = BiosInfo{t.bios->vendor, t.bios->version, t.bios->release_date, t.bios->rom_size_bytes,
                      t.bios->uefi_supported};
    if (t.bios->virtual_machine == true) {
      s.virtual_machine = true;
    }
  }
  inv.smbios_processors = t.processors;
  inv.memory.slots = t.memory_devices;
  inv.smbios_batteries = t.batteries;
}

void apply_dmi_id(const DmiId& id, Inventory& inv) {
  SystemInfo& s = inv.system;
  s.source = "dmi-id";
  s.vendor = id.sys_vendor;
  s.model = id.product_name;
  s.version = id.product_version;
  s.serial = id.product_serial;
  s.uuid = id.product_uuid.empty() ? std::nullopt : std::optional<std::string>(id.product_uuid);
  s.sku = id.product_sku;
  s.family = id.product_family;
  s.board = BoardInfo{id.board_vendor, id.board_name, id.board_version, id.board_serial, ""};
  s.bios = BiosInfo{id.bios_vendor, id.bios_version, id.bios_date, std::nullopt, std::nullopt};
  s.chassis_vendor = id.chassis_vendor;
  s.chassis_serial = id.chassis_serial;
  if (id.chassis_type) {
    s.chassis_type_code = id.chassis_type;
    s.chassis_type = std::string(smbios::chassis_type_name(*id.chassis_type));
    s.chassis = std::string(smbios::chassis_class(*id.chassis_type));
  }
}

Identity derive_identity(const SystemInfo& s, const std::vector<NetworkInterface>& network) {
  Identity id;
  const std::array<std::pair<std::string_view, const std::string*>, 3> serials{
      {{"system", &s.serial}, {"board", &s.board.serial}, {"chassis", &s.chassis_serial}}};
  for (const auto& [source, value] : serials) {
    if (is_placeholder(*value)) {
      if (!value->empty()) {
        id.placeholders.push_back(fmt::format("{}.serial", source));
      }
      continue;
    }
    if (!id.serial) {
      id.serial = *value;
      id.serial_source = std::string(source);
    }
  }
  for (const auto& [field, value] :
       {std::pair{"system.vendor", &s.vendor}, std::pair{"system.model", &s.model}}) {
    if (!value->empty() && is_placeholder(*value)) {
      id.placeholders.push_back(field);
    }
  }
  if (s.uuid) {
    bool filler = false;
    for (const auto known : k_placeholder_uuids) {
      filler = filler || *s.uuid == known;
    }
    if (filler) {
      id.placeholders.push_back("system.uuid");
    } else {
      id.uuid = s.uuid;
    }
  }
  for (const auto& nic : network) {
    if (nic.kind == "wired" && !nic.mac.empty()) {
      id.first_wired_mac = nic.mac;
      break;
    }
  }
  return id;
}

Inventory collect_inventory(FileSystem& real_fs, base::ProcessRunner& runner,
                            const CollectOptions& options) {
  Inventory inv;
  RecordingFileSystem fs(real_fs);

  read_smbios(fs, inv);
  if (inv.system.source.empty()) {
    const DmiId dmi = collect_dmi_id(fs);
    if (dmi.any) {
      apply_dmi_id(dmi, inv);
    } else {
      inv.system.source = "none";
      warn(inv, "system",
           "no SMBIOS tables and no /sys/class/dmi/id: vendor, model and serial are unknown");
    }
  }

  if (auto cpuinfo = fs.read_file("proc/cpuinfo", 4U << 20)) {
    inv.raw.cpuinfo = *cpuinfo;
    inv.cpu = parse_cpuinfo(*cpuinfo);
    read_cpufreq(fs, inv.cpu);
    if (inv.cpu.x86_64_level == 0) {
      warn(inv, "cpu", "the CPU flags do not include the x86-64 baseline; x86_64_level is 0");
    }
  } else {
    warn(inv, "cpu", "/proc/cpuinfo is not readable");
  }
  if (inv.cpu.hypervisor && !inv.system.virtual_machine) {
    inv.system.virtual_machine = true;
  }
  if (inv.cpu.threads == 0 && !inv.smbios_processors.empty()) {
    // Fall back on the firmware's counts.
    for (const auto& p : inv.smbios_processors) {
      inv.cpu.threads += p.thread_count.value_or(0);
      inv.cpu.cores += p.core_count.value_or(0);
    }
    if (inv.cpu.model_name.empty()) {
      inv.cpu.model_name = inv.smbios_processors.front().version;
    }
  }

  inv.memory.os_visible_bytes = read_meminfo_total(fs);
  inv.memory.blocks_bytes = read_memory_blocks_total(fs);
  compute_memory_total(inv);

  std::vector<std::string> disk_warnings;
  inv.disks = collect_disks(fs, DiskOptions{options.include_optical}, disk_warnings);
  inv.optical = collect_optical(fs, disk_warnings);
  for (auto& w : disk_warnings) {
    warn(inv, "disks", std::move(w));
  }
  for (auto& disk : inv.disks) {
    if (!options.run_smart) {
      DiskHealth skipped;
      skipped.reason = "SMART not queried (reading another root, or --no-smart)";
      disk.health = skipped;
      continue;
    }
    if (disk.optical) {
      continue;
    }
    HealthProbe probe = probe_health(runner, disk.name, disk.bus == "nvme");
    for (auto& run : probe.runs) {
      inv.raw.smart.push_back(RawMaterial::SmartRun{disk.name, std::move(run)});
    }
    if (probe.health.status == HealthStatus::unknown) {
      warn(inv, "smart",
           fmt::format("disk {}: health unknown: {}", disk.name, probe.health.reason));
    }
    // A USB bridge can hide the model/serial from sysfs but pass them to smartctl.
    if (disk.model.empty()) {
      disk.model = probe.health.model;
    }
    if (disk.serial.empty()) {
      disk.serial = probe.health.serial;
    }
    disk.health = std::move(probe.health);
  }
  if (inv.disks.empty()) {
    warn(inv, "disks", "no disk found under /sys/block");
  }

  inv.network = collect_network(fs);
  inv.pci = collect_pci(fs);
  inv.batteries = collect_batteries(fs);
  inv.firmware = collect_firmware(fs);
  inv.webcams = collect_webcams(fs);
  if (inv.firmware.secure_boot_variable_missing) {
    warn(inv, "firmware",
         "UEFI variables hold no SecureBoot variable: this firmware does not support Secure "
         "Boot; reported as off");
  } else if (inv.firmware.type == "uefi" && !inv.firmware.secure_boot) {
    warn(inv, "firmware", "UEFI without a readable SecureBoot variable: Secure Boot state unknown");
  }
  inv.identity = derive_identity(inv.system, inv.network);
  if (!inv.identity.serial) {
    warn(inv, "identity",
         inv.identity.first_wired_mac
             ? "no usable serial number; the first wired MAC address identifies this machine"
             : "no usable serial number and no wired network interface");
  }
  inv.raw.sysfs = fs.recorded();
  return inv;
}

} // namespace atelier::imager
