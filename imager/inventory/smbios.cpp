#include "imager/inventory/smbios.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

namespace atelier::imager::smbios {
namespace {

using Bytes = std::span<const std::uint8_t>;

// Little-endian readers over a span; nullopt past the end (never an out-of-bounds read).
std::optional<std::uint8_t> get_u8(Bytes bytes, std::size_t offset) {
  if (offset >= bytes.size()) {
    return std::nullopt;
  }
  return bytes[offset];
}

std::optional<std::uint64_t> get_le(Bytes bytes, std::size_t offset, std::size_t width) {
  if (offset > bytes.size() || bytes.size() - offset < width) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = width; i-- > 0;) {
    value = (value << 8) | bytes[offset + i];
  }
  return value;
}

std::optional<std::uint16_t> get_u16(Bytes bytes, std::size_t offset) {
  auto v = get_le(bytes, offset, 2);
  return v ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v)) : std::nullopt;
}

std::optional<std::uint32_t> get_u32(Bytes bytes, std::size_t offset) {
  auto v = get_le(bytes, offset, 4);
  return v ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v)) : std::nullopt;
}

bool checksum_ok(Bytes bytes) {
  std::uint8_t sum = 0;
  for (const auto b : bytes) {
    sum = static_cast<std::uint8_t>(sum + b);
  }
  return sum == 0;
}

bool has_anchor(Bytes bytes, std::string_view anchor) {
  return bytes.size() >= anchor.size() &&
         std::memcmp(bytes.data(), anchor.data(), anchor.size()) == 0;
}

// One structure: its formatted area (header included, as offsets in the spec count from the type
// byte) and its string set.
struct Structure {
  std::uint8_t type = 0;
  std::uint16_t handle = 0;
  Bytes formatted;
  std::vector<std::string> strings;
};

// Strings are trimmed of trailing blanks (firmware pads fixed-width fields with spaces); control
// bytes are kept as they are and made safe by the JSON writer.
std::string clean_string(std::string_view raw) {
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) {
    raw.remove_suffix(1);
  }
  while (!raw.empty() && raw.front() == ' ') {
    raw.remove_prefix(1);
  }
  return std::string(raw);
}

class Reader {
public:
  Reader(const Structure& s, std::vector<std::string>& warnings) : m_s(s), m_warnings(warnings) {}
  std::optional<std::uint8_t> u8(std::size_t offset) const { return get_u8(m_s.formatted, offset); }
  std::optional<std::uint16_t> u16(std::size_t offset) const {
    return get_u16(m_s.formatted, offset);
  }
  std::optional<std::uint32_t> u32(std::size_t offset) const {
    return get_u32(m_s.formatted, offset);
  }
  // The string a formatted-area byte refers to; "" for index 0 (no string) or a field beyond the
  // structure. An index past the string set is a firmware bug: warned about, read as "".
  std::string str(std::size_t offset) const {
    const auto index = u8(offset);
    if (!index || *index == 0) {
      return {};
    }
    if (*index > m_s.strings.size()) {
      m_warnings.push_back(
          fmt::format("type {} handle 0x{:04X}: string {} at offset 0x{:02X} is past the {} "
                      "strings of the structure",
                      m_s.type, m_s.handle, *index, offset, m_s.strings.size()));
      return {};
    }
    return m_s.strings[*index - 1U];
  }
  Bytes bytes() const { return m_s.formatted; }

private:
  const Structure& m_s;
  std::vector<std::string>& m_warnings;
};

Bios decode_bios(const Reader& r) {
  Bios bios;
  bios.vendor = r.str(0x04);
  bios.version = r.str(0x05);
  bios.release_date = r.str(0x08);
  if (auto rom = r.u8(0x09)) {
    // 0xFF means "see the extended ROM size" (3.1+): bits 0-13 size, bits 14-15 unit (MB, GB).
    if (*rom != 0xFF) {
      bios.rom_size_bytes = (std::uint64_t{*rom} + 1U) * 64U * 1024U;
    } else if (auto ext = r.u16(0x18)) {
      const std::uint64_t size = *ext & 0x3FFFU;
      const unsigned unit = (*ext >> 14U) & 0x3U;
      if (unit <= 1U) {
        bios.rom_size_bytes = size << (unit == 0U ? 20U : 30U);
      }
    }
  }
  if (auto ext2 = r.u8(0x13)) {
    bios.uefi_supported = (*ext2 & 0x08U) != 0;
    bios.virtual_machine = (*ext2 & 0x10U) != 0;
  }
  return bios;
}

