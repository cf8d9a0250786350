// The unit listing of `atelier units list --json` and GET /api/v1/units, on the in-memory
// UnitStore fake: no database file, and a storage failure on demand.
#include "support/fake_unit_store.h"
#include "workshop/unit_json.h"

#include <gtest/gtest.h>

using namespace atelier;
using namespace std::chrono_literals;

namespace {

const hwdb::Timestamp k_t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + 9h;

class UnitListJson : public ::testing::Test {
protected:
  hwdb::RowId add_unit(int number, const char* serial, hwdb::UnitState state) {
    hwdb::NewUnit u;
    u.state = state;
    u.identity = hwdb::Identity{"Lenovo", "ThinkPad T480", serial, "", std::nullopt};
    u.key = hwdb::IdentityKey{hwdb::IdentityKind::dmi_serial, serial};
    u.at = k_t0;
    return m_store.insert_unit(hwdb::AssetTag("AT", static_cast<std::uint64_t>(number)), u).value();
  }

  void boot(hwdb::RowId unit, std::optional<int> arch, const char* firmware, hwdb::Timestamp at) {
    hwdb::BootSighting b;
    b.unit_id = unit;
    b.mac = base::MacAddress::parse("52:54:00:00:00:01").value();
    b.arch = arch;
    b.firmware = firmware;
    b.seen_at = at;
    ASSERT_TRUE(m_store.add_sighting(b));
  }

  atelier::testing::FakeUnitStore m_store;
};

// Every unit once, in id order, with how its newest boot went; null for a unit never booted.
TEST_F(UnitListJson, ListsUnitsWithTheirLastBootsFirmware) {
  const auto a = add_unit(1, "PF1", hwdb::UnitState::ready);
  add_unit(2, "PF2", hwdb::UnitState::detected);
  boot(a, 0, "bios-pxe", k_t0);
  boot(a, 7, "ipxe", k_t0 + 1min);
  const auto json = workshop::unit_list_json(m_store, {}).value();
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["tag"], hwdb::AssetTag("AT", 1).str());
  EXPECT_EQ(json[0]["state"], "ready");
  EXPECT_EQ(json[0]["serial"], "PF1");
  EXPECT_EQ(json[0]["firmware"], "uefi (ipxe)");
  EXPECT_TRUE(json[1]["firmware"].is_null());
}

// The filter reaches the store: only units in the state asked for.
TEST_F(UnitListJson, FiltersByState) {
  add_unit(1, "PF1", hwdb::UnitState::ready);
  add_unit(2, "PF2", hwdb::UnitState::detected);
  const auto json = workshop::unit_list_json(m_store, {hwdb::UnitState::detected, 0}).value();
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["serial"], "PF2");
}

// A storage failure in either query is the caller's error, never a short or empty list.
TEST_F(UnitListJson, StorageFailureIsAnErrorNotAnEmptyList) {
  add_unit(1, "PF1", hwdb::UnitState::ready);
  for (const char* method : {"list_units", "latest_sightings"}) {
    m_store.fail_next(method);
    auto json = workshop::unit_list_json(m_store, {});
    ASSERT_FALSE(json) << method;
    EXPECT_EQ(json.error().code, hwdb::ErrorCode::storage) << method;
  }
  EXPECT_EQ(workshop::unit_list_json(m_store, {}).value().size(), 1u); // the failure was once
}

} // namespace

namespace {

hwdb::InventorySnapshot inventory_with(const char* firmware_json, const char* type = "uefi") {
  hwdb::InventorySnapshot s;
  s.firmware = type; // what atelierd recorded from the report's firmware.type
  s.raw_json =
      std::string(R"({"schema": "atelier.inventory/1", "firmware": )") + firmware_json + "}";
  return s;
}

// The Secure Boot state from the inventory's efivars reading (issue 15): on, off, setup mode, or
// nothing for a BIOS machine and for anything the inventory could not tell.
TEST(SecureBootState, ReadsTheInventorysFirmwareFlags) {
  EXPECT_EQ(workshop::secure_boot_state(
                inventory_with(R"({"type": "uefi", "secure_boot": true, "setup_mode": false})")),
            "on");
  EXPECT_EQ(workshop::secure_boot_state(
                inventory_with(R"({"type": "uefi", "secure_boot": false, "setup_mode": false})")),
            "off");
  EXPECT_EQ(workshop::secure_boot_state(
                inventory_with(R"({"type": "uefi", "secure_boot": false, "setup_mode": true})")),
            "setup mode");
  EXPECT_EQ(workshop::secure_boot_state(inventory_with(R"({"type": "bios"})", "bios")), "");
  // A BIOS machine that claims Secure Boot contradicts itself: nothing is said.
  EXPECT_EQ(workshop::secure_boot_state(
                inventory_with(R"({"type": "bios", "secure_boot": true})", "bios")),
            "");
  EXPECT_EQ(
      workshop::secure_boot_state(inventory_with(R"({"type": "uefi", "secure_boot": "yes"})")), "");
  hwdb::InventorySnapshot broken;
  broken.raw_json = "{not json";
  EXPECT_EQ(workshop::secure_boot_state(broken), "");
}

} // namespace
