// identify_drive, the hidden-area probe and reset, and the `identify` report (purge.h).
#include "base/i18n.h"
#include "imager/purge/purge.h"
#include "records/erasure_phrases.h"

#include <array>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;
using profiles::WipeMethod;

constexpr std::chrono::milliseconds k_quick = 30s; // IDENTIFY, status and max-address commands

std::expected<AtaRegisters, DeviceError> send(FirmwareEraseDevice& d, const AtaCommand& c) {
  return d.ata(c, {}, k_quick);
}

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

void identify_ata(FirmwareEraseDevice& device, DriveCapabilities& caps) {
  auto id = read_ata_identify(device);
  if (!id) {
    caps.problems.push_back(id.error());
    return;
  }
  caps.ata = std::move(*id);
  if (caps.bus != "usb" && !caps.ata->media().empty()) {
    caps.media = caps.ata->media(); // the drive's own word 217 beats sysfs' rotational guess
  }
  if (caps.ata->sanitize.supported) {
    auto status = send(device, ata_sanitize_status());
    if (status) {
      caps.ata_sanitize_status = decode_sanitize_status(*status);
    } else if (status.error().registers) {
      caps.ata_sanitize_status =
          decode_sanitize_status(*status.error().registers); // a failed earlier sanitize
    } else {
      caps.problems.push_back(status.error().message);
    }
  }
  caps.hidden = probe_hidden_areas(device, *caps.ata);
}

void identify_nvme(FirmwareEraseDevice& device, DriveCapabilities& caps) {
  caps.nvme_nsid = device.nvme_namespace();
  std::array<std::uint8_t, 4096> data{};
  auto ctrl = device.nvme_admin(nvme_identify_controller(), data, k_quick);
  if (!ctrl) {
    caps.problems.push_back(ctrl.error().message);
    return;
  }
  auto parsed = parse_nvme_identify_controller(data);
  if (!parsed) {
    caps.problems.push_back(fmt::format("{}: {}", device.path(), parsed.error()));
    return;
  }
  caps.nvme = std::move(*parsed);
  data.fill(0);
  if (auto ns = device.nvme_admin(nvme_identify_namespace(caps.nvme_nsid), data, k_quick); !ns) {
    caps.problems.push_back(ns.error().message);
  } else if (auto parsed_ns = parse_nvme_identify_namespace(data); !parsed_ns) {
    caps.problems.push_back(fmt::format("{}: {}", device.path(), parsed_ns.error()));
  } else {
    caps.nvme_namespace = std::move(*parsed_ns);
  }
  if (caps.nvme->sanitize_supported()) {
    std::array<std::uint8_t, 512> log{};
    if (auto r = device.nvme_admin(nvme_get_sanitize_log(), log, k_quick); !r) {
      caps.problems.push_back(r.error().message);
    } else if (auto parsed_log = parse_nvme_sanitize_log(log); parsed_log) {
      caps.nvme_sanitize_log = *parsed_log;
    }
  }
  caps.hidden.checked = true;
  caps.hidden.notes.push_back("NVMe drives have no HPA or DCO");
}

std::optional<std::uint64_t> read_native_sectors(FirmwareEraseDevice& device, const AtaIdentify& id,
                                                 std::vector<std::string>& notes) {
  const bool ama = id.ama_supported;
  const AtaCommand command =
      ama ? ata_get_native_max_address_ama() : ata_read_native_max_address(id.lba48);
  auto r = send(device, command);
  if (!r) {
    notes.push_back(r.error().message);
    return std::nullopt;
  }
  if (r->upper_bytes_lost) {
    notes.push_back(fmt::format(
        "{}: {}: the kernel returned fixed-format sense data without the 48-bit address",
        device.path(), ata_command_name(command)));
    return std::nullopt;
  }
  return ata_max_lba_from(*r, ama || id.lba48) + 1;
}

} // namespace

