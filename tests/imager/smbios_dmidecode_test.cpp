// The SMBIOS parser against dmidecode, the tool a technician would check a machine with: every
// SMBIOS fixture (QEMU tables captured inside VMs, the restated HP laptop) is turned into a
// `dmidecode --dump-bin` file, dmidecode decodes it, and each field it prints for types 0, 1, 2, 3
// and 17 must equal what our parser read. An independent decoder, not our own expectations.
#include "base/process_runner.h"
#include "imager/inventory/smbios.h"
#include "test_support.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

struct SmbiosBlob {
  std::vector<std::uint8_t> entry;
  std::vector<std::uint8_t> table;
};

struct DmiCase {
  std::string name;
  SmbiosBlob (*load)(const std::string& name);
};

SmbiosBlob from_directory(const std::string& name) {
  return {test::read_bytes("smbios/" + name + "/smbios_entry_point"),
          test::read_bytes("smbios/" + name + "/DMI")};
}

SmbiosBlob from_vm_report(const std::string& name) {
  const auto report = nlohmann::json::parse(test::read_fixture(name + ".json"));
  return {test::base64_decode(report["raw"]["smbios"]["entry_point_base64"].get<std::string>()),
          test::base64_decode(report["raw"]["smbios"]["table_base64"].get<std::string>())};
}

// dmidecode's dump format: the entry point at offset 0 with its table address rewritten to 32,
// the table at offset 32. For `_SM_` the address sits in the `_DMI_` part, whose own checksum we
// fix (the outer checksum then still sums to zero); for `_SM3_` the outer checksum is recomputed.
std::vector<std::uint8_t> dump_file_bytes(const SmbiosBlob& blob) {
  std::vector<std::uint8_t> entry = blob.entry;
  const auto fix_checksum = [&](std::size_t checksum_at, std::size_t from, std::size_t length) {
    entry[checksum_at] = 0;
    unsigned sum = 0;
    for (std::size_t i = from; i < from + length; ++i) {
      sum += entry[i];
    }
    entry[checksum_at] = static_cast<std::uint8_t>(0x100U - (sum & 0xFFU));
  };
  if (std::memcmp(entry.data(), "_SM_", 4) == 0) {
    const std::uint32_t address = 32;
    std::memcpy(&entry[0x18], &address, sizeof address);
    fix_checksum(0x15, 0x10, 0x0F);
  } else {
    const std::uint64_t address = 32;
    std::memcpy(&entry[0x10], &address, sizeof address);
    fix_checksum(0x05, 0, entry[0x06]);
  }
  entry.resize(32, 0);
  entry.insert(entry.end(), blob.table.begin(), blob.table.end());
  return entry;
}

// One decoded structure as dmidecode prints it: "Handle 0x0100, DMI type 1, 27 bytes" then
// "\tKey: Value" lines (multi-line lists such as Characteristics are skipped).
struct Structure {
  int type = -1;
  std::map<std::string, std::string> fields;
};

// Our parser trims the padding firmware puts around strings ("M471A1K43DB1-CTD    ", a Version
// of one space); dmidecode prints them as stored. Compare trimmed, a blank string as absent.
std::string trimmed(const std::string& value) {
  const auto first = value.find_first_not_of(' ');
  if (first == std::string::npos) {
    return "Not Specified";
  }
  return value.substr(first, value.find_last_not_of(' ') - first + 1);
}

std::vector<Structure> parse_dmidecode(const std::string& text) {
  std::vector<Structure> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("Handle ")) {
      const auto at = line.find("DMI type ");
      out.push_back({at == std::string::npos ? -1 : std::stoi(line.substr(at + 9)), {}});
    } else if (!out.empty() && line.size() > 1 && line[0] == '\t' && line[1] != '\t') {
      const auto colon = line.find(": ");
      if (colon != std::string::npos) {
        out.back().fields[line.substr(1, colon - 1)] = trimmed(line.substr(colon + 2));
      }
    }
  }
  return out;
}

