#include "imager/purge/purge_command.h"

#include "base/version.h"
#include "imager/disk/device_safety.h"
#include "imager/purge/purge.h"
#include "profiles/profile.h"
#include "records/erasure_record.h"

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

// GCC 12 reports a false -Wnull-dereference inside CLI11's inlined string splitting at -O2.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using profiles::WipeMethod;

struct IdentifyArgs {
  std::string device;
  bool json = false;
};

const std::map<std::string, WipeMethod>& firmware_methods() {
  static const std::map<std::string, WipeMethod> k_methods = [] {
    std::map<std::string, WipeMethod> m;
    for (const WipeMethod method :
         {WipeMethod::ata_sanitize_crypto, WipeMethod::ata_sanitize_block,
          WipeMethod::ata_sanitize_overwrite, WipeMethod::ata_secure_erase,
          WipeMethod::ata_secure_erase_enhanced, WipeMethod::nvme_sanitize_crypto,
          WipeMethod::nvme_sanitize_block, WipeMethod::nvme_sanitize_overwrite,
          WipeMethod::nvme_format_crypto, WipeMethod::nvme_format_user}) {
      m.emplace(std::string(to_string(method)), method);
    }
    return m;
  }();
  return k_methods;
}

void print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

int run_identify(const IdentifyArgs& args) {
  auto device = open_firmware_erase_device(args.device);
  if (!device) {
    std::fprintf(stderr, "atelier-imager identify: %s\n", device.error().c_str());
    return 2;
  }
  const DriveCapabilities caps = identify_drive(**device);
  print(args.json ? to_json(caps).dump(2) + "\n" : to_text(caps));
  return 0;
}

std::string record_text(const records::ErasureRecord& r) {
  std::string out =
      fmt::format("{}: {} ({}, {})\n", r.device,
                  r.result == records::ErasureResult::erased ? "ERASED" : "NOT ERASED", r.method,
                  r.level == records::SanitizationLevel::purge ? "Purge" : "Clear");
  if (r.result != records::ErasureResult::erased) {
    out += fmt::format("  reason: {}\n", r.failure_reason);
  }
  out += fmt::format("  drive: {} serial {}, {} bytes, {}\n", r.model, r.serial, r.size_bytes,
                     r.media_type);
  if (!r.method_detail.empty()) {
    out += fmt::format("  done: {}\n", r.method_detail);
  }
  out += fmt::format("  verification: {}\n",
                     r.verification_result.empty() ? "not verified" : r.verification_result);
  out += fmt::format("  hidden areas: {}\n", r.hidden_areas.note);
  for (const auto& note : r.notes) {
    out += fmt::format("  note: {}\n", note);
  }
  out += fmt::format("  record {} ({} to {})\n", r.record_id, r.started_at, r.finished_at);
  return out;
}

int run_purge(const PurgeCommandArgs& args) {
  auto options = purge_options(args);
  if (!options) {
    std::fprintf(stderr, "atelier-imager purge: %s\n", options.error().c_str());
    return 2;
  }
  auto device = open_firmware_erase_device(args.device);
  if (!device) {
    std::fprintf(stderr, "atelier-imager purge: %s\n", device.error().c_str());
    return 2;
  }
  if ((*device)->pass_through() == PassThrough::none) {
    std::fprintf(
        stderr,
        "atelier-imager purge: %s: no ATA/NVMe pass-through on this device (%s): firmware erase is "
        "impossible; use atelier-imager wipe\n",
        args.device.c_str(), (*device)->kind().c_str());
    return 2;
  }
  // The OS-level safety check (mounted, swap, the running system, in use, confirmed serial) comes
  // before anything that writes.
  SafetyOptions safety;
  safety.in_boot_environment = running_in_boot_environment();
  if (!args.confirm_serial.empty()) {
    safety.confirm_serial = args.confirm_serial;
  }
  if (auto allowed = check_overwrite_allowed(args.device, safety); !allowed) {
    std::fprintf(stderr, "atelier-imager purge: %s\n", allowed.error().c_str());
    return 2;
  }
  auto sectors = open_sector_device(args.device);
  if (!sectors) {
    std::fprintf(stderr, "atelier-imager purge: %s (needed to verify the erase)\n",
                 sectors.error().c_str());
    return 2;
  }
  base::SystemClock clock;
  PurgeEnvironment env{**device, clock, sectors->get(), sectors->get(), {}};
  // Progress lines never make the purge wait for their reader (ProgressLines, progress.h).
  auto lines = std::make_shared<ProgressLines>(STDERR_FILENO);
  if (args.progress == "json") {
    env.progress = [lines](const Progress& p) {
      lines->post(p.device, to_json(p).dump());
    };
  } else if (args.progress == "text") {
    env.progress = [lines](const Progress& p) {
      lines->post(
          p.device,
          fmt::format("{}: {} {:.1f}%{}", p.device, p.detail,
                      p.total_bytes ? 100.0 * static_cast<double>(p.done_bytes) /
                                          static_cast<double>(p.total_bytes)
                                    : 0.0,
                      p.eta_seconds ? fmt::format(", about {:.0f} s left", *p.eta_seconds) : ""));
    };
  }
  const records::ErasureRecord record = purge_drive(*options, env);
  lines->flush(std::chrono::seconds(2));
  print(args.json ? to_json(record).dump(2) + "\n" : record_text(record));
  return record.result == records::ErasureResult::erased ? 0 : 1;
}

} // namespace

