#include "imager/inventory/report.h"

#include "base/i18n.h"
#include "base/typography.h"
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

// "256 GB", "1.5 TB"; in French "256 Go", "1,5 To".
std::string human_bytes(std::uint64_t bytes, base::Language lang) {
  if (bytes >= 1'000'000'000'000ULL) {
    return base::trf(lang, "{size} TB",
                     {{"size", base::format_decimal(static_cast<double>(bytes) / 1e12, 1, lang)}});
  }
  return base::trf(lang, "{size} GB",
                   {{"size", base::format_decimal(static_cast<double>(bytes) / 1e9, 0, lang)}});
}

// "7.7 GiB"; in French "7,7 Gio".
std::string human_gib(std::uint64_t bytes, base::Language lang) {
  return base::trf(
      lang, "{size} GiB",
      {{"size",
        base::format_decimal(static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0), 1, lang)}});
}

// The inventory's chassis and network-card words (docs/INVENTORY.md) for the page; any other as
// written.
std::string chassis_text(const std::string& chassis, base::Language lang) {
  using base::tr_ctx;
  if (chassis == "desktop") {
    return tr_ctx(lang, "chassis", "desktop");
  }
  if (chassis == "laptop") {
    return tr_ctx(lang, "chassis", "laptop");
  }
  if (chassis == "all-in-one") {
    return tr_ctx(lang, "chassis", "all-in-one");
  }
  if (chassis == "mini") {
    return tr_ctx(lang, "chassis", "mini");
  }
  if (chassis == "server") {
    return tr_ctx(lang, "chassis", "server");
  }
  if (chassis == "tablet") {
    return tr_ctx(lang, "chassis", "tablet");
  }
  if (chassis == "unknown") {
    return tr_ctx(lang, "chassis", "unknown");
  }
  if (chassis == "other") {
    return tr_ctx(lang, "chassis", "other");
  }
  return chassis;
}