std::expected<AtaIdentify, std::string> read_ata_identify(FirmwareEraseDevice& device) {
  std::array<std::uint8_t, 512> data{};
  auto r = device.ata(ata_identify_device(), data, k_quick);
  if (!r && !r.error().timed_out) {
    // Leniency rule: once in the VM test the first IDENTIFY through SG_IO came back as ABORTED
    // COMMAND while the link settled; one immediate retry is cheap and read-only.
    r = device.ata(ata_identify_device(), data, k_quick);
  }
  if (!r) {
    return std::unexpected(r.error().message);
  }
  auto id = parse_ata_identify(data);
  if (!id) {
    return std::unexpected(fmt::format("{}: {}", device.path(), id.error()));
  }
  return id;
}

HiddenAreaProbe probe_hidden_areas(FirmwareEraseDevice& device, const AtaIdentify& id) {
  HiddenAreaProbe probe;
  probe.visible_sectors = id.user_sectors;
  if (!id.hpa_supported && !id.ama_supported) {
    probe.native_sectors =
        id.user_sectors; // without the feature set there is no HPA to hide sectors
    probe.notes.push_back("the drive has no Host Protected Area feature");
  } else {
    probe.native_sectors = read_native_sectors(device, id, probe.notes);
  }
  if (id.dco_supported) {
    std::array<std::uint8_t, 512> data{};
    if (auto r = device.ata(ata_dco_identify(), data, k_quick); !r) {
      probe.notes.push_back(r.error().message +
                            " (the BIOS may have frozen the DCO, or the drive dropped DCO)");
    } else if (auto dco = parse_dco_identify(data); !dco) {
      probe.notes.push_back(fmt::format("{}: {}", device.path(), dco.error()));
    } else {
      probe.factory_sectors = dco->maximum_lba + 1;
    }
  }
  probe.checked = probe.native_sectors.has_value();
  return probe;
}

std::expected<HiddenAreaProbe, std::string> reset_hidden_areas(FirmwareEraseDevice& device,
                                                               const AtaIdentify& id,
                                                               const HiddenAreaProbe& found) {
  if (found.hpa()) {
    const std::uint64_t max_lba = *found.native_sectors - 1;
    if (id.ama_supported) {
      if (auto r = send(device, ata_set_accessible_max_address(max_lba)); !r) {
        return std::unexpected(r.error().message);
      }
    } else {
      // SET MAX ADDRESS must immediately follow READ NATIVE MAX ADDRESS (ACS-3 obsolete feature
      // set).
      if (auto r = send(device, ata_read_native_max_address(id.lba48)); !r) {
        return std::unexpected(r.error().message);
      }
      if (auto r = send(device, ata_set_max_address(max_lba, true, id.lba48)); !r) {
        return std::unexpected(r.error().message +
                               " (a drive accepts one non-volatile SET MAX ADDRESS per power "
                               "cycle: power it off and on, then retry)");
      }
    }
  }
  if (found.dco()) {
    if (auto r = send(device, ata_dco_restore()); !r) {
      return std::unexpected(r.error().message);
    }
  }
  auto again = read_ata_identify(device);
  if (!again) {
    return std::unexpected(again.error());
  }
  HiddenAreaProbe after = probe_hidden_areas(device, *again);
  if (after.hpa() || after.dco()) {
    return std::unexpected(
        fmt::format("{}: the hidden area is still there after the reset ({} of {} sectors visible)",
                    device.path(), after.visible_sectors,
                    after.factory_sectors.value_or(after.native_sectors.value_or(0))));
  }
  if (auto r = device.rescan_capacity(); !r) {
    after.notes.push_back(r.error());
  }
  return after;
}