System decode_system(const Reader& r, int major, int minor) {
  System system;
  system.manufacturer = r.str(0x04);
  system.product_name = r.str(0x05);
  system.version = r.str(0x06);
  system.serial_number = r.str(0x07);
  if (r.bytes().size() >= 0x18) {
    std::array<std::uint8_t, 16> uuid{};
    std::memcpy(uuid.data(), r.bytes().data() + 0x08, uuid.size());
    const bool little = major > 2 || (major == 2 && minor >= 6);
    system.uuid = format_uuid(uuid, little);
  }
  system.sku_number = r.str(0x19);
  system.family = r.str(0x1A);
  return system;
}

Baseboard decode_baseboard(const Reader& r) {
  return Baseboard{r.str(0x04), r.str(0x05), r.str(0x06), r.str(0x07), r.str(0x08)};
}

Chassis decode_chassis(const Reader& r) {
  Chassis chassis;
  chassis.manufacturer = r.str(0x04);
  chassis.type_code = static_cast<std::uint8_t>(r.u8(0x05).value_or(0) & 0x7FU);
  chassis.version = r.str(0x06);
  chassis.serial_number = r.str(0x07);
  chassis.asset_tag = r.str(0x08);
  return chassis;
}

// 0 and 0xFFFF both mean "unknown" in speed and clock fields.
std::optional<std::uint16_t> known_u16(std::optional<std::uint16_t> v) {
  return v && *v != 0 && *v != 0xFFFF ? v : std::nullopt;
}

Processor decode_processor(const Reader& r) {
  Processor cpu;
  cpu.socket = r.str(0x04);
  cpu.manufacturer = r.str(0x07);
  cpu.version = r.str(0x10);
  cpu.max_speed_mhz = known_u16(r.u16(0x14));
  cpu.current_speed_mhz = known_u16(r.u16(0x16));
  cpu.populated = (r.u8(0x18).value_or(0) & 0x40U) != 0;
  // 0xFF in the byte counts means "see the word at 0x2A/0x2E" (3.0+); 0 means unknown.
  auto count = [&](std::size_t byte_offset,
                   std::size_t word_offset) -> std::optional<std::uint16_t> {
    const auto b = r.u8(byte_offset);
    if (!b || *b == 0) {
      return std::nullopt;
    }
    if (*b == 0xFF) {
      return known_u16(r.u16(word_offset));
    }
    return std::uint16_t{*b};
  };
  cpu.core_count = count(0x23, 0x2A);
  cpu.thread_count = count(0x25, 0x2E);
  return cpu;
}

MemoryDevice decode_memory_device(const Reader& r, std::vector<std::string>& warnings,
                                  std::uint16_t handle) {
  MemoryDevice dev;
  dev.locator = r.str(0x10);
  dev.bank_locator = r.str(0x11);
  if (auto size = r.u16(0x0C)) {
    if (*size == 0xFFFF) {
      dev.size_bytes = std::nullopt; // unknown
    } else if (*size == 0x7FFF) {
      // Extended size (2.7+): a dword of MB at 0x1C, bit 31 reserved.
      if (auto ext = r.u32(0x1C)) {
        dev.size_bytes = std::uint64_t{*ext & 0x7FFFFFFFU} << 20U;
      } else {
        warnings.push_back(
            fmt::format("type 17 handle 0x{:04X}: size says \"extended\" but the structure "
                        "ends before the extended size field",
                        handle));
      }
    } else if ((*size & 0x8000U) != 0) {
      dev.size_bytes = std::uint64_t{*size & 0x7FFFU} << 10U; // KB granularity
    } else {
      dev.size_bytes = std::uint64_t{*size} << 20U; // MB granularity
    }
  }
  dev.form_factor_code = r.u8(0x0E).value_or(0);
  dev.type_code = r.u8(0x12).value_or(0);
  // Speeds: 0 unknown; 0xFFFF means "see the extended dword" (3.3+).
  auto speed = [&](std::size_t word_offset,
                   std::size_t ext_offset) -> std::optional<std::uint32_t> {
    const auto w = r.u16(word_offset);
    if (!w || *w == 0) {
      return std::nullopt;
    }
    if (*w == 0xFFFF) {
      const auto ext = r.u32(ext_offset);
      return ext && *ext != 0 ? std::optional<std::uint32_t>(*ext & 0x7FFFFFFFU) : std::nullopt;
    }
    return std::uint32_t{*w};
  };
  dev.speed_mts = speed(0x15, 0x54);
  dev.configured_speed_mts = speed(0x20, 0x58);
  dev.manufacturer = r.str(0x17);
  dev.serial_number = r.str(0x18);
  dev.part_number = r.str(0x1A);
  return dev;
}