std::string nic_kind_text(const std::string& kind, base::Language lang) {
  if (kind == "wired") {
    return base::tr_ctx(lang, "network card", "wired");
  }
  if (kind == "wireless") {
    return base::tr_ctx(lang, "network card", "wireless");
  }
  return kind;
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

namespace {

// A disk's health for the screen: in English the inventory's own words ("health warning: 24
// reallocated sectors", as grade_health wrote them); in another language the same facts worded
// from the counters, the reason of an unknown health (a tool's answer) as written.
std::string health_text(const DiskHealth& h, base::Language lang) {
  if (lang == base::Language::en) {
    return fmt::format("health {}{}", to_string(h.status), h.reason.empty() ? "" : ": " + h.reason);
  }
  std::vector<std::string> problems;
  // Each counter with its own literal sentence, so that the catalogue has them.
  auto count = [](const std::optional<std::uint64_t>& value) {
    return value ? *value : 0U;
  };
  auto flag = [&](std::uint64_t n, std::string text) {
    if (n > 0) {
      problems.push_back(std::move(text));
    }
  };
  using base::tr_n;
  std::uint64_t n = count(h.reallocated_sectors);
  flag(n,
       tr_n(lang, "{count} reallocated sector", "{count} reallocated sectors", n, {{"count", n}}));
  n = count(h.reported_uncorrectable);
  flag(n, tr_n(lang, "{count} reported uncorrectable error",
               "{count} reported uncorrectable errors", n, {{"count", n}}));
  n = count(h.command_timeout);
  flag(n, tr_n(lang, "{count} command timeout", "{count} command timeouts", n, {{"count", n}}));
  n = count(h.pending_sectors);
  flag(n, tr_n(lang, "{count} pending sector", "{count} pending sectors", n, {{"count", n}}));
  n = count(h.offline_uncorrectable);
  flag(n, tr_n(lang, "{count} offline uncorrectable sector",
               "{count} offline uncorrectable sectors", n, {{"count", n}}));
  n = count(h.media_errors);
  flag(n, tr_n(lang, "{count} media error", "{count} media errors", n, {{"count", n}}));
  n = count(h.critical_warning);
  flag(n, tr_n(lang, "{count} critical warning flag", "{count} critical warning flags", n,
               {{"count", n}}));
  if (h.percentage_used && *h.percentage_used >= 100) {
    problems.push_back(base::trf(lang,
                                 // xgettext:no-c-format
                                 "{percent}% of rated endurance used",
                                 {{"percent", *h.percentage_used}}));
  }
  std::string joined;
  for (const auto& p : problems) {
    joined += joined.empty() ? p : ", " + p;
  }
  switch (h.status) {
  case HealthStatus::ok:
    return base::tr(lang, "health good");
  case HealthStatus::failing:
    return base::tr(lang, "health FAILING: the drive reports its own SMART test as failed") +
           (joined.empty() ? "" : " (" + joined + ")");
  case HealthStatus::warning:
    return base::trf(lang, "health to watch: {problems}", {{"problems", joined}});
  case HealthStatus::unknown:
    break;
  }
  return base::trf(lang, "health unknown: {reason}", {{"reason", h.reason}});
}

} // namespace

std::string to_text(const Inventory& inv, base::Language lang) {
  using base::tr;
  using base::tr_ctx;
  using base::trf;
  std::string out;
  auto line = [&](const std::string& label, const std::string& value) {
    out += fmt::format("{:<16} {}\n", label, value.empty() ? "-" : value);
  };
  const SystemInfo& s = inv.system;
  line(tr_ctx(lang, "inventory", "Machine"),
       fmt::format("{} {}", s.vendor.empty() ? tr(lang, "(unknown vendor)") : s.vendor,
                   s.model.empty() ? tr(lang, "(unknown model)") : s.model));
  line(tr_ctx(lang, "inventory", "Serial"),
       inv.identity.serial
           ? trf(lang, "{serial} (from {source})",
                 {{"serial", *inv.identity.serial}, {"source", inv.identity.serial_source}})
       : inv.identity.first_wired_mac
           ? trf(lang, "none usable; MAC {mac}", {{"mac", *inv.identity.first_wired_mac}})
           : tr(lang, "none usable"));
  line(tr_ctx(lang, "inventory", "Chassis"), chassis_text(s.chassis, lang));
  std::string firmware = inv.firmware.type == "uefi" ? "UEFI" : tr(lang, "BIOS (legacy)");
  if (inv.firmware.secure_boot) {
    firmware +=
        *inv.firmware.secure_boot ? tr(lang, ", Secure Boot on") : tr(lang, ", Secure Boot off");
  }
  if (!inv.firmware.tpm_present) {
    firmware += tr(lang, ", no TPM");
  } else if (inv.firmware.tpm_version_major) {
    firmware += trf(lang, ", TPM {version}", {{"version", *inv.firmware.tpm_version_major}});
  } else {
    firmware += tr(lang, ", TPM (version unknown)");
  }
  line(tr_ctx(lang, "inventory", "Firmware"), firmware);
  const CpuInfo& c = inv.cpu;
  line(tr_ctx(lang, "inventory", "CPU"),
       trf(lang, "{model} — {cores} cores / {threads} threads, x86-64-v{level}{generation}",
           {{"model", c.model_name.empty() ? tr(lang, "unknown") : c.model_name},
            {"cores", c.cores},
            {"threads", c.threads},
            {"level", c.x86_64_level},
            {"generation", c.generation ? trf(lang, ", {family} gen {number}",
                                              {{"family", c.generation->family},
                                               {"number", c.generation->number}})
                                        : std::string()}}));
  std::string slots;
  for (const auto& m : inv.memory.slots) {
    if (!slots.empty()) {
      slots += ", ";
    }
    slots += m.empty() ? trf(lang, "{slot}: empty", {{"slot", m.locator}})
                       : fmt::format("{}: {} {}", m.locator,
                                     m.size_bytes ? human_gib(*m.size_bytes, lang) : "?",
                                     smbios::memory_type_name(m.type_code));
  }
  line(tr_ctx(lang, "inventory", "Memory"),
       fmt::format("{}{}", human_gib(inv.memory.total_bytes, lang),
                   slots.empty() ? "" : " (" + slots + ")"));
  for (const auto& d : inv.disks) {
    const std::string health =
        d.health ? health_text(*d.health, lang) : tr(lang, "health not checked");
    line(tr_ctx(lang, "inventory", "Disk"),
         fmt::format("{} {} {} {} — {}", d.name, human_bytes(d.size_bytes, lang), d.media,
                     d.model.empty() ? "" : d.model, health));
  }
  for (const auto& n : inv.network) {
    line(tr_ctx(lang, "inventory", "Network"),
         fmt::format("{} {} {} {}{}", n.name, nic_kind_text(n.kind, lang), n.mac, n.driver,
                     n.speed_mbps ? fmt::format(" {} Mb/s", *n.speed_mbps) : ""));
  }
  for (const auto& p : inv.pci) {
    if (p.is_gpu()) {
      line(tr_ctx(lang, "inventory", "GPU"),
           fmt::format("{} {:04x}:{:04x} {}", pci_vendor_name(p.vendor_id), p.vendor_id,
                       p.device_id, p.driver));
    }
  }
  for (const auto& b : inv.batteries) {
    const std::string capacity = b.health_percent
                                     // xgettext:no-c-format
                                     ? trf(lang, "{percent}% of design capacity",
                                           {{"percent", fmt::format("{:.0f}", *b.health_percent)}})
                                     : tr(lang, "capacity unknown");
    const std::string cycles = b.cycle_count ? tr_n(lang, ", {count} cycle", ", {count} cycles",
                                                    static_cast<std::uint64_t>(*b.cycle_count),
                                                    {{"count", *b.cycle_count}})
                                             : std::string();
    line(tr_ctx(lang, "inventory", "Battery"), fmt::format("{} {}{}", b.name, capacity, cycles));
  }
  for (const auto& d : inv.optical) {
    line(tr_ctx(lang, "inventory", "Optical"), fmt::format("{} {}", d.name, d.model));
  }
  for (const auto& w : inv.webcams) {
    line(tr_ctx(lang, "inventory", "Webcam"), w.name);
  }
  if (!inv.warnings.empty()) {
    out += "\n" +
           tr_n(lang, "{count} note — details in the JSON report (--json):",
                "{count} notes — details in the JSON report (--json):", inv.warnings.size(),
                {{"count", inv.warnings.size()}}) +
           "\n";
    for (const auto& w : inv.warnings) {
      out += fmt::format("  [{}] {}\n", w.source, w.message);
    }
  }
  return out;
}

} // namespace atelier::imager