records::HiddenAreaStatus hidden_area_status(const HiddenAreaProbe& before,
                                             const std::optional<HiddenAreaProbe>& after,
                                             std::uint32_t sector_bytes, bool reset_asked,
                                             std::string_view pass_through) {
  records::HiddenAreaStatus s;
  s.checked = before.checked;
  s.hpa_present = before.hpa();
  s.dco_present = before.dco();
  s.visible_bytes = before.visible_sectors * sector_bytes;
  const std::uint64_t native = std::max(before.factory_sectors.value_or(0),
                                        before.native_sectors.value_or(before.visible_sectors));
  s.native_bytes = native * sector_bytes;
  if (!before.checked) {
    s.note = before.notes.empty() ? base::format_message(records::k_hidden_not_checked_via,
                                                         {{"pass_through", pass_through}})
                                  : base::format_message(records::k_hidden_not_checked_because,
                                                         {{"reason", before.notes.front()}});
    return s;
  }
  if (!s.hpa_present && !s.dco_present) {
    s.note = pass_through == "nvme" ? records::k_hidden_nvme_none : records::k_hidden_none;
    return s;
  }
  const std::uint64_t hidden = native - before.visible_sectors;
  const std::string what = s.hpa_present && s.dco_present ? records::k_hidden_both
                           : s.hpa_present                ? "HPA"
                                                          : "DCO";
  s.reset = after.has_value() && !after->hpa() && !after->dco();
  const base::MessageArgs args = {
      {"what", what}, {"sectors", hidden}, {"size", gib(hidden * sector_bytes)}};
  s.note = base::format_message(s.reset       ? records::k_hidden_removed
                                : reset_asked ? records::k_hidden_not_removed
                                              : records::k_hidden_left_in_place,
                                args);
  return s;
}

DriveCapabilities identify_drive(FirmwareEraseDevice& device) {
  DriveCapabilities caps;
  caps.device = device.path();
  caps.pass_through = device.pass_through();
  caps.kind = device.kind();
  caps.bus = device.bus();
  caps.media = device.media();
  switch (caps.pass_through) {
  case PassThrough::ata:
    identify_ata(device, caps);
    break;
  case PassThrough::nvme:
    caps.media = "nvme";
    identify_nvme(device, caps);
    break;
  case PassThrough::none:
    caps.hidden.notes.push_back(
        fmt::format("no ATA/NVMe pass-through on this device ({})", caps.kind));
    break;
  }
  return caps;
}

// --- the identify report ------------------------------------------------------------------------

namespace {

nlohmann::json estimate_json(const std::optional<EraseEstimate>& e) {
  if (!e) {
    return nullptr;
  }
  return {{"minutes", e->minutes}, {"at_least", e->at_least}};
}

template <class T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

constexpr std::array<WipeMethod, 14> k_all_methods{WipeMethod::ata_sanitize_crypto,
                                                   WipeMethod::ata_sanitize_block,
                                                   WipeMethod::ata_sanitize_overwrite,
                                                   WipeMethod::ata_secure_erase,
                                                   WipeMethod::ata_secure_erase_enhanced,
                                                   WipeMethod::nvme_sanitize_crypto,
                                                   WipeMethod::nvme_sanitize_block,
                                                   WipeMethod::nvme_sanitize_overwrite,
                                                   WipeMethod::nvme_format_crypto,
                                                   WipeMethod::nvme_format_user,
                                                   WipeMethod::zero,
                                                   WipeMethod::one,
                                                   WipeMethod::random,
                                                   WipeMethod::random_then_zero};

} // namespace