std::string_view battery_chemistry_name(std::uint8_t code) {
  static constexpr std::array<std::string_view, 9> k_names{"Other",
                                                           "Unknown",
                                                           "Lead Acid",
                                                           "Nickel Cadmium",
                                                           "Nickel metal hydride",
                                                           "Lithium-ion",
                                                           "Zinc air",
                                                           "Lithium Polymer",
                                                           ""};
  return code >= 1 && code <= 8 ? k_names[code - 1U] : std::string_view("Unknown");
}

Battery decode_battery(const Reader& r) {
  Battery battery;
  battery.location = r.str(0x04);
  battery.manufacturer = r.str(0x05);
  battery.serial_number = r.str(0x07);
  if (battery.serial_number.empty()) {
    // Smart Battery Data Specification form: no serial string, a 16-bit serial at 0x10 (2.2+),
    // printed as 4 hex digits as dmidecode does ("SBDS Serial Number: 0469").
    if (auto sbds = r.u16(0x10); sbds && r.u8(0x07) == std::uint8_t{0}) {
      battery.serial_number = fmt::format("{:04X}", *sbds);
    }
  }
  battery.device_name = r.str(0x08);
  const auto chemistry = r.u8(0x09).value_or(2);
  // Chemistry 2 (Unknown) with an SBDS string at 0x14 means "read the string".
  battery.chemistry = chemistry == 2 && !r.str(0x14).empty()
                          ? r.str(0x14)
                          : std::string(battery_chemistry_name(chemistry));
  if (auto capacity = r.u16(0x0A); capacity && *capacity != 0) {
    const std::uint32_t multiplier = r.u8(0x15).value_or(1) == 0 ? 1U : r.u8(0x15).value_or(1);
    battery.design_capacity_mwh = std::uint32_t{*capacity} * multiplier;
  }
  if (auto voltage = r.u16(0x0C); voltage && *voltage != 0) {
    battery.design_voltage_mv = *voltage;
  }
  return battery;
}

} // namespace

