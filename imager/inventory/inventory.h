// The whole inventory of one machine, and the collector that fills it read-only from a
// FileSystem (sysfs, procfs, SMBIOS tables) and a ProcessRunner (smartctl, nvme-cli).
#pragma once

#include "imager/disk/disks.h"
#include "imager/inventory/cpu.h"
#include "imager/inventory/platform.h"
#include "imager/inventory/smart.h"
#include "imager/inventory/smbios.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace atelier::base {
class ProcessRunner;
} // namespace atelier::base

namespace atelier::imager {

class FileSystem;

struct Warning {
  std::string source; // "smbios", "disks", "smart", "cpu", ...
  std::string message;
};

struct BoardInfo {
  std::string vendor, model, version, serial, asset_tag;
};

struct BiosInfo {
  std::string vendor, version, date;
  std::optional<std::uint64_t> rom_size_bytes;
  std::optional<bool> uefi_supported;
};

struct SystemInfo {
  std::string source; // "smbios", "dmi-id" (sysfs fallback) or "none"
  std::string vendor, model, version, serial, sku, family;
  std::optional<std::string> uuid;
  std::string chassis = "unknown"; // profiles::Chassis name or "unknown"
  std::string chassis_type;        // SMBIOS name, "Notebook"
  std::optional<std::uint8_t> chassis_type_code;
  std::string chassis_vendor, chassis_serial, chassis_asset_tag;
  BoardInfo board;
  BiosInfo bios;
  std::optional<bool> virtual_machine; // SMBIOS BIOS characteristics or the CPU hypervisor flag
};

// How the machine is told apart from others (docs/INVENTORY.md, "identity").
struct Identity {
  std::optional<std::string> serial; // the first serial that is not a placeholder
  std::string serial_source;         // "system", "board", "chassis" or "" when none
  std::optional<std::string> uuid;   // the SMBIOS UUID unless it is a known placeholder
  std::optional<std::string> first_wired_mac;
  std::vector<std::string> placeholders; // fields whose value was recognised as filler
};

struct MemoryInfo {
  std::uint64_t total_bytes =
      0;                    // installed (SMBIOS), else the kernel's memory blocks, else MemTotal
  std::string total_source; // "smbios", "memory-blocks", "meminfo" or "none"
  std::optional<std::uint64_t> os_visible_bytes;
  std::optional<std::uint64_t> blocks_bytes; // online memory blocks (read_memory_blocks_total)
  std::vector<smbios::MemoryDevice> slots;
};

struct RawMaterial {
  std::string smbios_entry_point; // bytes as read
  std::string smbios_table;
  std::string cpuinfo;
  std::map<std::string, std::string> sysfs; // path relative to the root -> content as read
  struct SmartRun {
    std::string disk;
    HealthProbe::Run run;
  };
  std::vector<SmartRun> smart;
};

struct Inventory {
  std::string collected_at; // ISO 8601 UTC, set by the caller (no clock in here)
  Identity identity;
  SystemInfo system;
  CpuInfo cpu;
  std::vector<smbios::Processor> smbios_processors;
  MemoryInfo memory;
  std::vector<Disk> disks;
  std::vector<Disk> optical;
  std::vector<NetworkInterface> network;
  std::vector<PciDevice> pci;
  std::vector<BatteryInfo> batteries;
  std::vector<smbios::Battery> smbios_batteries;
  FirmwareInfo firmware;
  std::vector<Webcam> webcams;
  RawMaterial raw;
  std::vector<Warning> warnings;
};

struct CollectOptions {
  bool include_optical = false; // also list sr* drives among the disks
  bool run_smart = true;        // run smartctl/nvme-cli (off when reading another root)
};

// Reads everything it can; never fails as a whole. What could not be read becomes a Warning.
// Only reads: no device is opened for writing, the tools run are smartctl -a and nvme smart-log.
Inventory collect_inventory(FileSystem& fs, base::ProcessRunner& runner,
                            const CollectOptions& options);

// Fills system, identity and memory slots from a parsed SMBIOS table (pure; used by
// collect_inventory).
void apply_smbios(const smbios::Table& table, Inventory& inventory);
// Fills system from /sys/class/dmi/id values (the fallback).
void apply_dmi_id(const DmiId& id, Inventory& inventory);
// Derives identity from system and network (pure).
Identity derive_identity(const SystemInfo& system, const std::vector<NetworkInterface>& network);

} // namespace atelier::imager
