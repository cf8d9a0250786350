#include "imager/inventory/smbios.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace atelier::imager::smbios {
namespace {

using test::read_bytes;
using test::TableBuilder;

struct Fixture {
  std::vector<std::uint8_t> entry;
  std::vector<std::uint8_t> table;
};

Fixture load(std::string_view dir) {
  return {read_bytes(std::string(dir) + "/smbios_entry_point"),
          read_bytes(std::string(dir) + "/DMI")};
}

// Real table QEMU 7.2 + SeaBIOS built with -smbios overrides
// (tests/data/imager/smbios/capture-qemu-smbios.py).
TEST(SmbiosEntryPoint, DecodesQemu2xEntryPoint) {
  // Why: most donated PCs (2008-2018) publish a 2.x `_SM_` entry point.
  const auto f = load("smbios/qemu-pc-2.8");
  const auto entry = parse_entry_point(f.entry);
  ASSERT_TRUE(entry) << entry.error();
  EXPECT_EQ(entry->kind, EntryPoint::Kind::smbios2);
  EXPECT_EQ(entry->major, 2);
  EXPECT_EQ(entry->minor, 8);
  EXPECT_EQ(entry->table_length, f.table.size());
  EXPECT_EQ(entry->structure_count, 9);
  EXPECT_TRUE(entry->warnings.empty());
}

TEST(SmbiosEntryPoint, DecodesQemu3xEntryPoint) {
  // Why: newer UEFI machines only publish the 64-bit `_SM3_` entry point.
  const auto f = load("smbios/qemu-q35-3.0");
  const auto entry = parse_entry_point(f.entry);
  ASSERT_TRUE(entry) << entry.error();
  EXPECT_EQ(entry->kind, EntryPoint::Kind::smbios3);
  EXPECT_EQ(entry->major, 3);
  EXPECT_EQ(entry->minor, 0);
  EXPECT_FALSE(entry->structure_count);
  EXPECT_TRUE(entry->warnings.empty());
}

TEST(SmbiosEntryPoint, RejectsUnknownAnchorAndShortInput) {
  // Why: garbage must be an error value, not a crash.
  const std::vector<std::uint8_t> junk{'_', 'X', 'Y', '_', 0, 0};
  EXPECT_FALSE(parse_entry_point(junk));
  const std::vector<std::uint8_t> short_sm3{'_', 'S', 'M', '3', '_', 24};
  EXPECT_FALSE(parse_entry_point(short_sm3));
  EXPECT_FALSE(parse_entry_point({}));
}

TEST(SmbiosEntryPoint, WarnsButContinuesOnBadChecksum) {
  // Why: some firmware ships wrong checksums; the table is still the best source we have.
  auto f = load("smbios/qemu-q35-3.0");
  f.entry[0x05] = static_cast<std::uint8_t>(f.entry[0x05] + 1);
  const auto entry = parse_entry_point(f.entry);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->warnings.size(), 1U);
}

TEST(SmbiosTable, DecodesEveryFieldOfTheQemuTable) {
  // Why: the real table pins the offsets of types 0, 1, 3, 4 and 17 and the UUID byte order.
  const auto f = load("smbios/qemu-pc-2.8");
  const auto entry = parse_entry_point(f.entry);
  ASSERT_TRUE(entry);
  const auto t = parse_table(f.table, &*entry);
  ASSERT_TRUE(t) << t.error();
  EXPECT_TRUE(t->warnings.empty()) << t->warnings.front();
  EXPECT_EQ(t->structure_count, 9U);
  ASSERT_TRUE(t->bios);
  EXPECT_EQ(t->bios->vendor, "SeaBIOS test");
  EXPECT_EQ(t->bios->version, "rel-1.16");
  EXPECT_EQ(t->bios->release_date, "04/01/2014");
  EXPECT_EQ(t->bios->virtual_machine, true);
  ASSERT_TRUE(t->system);
  EXPECT_EQ(t->system->manufacturer, "Atelier Test");
  EXPECT_EQ(t->system->product_name, "QEMU Fixture PC");
  EXPECT_EQ(t->system->serial_number, "ATL-0001");
  EXPECT_EQ(t->system->sku_number, "SKU42");
  EXPECT_EQ(t->system->family, "Fixtures");
  // QEMU was given uuid=12345678-9abc-def0-...; SMBIOS 2.6+ stores the first three fields
  // little-endian.
  EXPECT_EQ(t->system->uuid, "12345678-9abc-def0-1122-334455667788");
  EXPECT_FALSE(t->baseboard); // QEMU's pc machine publishes no type 2
  ASSERT_TRUE(t->chassis);
  EXPECT_EQ(t->chassis->serial_number, "CHASSIS-01");
  EXPECT_EQ(t->chassis->asset_tag, "ASSET-7");
  EXPECT_EQ(chassis_class(t->chassis->type_code), "other");
  ASSERT_EQ(t->processors.size(), 1U);
  EXPECT_EQ(t->processors[0].socket, "CPU 0");
  EXPECT_EQ(t->processors[0].core_count, 2);
  EXPECT_TRUE(t->processors[0].populated);
  ASSERT_EQ(t->memory_devices.size(), 1U);
  EXPECT_EQ(t->memory_devices[0].locator, "DIMM 0");
  EXPECT_EQ(t->memory_devices[0].size_bytes, 2048ULL << 20U);
  EXPECT_EQ(memory_type_name(t->memory_devices[0].type_code), "RAM");
}

