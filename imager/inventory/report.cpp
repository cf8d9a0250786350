#include "imager/inventory/report.h"

#include "base/version.h"
#include "imager/inventory/inventory.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using Json = nlohmann::json;

Json str_or_null(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(s);
}

template <typename T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

bool is_text(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return true;
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Json health_json(const DiskHealth& h) {
  return Json{{"status", to_string(h.status)},
              {"reason", str_or_null(h.reason)},
              {"source", str_or_null(h.source)},
              {"smart_passed", opt(h.smart_passed)},
              {"reallocated_sectors", opt(h.reallocated_sectors)},
              {"reported_uncorrectable", opt(h.reported_uncorrectable)},
              {"command_timeout", opt(h.command_timeout)},
              {"pending_sectors", opt(h.pending_sectors)},
              {"offline_uncorrectable", opt(h.offline_uncorrectable)},
              {"power_on_hours", opt(h.power_on_hours)},
              {"power_cycles", opt(h.power_cycles)},
              {"temperature_c", opt(h.temperature_c)},
              {"percentage_used", opt(h.percentage_used)},
              {"available_spare", opt(h.available_spare)},
              {"media_errors", opt(h.media_errors)},
              {"critical_warning", opt(h.critical_warning)}};
}

Json disk_json(const Disk& d) {
  return Json{{"name", d.name},
              {"model", str_or_null(d.model)},
              {"vendor", str_or_null(d.vendor)},
              {"serial", str_or_null(d.serial)},
              {"firmware", str_or_null(d.firmware)},
              {"wwid", str_or_null(d.wwid)},
              {"size_bytes", d.size_bytes},
              {"logical_sector_bytes", d.logical_sector_bytes},
              {"physical_sector_bytes", d.physical_sector_bytes},
              {"rotational", opt(d.rotational)},
              {"removable", d.removable},
              {"bus", d.bus},
              {"media", d.media},
              {"sysfs_path", d.sysfs_path},
              {"health", d.health ? health_json(*d.health) : Json(nullptr)}};
}

Json pci_json(const PciDevice& p) {
  return Json{{"address", p.address},
              {"class", fmt::format("0x{:06x}", p.class_code)},
              {"class_name", pci_class_name(p.class_code)},
              {"vendor_id", fmt::format("0x{:04x}", p.vendor_id)},
              {"device_id", fmt::format("0x{:04x}", p.device_id)},
              {"subsystem_vendor_id", fmt::format("0x{:04x}", p.subsystem_vendor_id)},
              {"subsystem_device_id", fmt::format("0x{:04x}", p.subsystem_device_id)},
              {"vendor_name", str_or_null(std::string(pci_vendor_name(p.vendor_id)))},
              {"driver", str_or_null(p.driver)}};
}

std::string human_bytes(std::uint64_t bytes) {
  constexpr double k_gb = 1e9;
  if (bytes >= 1'000'000'000'000ULL) {
    return fmt::format("{:.1f} TB", static_cast<double>(bytes) / 1e12);
  }
  return fmt::format("{:.0f} GB", static_cast<double>(bytes) / k_gb);
}

std::string human_gib(std::uint64_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

} // namespace

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t n =
        (std::uint32_t{bytes[i]} << 16U) | (std::uint32_t{bytes[i + 1]} << 8U) | bytes[i + 2];
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += k_alphabet[(n >> 6U) & 63U];
    out += k_alphabet[n & 63U];
  }
  if (i < bytes.size()) {
    const bool two = i + 1 < bytes.size();
    const std::uint32_t n =
        (std::uint32_t{bytes[i]} << 16U) | (two ? std::uint32_t{bytes[i + 1]} << 8U : 0U);
    out += k_alphabet[(n >> 18U) & 63U];
    out += k_alphabet[(n >> 12U) & 63U];
    out += two ? k_alphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

Json to_json(const Inventory& inv) {
  const SystemInfo& s = inv.system;
  Json system{{"source", s.source},
              {"vendor", str_or_null(s.vendor)},
              {"model", str_or_null(s.model)},
              {"version", str_or_null(s.version)},
              {"serial", str_or_null(s.serial)},
              {"uuid", opt(s.uuid)},
              {"sku", str_or_null(s.sku)},
              {"family", str_or_null(s.family)},
              {"chassis", s.chassis},
              {"chassis_type", str_or_null(s.chassis_type)},
              {"chassis_type_code", opt(s.chassis_type_code)},
              {"chassis_vendor", str_or_null(s.chassis_vendor)},
              {"chassis_serial", str_or_null(s.chassis_serial)},
              {"chassis_asset_tag", str_or_null(s.chassis_asset_tag)},
              {"virtual_machine", opt(s.virtual_machine)},
              {"board",
               {{"vendor", str_or_null(s.board.vendor)},
                {"model", str_or_null(s.board.model)},
                {"version", str_or_null(s.board.version)},
                {"serial", str_or_null(s.board.serial)},
                {"asset_tag", str_or_null(s.board.asset_tag)}}},
              {"bios",
               {{"vendor", str_or_null(s.bios.vendor)},
                {"version", str_or_null(s.bios.version)},
                {"date", str_or_null(s.bios.date)},
                {"rom_size_bytes", opt(s.bios.rom_size_bytes)},
                {"uefi_supported", opt(s.bios.uefi_supported)}}}};

  const Identity& id = inv.identity;
  Json identity{{"serial", opt(id.serial)},
                {"serial_source", str_or_null(id.serial_source)},
                {"uuid", opt(id.uuid)},
                {"first_wired_mac", opt(id.first_wired_mac)},
                {"placeholders", id.placeholders}};

  const CpuInfo& c = inv.cpu;
  Json cpu{{"vendor", str_or_null(c.vendor)},
           {"model", str_or_null(c.model_name)},
           {"family", opt(c.family)},
           {"model_number", opt(c.model)},
           {"stepping", opt(c.stepping)},
           {"sockets", static_cast<unsigned>(std::max(c.sockets, 0))},
           {"cores", static_cast<unsigned>(std::max(c.cores, 0))},
           {"threads", static_cast<unsigned>(std::max(c.threads, 0))},
           {"x86_64_level", static_cast<unsigned>(std::max(c.x86_64_level, 0))},
           {"virtualization", str_or_null(c.virtualization)},
           {"hypervisor", c.hypervisor},
           {"base_mhz", opt(c.base_mhz)},
           {"max_mhz", opt(c.max_mhz)},
           {"min_mhz", opt(c.min_mhz)},
           {"generation",
            c.generation ? Json{{"family", c.generation->family}, {"number", c.generation->number}}
                         : Json(nullptr)},
           {"flags", c.flags}};
  Json smbios_cpus = Json::array();
  for (const auto& p : inv.smbios_processors) {
    smbios_cpus.push_back({{"socket", str_or_null(p.socket)},
                           {"manufacturer", str_or_null(p.manufacturer)},
                           {"version", str_or_null(p.version)},
                           {"max_speed_mhz", opt(p.max_speed_mhz)},
                           {"current_speed_mhz", opt(p.current_speed_mhz)},
                           {"core_count", opt(p.core_count)},
                           {"thread_count", opt(p.thread_count)},
                           {"populated", p.populated}});
  }
  cpu["smbios_processors"] = smbios_cpus;

  Json slots = Json::array();
  std::size_t empty_slots = 0;
  for (const auto& m : inv.memory.slots) {
    empty_slots += m.empty() ? 1U : 0U;
    slots.push_back({{"locator", str_or_null(m.locator)},
                     {"bank_locator", str_or_null(m.bank_locator)},
                     {"size_bytes", opt(m.size_bytes)},
                     {"empty", m.empty()},
                     {"type", smbios::memory_type_name(m.type_code)},
                     {"type_code", m.type_code},
                     {"form_factor", smbios::memory_form_factor_name(m.form_factor_code)},
                     {"speed_mts", opt(m.speed_mts)},
                     {"configured_speed_mts", opt(m.configured_speed_mts)},
                     {"manufacturer", str_or_null(m.manufacturer)},
                     {"serial", str_or_null(m.serial_number)},
                     {"part_number", str_or_null(m.part_number)}});
  }
  Json memory{{"total_bytes", inv.memory.total_bytes},
              {"total_source", inv.memory.total_source},
              {"os_visible_bytes", opt(inv.memory.os_visible_bytes)},
              {"memory_blocks_bytes", opt(inv.memory.blocks_bytes)},
              {"slot_count", inv.memory.slots.size()},
              {"empty_slots", empty_slots},
              {"slots", slots}};

  Json disks = Json::array();
  for (const auto& d : inv.disks) {
    disks.push_back(disk_json(d));
  }
  Json optical = Json::array();
  for (const auto& d : inv.optical) {
    optical.push_back({{"name", d.name},
                       {"model", str_or_null(d.model)},
                       {"vendor", str_or_null(d.vendor)},
                       {"bus", d.bus}});
  }
  Json network = Json::array();
  for (const auto& n : inv.network) {
    network.push_back({{"name", n.name},
                       {"kind", n.kind},
                       {"mac", str_or_null(n.mac)},
                       {"driver", str_or_null(n.driver)},
                       {"speed_mbps", opt(n.speed_mbps)},
                       {"operstate", str_or_null(n.operstate)},
                       {"bus", n.bus},
                       {"pci_address", str_or_null(n.pci_address)}});
  }
  Json pci = Json::array();
  Json gpus = Json::array();
  for (const auto& p : inv.pci) {
    pci.push_back(pci_json(p));
    if (p.is_gpu()) {
      gpus.push_back(pci_json(p));
    }
  }
  Json batteries = Json::array();
  for (const auto& b : inv.batteries) {
    batteries.push_back({{"name", b.name},
                         {"manufacturer", str_or_null(b.manufacturer)},
                         {"model", str_or_null(b.model)},
                         {"serial", str_or_null(b.serial)},
                         {"technology", str_or_null(b.technology)},
                         {"status", str_or_null(b.status)},
                         {"unit", str_or_null(b.unit)},
                         {"design_capacity", opt(b.design_capacity)},
                         {"full_capacity", opt(b.full_capacity)},
                         {"cycle_count", opt(b.cycle_count)},
                         {"health_percent", opt(b.health_percent)}});
  }
  Json smbios_batteries = Json::array();
  for (const auto& b : inv.smbios_batteries) {
    smbios_batteries.push_back({{"location", str_or_null(b.location)},
                                {"manufacturer", str_or_null(b.manufacturer)},
                                {"device_name", str_or_null(b.device_name)},
                                {"serial", str_or_null(b.serial_number)},
                                {"chemistry", str_or_null(b.chemistry)},
                                {"design_capacity_mwh", opt(b.design_capacity_mwh)},
                                {"design_voltage_mv", opt(b.design_voltage_mv)}});
  }
  Json firmware{{"type", inv.firmware.type},
                {"secure_boot", opt(inv.firmware.secure_boot)},
                {"setup_mode", opt(inv.firmware.setup_mode)},
                {"tpm",
                 {{"present", inv.firmware.tpm_present},
                  {"version_major", opt(inv.firmware.tpm_version_major)}}}};
  Json webcams = Json::array();
  for (const auto& w : inv.webcams) {
    webcams.push_back({{"name", str_or_null(w.name)}, {"device", w.device}});
  }

  Json sysfs = Json::object();
  for (const auto& [path, content] : inv.raw.sysfs) {
    if (path.starts_with("sys/firmware/dmi/tables/")) {
      continue; // kept whole under raw.smbios
    }
    sysfs[path] =
        is_text(content) ? Json(content) : Json{{"base64", base64_encode(bytes_of(content))}};
  }
  Json smart = Json::array();
  for (const auto& r : inv.raw.smart) {
    smart.push_back({{"disk", r.disk},
                     {"argv", r.run.argv},
                     {"exit_code", r.run.exit_code},
                     {"timed_out", r.run.timed_out},
                     {"error", str_or_null(r.run.error)},
                     {"stdout", r.run.out}});
  }
  Json raw{
      {"smbios",
       {{"entry_point_base64", str_or_null(base64_encode(bytes_of(inv.raw.smbios_entry_point)))},
        {"table_base64", str_or_null(base64_encode(bytes_of(inv.raw.smbios_table)))}}},
      {"cpuinfo", str_or_null(inv.raw.cpuinfo)},
      {"smart", smart},
      {"sysfs", sysfs}};

  Json warnings = Json::array();
  for (const auto& w : inv.warnings) {
    warnings.push_back({{"source", w.source}, {"message", w.message}});
  }

  return Json{{"schema", k_inventory_schema},
              {"generator", {{"name", "atelier-imager"}, {"version", base::version()}}},
              {"collected_at", str_or_null(inv.collected_at)},
              {"identity", identity},
              {"system", system},
              {"cpu", cpu},
              {"memory", memory},
              {"disks", disks},
              {"optical", optical},
              {"network", network},
              {"gpus", gpus},
              {"pci", pci},
              {"batteries", batteries},
              {"smbios_batteries", smbios_batteries},
              {"firmware", firmware},
              {"webcams", webcams},
              {"raw", raw},
              {"warnings", warnings}};
}

std::string to_json_text(const Inventory& inventory) {
  return to_json(inventory).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string to_text(const Inventory& inv) {
  std::string out;
  auto line = [&](std::string_view label, const std::string& value) {
    out += fmt::format("{:<10} {}\n", label, value.empty() ? "-" : value);
  };
  const SystemInfo& s = inv.system;
  line("Machine", fmt::format("{} {}", s.vendor.empty() ? "(unknown vendor)" : s.vendor,
                              s.model.empty() ? "(unknown model)" : s.model));
  line("Serial", inv.identity.serial
                     ? fmt::format("{} (from {})", *inv.identity.serial, inv.identity.serial_source)
                 : inv.identity.first_wired_mac
                     ? fmt::format("none usable; MAC {}", *inv.identity.first_wired_mac)
                     : std::string("none usable"));
  line("Chassis", s.chassis);
  line("Firmware",
       fmt::format(
           "{}{}{}", inv.firmware.type == "uefi" ? "UEFI" : "BIOS (legacy)",
           inv.firmware.secure_boot
               ? (*inv.firmware.secure_boot ? ", Secure Boot on" : ", Secure Boot off")
               : "",
           inv.firmware.tpm_present
               ? fmt::format(", TPM {}", inv.firmware.tpm_version_major
                                             ? std::to_string(*inv.firmware.tpm_version_major)
                                             : std::string("(version unknown)"))
               : ", no TPM"));
  const CpuInfo& c = inv.cpu;
  line("CPU",
       fmt::format(
           "{} — {} cores / {} threads, x86-64-v{}{}",
           c.model_name.empty() ? "unknown" : c.model_name, c.cores, c.threads, c.x86_64_level,
           c.generation ? fmt::format(", {} gen {}", c.generation->family, c.generation->number)
                        : ""));
  std::string slots;
  for (const auto& m : inv.memory.slots) {
    if (!slots.empty()) {
      slots += ", ";
    }
    slots += m.empty() ? fmt::format("{}: empty", m.locator)
                       : fmt::format("{}: {} {}", m.locator,
                                     m.size_bytes ? human_gib(*m.size_bytes) : "?",
                                     smbios::memory_type_name(m.type_code));
  }
  line("Memory", fmt::format("{}{}", human_gib(inv.memory.total_bytes),
                             slots.empty() ? "" : " (" + slots + ")"));
  for (const auto& d : inv.disks) {
    const std::string health =
        d.health ? fmt::format("health {}{}", to_string(d.health->status),
                               d.health->reason.empty() ? "" : ": " + d.health->reason)
                 : "health not checked";
    line("Disk", fmt::format("{} {} {} {} — {}", d.name, human_bytes(d.size_bytes), d.media,
                             d.model.empty() ? "" : d.model, health));
  }
  for (const auto& n : inv.network) {
    line("Network", fmt::format("{} {} {} {}{}", n.name, n.kind, n.mac, n.driver,
                                n.speed_mbps ? fmt::format(" {} Mb/s", *n.speed_mbps) : ""));
  }
  for (const auto& p : inv.pci) {
    if (p.is_gpu()) {
      line("GPU", fmt::format("{} {:04x}:{:04x} {}", pci_vendor_name(p.vendor_id), p.vendor_id,
                              p.device_id, p.driver));
    }
  }
  for (const auto& b : inv.batteries) {
    line("Battery",
         fmt::format("{} {}{}", b.name,
                     b.health_percent ? fmt::format("{:.0f}% of design capacity", *b.health_percent)
                                      : std::string("capacity unknown"),
                     b.cycle_count ? fmt::format(", {} cycles", *b.cycle_count) : ""));
  }
  for (const auto& d : inv.optical) {
    line("Optical", fmt::format("{} {}", d.name, d.model));
  }
  for (const auto& w : inv.webcams) {
    line("Webcam", w.name);
  }
  if (!inv.warnings.empty()) {
    out +=
        fmt::format("\n{} note(s) — details in the JSON report (--json):\n", inv.warnings.size());
    for (const auto& w : inv.warnings) {
      out += fmt::format("  [{}] {}\n", w.source, w.message);
    }
  }
  return out;
}

} // namespace atelier::imager
