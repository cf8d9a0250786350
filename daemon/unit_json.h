// JSON views of hardware-database records for `--json` output (docs/CLI.md documents the fields).
#pragma once

#include "hardware-db/types.h"

#include <nlohmann/json.hpp>

namespace atelier::daemon {

nlohmann::json to_json(const hwdb::Unit& unit);
nlohmann::json to_json(const hwdb::Event& event);
nlohmann::json to_json(const hwdb::BootSighting& sighting);

} // namespace atelier::daemon