std::expected<EntryPoint, std::string> parse_entry_point(Bytes bytes) {
  EntryPoint entry;
  if (has_anchor(bytes, "_SM3_")) {
    // 3.x: 24 bytes; length at 0x06; table maximum size at 0x0C (dword); address at 0x10 (qword).
    if (bytes.size() < 0x18) {
      return std::unexpected(
          fmt::format("SMBIOS 3 entry point is {} bytes, needs 24", bytes.size()));
    }
    entry.kind = EntryPoint::Kind::smbios3;
    const std::size_t length = std::min<std::size_t>(bytes[0x06], bytes.size());
    if (length < 0x18 || !checksum_ok(bytes.first(length))) {
      entry.warnings.push_back("SMBIOS 3 entry point checksum or length is wrong; used anyway");
    }
    entry.major = bytes[0x07];
    entry.minor = bytes[0x08];
    entry.docrev = bytes[0x09];
    entry.table_length = *get_u32(bytes, 0x0C);
    entry.table_address = *get_le(bytes, 0x10, 8);
    return entry;
  }
  if (has_anchor(bytes, "_SM_")) {
    // 2.x: 31 bytes (0x1F; some firmware says 0x1E); version at 0x06/0x07; then the "_DMI_"
    // intermediate structure at 0x10 with table length (word 0x16), address (dword 0x18) and
    // structure count (word 0x1C).
    if (bytes.size() < 0x1E) {
      return std::unexpected(
          fmt::format("SMBIOS 2 entry point is {} bytes, needs 31", bytes.size()));
    }
    entry.kind = EntryPoint::Kind::smbios2;
    const std::size_t length = std::min<std::size_t>(bytes[0x05], bytes.size());
    if (length < 0x1E || !checksum_ok(bytes.first(length))) {
      entry.warnings.push_back("SMBIOS 2 entry point checksum or length is wrong; used anyway");
    }
    if (!has_anchor(bytes.subspan(0x10), "_DMI_") ||
        !checksum_ok(bytes.subspan(0x10, std::min<std::size_t>(0x0F, bytes.size() - 0x10)))) {
      entry.warnings.push_back(
          "SMBIOS 2 intermediate (_DMI_) anchor or checksum is wrong; used anyway");
    }
    entry.major = bytes[0x06];
    entry.minor = bytes[0x07];
    entry.table_length = *get_u16(bytes, 0x16);
    entry.table_address = *get_u32(bytes, 0x18);
    entry.structure_count = *get_u16(bytes, 0x1C);
    // Some firmware writes 2.33 for 2.3.3 or 2.51 for 2.5.1 (as dmidecode also corrects).
    if (entry.major == 2 && (entry.minor == 31 || entry.minor == 33)) {
      entry.warnings.push_back(fmt::format("SMBIOS version 2.{} corrected to 2.3", entry.minor));
      entry.minor = 3;
    } else if (entry.major == 2 && entry.minor == 51) {
      entry.warnings.push_back("SMBIOS version 2.51 corrected to 2.6");
      entry.minor = 6;
    }
    return entry;
  }
  if (has_anchor(bytes, "_DMI_")) {
    // Legacy DMI 2.0 entry point without the _SM_ wrapper: 15 bytes, BCD revision at 0x0E.
    if (bytes.size() < 0x0F) {
      return std::unexpected(
          fmt::format("legacy DMI entry point is {} bytes, needs 15", bytes.size()));
    }
    entry.kind = EntryPoint::Kind::legacy_dmi;
    if (!checksum_ok(bytes.first(0x0F))) {
      entry.warnings.push_back("legacy DMI entry point checksum is wrong; used anyway");
    }
    entry.major = bytes[0x0E] >> 4U;
    entry.minor = bytes[0x0E] & 0x0FU;
    entry.table_length = *get_u16(bytes, 0x06);
    entry.table_address = *get_u32(bytes, 0x08);
    entry.structure_count = *get_u16(bytes, 0x0C);
    return entry;
  }
  return std::unexpected(std::string("no SMBIOS entry point anchor (_SM_, _SM3_ or _DMI_)"));
}