std::expected<PurgeOptions, std::string> purge_options(const PurgeCommandArgs& args) {
  const auto method = firmware_methods().find(args.method);
  if (method == firmware_methods().end()) {
    return std::unexpected(
        fmt::format("--method {} is not a firmware method; overwrites run with atelier-imager wipe",
                    args.method));
  }
  PurgeOptions options;
  options.method = method->second;
  options.hidden_areas =
      args.hidden_areas == "report" ? profiles::HiddenAreas::report : profiles::HiddenAreas::reset;
  options.verify =
      args.verify == "none" ? profiles::Verification::none : profiles::Verification::sample;
  if (!args.confirm_serial.empty()) {
    options.confirm_serial = args.confirm_serial;
  }
  options.samples = args.samples;
  options.tool_version = std::string(base::version());
  options.operator_name = args.operator_name;
  options.site = args.site;
  options.contact = args.contact;
  options.source_property = args.asset_tag;
  return options;
}

CLI::App* add_purge_command(CLI::App& app, PurgeCommandArgs& args) {
  auto* purge =
      app.add_subcommand("purge", "Erase a disk with its firmware (SANITIZE, SECURITY ERASE, NVMe "
                                  "Sanitize/Format) and print the erasure record");
  purge->add_option("device", args.device, "Whole disk, e.g. /dev/sda or /dev/nvme0n1")->required();
  std::vector<std::string> names;
  for (const auto& [name, _] : firmware_methods()) {
    names.push_back(name);
  }
  purge->add_option("--method", args.method, "Firmware method (profile spelling)")
      ->required()
      ->check(CLI::IsMember(names));
  purge->add_flag("--json", args.json, "Print the erasure record as JSON (docs/ERASURE-RECORD.md)");
  purge->add_option("--confirm-serial", args.confirm_serial,
                    "The disk's serial number, as proof that this is the disk to erase");
  purge->add_option("--hidden-areas", args.hidden_areas, "reset (default) or report HPA/DCO")
      ->check(CLI::IsMember({"reset", "report"}));
  purge
      ->add_option("--verify", args.verify,
                   "sample (default) or none; crypto erases are always verified")
      ->check(CLI::IsMember({"sample", "none"}));
  purge
      ->add_option("--samples", args.samples,
                   "Sectors sampled before and after (plus first and last)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  purge
      ->add_option("--progress", args.progress,
                   "Progress on standard error: text (default), json or none")
      ->check(CLI::IsMember({"text", "json", "none"}));
  purge->add_option("--asset-tag", args.asset_tag,
                    "The unit's asset tag (the record's source_property)");
  purge->add_option("--site", args.site, "Workshop name (for the record)");
  purge->add_option("--operator", args.operator_name, "Who performs the erasure (for the record)")
      ->capture_default_str();
  purge->add_option("--contact", args.contact, "Contact for questions about the record");
  return purge;
}

std::function<std::optional<int>()> add_purge_commands(CLI::App& app) {
  auto identify_args = std::make_shared<IdentifyArgs>();
  auto* identify =
      app.add_subcommand("identify", "Ask a disk's firmware what it can erase (read-only)");
  identify->add_option("device", identify_args->device, "Whole disk, e.g. /dev/sda or /dev/nvme0n1")
      ->required();
  identify->add_flag("--json", identify_args->json,
                     "Print JSON (atelier.identify/1, docs/PURGE.md)");
  auto purge_args = std::make_shared<PurgeCommandArgs>();
  auto* purge = add_purge_command(app, *purge_args);
  return [identify, identify_args, purge, purge_args]() -> std::optional<int> {
    if (identify->parsed()) {
      return run_identify(*identify_args);
    }
    if (purge->parsed()) {
      return run_purge(*purge_args);
    }
    return std::nullopt;
  };
}

} // namespace atelier::imager