nlohmann::json to_json(const DriveCapabilities& c) {
  nlohmann::json j{{"format", "atelier.identify/1"},
                   {"device", c.device},
                   {"pass_through", to_string(c.pass_through)},
                   {"kind", c.kind},
                   {"bus", c.bus},
                   {"media", c.media},
                   {"model", c.model()},
                   {"serial", c.serial()},
                   {"size_bytes", c.size_bytes()},
                   {"sector_bytes", c.sector_bytes()},
                   {"ata", nullptr},
                   {"nvme", nullptr},
                   {"problems", c.problems}};
  if (c.pass_through == PassThrough::none) {
    j["message"] = fmt::format("no ATA/NVMe pass-through on this device ({})", c.kind);
  }
  if (c.ata) {
    const AtaIdentify& a = *c.ata;
    nlohmann::json sanitize{{"supported", a.sanitize.supported},
                            {"crypto_scramble", a.sanitize.crypto_scramble},
                            {"block_erase", a.sanitize.block_erase},
                            {"overwrite", a.sanitize.overwrite},
                            {"antifreeze_lock", a.sanitize.antifreeze_lock},
                            {"status", nullptr}};
    if (c.ata_sanitize_status) {
      const auto& s = *c.ata_sanitize_status;
      sanitize["status"] = {
          {"in_progress", s.in_progress},
          {"frozen", s.frozen},
          {"completed_without_error", s.completed_without_error},
          {"progress", s.progress},
          {"failure", s.failure_reason ? nlohmann::json(sanitize_failure_text(*s.failure_reason))
                                       : nlohmann::json(nullptr)}};
    }
    j["ata"] = {{"model", a.model},
                {"serial", a.serial},
                {"firmware", a.firmware},
                {"user_sectors", a.user_sectors},
                {"logical_sector_bytes", a.logical_sector_bytes},
                {"physical_sector_bytes", a.physical_sector_bytes},
                {"rotation_rate", optional_json(a.rotation_rate)},
                {"trim", a.trim},
                {"sanitize", sanitize},
                {"security",
                 {{"supported", a.security.supported},
                  {"enabled", a.security.enabled},
                  {"locked", a.security.locked},
                  {"frozen", a.security.frozen},
                  {"count_expired", a.security.count_expired},
                  {"enhanced_erase_supported", a.security.enhanced_erase_supported},
                  {"normal_erase_estimate", estimate_json(a.security.normal_erase_estimate)},
                  {"enhanced_erase_estimate", estimate_json(a.security.enhanced_erase_estimate)}}},
                {"hpa_supported", a.hpa_supported},
                {"dco_supported", a.dco_supported},
                {"ama_supported", a.ama_supported},
                {"checksum_valid", optional_json(a.checksum_valid)}};
  }
  if (c.nvme) {
    const NvmeController& n = *c.nvme;
    nlohmann::json ns = nullptr;
    if (c.nvme_namespace) {
      ns = {{"size_blocks", c.nvme_namespace->size_blocks},
            {"block_bytes", c.nvme_namespace->block_bytes()},
            {"format_index", c.nvme_namespace->format_index}};
    }
    nlohmann::json log = nullptr;
    if (c.nvme_sanitize_log) {
      const auto& l = *c.nvme_sanitize_log;
      log = {{"state", to_string(l.state())},
             {"progress", l.progress},
             {"estimate_overwrite_s", optional_json(l.estimate_overwrite_s)},
             {"estimate_block_erase_s", optional_json(l.estimate_block_erase_s)},
             {"estimate_crypto_erase_s", optional_json(l.estimate_crypto_erase_s)}};
    }
    j["nvme"] = {{"vid", n.vid},
                 {"ssvid", n.ssvid},
                 {"model", n.model},
                 {"serial", n.serial},
                 {"firmware", n.firmware},
                 {"version", fmt::format("{}.{}", n.version >> 16U, (n.version >> 8U) & 0xFFU)},
                 {"oacs", n.oacs},
                 {"fna", n.fna},
                 {"sanicap", n.sanicap},
                 {"format_supported", n.format_supported()},
                 {"crypto_erase_supported", n.crypto_erase_supported()},
                 {"sanitize",
                  {{"crypto_erase", n.sanitize_crypto()},
                   {"block_erase", n.sanitize_block()},
                   {"overwrite", n.sanitize_overwrite()}}},
                 {"namespaces", n.namespaces},
                 {"nsid", c.nvme_nsid},
                 {"namespace", ns},
                 {"sanitize_log", log}};
  }
  j["hidden_areas"] = {{"checked", c.hidden.checked},
                       {"visible_sectors", c.hidden.visible_sectors},
                       {"native_sectors", optional_json(c.hidden.native_sectors)},
                       {"factory_sectors", optional_json(c.hidden.factory_sectors)},
                       {"hpa", c.hidden.hpa()},
                       {"dco", c.hidden.dco()},
                       {"notes", c.hidden.notes}};
  nlohmann::json methods = nlohmann::json::array();
  for (const WipeMethod m : k_all_methods) {
    const auto reason = why_unusable(m, c);
    const auto level = level_for(effective_method(m, c), c.media);
    methods.push_back({{"method", to_string(m)},
                       {"usable", !reason.has_value()},
                       {"reason", reason ? nlohmann::json(*reason) : nlohmann::json(nullptr)},
                       {"level", to_string(level.level)},
                       {"level_reason", level.reason}});
  }
  j["methods"] = methods;
  return j;
}