std::expected<Table, std::string> parse_table(Bytes table, const EntryPoint* entry) {
  if (table.empty()) {
    return std::unexpected(std::string("the SMBIOS structure table is empty"));
  }
  Table result;
  result.major = entry != nullptr ? entry->major : 3;
  result.minor = entry != nullptr ? entry->minor : 0;
  if (entry != nullptr && entry->table_length != 0 && table.size() > entry->table_length) {
    result.warnings.push_back(
        fmt::format("table is {} bytes, entry point says {}; reading the first {}", table.size(),
                    entry->table_length, entry->table_length));
    table = table.first(entry->table_length);
  }
  // 0 means "no count given" (3.x entry points, or no entry point at all).
  const std::size_t expected_count = entry != nullptr ? entry->structure_count.value_or(0) : 0;

  std::size_t offset = 0;
  bool saw_end_marker = false;
  bool stopped_early = false;
  while (offset < table.size()) {
    if (expected_count != 0 && result.structure_count >= expected_count) {
      break;
    }
    const Bytes rest = table.subspan(offset);
    if (rest.size() < 4) {
      result.warnings.push_back(
          fmt::format("{} stray bytes at offset {} after the last structure", rest.size(), offset));
      stopped_early = true;
      break;
    }
    Structure s;
    s.type = rest[0];
    const std::size_t length = rest[1];
    s.handle = *get_u16(rest, 2);
    if (length < 4) {
      result.warnings.push_back(
          fmt::format("structure at offset {} claims length {}; stopped", offset, length));
      stopped_early = true;
      break;
    }
    if (length > rest.size()) {
      result.warnings.push_back(
          fmt::format("type {} structure at offset {} is truncated ({} of {} bytes); stopped",
                      s.type, offset, rest.size(), length));
      stopped_early = true;
      break;
    }
    s.formatted = rest.first(length);
    // The string set: NUL-terminated strings, ended by an extra NUL ("\0\0" when there are none).
    std::size_t pos = length;
    bool terminated = false;
    while (pos < rest.size()) {
      if (rest[pos] == 0) {
        // An empty string ends the set; with no strings at all the set is two NULs.
        terminated = true;
        if (s.strings.empty()) {
          // No strings: the set is two NULs. Accept one (seen in the wild, and at a cut table's
          // end).
          if (pos + 1 < rest.size() && rest[pos + 1] == 0) {
            ++pos;
          } else {
            result.warnings.push_back(
                fmt::format("type {} handle 0x{:04X}: empty string set ends with one NUL "
                            "instead of two",
                            s.type, s.handle));
          }
        }
        ++pos;
        break;
      }
      const auto* begin = reinterpret_cast<const char*>(rest.data() + pos);
      const std::size_t limit = rest.size() - pos;
      const std::size_t len = strnlen(begin, limit);
      if (len == limit) {
        break; // runs off the end without its NUL
      }
      s.strings.push_back(clean_string(std::string_view(begin, len)));
      pos += len + 1;
    }
    ++result.structure_count;
    if (!terminated) {
      result.warnings.push_back(
          fmt::format("type {} handle 0x{:04X}: string set runs past the end of the "
                      "table; kept {} complete strings",
                      s.type, s.handle, s.strings.size()));
    }
    const Reader r(s, result.warnings);
    switch (s.type) {
    case 0:
      if (!result.bios) {
        result.bios = decode_bios(r);
      }
      break;
    case 1:
      if (!result.system) {
        result.system = decode_system(r, result.major, result.minor);
      }
      break;
    case 2:
      if (!result.baseboard) {
        result.baseboard = decode_baseboard(r);
      }
      break;
    case 3:
      if (!result.chassis) {
        result.chassis = decode_chassis(r);
      }
      break;
    case 4:
      result.processors.push_back(decode_processor(r));
      break;
    case 17:
      result.memory_devices.push_back(decode_memory_device(r, result.warnings, s.handle));
      break;
    case 22:
      result.batteries.push_back(decode_battery(r));
      break;
    default:
      break;
    }
    if (s.type == 127) {
      saw_end_marker = true; // the end-of-table marker
      break;
    }
    if (!terminated) {
      stopped_early = true;
      break;
    }
    offset += pos;
  }
  // 3.x tables have no structure count: only the type 127 marker says the table is complete.
  if (expected_count == 0 && !saw_end_marker && !stopped_early) {
    result.warnings.push_back(
        "the table ends without an end-of-table structure (type 127); it may be cut short");
  }
  if (expected_count != 0 && result.structure_count < expected_count) {
    result.warnings.push_back(fmt::format("found {} of the {} structures the entry point announces",
                                          result.structure_count, expected_count));
  }
  return result;
}

std::optional<std::string> format_uuid(std::span<const std::uint8_t, 16> b,
                                       bool little_endian_fields) {
  bool all_zero = true;
  bool all_ff = true;
  for (const auto byte : b) {
    all_zero = all_zero && byte == 0x00;
    all_ff = all_ff && byte == 0xFF;
  }
  if (all_zero || all_ff) {
    return std::nullopt; // "not set" and "not present" per the specification
  }
  std::array<std::uint8_t, 16> o{};
  std::memcpy(o.data(), b.data(), o.size());
  if (little_endian_fields) {
    o = {b[3], b[2], b[1],  b[0],  b[5],  b[4],  b[7],  b[6],
         b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
  }
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
                     "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9], o[10], o[11],
                     o[12], o[13], o[14], o[15]);
}