TEST(SmbiosTable, Qemu3xTableReadsTheSameMachine) {
  // Why: the 3.x entry point changes how the table is found, not what it says.
  const auto f = load("smbios/qemu-q35-3.0");
  const auto entry = parse_entry_point(f.entry);
  ASSERT_TRUE(entry);
  const auto t = parse_table(f.table, &*entry);
  ASSERT_TRUE(t);
  ASSERT_TRUE(t->system);
  EXPECT_EQ(t->system->uuid, "12345678-9abc-def0-1122-334455667788");
  EXPECT_EQ(t->memory_devices.size(), 1U);
}

// A real laptop's table (HP Spectre x360 15-df0xxx, BIOS F.28): encoded from its published
// dmidecode dump by smbios/make-hp-spectre-x360.py (tests/data/imager/SOURCES.md), serials made up.
TEST(SmbiosTable, RealLaptopWithDdr4SodimmsAndAnSbdsBattery) {
  // Why: QEMU's tables are plain; a real laptop has SODIMM slots, a battery, placeholders and
  // quirks.
  const auto f = load("smbios/hp-spectre-x360-15-df0xxx");
  const auto entry = parse_entry_point(f.entry);
  ASSERT_TRUE(entry) << entry.error();
  EXPECT_EQ(entry->kind, EntryPoint::Kind::smbios3);
  EXPECT_EQ(entry->major, 3);
  EXPECT_EQ(entry->minor, 2);
  EXPECT_EQ(entry->docrev, 1);
  EXPECT_TRUE(entry->warnings.empty());
  const auto t = parse_table(f.table, &*entry);
  ASSERT_TRUE(t) << t.error();
  EXPECT_TRUE(t->warnings.empty()) << t->warnings.front();
  EXPECT_EQ(t->structure_count, 14U); // OEM types 8, 11, 16 and 221 are walked and skipped
  ASSERT_TRUE(t->bios);
  EXPECT_EQ(t->bios->vendor, "AMI");
  EXPECT_EQ(t->bios->version, "F.28");
  EXPECT_EQ(t->bios->rom_size_bytes, 13312ULL << 10U);
  EXPECT_EQ(t->bios->uefi_supported, true);
  EXPECT_EQ(t->bios->virtual_machine, false);
  ASSERT_TRUE(t->system);
  EXPECT_EQ(t->system->manufacturer, "HP");
  EXPECT_EQ(t->system->product_name, "HP Spectre x360 Convertible 15-df0xxx");
  EXPECT_EQ(t->system->version, ""); // the firmware wrote one blank
  EXPECT_EQ(t->system->sku_number, "4WW36UA#ABA");
  EXPECT_EQ(t->system->uuid, "35434435-3037-3038-3930-31355a354444"); // as dmidecode prints it
  ASSERT_TRUE(t->baseboard);
  EXPECT_EQ(t->baseboard->product, "8518");
  ASSERT_TRUE(t->chassis);
  EXPECT_EQ(chassis_type_name(t->chassis->type_code), "Convertible");
  EXPECT_EQ(chassis_class(t->chassis->type_code), "laptop");
  EXPECT_EQ(t->chassis->serial_number, "Chassis Serial Number");
  ASSERT_EQ(t->memory_devices.size(), 2U);
  for (const auto& m : t->memory_devices) {
    EXPECT_EQ(m.size_bytes, 8ULL << 30U);
    EXPECT_EQ(memory_type_name(m.type_code), "DDR4");
    EXPECT_EQ(memory_form_factor_name(m.form_factor_code), "SODIMM");
    EXPECT_EQ(m.speed_mts, 2667U);
    EXPECT_EQ(m.configured_speed_mts, 2400U);
    EXPECT_EQ(m.manufacturer, "Samsung");
    EXPECT_EQ(m.part_number, "M471A1K43DB1-CTD"); // trailing blanks trimmed
  }
  EXPECT_EQ(t->memory_devices[1].locator, "Bottom - Slot 2 (right)");
  ASSERT_EQ(t->batteries.size(), 1U);
  const Battery& b = t->batteries[0];
  EXPECT_EQ(b.location, "Primary");
  EXPECT_EQ(b.manufacturer, "333-27-09-A");
  EXPECT_EQ(b.device_name, "SU06084XL");
  EXPECT_EQ(b.serial_number, "0469");       // SBDS serial word, as dmidecode prints it
  EXPECT_EQ(b.chemistry, "LION");           // SBDS chemistry string
  EXPECT_EQ(b.design_capacity_mwh, 84080U); // 42040 x multiplier 2
  EXPECT_EQ(b.design_voltage_mv, 11550);
  ASSERT_EQ(t->processors.size(), 1U);
  EXPECT_EQ(t->processors[0].version, "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz");
  EXPECT_EQ(t->processors[0].max_speed_mhz, 8300); // kept as the firmware says it, however unlikely
  EXPECT_EQ(t->processors[0].core_count, 4);
  EXPECT_EQ(t->processors[0].thread_count, 8);
}

