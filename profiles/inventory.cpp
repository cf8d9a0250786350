// The inventory subset matching and grading use (docs/PROFILES.md, "Inventory subset").
#include "profiles/detail/names.h"
#include "profiles/machine_facts.h"

#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace atelier::profiles {
namespace {

using Json = nlohmann::json;

constexpr std::string_view k_schema = "atelier.inventory/1";

std::unexpected<std::string> fail(const std::string& path, std::string message) {
  return std::unexpected(fmt::format("{}: {}", path, message));
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

// The member of an object; a missing member is an error when required, null otherwise.
std::expected<const Json*, std::string> member(const Json& object, const std::string& path,
                                               std::string_view key, bool required = true) {
  if (!object.is_object()) {
    return fail(path.empty() ? "(document)" : path,
                fmt::format("expected an object, found {}", object.type_name()));
  }
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) {
      return fail(join_path(path, key), "missing");
    }
    return nullptr;
  }
  return &*it;
}

std::expected<std::uint64_t, std::string> unsigned_value(const Json& value, const std::string& path,
                                                         std::uint64_t max) {
  if (!value.is_number_unsigned()) {
    return fail(path,
                fmt::format("expected a non-negative integer, found {}",
                            value.is_number_integer() ? "a negative number" : value.type_name()));
  }
  const auto number = value.get<std::uint64_t>();
  if (number > max) {
    return fail(path, fmt::format("{} is out of range (0 to {})", number, max));
  }
  return number;
}

template <typename E, std::size_t N>
std::expected<E, std::string> enum_value(const Json& value, const std::string& path,
                                         const std::array<detail::Named<E>, N>& names) {
  if (value.is_string()) {
    if (auto parsed = detail::value_of(names, value.get<std::string>())) {
      return *parsed;
    }
  }
  return fail(
      path, fmt::format("expected one of {}, found {}", detail::quoted_names(names), value.dump()));
}

// An optional boolean member: nullopt when absent or null, an error when it is something else.
std::expected<std::optional<bool>, std::string>
optional_flag(const Json& object, const std::string& path, std::string_view key) {
  auto node = member(object, path, key, false);
  if (!node) {
    return std::unexpected(node.error());
  }
  if (*node == nullptr) {
    return std::optional<bool>();
  }
  if (!(*node)->is_boolean()) {
    return fail(join_path(path, key),
                fmt::format("expected true, false or null, found {}", (*node)->type_name()));
  }
  return std::optional<bool>((*node)->get<bool>());
}

// An optional string member: "" when absent or null, an error when it is something else.
std::expected<std::string, std::string> optional_text(const Json& object, const std::string& path,
                                                      std::string_view key) {
  auto node = member(object, path, key, false);
  if (!node) {
    return std::unexpected(node.error());
  }
  if (*node == nullptr) {
    return std::string();
  }
  if (!(*node)->is_string()) {
    return fail(join_path(path, key),
                fmt::format("expected a string, found {}", (*node)->type_name()));
  }
  return (*node)->get<std::string>();
}