std::vector<const Structure*> of_type(const std::vector<Structure>& all, int type) {
  std::vector<const Structure*> out;
  for (const auto& s : all) {
    if (s.type == type) {
      out.push_back(&s);
    }
  }
  return out;
}

// dmidecode prints an absent string (index 0) as "Not Specified"; our parser gives "".
std::string shown(const std::string& value) {
  return value.empty() ? "Not Specified" : value;
}

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// dmidecode 3.4's module size: "No Module Installed", "Unknown", or the largest whole unit.
std::string shown_size(const std::optional<std::uint64_t>& bytes) {
  if (!bytes) {
    return "Unknown";
  }
  if (*bytes == 0) {
    return "No Module Installed";
  }
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
  std::uint64_t value = *bytes;
  int unit = 0;
  while (unit < 4 && value % 1024 == 0) {
    value /= 1024;
    ++unit;
  }
  return std::to_string(value) + " " + units[unit];
}

std::string shown_speed(const std::optional<std::uint32_t>& mts) {
  return mts ? std::to_string(*mts) + " MT/s" : "Unknown";
}

std::string test_name(const ::testing::TestParamInfo<DmiCase>& param_info) {
  std::string name = param_info.param.name;
  std::ranges::replace_if(
      name, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

class SmbiosAgainstDmidecode : public ::testing::TestWithParam<DmiCase> {
protected:
  void SetUp() override {
    if (::access("/usr/sbin/dmidecode", X_OK) != 0) {
      GTEST_SKIP() << "dmidecode is not installed (scripts/packages.d/inventory.list installs it)";
    }
  }

  std::vector<Structure> decode_with_dmidecode(const SmbiosBlob& blob) {
    const auto path =
        std::filesystem::temp_directory_path() /
        ("atelier-dmi-" + std::to_string(::getpid()) + "-" + GetParam().name + ".bin");
    {
      const auto bytes = dump_file_bytes(blob);
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
    }
    base::PosixProcessRunner runner;
    const auto result =
        runner.run({"/usr/sbin/dmidecode", "--from-dump", path.string(), "-t", "0,1,2,3,17"},
                   std::chrono::seconds(30));
    std::filesystem::remove(path);
    if (!result) {
      ADD_FAILURE() << result.error();
      return {};
    }
    EXPECT_EQ(result->exit_code, 0) << result->err;
    return parse_dmidecode(result->out);
  }
};

TEST_P(SmbiosAgainstDmidecode, EveryFieldReadAgreesWithDmidecode) {
  // Why: the issue asks the inventory to be checked against dmidecode; doing it on every fixture,
  // in CI, keeps the check true as the parser changes.
  const SmbiosBlob blob = GetParam().load(GetParam().name);
  const auto entry = smbios::parse_entry_point(blob.entry);
  ASSERT_TRUE(entry) << entry.error();
  const auto table = smbios::parse_table(blob.table, &*entry);
  ASSERT_TRUE(table) << table.error();
  const auto decoded = decode_with_dmidecode(blob);
  ASSERT_FALSE(decoded.empty()) << "dmidecode printed no structure";

  const auto bios = of_type(decoded, 0);
  ASSERT_EQ(bios.size(), table->bios ? 1U : 0U);
  if (table->bios) {
    EXPECT_EQ(bios[0]->fields.at("Vendor"), shown(table->bios->vendor));
    EXPECT_EQ(bios[0]->fields.at("Version"), shown(table->bios->version));
    EXPECT_EQ(bios[0]->fields.at("Release Date"), shown(table->bios->release_date));
  }

  const auto system = of_type(decoded, 1);
  ASSERT_EQ(system.size(), 1U);
  ASSERT_TRUE(table->system);
  const auto& s = system[0]->fields;
  EXPECT_EQ(s.at("Manufacturer"), shown(table->system->manufacturer));
  EXPECT_EQ(s.at("Product Name"), shown(table->system->product_name));
  EXPECT_EQ(s.at("Version"), shown(table->system->version));
  EXPECT_EQ(s.at("Serial Number"), shown(table->system->serial_number));
  EXPECT_EQ(lower(s.at("UUID")), table->system->uuid.value_or("not present"));
  if (s.contains("SKU Number")) {
    EXPECT_EQ(s.at("SKU Number"), shown(table->system->sku_number));
    EXPECT_EQ(s.at("Family"), shown(table->system->family));
  }

  const auto board = of_type(decoded, 2);
  ASSERT_EQ(board.empty(), !table->baseboard);
  if (table->baseboard) {
    const auto& b = board[0]->fields;
    EXPECT_EQ(b.at("Manufacturer"), shown(table->baseboard->manufacturer));
    EXPECT_EQ(b.at("Product Name"), shown(table->baseboard->product));
    EXPECT_EQ(b.at("Version"), shown(table->baseboard->version));
    EXPECT_EQ(b.at("Serial Number"), shown(table->baseboard->serial_number));
    EXPECT_EQ(b.at("Asset Tag"), shown(table->baseboard->asset_tag));
  }

  const auto chassis = of_type(decoded, 3);
  ASSERT_EQ(chassis.empty(), !table->chassis);
  if (table->chassis) {
    const auto& c = chassis[0]->fields;
    EXPECT_EQ(c.at("Manufacturer"), shown(table->chassis->manufacturer));
    EXPECT_EQ(c.at("Type"), smbios::chassis_type_name(table->chassis->type_code));
    EXPECT_EQ(c.at("Serial Number"), shown(table->chassis->serial_number));
    EXPECT_EQ(c.at("Asset Tag"), shown(table->chassis->asset_tag));
  }

  const auto memory = of_type(decoded, 17);
  ASSERT_EQ(memory.size(), table->memory_devices.size());
  for (std::size_t i = 0; i < memory.size(); ++i) {
    SCOPED_TRACE("memory device " + std::to_string(i));
    const auto& m = memory[i]->fields;
    const auto& ours = table->memory_devices[i];
    EXPECT_EQ(m.at("Locator"), shown(ours.locator));
    EXPECT_EQ(m.at("Bank Locator"), shown(ours.bank_locator));
    EXPECT_EQ(m.at("Size"), shown_size(ours.size_bytes));
    if (ours.empty()) {
      continue; // dmidecode prints little more for an empty slot
    }
    EXPECT_EQ(m.at("Type"), smbios::memory_type_name(ours.type_code));
    EXPECT_EQ(m.at("Form Factor"), smbios::memory_form_factor_name(ours.form_factor_code));
    EXPECT_EQ(m.at("Speed"), shown_speed(ours.speed_mts));
    if (m.contains("Configured Memory Speed")) {
      EXPECT_EQ(m.at("Configured Memory Speed"), shown_speed(ours.configured_speed_mts));
    }
    EXPECT_EQ(m.at("Manufacturer"), shown(ours.manufacturer));
    EXPECT_EQ(m.at("Serial Number"), shown(ours.serial_number));
    EXPECT_EQ(m.at("Part Number"), shown(ours.part_number));
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SmbiosAgainstDmidecode,
                         ::testing::Values(DmiCase{"qemu-pc-2.8", from_directory},
                                           DmiCase{"qemu-q35-3.0", from_directory},
                                           DmiCase{"hp-spectre-x360-15-df0xxx", from_directory},
                                           DmiCase{"vm-pc-ide-e1000-512m", from_vm_report},
                                           DmiCase{"vm-q35-ahci-ssd-rtl8139-2g", from_vm_report},
                                           DmiCase{"vm-pc-ahci-nvme-virtionet-3g", from_vm_report},
                                           DmiCase{"vm-q35-ovmf-nvme-virtioblk-2g", from_vm_report},
                                           DmiCase{"vm-q35-virtioscsi-3nics-3000m", from_vm_report},
                                           DmiCase{"vm-q35-ovmf-secboot-usb-e1000e-1g",
                                                   from_vm_report}),
                         test_name);

} // namespace
} // namespace atelier::imager
