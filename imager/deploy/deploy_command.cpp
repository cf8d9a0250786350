#include "imager/deploy/deploy_command.h"

#include "base/process_runner.h"
#include "imager/deploy/deploy.h"
#include "imager/disk/device_safety.h"
#include "imager/inventory/platform.h"
#include "imager/sys/file_system.h"
#include "profiles/profile.h"

#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

void print(std::FILE* to, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), to);
}

std::string record_text(const records::ImagingRecord& r) {
  std::string out = fmt::format("{} {}: {}\n", r.device, to_string(r.result),
                                r.result == records::ImagingResult::imaged
                                    ? fmt::format("profile {}, hostname {}", r.profile, r.hostname)
                                    : fmt::format("step {}: {}", r.failed_step, r.failure_reason));
  if (!r.partition_table.empty()) {
    out += fmt::format("  layout: {} ({})\n", r.partition_table, r.firmware);
  }
  if (!r.image_sha256.empty()) {
    out += fmt::format("  image: {} sha256 {}\n", r.image_source, r.image_sha256);
  }
  for (const auto& s : r.steps) {
    out += fmt::format("  {:<10} {:>7.1f} s  {}{}\n", s.name, s.duration_seconds,
                       s.ok ? "" : "FAILED: ", s.detail);
  }
  for (const auto& note : r.notes) {
    out += fmt::format("  note: {}\n", note);
  }
  return out;
}

} // namespace

int run_deploy_command(const DeployCommandArgs& args, std::FILE* out, std::FILE* err) {
  if (args.progress != "none" && args.progress != "text" && args.progress != "json") {
    print(err, fmt::format("atelier-imager deploy: --progress {}: expected none, text or json\n",
                           args.progress));
    return 2;
  }
  std::optional<profiles::Firmware> firmware;
  if (args.firmware) {
    if (*args.firmware != "bios" && *args.firmware != "uefi") {
      print(err, fmt::format("atelier-imager deploy: --firmware {}: expected bios or uefi\n",
                             *args.firmware));
      return 2;
    }
    firmware = *args.firmware == "uefi" ? profiles::Firmware::uefi : profiles::Firmware::bios;
  }
  auto profile = profiles::load_profile(args.profile_file);
  if (!profile) {
    for (const auto& d : profile.error()) {
      print(err, d.to_string() + "\n");
    }
    return 2;
  }
  DiskFileSystem root_fs("/");
  DeployOptions options;
  options.device = args.device;
  options.profile = &*profile;
  options.image = args.image;
  options.firmware = firmware;
  options.detected_firmware = collect_firmware(root_fs).type == "uefi" ? profiles::Firmware::uefi
                                                                       : profiles::Firmware::bios;
  options.asset_tag = args.asset_tag;
  options.support_contact = args.contact;
  options.wiped_zero = args.wiped_zero;
  options.confirm_serial = args.confirm_serial;
  options.in_boot_environment = running_in_boot_environment();
  options.install_bootloader = !args.no_bootloader;
  // Progress lines never make the deploy wait for their reader (ProgressLines, progress.h).
  std::fflush(err);
  auto lines = std::make_shared<ProgressLines>(::fileno(err));
  if (args.progress == "json") {
    options.progress = [lines](const Progress& p) {
      lines->post(p.device, to_json(p).dump());
    };
  } else if (args.progress == "text") {
    options.progress = [lines](const Progress& p) {
      const std::string amount =
          p.total_bytes > 0 ? fmt::format(" {:.0f}%", 100.0 * static_cast<double>(p.done_bytes) /
                                                          static_cast<double>(p.total_bytes))
                            : "";
      lines->post(p.device, fmt::format("{} {}{}{}{}", p.operation, p.device, amount,
                                        p.detail.empty() ? "" : ": ", p.detail));
    };
  }
  base::PosixProcessRunner runner;
  const records::ImagingRecord record = deploy(options, runner);
  lines->flush(std::chrono::seconds(2));
  print(out, args.json ? to_json(record).dump(2) + "\n" : record_text(record));
  if (record.result == records::ImagingResult::imaged) {
    return 0;
  }
  return record.failed_step == "check" ? 2 : 1;
}

} // namespace atelier::imager
