// JSON views of hardware-database records, shared by the command line's `--json` output and the
// coordinator API (docs/CLI.md, docs/API.md document the fields).
#pragma once

#include "hardware-db/store.h"

#include <nlohmann/json.hpp>

namespace atelier::workshop {

nlohmann::json to_json(const hwdb::Unit& unit);
nlohmann::json to_json(const hwdb::Event& event);
nlohmann::json to_json(const hwdb::BootSighting& sighting);

// `atelier units list --json` and GET /api/v1/units: the units with their last boot's firmware.
hwdb::Result<nlohmann::json> unit_list_json(hwdb::UnitStore& store, const hwdb::UnitFilter& filter);
// `atelier units show --json` and GET /api/v1/units/{tag}: one unit with its interfaces, boots,
// grade, earlier record and event count.
hwdb::Result<nlohmann::json> unit_detail_json(hwdb::Store& store, const hwdb::Unit& unit);
// The Secure Boot state the agent's inventory read from the firmware's variables (its
// firmware.secure_boot and firmware.setup_mode, docs/INVENTORY.md): "on", "off", "setup mode"
// (no platform key: anything boots, and anything can enrol keys), or "" for a BIOS machine, an
// inventory that could not tell, or one whose flags contradict its firmware type.
std::string secure_boot_state(const hwdb::InventorySnapshot& inventory);

// "bios (ipxe)": firmware family from the client architecture, then how it last booted.
std::string firmware_summary(const hwdb::BootSighting& sighting);

} // namespace atelier::workshop