TEST(SmbiosTable, EveryTruncationOfARealTableIsSafe) {
  // Why: a hostile or damaged table must never make the parser read out of bounds (run under ASan).
  for (const auto* dir :
       {"smbios/qemu-pc-2.8", "smbios/qemu-q35-3.0", "smbios/hp-spectre-x360-15-df0xxx"}) {
    const auto f = load(dir);
    const auto entry = parse_entry_point(f.entry);
    ASSERT_TRUE(entry);
    for (std::size_t n = 0; n <= f.table.size(); ++n) {
      // Copy into an exactly-sized buffer so ASan catches any over-read.
      const std::vector<std::uint8_t> cut(f.table.begin(),
                                          f.table.begin() + static_cast<std::ptrdiff_t>(n));
      const auto t = parse_table(cut, &*entry);
      if (n == 0) {
        EXPECT_FALSE(t);
        continue;
      }
      ASSERT_TRUE(t) << n;
      if (n < f.table.size()) {
        EXPECT_FALSE(t->warnings.empty())
            << dir << ": a cut at " << n << " of " << f.table.size() << " must be reported";
      }
    }
    for (std::size_t n = 0; n <= f.entry.size(); ++n) {
      const std::vector<std::uint8_t> cut(f.entry.begin(),
                                          f.entry.begin() + static_cast<std::ptrdiff_t>(n));
      (void)parse_entry_point(cut);
    }
  }
}

TEST(SmbiosTable, EveryByteFlipOfARealTableIsSafe) {
  // Why: corrupted lengths and string indexes are the classic out-of-bounds read in DMI decoders.
  const auto f = load("smbios/qemu-pc-2.8");
  for (std::size_t i = 0; i < f.table.size(); ++i) {
    for (const std::uint8_t value :
         {std::uint8_t{0x00}, std::uint8_t{0x01}, std::uint8_t{0x7F}, std::uint8_t{0xFF}}) {
      auto damaged = f.table;
      damaged[i] = value;
      (void)parse_table(damaged, nullptr);
    }
  }
}

