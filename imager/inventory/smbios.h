// Pure SMBIOS (DMTF DSP0134) decoder: bytes in, structs out. No I/O, no globals, no logging.
//
// Input is what Linux exposes under /sys/firmware/dmi/tables/: `smbios_entry_point` (the 2.x
// `_SM_`, legacy `_DMI_` or 3.x `_SM3_` entry point structure) and `DMI` (the structure table).
// Only the structure types the inventory needs are decoded (0 BIOS, 1 system, 2 baseboard, 3
// chassis, 4 processor, 17 memory device, 22 portable battery); the others are counted and skipped.
//
// Contract: every read is bounds-checked against the buffer and the structure's own length. A field
// beyond a structure's length (an older SMBIOS version) is simply absent. Damage that can be
// survived (bad checksum, truncated last structure, a string index past the string set) is recorded
// in `warnings` and parsing keeps what it could; nothing ever reads outside the spans given.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager::smbios {

struct EntryPoint {
  enum class Kind { smbios2, smbios3, legacy_dmi };
  Kind kind = Kind::smbios2;
  int major = 0;
  int minor = 0;
  int docrev = 0;                               // 3.x only
  std::uint64_t table_address = 0;              // physical address, informational
  std::uint32_t table_length = 0;               // exact length (2.x) or maximum length (3.x)
  std::optional<std::uint16_t> structure_count; // 2.x only
  std::vector<std::string> warnings;            // e.g. a checksum mismatch, tolerated
};

// Decodes an entry point. Errors when no known anchor is present or the structure is too short.
std::expected<EntryPoint, std::string> parse_entry_point(std::span<const std::uint8_t> bytes);

struct Bios { // type 0
  std::string vendor;
  std::string version;
  std::string release_date; // as written by the firmware, usually MM/DD/YYYY
  std::optional<std::uint64_t> rom_size_bytes;
  std::optional<bool> uefi_supported;  // characteristics extension byte 2, bit 3
  std::optional<bool> virtual_machine; // characteristics extension byte 2, bit 4
};

struct System { // type 1
  std::string manufacturer;
  std::string product_name;
  std::string version;
  std::string serial_number;
  std::optional<std::string> uuid; // lower-case canonical form; nullopt if absent or all 0x00/0xFF
  std::string sku_number;
  std::string family;
};

struct Baseboard { // type 2
  std::string manufacturer;
  std::string product;
  std::string version;
  std::string serial_number;
  std::string asset_tag;
};

struct Chassis { // type 3
  std::string manufacturer;
  std::uint8_t type_code = 0; // bits 0-6 of the type byte
  std::string version;
  std::string serial_number;
  std::string asset_tag;
};

struct Processor { // type 4
  std::string socket;
  std::string manufacturer;
  std::string version; // the model string, e.g. "Intel(R) Core(TM) i5-4300U CPU @ 1.90GHz"
  std::optional<std::uint16_t> max_speed_mhz;
  std::optional<std::uint16_t> current_speed_mhz;
  std::optional<std::uint16_t> core_count;
  std::optional<std::uint16_t> thread_count;
  bool populated = false;
};

struct MemoryDevice {  // type 17
  std::string locator; // "DIMM 0", "ChannelA-DIMM0"
  std::string bank_locator;
  // Installed size; 0 means the slot is empty. nullopt when the firmware says "unknown" (0xFFFF).
  std::optional<std::uint64_t> size_bytes;
  std::uint8_t type_code = 0;
  std::uint8_t form_factor_code = 0;
  std::optional<std::uint32_t> speed_mts;            // maximum capable speed, MT/s
  std::optional<std::uint32_t> configured_speed_mts; // speed it runs at
  std::string manufacturer;
  std::string serial_number;
  std::string part_number;
  bool empty() const { return size_bytes && *size_bytes == 0; }
};

struct Battery { // type 22
  std::string location;
  std::string manufacturer;
  std::string device_name;
  std::string serial_number;
  std::string chemistry; // from the enumeration or the SBDS string
  std::optional<std::uint32_t> design_capacity_mwh;
  std::optional<std::uint16_t> design_voltage_mv;
};

struct Table {
  int major = 0; // version the table is interpreted with
  int minor = 0;
  std::optional<Bios> bios;
  std::optional<System> system;
  std::optional<Baseboard> baseboard; // the first type 2 structure
  std::optional<Chassis> chassis;     // the first type 3 structure
  std::vector<Processor> processors;
  std::vector<MemoryDevice> memory_devices;
  std::vector<Battery> batteries;
  std::size_t structure_count = 0; // structures walked, all types
  std::vector<std::string> warnings;
};

// Walks the structure table. `entry` supplies the version (UUID byte order) and, for 2.x, the
// structure count; without one the table is read as SMBIOS 3.0. Only an empty table is an error.
std::expected<Table, std::string> parse_table(std::span<const std::uint8_t> table,
                                              const EntryPoint* entry = nullptr);

// Names from the specification's enumerations.
std::string_view
chassis_type_name(std::uint8_t code); // "Notebook", "Mini PC"; "Unknown" for out of range
// The class the rest of Atelier uses (profiles::Chassis names): "desktop", "laptop", "all-in-one",
// "mini", "server", "tablet", "other", or "unknown" for codes 0 and 2 (Unknown).
std::string_view chassis_class(std::uint8_t code);
std::string_view memory_type_name(std::uint8_t code); // "DDR4", "LPDDR5"; "Unknown" otherwise
std::string_view memory_form_factor_name(std::uint8_t code); // "DIMM", "SODIMM"

// Formats the 16 UUID bytes of a type 1 structure. SMBIOS 2.6 and later store the first three
// fields little-endian (as RFC 4122 "wire" order does not); earlier versions were ambiguous and
// are read as stored.
std::optional<std::string> format_uuid(std::span<const std::uint8_t, 16> bytes,
                                       bool little_endian_fields);

} // namespace atelier::imager::smbios