std::string to_text(const DriveCapabilities& c) {
  std::string out = fmt::format("{}: {}\n", c.device, c.kind);
  if (c.pass_through == PassThrough::none) {
    out += fmt::format("  no ATA/NVMe pass-through on this device ({}): firmware erase is "
                       "impossible, an overwrite "
                       "(atelier-imager wipe) is the way\n",
                       c.kind);
    return out;
  }
  out += fmt::format("  model {}, serial {}, {} ({}), media {}, bus {}\n", c.model(), c.serial(),
                     gib(c.size_bytes()), c.size_bytes(), c.media.empty() ? "unknown" : c.media,
                     c.bus);
  if (c.ata) {
    const auto& s = c.ata->security;
    auto est = [](const std::optional<EraseEstimate>& e) {
      return e ? fmt::format("{}{} min", e->at_least ? "more than " : "", e->minutes)
               : std::string("not reported");
    };
    out += fmt::format("  sanitize: {}\n",
                       !c.ata->sanitize.supported
                           ? std::string("not supported")
                           : fmt::format("crypto scramble {}, block erase {}, overwrite {}{}",
                                         c.ata->sanitize.crypto_scramble ? "yes" : "no",
                                         c.ata->sanitize.block_erase ? "yes" : "no",
                                         c.ata->sanitize.overwrite ? "yes" : "no",
                                         c.ata_sanitize_status && c.ata_sanitize_status->frozen
                                             ? " (FROZEN)"
                                             : ""));
    out += fmt::format(
        "  security: {}\n",
        !s.supported ? std::string("not supported")
                     : fmt::format("{}{}{}{}enhanced erase {}; estimates: normal {}, enhanced {}",
                                   s.frozen ? "FROZEN, " : "not frozen, ",
                                   s.locked ? "LOCKED, " : "", s.enabled ? "password set, " : "",
                                   s.count_expired ? "attempts expired, " : "",
                                   s.enhanced_erase_supported ? "supported" : "not supported",
                                   est(s.normal_erase_estimate), est(s.enhanced_erase_estimate)));
    if (s.frozen) {
      out += fmt::format("  => {}\n", k_frozen_message);
    }
  }
  if (c.nvme) {
    const auto& n = *c.nvme;
    out += fmt::format(
        "  sanitize: crypto erase {}, block erase {}, overwrite {}; format NVM {}, crypto erase in "
        "format {}\n",
        n.sanitize_crypto() ? "yes" : "no", n.sanitize_block() ? "yes" : "no",
        n.sanitize_overwrite() ? "yes" : "no", n.format_supported() ? "yes" : "no",
        n.crypto_erase_supported() ? "yes" : "no");
    if (c.nvme_sanitize_log) {
      out += fmt::format("  last sanitize: {}\n", to_string(c.nvme_sanitize_log->state()));
    }
  }
  const auto& h = c.hidden;
  if (!h.checked) {
    out += "  hidden areas: not checked";
  } else if (h.hpa() || h.dco()) {
    out += fmt::format("  hidden areas: {}{}visible {} of {} sectors", h.hpa() ? "HPA " : "",
                       h.dco() ? "DCO " : "", h.visible_sectors,
                       std::max(h.factory_sectors.value_or(0), h.native_sectors.value_or(0)));
  } else {
    out += "  hidden areas: none";
  }
  out += h.notes.empty() ? "\n" : fmt::format(" ({})\n", fmt::join(h.notes, "; "));
  out += "  methods:\n";
  for (const WipeMethod m : k_all_methods) {
    const auto reason = why_unusable(m, c);
    if (!profiles::is_overwrite(m) &&
        !profiles::method_applies(m, c.media.empty()     ? profiles::DiskMedia::ssd
                                     : c.media == "nvme" ? profiles::DiskMedia::nvme
                                                         : profiles::DiskMedia::hdd)) {
      continue;
    }
    const auto level = level_for(effective_method(m, c), c.media);
    out += fmt::format("    {:<26} {}\n", to_string(m),
                       reason ? "no: " + *reason : fmt::format("yes ({})", to_string(level.level)));
  }
  for (const auto& p : c.problems) {
    out += fmt::format("  problem: {}\n", p);
  }
  return out;
}

} // namespace atelier::imager