std::string_view chassis_type_name(std::uint8_t code) {
  static constexpr std::array<std::string_view, 0x25> k_names{"Unknown",
                                                              "Other",
                                                              "Unknown",
                                                              "Desktop",
                                                              "Low Profile Desktop",
                                                              "Pizza Box",
                                                              "Mini Tower",
                                                              "Tower",
                                                              "Portable",
                                                              "Laptop",
                                                              "Notebook",
                                                              "Hand Held",
                                                              "Docking Station",
                                                              "All in One",
                                                              "Sub Notebook",
                                                              "Space-saving",
                                                              "Lunch Box",
                                                              "Main Server Chassis",
                                                              "Expansion Chassis",
                                                              "SubChassis",
                                                              "Bus Expansion Chassis",
                                                              "Peripheral Chassis",
                                                              "RAID Chassis",
                                                              "Rack Mount Chassis",
                                                              "Sealed-case PC",
                                                              "Multi-system chassis",
                                                              "Compact PCI",
                                                              "Advanced TCA",
                                                              "Blade",
                                                              "Blade Enclosure",
                                                              "Tablet",
                                                              "Convertible",
                                                              "Detachable",
                                                              "IoT Gateway",
                                                              "Embedded PC",
                                                              "Mini PC",
                                                              "Stick PC"};
  return code < k_names.size() ? k_names[code] : std::string_view("Unknown");
}

std::string_view chassis_class(std::uint8_t code) {
  switch (code) {
  case 0x03:
  case 0x04:
  case 0x05:
  case 0x06:
  case 0x07:
  case 0x0F:
  case 0x10:
  case 0x18:
    return "desktop";
  case 0x08:
  case 0x09:
  case 0x0A:
  case 0x0B:
  case 0x0E:
  case 0x1F:
    return "laptop";
  case 0x0D:
    return "all-in-one";
  case 0x22:
  case 0x23:
  case 0x24:
    return "mini";
  case 0x11:
  case 0x17:
  case 0x19:
  case 0x1C:
  case 0x1D:
    return "server";
  case 0x1E:
  case 0x20:
    return "tablet";
  case 0x00:
  case 0x02:
    return "unknown";
  default:
    return "other";
  }
}

std::string_view memory_type_name(std::uint8_t code) {
  static constexpr std::array<std::string_view, 0x25> k_names{
      "Unknown",      "Other",   "Unknown", "DRAM",
      "EDRAM",        "VRAM",    "SRAM",    "RAM",
      "ROM",          "FLASH",   "EEPROM",  "FEPROM",
      "EPROM",        "CDRAM",   "3DRAM",   "SDRAM",
      "SGRAM",        "RDRAM",   "DDR",     "DDR2",
      "DDR2 FB-DIMM", "Unknown", "Unknown", "Unknown",
      "DDR3",         "FBD2",    "DDR4",    "LPDDR",
      "LPDDR2",       "LPDDR3",  "LPDDR4",  "Logical non-volatile device",
      "HBM",          "HBM2",    "DDR5",    "LPDDR5",
      "HBM3"};
  return code < k_names.size() ? k_names[code] : std::string_view("Unknown");
}

std::string_view memory_form_factor_name(std::uint8_t code) {
  static constexpr std::array<std::string_view, 0x11> k_names{
      "Unknown", "Other",  "Unknown",
      "SIMM",    "SIP",    "Chip",
      "DIP",     "ZIP",    "Proprietary Card",
      "DIMM",    "TSOP",   "Row of chips",
      "RIMM",    "SODIMM", "SRIMM",
      "FB-DIMM", "Die"};
  return code < k_names.size() ? k_names[code] : std::string_view("Unknown");
}

} // namespace atelier::imager::smbios