// Each step returns early with the first error: one precise message beats a list of knock-on
// errors for a document a program wrote.
std::expected<MachineFacts, std::string> facts_from(const Json& document) {
  MachineFacts facts;
  auto schema = member(document, "", "schema");
  if (!schema) {
    return std::unexpected(schema.error());
  }
  if (!(*schema)->is_string() || (*schema)->get<std::string>() != k_schema) {
    return fail("schema", fmt::format("expected \"{}\", found {}", k_schema, (*schema)->dump()));
  }

  auto memory = member(document, "", "memory");
  if (!memory) {
    return std::unexpected(memory.error());
  }
  auto total = member(**memory, "memory", "total_bytes");
  if (!total) {
    return std::unexpected(total.error());
  }
  auto ram =
      unsigned_value(**total, "memory.total_bytes", std::numeric_limits<std::uint64_t>::max());
  if (!ram) {
    return std::unexpected(ram.error());
  }
  facts.ram_bytes = *ram;

  auto disks = member(document, "", "disks");
  if (!disks) {
    return std::unexpected(disks.error());
  }
  if (!(*disks)->is_array()) {
    return fail("disks", fmt::format("expected an array, found {}", (*disks)->type_name()));
  }
  for (std::size_t i = 0; i < (*disks)->size(); ++i) {
    const std::string path = fmt::format("disks[{}]", i);
    const Json& disk = (**disks)[i];
    auto size = member(disk, path, "size_bytes");
    if (!size) {
      return std::unexpected(size.error());
    }
    auto bytes =
        unsigned_value(**size, path + ".size_bytes", std::numeric_limits<std::uint64_t>::max());
    if (!bytes) {
      return std::unexpected(bytes.error());
    }
    auto media_node = member(disk, path, "media");
    if (!media_node) {
      return std::unexpected(media_node.error());
    }
    auto media = enum_value(**media_node, path + ".media", detail::k_disk_media);
    if (!media) {
      return std::unexpected(media.error());
    }
    DiskFact fact;
    fact.size_bytes = *bytes;
    fact.media = *media;
    for (auto [key, out] : {std::pair{"name", &fact.name}, std::pair{"model", &fact.model},
                            std::pair{"serial", &fact.serial}, std::pair{"bus", &fact.bus}}) {
      auto value = optional_text(disk, path, key);
      if (!value) {
        return std::unexpected(value.error());
      }
      *out = std::move(*value);
    }
    auto removable = member(disk, path, "removable", false);
    if (!removable) {
      return std::unexpected(removable.error());
    }
    if (*removable != nullptr) {
      if (!(*removable)->is_boolean()) {
        return fail(path + ".removable",
                    fmt::format("expected true or false, found {}", (*removable)->type_name()));
      }
      fact.removable = (*removable)->get<bool>();
    }
    facts.disks.push_back(std::move(fact));
    // A USB disk is never the disk a profile installs to; on ties the first disk listed wins.
    if (*media != DiskMedia::usb && *bytes > facts.largest_disk_bytes) {
      facts.largest_disk_bytes = *bytes;
      facts.main_disk_media = *media;
    }
  }

  auto cpu = member(document, "", "cpu");
  if (!cpu) {
    return std::unexpected(cpu.error());
  }
  auto level_node = member(**cpu, "cpu", "x86_64_level");
  if (!level_node) {
    return std::unexpected(level_node.error());
  }
  auto level = unsigned_value(**level_node, "cpu.x86_64_level", 4);
  if (!level) {
    return std::unexpected(level.error());
  }
  facts.x86_64_level = static_cast<int>(*level);
  auto threads_node = member(**cpu, "cpu", "threads");
  if (!threads_node) {
    return std::unexpected(threads_node.error());
  }
  auto threads = unsigned_value(**threads_node, "cpu.threads", 65536);
  if (!threads) {
    return std::unexpected(threads.error());
  }
  facts.cpu_threads = static_cast<int>(*threads);

  auto firmware = member(document, "", "firmware");
  if (!firmware) {
    return std::unexpected(firmware.error());
  }
  auto type = member(**firmware, "firmware", "type");
  if (!type) {
    return std::unexpected(type.error());
  }
  auto firmware_type = enum_value(**type, "firmware.type", detail::k_firmware);
  if (!firmware_type) {
    return std::unexpected(firmware_type.error());
  }
  facts.firmware = *firmware_type;
  // Secure Boot: each variable true, false or null (unreadable); read only for UEFI (a BIOS
  // machine's claim means nothing).
  if (facts.firmware == Firmware::uefi) {
    auto secure_boot = optional_flag(**firmware, "firmware", "secure_boot");
    auto setup_mode = optional_flag(**firmware, "firmware", "setup_mode");
    if (!secure_boot || !setup_mode) {
      return std::unexpected(!secure_boot ? secure_boot.error() : setup_mode.error());
    }
    if (*setup_mode == true) {
      facts.secure_boot = SecureBoot::setup_mode;
    } else if (*secure_boot) {
      facts.secure_boot = **secure_boot ? SecureBoot::on : SecureBoot::off;
    }
  }

  // The chassis is optional: many boards report no usable SMBIOS chassis type.
  auto system = member(document, "", "system", false);
  if (!system) {
    return std::unexpected(system.error());
  }
  if (*system != nullptr) {
    auto chassis_node = member(**system, "system", "chassis", false);
    if (!chassis_node) {
      return std::unexpected(chassis_node.error());
    }
    const Json* chassis = *chassis_node;
    if (chassis != nullptr && !(chassis->is_string() && chassis->get<std::string>() == "unknown")) {
      auto value = enum_value(*chassis, "system.chassis", detail::k_chassis);
      if (!value) {
        return std::unexpected(value.error());
      }
      facts.chassis = *value;
    }
  }
  return facts;
}

} // namespace

std::string DiskFact::describe() const {
  std::vector<std::string> what;
  if (!model.empty()) {
    what.push_back(model);
  }
  if (!serial.empty()) {
    what.push_back("serial " + serial);
  }
  if (what.empty()) {
    what.push_back(
        fmt::format("{:.0f} GB, no model or serial", static_cast<double>(size_bytes) / 1e9));
  }
  return fmt::format("{} ({})", name.empty() ? std::string(to_string(media)) + " disk" : name,
                     fmt::format("{}", fmt::join(what, ", ")));
}

std::expected<MachineFacts, std::string> facts_from_inventory_json(std::string_view json_text) {
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const Json::parse_error& e) {
    return std::unexpected(fmt::format("not valid JSON: {}", e.what()));
  }
  return facts_from(document);
}

} // namespace atelier::profiles
