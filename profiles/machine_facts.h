// What matching and grading need to know about one machine, and how to get it from an inventory
// document (the agent's report). A deliberately small subset of the inventory: see
// docs/PROFILES.md, "Inventory subset".
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::profiles {

enum class DiskMedia { hdd, ssd, nvme, usb };
enum class Firmware { unknown, bios, uefi };
// A UEFI machine's Secure Boot, from the inventory's firmware.secure_boot and setup_mode: setup
// mode (no Platform Key: the keys were cleared) wins over the variable's value.
enum class SecureBoot { on, off, setup_mode };
// Same names as the hardware database's chassis ("all-in-one" etc.); unknown is std::nullopt.
enum class Chassis { desktop, laptop, all_in_one, mini, server, tablet, other };

std::string_view to_string(DiskMedia);
std::string_view to_string(Firmware);
std::string_view to_string(SecureBoot); // "on", "off", "setup mode"
std::string_view to_string(Chassis);

// One disk as the inventory lists it (the agent's word, checked against what it later reports).
struct DiskFact {
  std::string name;   // kernel name, e.g. "sda"; may be empty in hand-written inventories
  std::string model;  // "" when unknown
  std::string serial; // "" when unknown
  std::uint64_t size_bytes = 0;
  DiskMedia media = DiskMedia::hdd;
  std::string bus;        // "sata", "nvme", "usb", "virtio", ... ("" when unknown)
  bool removable = false; // the kernel's removable flag

  // A USB disk or a disk the kernel calls removable: it can leave the machine by hand, so the
  // profile's `removable` rule decides whether it is erased.
  bool is_removable() const { return removable || media == DiskMedia::usb || bus == "usb"; }
  // "sda (SAMSUNG MZ7LN256HMJP, serial S2XX)" for messages.
  std::string describe() const;
};

struct MachineFacts {
  std::uint64_t ram_bytes = 0;
  // The largest disk that is not on USB (a USB stick is never the disk a profile installs to);
  // 0 when the machine has none.
  std::uint64_t largest_disk_bytes = 0;
  std::optional<DiskMedia> main_disk_media; // media of that disk
  int x86_64_level = 0;                     // 1-4 (psABI microarchitecture level); 0 unknown
  Firmware firmware = Firmware::unknown;
  // nullopt: not UEFI, or the agent could not read the variables (its word, like every fact here).
  std::optional<SecureBoot> secure_boot;
  std::optional<Chassis> chassis;
  int cpu_threads = 0;         // 0 unknown
  std::vector<DiskFact> disks; // in the inventory's order
};

// Parses the inventory subset. Fields outside the subset are ignored, so newer agents that report
// more still work. On error, one sentence naming the JSON path, e.g.
// "disks[1].media: expected one of \"hdd\", \"ssd\", \"nvme\", \"usb\", found \"sata\"".
std::expected<MachineFacts, std::string> facts_from_inventory_json(std::string_view json_text);

} // namespace atelier::profiles
