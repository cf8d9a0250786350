// The inventory report: versioned JSON (docs/INVENTORY.md) and a plain-text summary for volunteers.
#pragma once

#include "base/language.h"

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace atelier::imager {

struct Inventory;

// Schema rule: adding fields keeps "atelier.inventory/1"; renaming, removing or changing the
// meaning or unit of a field bumps the number (docs/INVENTORY.md, "Versioning").
inline constexpr std::string_view k_inventory_schema = "atelier.inventory/1";

nlohmann::json to_json(const Inventory& inventory);
// The JSON text, indented; bytes that are not valid UTF-8 (firmware strings) become U+FFFD.
std::string to_json_text(const Inventory& inventory);
// A readable page: identity, CPU, memory, disks with health, and what to look at; its labels and
// sentences in `language` (the boot environment shows it on the machine's screen), the values
// (models, serials, the health word, the notes) as the machine reported them.
std::string to_text(const Inventory& inventory, base::Language language = base::Language::en);

std::string base64_encode(std::span<const std::uint8_t> bytes);

} // namespace atelier::imager