TEST(SmbiosTable, DecodesMemorySizeEncodings) {
  // Why: 0x7FFF (extended size), the KB-granularity bit and 0 (empty slot) are all in the field.
  TableBuilder b;
  b.begin(17, 0x22, 0x1100)
      .at16(0x0C, 0x7FFF)
      .at32(0x1C, 32768)
      .at(0x12, 0x22)
      .at16(0x15, 4800)
      .at(0x10, 1)
      .strings({"DIMM A"});
  b.begin(17, 0x22, 0x1101).at16(0x0C, 0x8000 | 512).at(0x12, 0x18).at(0x10, 1).strings({"DIMM B"});
  b.begin(17, 0x22, 0x1102).at16(0x0C, 0).at(0x12, 0x02).at(0x10, 1).strings({"DIMM C"});
  b.begin(17, 0x22, 0x1103).at16(0x0C, 0xFFFF).at(0x12, 0x1A).strings({});
  b.begin(17, 0x22, 0x1104)
      .at16(0x0C, 8192)
      .at(0x12, 0x1A)
      .at16(0x15, 0xFFFF)
      .at32(0x54, 0)
      .strings({});
  b.end_of_table();
  const auto t = parse_table(b.bytes());
  ASSERT_TRUE(t);
  ASSERT_EQ(t->memory_devices.size(), 5U);
  EXPECT_EQ(t->memory_devices[0].size_bytes, 32ULL << 30U);
  EXPECT_EQ(memory_type_name(t->memory_devices[0].type_code), "DDR5");
  EXPECT_EQ(t->memory_devices[0].speed_mts, 4800U);
  EXPECT_EQ(t->memory_devices[1].size_bytes, 512ULL << 10U);
  EXPECT_EQ(memory_type_name(t->memory_devices[1].type_code), "DDR3");
  EXPECT_TRUE(t->memory_devices[2].empty());
  EXPECT_FALSE(t->memory_devices[3].size_bytes); // unknown, not empty
  EXPECT_FALSE(t->memory_devices[3].empty());
  EXPECT_EQ(t->memory_devices[4].size_bytes, 8ULL << 30U);
  EXPECT_FALSE(t->memory_devices[4].speed_mts);
}

TEST(SmbiosTable, ExtendedSizeBeyondAShortStructureIsAWarning) {
  // Why: a 2.3-length structure that claims 0x7FFF has nowhere to keep the real size.
  TableBuilder b;
  b.begin(17, 0x1B, 0x1100).at16(0x0C, 0x7FFF).strings({});
  const auto t = parse_table(b.bytes());
  ASSERT_TRUE(t);
  ASSERT_EQ(t->memory_devices.size(), 1U);
  EXPECT_FALSE(t->memory_devices[0].size_bytes);
  EXPECT_FALSE(t->warnings.empty());
}

TEST(SmbiosTable, UuidByteOrderFollowsTheVersion) {
  // Why: SMBIOS 2.6 changed the UUID byte order; a wrong order splits one machine into two records.
  TableBuilder b;
  b.begin(1, 0x1B, 0x0100)
      .at(0x08, 0x33)
      .at(0x09, 0x22)
      .at(0x0A, 0x11)
      .at(0x0B, 0x00)
      .at(0x0C, 0x55)
      .at(0x0D, 0x44)
      .at(0x0E, 0x77)
      .at(0x0F, 0x66)
      .at(0x17, 0xFF)
      .strings({});
  EntryPoint old_entry;
  old_entry.major = 2;
  old_entry.minor = 4;
  EntryPoint new_entry = old_entry;
  new_entry.minor = 6;
  EXPECT_EQ(parse_table(b.bytes(), &new_entry)->system->uuid,
            "00112233-4455-6677-0000-0000000000ff");
  EXPECT_EQ(parse_table(b.bytes(), &old_entry)->system->uuid,
            "33221100-5544-7766-0000-0000000000ff");
  std::array<std::uint8_t, 16> zeros{};
  std::array<std::uint8_t, 16> ones{};
  ones.fill(0xFF);
  EXPECT_FALSE(format_uuid(zeros, true));
  EXPECT_FALSE(format_uuid(ones, true));
}

TEST(SmbiosTable, KeepsPlaceholderStringsVerbatimAndTrimsPadding) {
  // Why: placeholders are recognised later (identity), the parser must not hide them.
  TableBuilder b;
  b.begin(2, 0x0F, 0x0200)
      .at(0x04, 1)
      .at(0x05, 2)
      .at(0x07, 3)
      .strings({"ASUSTeK COMPUTER INC.", "P8H61-M LE   ", "To Be Filled By O.E.M."});
  b.begin(3, 0x15, 0x0300).at(0x05, 0x80 | 0x0A).strings({});
  const auto t = parse_table(b.bytes());
  ASSERT_TRUE(t);
  ASSERT_TRUE(t->baseboard);
  EXPECT_EQ(t->baseboard->product, "P8H61-M LE");
  EXPECT_EQ(t->baseboard->serial_number, "To Be Filled By O.E.M.");
  ASSERT_TRUE(t->chassis);
  EXPECT_EQ(t->chassis->type_code, 0x0A); // the lock bit is masked off
  EXPECT_EQ(chassis_type_name(t->chassis->type_code), "Notebook");
  EXPECT_EQ(chassis_class(t->chassis->type_code), "laptop");
}

TEST(SmbiosTable, StringIndexPastTheSetIsReadAsEmptyWithAWarning) {
  // Why: buggy firmware points at string 5 of 2; that must not index past the vector.
  TableBuilder b;
  b.begin(1, 0x08, 0x0100).at(0x04, 1).at(0x05, 5).strings({"Dell Inc."});
  b.end_of_table();
  const auto t = parse_table(b.bytes());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->system->manufacturer, "Dell Inc.");
  EXPECT_EQ(t->system->product_name, "");
  EXPECT_EQ(t->warnings.size(), 1U);
}

TEST(SmbiosTable, MissingStringTerminatorKeepsCompleteStrings) {
  // Why: a table cut inside a string set still yields its complete strings, and says so.
  TableBuilder b;
  b.begin(1, 0x08, 0x0100).at(0x04, 1).at(0x05, 2).strings({"LENOVO", "20AL"});
  auto bytes = b.bytes();
  bytes.resize(bytes.size() - 3); // drops "L\0\0"
  const auto t = parse_table(bytes);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->system->manufacturer, "LENOVO");
  EXPECT_EQ(t->system->product_name, "");
  EXPECT_FALSE(t->warnings.empty());
}

TEST(SmbiosTable, StructureLongerThanTheTableStopsTheWalk) {
  // Why: a length byte that points past the end must end parsing with a warning.
  TableBuilder b;
  b.begin(0, 0x18, 0).strings({"Vendor"});
  auto bytes = b.bytes();
  for (const std::uint8_t byte : std::initializer_list<std::uint8_t>{1, 0xF0, 1, 0, 'x', 'y'}) {
    bytes.push_back(byte); // a type 1 header claiming 240 bytes, followed by only 2
  }
  const auto t = parse_table(bytes);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->bios);
  EXPECT_FALSE(t->system);
  EXPECT_FALSE(t->warnings.empty());
}

TEST(SmbiosTable, DecodesPortableBatteryAndProcessorCounts) {
  // Why: type 22 gives the design capacity when sysfs has none; type 4 word counts for >255 cores.
  TableBuilder b;
  b.begin(22, 0x1A, 0x1600)
      .at(0x04, 1)
      .at(0x05, 2)
      .at(0x08, 3)
      .at(0x09, 0x06)
      .at16(0x0A, 2348)
      .at(0x15, 10)
      .at16(0x0C, 11100)
      .strings({"Front", "SANYO", "45N1111"});
  b.begin(4, 0x30, 0x0400)
      .at(0x10, 1)
      .at(0x18, 0x41)
      .at(0x23, 0xFF)
      .at16(0x2A, 384)
      .at(0x25, 8)
      .strings({"AMD EPYC 9654"});
  const auto t = parse_table(b.bytes());
  ASSERT_TRUE(t);
  ASSERT_EQ(t->batteries.size(), 1U);
  EXPECT_EQ(t->batteries[0].design_capacity_mwh, 23480U);
  EXPECT_EQ(t->batteries[0].chemistry, "Lithium-ion");
  EXPECT_EQ(t->batteries[0].design_voltage_mv, 11100);
  ASSERT_EQ(t->processors.size(), 1U);
  EXPECT_EQ(t->processors[0].core_count, 384);
  EXPECT_EQ(t->processors[0].thread_count, 8);
}

TEST(SmbiosNames, ChassisCodesMapToProfileClasses) {
  // Why: profiles match on these class names (profiles::Chassis).
  EXPECT_EQ(chassis_class(0x03), "desktop");
  EXPECT_EQ(chassis_class(0x07), "desktop");
  EXPECT_EQ(chassis_class(0x08), "laptop");
  EXPECT_EQ(chassis_class(0x09), "laptop");
  EXPECT_EQ(chassis_class(0x0A), "laptop");
  EXPECT_EQ(chassis_class(0x0D), "all-in-one");
  EXPECT_EQ(chassis_class(0x23), "mini");
  EXPECT_EQ(chassis_class(0x1E), "tablet");
  EXPECT_EQ(chassis_class(0x11), "server");
  EXPECT_EQ(chassis_class(0x02), "unknown");
  EXPECT_EQ(chassis_class(0x01), "other");
  EXPECT_EQ(chassis_type_name(0x7F), "Unknown");
  EXPECT_EQ(memory_type_name(0x13), "DDR2");
  EXPECT_EQ(memory_type_name(0x1A), "DDR4");
  EXPECT_EQ(memory_type_name(0x23), "LPDDR5");
  EXPECT_EQ(memory_type_name(0xEE), "Unknown");
}

} // namespace
} // namespace atelier::imager::smbios
