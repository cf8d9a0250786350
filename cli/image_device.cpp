// `atelier image --device DEV --profile NAME --tag TAG --confirm-serial SERIAL`: wipe and image a
// disk attached to the workshop server (a USB dock, a hot-swap bay), the way the pipeline does it
// on a network-booted machine (docs/CLI.md, "Imaging a disk in a dock").
//
// Order, and why: everything that can be refused is checked before the disk is touched (the
// profile, its image, the unit, the signing key, the firmware the disk is prepared for, the wipe
// method, then device_safety with the confirmed serial); then the overwrite per the profile's wipe
// policy; the record is filed (signed when erased) at once, so a later failure cannot lose it;
// then the deploy and its imaging record. The unit's state moves the way the pipeline moves it
// (tested/imaged/ready → wiped → imaged) where the lifecycle allows; otherwise it stays and the
// summary says so.
//
// Exit codes, as the imager's commands: 0 wiped and imaged; 1 the wipe or the deploy failed after
// writing began; 2 refused before anything was written (usage, profile, image, unit, safety).
#include "cli/image_device.h"

#include "base/file_io.h"
#include "base/process_runner.h"
#include "cli/cli.h"
#include "imager/deploy/deploy.h"
#include "imager/disk/block_device.h"
#include "imager/disk/device_identity.h"
#include "imager/disk/device_safety.h"
#include "imager/wipe/wipe_command.h"
#include "imager/wipe/wipe_engine.h"
#include "imager/wipe/wipe_pattern.h"
#include "imager/wipe/wipe_runner.h"
#include "profiles/file_kind.h"
#include "profiles/profile.h"
#include "profiles/server_config.h"
#include "records/imaging_record.h"
#include "workshop/erasure_certificate.h"
#include "workshop/settings.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A refusal before anything was written: exit 2.
void refuse(CliContext& ctx, const std::string& message) {
  ctx.err << "atelier image: " << message << '\n';
  ctx.status = k_exit_usage;
}

// A failure after writing began: exit 1.
void fail(CliContext& ctx, const std::string& message) {
  ctx.err << "atelier image: " << message << '\n';
  ctx.status = k_exit_failure;
}

std::string size_words(std::uint64_t bytes) {
  return bytes >= (1ULL << 30U)
             ? fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1ULL << 30U))
             : fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1ULL << 20U));
}

std::uint64_t device_bytes(const imager::DeviceIdentity& id) {
  std::error_code ec;
  if (id.regular_file) {
    return fs::file_size(id.path, ec);
  }
  std::ifstream in("/sys/class/block/" + id.kernel_name + "/size");
  std::uint64_t sectors = 0;
  in >> sectors;
  return sectors * 512U;
}

// The configuration file is optional: the command works on a computer without atelierd.
std::expected<profiles::ServerConfig, std::string> load_config(const ImageDeviceArgs& a) {
  const fs::path file =
      a.config.empty() ? fs::path(profiles::k_default_server_config) : fs::path(a.config);
  if (a.config.empty() && !fs::exists(file)) {
    return profiles::ServerConfig{};
  }
  auto loaded = profiles::load_server_config(file);
  if (!loaded) {
    std::string text;
    for (const auto& d : loaded.error()) {
      text += "\n  " + d.to_string();
    }
    return std::unexpected(fmt::format("{}: the configuration has errors:{}", file.string(), text));
  }
  return *loaded;
}

std::expected<profiles::Profile, std::string> find_profile(const ImageDeviceArgs& a,
                                                           const profiles::ServerConfig& config) {
  const auto diagnostics_text = [](const profiles::Diagnostics& ds) {
    std::string text;
    for (const auto& d : ds) {
      text += "\n  " + d.to_string();
    }
    return text;
  };
  if (a.profile.ends_with(".toml")) {
    auto loaded = profiles::load_profile(a.profile);
    if (!loaded) {
      return std::unexpected(fmt::format("{}: the profile has errors:{}", a.profile,
                                         diagnostics_text(loaded.error())));
    }
    return *loaded;
  }
  fs::path dir = a.profiles_dir;
  if (dir.empty()) {
    dir = std::getenv("ATELIER_PROFILES") != nullptr ? fs::path(workshop::default_profiles_dir())
                                                     : config.pipeline.profiles_dir;
  }
  if (!fs::is_directory(dir)) {
    return std::unexpected(fmt::format("no profiles directory {} (give --profiles DIR, or "
                                       "--profile FILE.toml)",
                                       dir.string()));
  }
  auto loaded = profiles::load_profile_directory(dir);
  if (!loaded) {
    return std::unexpected(fmt::format("the profiles in {} have errors (atelier profile check "
                                       "shows them):{}",
                                       dir.string(), diagnostics_text(loaded.error())));
  }
  std::vector<std::string> names;
  for (auto& p : *loaded) {
    if (p.name == a.profile) {
      return std::move(p);
    }
    names.push_back(p.name);
  }
  return std::unexpected(
      fmt::format("no profile named \"{}\" in {} (there: {})", a.profile, dir.string(),
                  names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
}

// Where the image is read from: --image, a URL as given, the profile's path, else the images
// directory (the same places atelierd serves it from).
std::expected<std::string, std::string> find_image(const ImageDeviceArgs& a,
                                                   const profiles::Profile& profile,
                                                   const profiles::ServerConfig& config) {
  if (!profile.image.sha256) {
    return std::unexpected(
        fmt::format("profile \"{}\" names no image sha256: build the image (atelier image build "
                    "--update-profile) or record its checksum in [image]",
                    profile.name));
  }
  if (!a.image.empty()) {
    if (!a.image.starts_with("http://") && !a.image.starts_with("https://") &&
        !fs::exists(a.image)) {
      return std::unexpected(fmt::format("--image {}: no such file", a.image));
    }
    return a.image;
  }
  if (profile.image.is_url) {
    return profile.image.source;
  }
  if (fs::exists(profile.image.path)) {
    return profile.image.path.string();
  }
  const fs::path dir = a.images_dir.empty() ? config.pipeline.images_dir : fs::path(a.images_dir);
  const fs::path in_dir = dir / profile.image.path.filename();
  if (fs::exists(in_dir)) {
    return in_dir.string();
  }
  return std::unexpected(fmt::format("the image of profile \"{}\" is missing: not at {} nor at {} "
                                     "(build it with atelier image build, or give --image)",
                                     profile.name, profile.image.path.string(), in_dir.string()));
}

// The firmware the disk is prepared for: --firmware, else the partitioning scheme's, else what
// the unit's inventory says it booted with. The server's own firmware says nothing about the
// machine the disk goes into.
std::expected<std::optional<profiles::Firmware>, std::string>
target_firmware(const ImageDeviceArgs& a, const profiles::Profile& profile,
                hwdb::Registry& registry, const hwdb::Unit& unit) {
  if (!a.firmware.empty()) {
    if (a.firmware != "bios" && a.firmware != "uefi") {
      return std::unexpected(fmt::format("--firmware {}: expected bios or uefi", a.firmware));
    }
    return a.firmware == "uefi" ? profiles::Firmware::uefi : profiles::Firmware::bios;
  }
  if (!profile.partitioning ||
      profile.partitioning->scheme != profiles::PartitionScheme::automatic) {
    return std::nullopt; // a raw image, or a scheme that decides the firmware itself
  }
  // The firmware the machine booted the boot environment with, as its registration recorded it.
  if (auto inventory = registry.store().latest_inventory(unit.id); inventory && *inventory) {
    const std::string& type = (*inventory)->firmware;
    if (type == "bios" || type == "uefi") {
      return type == "uefi" ? profiles::Firmware::uefi : profiles::Firmware::bios;
    }
  }
  return std::unexpected(fmt::format(
      "profile \"{}\" partitions for the machine's firmware (scheme \"auto\") and {} has no "
      "inventory saying which: give --firmware bios or --firmware uefi for the machine this disk "
      "goes into",
      profile.name, unit.tag.str()));
}

std::optional<profiles::DiskMedia> media_of(const std::string& media) {
  if (media == "ssd") {
    return profiles::DiskMedia::ssd;
  }
  if (media == "nvme") {
    return profiles::DiskMedia::nvme;
  }
  if (media == "usb") {
    return profiles::DiskMedia::usb;
  }
  if (media == "hdd" || media == "file") {
    return profiles::DiskMedia::hdd; // loop devices and files: treated as a hard disk
  }
  return std::nullopt;
}

struct ChosenMethod {
  imager::OverwriteMethod method = imager::OverwriteMethod::zero;
  std::string name;
  std::vector<std::string> skipped; // firmware methods of the policy passed over, in words
};

// The first overwrite method of the policy for this media. Firmware purges (ATA/NVMe commands)
// are not sent through a dock: USB bridges rarely pass them, and a purge interrupted by a bridge
// can leave a drive locked (docs/PURGE.md); run `atelier-imager purge` on a direct connection.
std::expected<ChosenMethod, std::string> choose_method(const profiles::Profile& profile,
                                                       const imager::DeviceIdentity& id) {
  const auto media = media_of(id.media);
  if (!media) {
    return std::unexpected(fmt::format("{}: unknown media \"{}\"", id.path, id.media));
  }
  ChosenMethod chosen;
  for (const auto method : profile.wipe.methods_for(*media)) {
    if (!profiles::is_overwrite(method)) {
      chosen.skipped.emplace_back(profiles::to_string(method));
      continue;
    }
    auto parsed = imager::overwrite_method_from_string(profiles::to_string(method));
    if (parsed) {
      chosen.method = *parsed;
      chosen.name = std::string(profiles::to_string(method));
      return chosen;
    }
  }
  return std::unexpected(fmt::format(
      "profile \"{}\" allows no overwrite for {} disks ([wipe] {} = [{}]); a firmware purge is "
      "not sent through a dock: connect the disk directly and run atelier-imager purge, or add "
      "\"zero\" to the list",
      profile.name, profiles::to_string(*media), profiles::to_string(*media),
      fmt::join(chosen.skipped, ", ")));
}

// Moves the unit when the lifecycle allows it; otherwise says why it stays (not an error: the
// records are what matters for a disk).
std::string move_unit(CliContext& ctx, hwdb::Registry& registry, hwdb::Unit& unit,
                      hwdb::UnitState to, const std::string& reason) {
  const auto next = hwdb::allowed_next(unit.state);
  if (std::find(next.begin(), next.end(), to) == next.end()) {
    return fmt::format("{} stays {} ({} → {} is not a lifecycle step)", unit.tag.str(),
                       hwdb::to_string(unit.state), hwdb::to_string(unit.state),
                       hwdb::to_string(to));
  }
  auto moved = registry.transition(unit, to, ctx.actor, reason);
  if (!moved) {
    return fmt::format("{} stays {}: {}", unit.tag.str(), hwdb::to_string(unit.state),
                       moved.error().message);
  }
  unit = *moved;
  return fmt::format("{} is now {}", unit.tag.str(), hwdb::to_string(unit.state));
}

void print_progress(CliContext& ctx, std::mutex& mutex, const imager::Progress& p) {
  std::lock_guard lock(mutex);
  const std::string amount =
      p.total_bytes > 0 ? fmt::format(" {:.1f}%", 100.0 * static_cast<double>(p.done_bytes) /
                                                      static_cast<double>(p.total_bytes))
                        : "";
  const std::string rate =
      p.bytes_per_second > 0 ? fmt::format(" {:.1f} MB/s", p.bytes_per_second / 1e6) : "";
  const std::string eta = p.eta_seconds ? fmt::format(" ETA {:.0f} s", *p.eta_seconds) : "";
  ctx.err << fmt::format("{} {}{}{}{}{}{}\n", p.operation, p.device, amount, rate, eta,
                         p.detail.empty() ? "" : ": ", p.detail);
  ctx.err.flush();
}

} // namespace

void image_device(CliContext& ctx, const ImageDeviceArgs& a) {
  // --- everything that can be refused, before the disk is touched ---
  auto config = load_config(a);
  if (!config) {
    return refuse(ctx, config.error());
  }
  auto profile = find_profile(a, *config);
  if (!profile) {
    return refuse(ctx, profile.error());
  }
  auto image = find_image(a, *profile, *config);
  if (!image) {
    return refuse(ctx, image.error());
  }
  auto registry = open_registry(ctx);
  if (!registry) {
    ctx.status = k_exit_usage;
    return;
  }
  auto found = registry->find(a.tag);
  if (!found) {
    return refuse(ctx, found.error().message);
  }
  hwdb::Unit unit = *found;
  if (unit.state == hwdb::UnitState::assigned || unit.state == hwdb::UnitState::delivered) {
    return refuse(ctx, fmt::format("{} is {}: its disk belongs to a household now; a returned "
                                   "machine is marked returned first (docs/HARDWARE-DB.md)",
                                   unit.tag.str(), hwdb::to_string(unit.state)));
  }
  auto firmware = target_firmware(a, *profile, *registry, unit);
  if (!firmware) {
    return refuse(ctx, firmware.error());
  }
  const fs::path key_dir = !a.key_dir.empty() ? fs::path(a.key_dir)
                           : std::getenv("ATELIER_KEY_DIR") != nullptr
                               ? fs::path(workshop::default_key_dir())
                               : config->pipeline.keys_dir;
  bool key_created = false;
  auto key = workshop::SigningKey::load_or_create(key_dir, &key_created);
  if (!key) {
    return refuse(ctx, key.error());
  }
  if (key_created) {
    ctx.err << fmt::format("atelier image: created the workshop signing key {} ({}); back it up\n",
                           key->path().string(), key->public_key().fingerprint());
  }
  // The wipe engine's checks, unchanged: mounted, system, swap, held disks are refused, and the
  // serial must be confirmed outside the boot environment.
  imager::SafetyOptions safety;
  safety.in_boot_environment = imager::running_in_boot_environment();
  if (!a.confirm_serial.empty()) {
    safety.confirm_serial = a.confirm_serial;
  }
  auto id = imager::identify_device(a.device);
  if (!id) {
    return refuse(ctx, id.error());
  }
  ctx.err << fmt::format("disk {}: {}{}{}, serial \"{}\", {} ({})\n", a.device, id->vendor,
                         id->vendor.empty() ? "" : " ",
                         id->model.empty() ? "unknown model" : id->model, id->serial,
                         size_words(device_bytes(*id)), id->media);
  if (auto ok = imager::check_overwrite_allowed(a.device, safety); !ok) {
    return refuse(ctx, ok.error());
  }
  auto method = choose_method(*profile, *id);
  if (!method) {
    return refuse(ctx, method.error());
  }
  auto verification = imager::verification_from_string(profiles::to_string(profile->wipe.verify));
  if (!verification) {
    return refuse(ctx, fmt::format("profile \"{}\": wipe.verify \"{}\" is not known to the wipe "
                                   "engine",
                                   profile->name, profiles::to_string(profile->wipe.verify)));
  }

  // --- the wipe ---
  std::mutex print_mutex;
  const imager::ProgressSink progress = [&](const imager::Progress& p) {
    print_progress(ctx, print_mutex, p);
  };
  ctx.err << fmt::format(
      "wiping {} for {}: {} (profile \"{}\"), verification {}{}\n", a.device, unit.tag.str(),
      method->name, profile->name, profiles::to_string(profile->wipe.verify),
      method->skipped.empty() ? ""
                              : fmt::format("; firmware methods not used through a dock: {}",
                                            fmt::join(method->skipped, ", ")));
  imager::WipeCommandArgs record_fields;
  record_fields.asset_tag = unit.tag.str();
  // The person, not the program: "cli:alice" → "alice".
  record_fields.operator_name = !a.operator_name.empty()        ? a.operator_name
                                : ctx.actor.starts_with("cli:") ? ctx.actor.substr(4)
                                                                : ctx.actor;
  record_fields.site = a.site;
  record_fields.contact = a.contact;
  imager::WipeJob job;
  job.device = a.device;
  job.record = imager::new_overwrite_record(*id, record_fields);
  const std::string device = a.device;
  job.open = [device] {
    return imager::open_block_device(device, imager::OpenOptions{});
  };
  imager::RunOptions run;
  run.wipe.method = method->method;
  run.wipe.verification = *verification;
  run.wipe.progress = progress;
  run.wipe.progress_interval = std::chrono::seconds(1); // a line a second is enough for a person
  std::vector<imager::WipeJob> jobs;
  jobs.push_back(std::move(job));
  imager::RunResult wiped = imager::run_wipes(std::move(jobs), run);
  const records::ErasureRecord& erasure = wiped.records.front();

  json summary{{"device", a.device},
               {"disk",
                {{"vendor", id->vendor},
                 {"model", id->model},
                 {"serial", id->serial},
                 {"media", id->media}}},
               {"tag", unit.tag.str()},
               {"profile", profile->name}};
  auto filed = workshop::file_erasure(*registry, unit, erasure, *key);
  if (!filed) {
    fail(ctx, fmt::format("the erasure record {} could not be filed: {}", erasure.record_id,
                          filed.error()));
    return;
  }
  summary["erasure"] = {{"record_id", erasure.record_id},
                        {"result", std::string(records::to_string(erasure.result))},
                        {"method", erasure.method},
                        {"verification", erasure.verification_result},
                        {"signed_by", filed->certificate ? filed->certificate->fingerprint : ""}};
  if (wiped.abandoned > 0) {
    // A worker is blocked in the kernel on this disk: the process cannot end normally.
    ctx.err << fmt::format("atelier image: {} stopped responding: {}; the record is filed "
                           "unsigned against {}; unplug the disk and set it aside\n",
                           a.device, erasure.failure_reason, unit.tag.str());
    ctx.out.flush();
    ctx.err.flush();
    ::_exit(k_exit_failure);
  }
  if (!filed->certificate) {
    summary["state"] = std::string(hwdb::to_string(unit.state));
    if (a.json) {
      ctx.out << summary.dump(2) << '\n';
    }
    fail(ctx, fmt::format("{}: the wipe FAILED: {}. The unsigned record {} is kept against {} as "
                          "evidence; the disk was not imaged. Set the disk aside.",
                          a.device, erasure.failure_reason, erasure.record_id, unit.tag.str()));
    return;
  }
  if (!a.cert_out.empty()) {
    if (auto w = base::write_file_atomically(a.cert_out, filed->certificate->document_text()); !w) {
      ctx.err << "atelier image: " << w.error() << '\n'; // the record is in the database anyway
    }
  }
  std::vector<std::string> notes;
  notes.push_back(move_unit(
      ctx, *registry, unit, hwdb::UnitState::wiped,
      fmt::format("disk {} erased and verified in a dock ({})", id->serial, erasure.record_id)));
  ctx.err << fmt::format("erased {} ({}, verification {}); signed record {} filed against {}\n",
                         a.device, erasure.method, erasure.verification_result, erasure.record_id,
                         unit.tag.str());

  // --- the deploy ---
  imager::DeployOptions options;
  options.device = a.device;
  options.profile = &*profile;
  options.image = *image;
  options.firmware = *firmware;
  options.asset_tag = unit.tag.str();
  options.support_contact = a.contact;
  options.wiped_zero = imager::passes_of(method->method).back() == imager::PatternKind::zero;
  options.confirm_serial = safety.confirm_serial;
  options.in_boot_environment = safety.in_boot_environment;
  options.install_bootloader = !a.no_bootloader;
  options.progress = progress;
  static const base::SystemClock clock;
  const hwdb::Timestamp started = clock.wall_seconds();
  base::PosixProcessRunner runner;
  const records::ImagingRecord imaged = imager::deploy(options, runner);
  hwdb::ImagingRecord row;
  row.unit_id = unit.id;
  row.started_at = workshop::parse_record_time(imaged.started_at).value_or(started);
  row.finished_at = workshop::parse_record_time(imaged.finished_at).value_or(clock.wall_seconds());
  row.profile = profile->name;
  row.image_sha256 = imaged.image_sha256.empty() ? *profile->image.sha256 : imaged.image_sha256;
  row.result = std::string(records::to_string(imaged.result));
  row.detail = records::to_json(imaged).dump();
  if (auto added = registry->store().add_imaging_record(row); !added) {
    fail(ctx, "the imaging record could not be stored: " + added.error().message);
    return;
  }
  const bool ok = imaged.result == records::ImagingResult::imaged;
  if (ok && unit.state == hwdb::UnitState::wiped) { // the note above says why it is not
    notes.push_back(move_unit(
        ctx, *registry, unit, hwdb::UnitState::imaged,
        fmt::format("profile {} installed in a dock on disk {}", profile->name, id->serial)));
  }
  summary["imaging"] = records::to_json(imaged);
  summary["state"] = std::string(hwdb::to_string(unit.state));
  summary["notes"] = notes;
  if (a.json) {
    ctx.out << summary.dump(2) << '\n';
  } else {
    ctx.out << fmt::format("{} ({}, serial {}) for {}\n", a.device,
                           id->model.empty() ? "unknown model" : id->model, id->serial,
                           unit.tag.str());
    ctx.out << fmt::format("  erased    {} ({}, verification {}), record {} signed by {}\n",
                           erasure.finished_at, erasure.method, erasure.verification_result,
                           erasure.record_id, filed->certificate->fingerprint);
    if (ok) {
      ctx.out << fmt::format("  imaged    profile {}, hostname {}, {} ({})\n", profile->name,
                             imaged.hostname, imaged.partition_table, imaged.firmware);
    } else {
      ctx.out << fmt::format("  FAILED    step {}: {}{}\n", imaged.failed_step,
                             imaged.failure_reason,
                             imaged.disk_left_unbootable ? " (the disk was left unbootable)" : "");
    }
    for (const auto& note : notes) {
      ctx.out << "  note      " << note << '\n';
    }
    ctx.out << fmt::format("  check     atelier cert show {} --json > cert.json && atelier cert "
                           "verify cert.json\n",
                           erasure.record_id);
  }
  if (!ok) {
    fail(ctx, fmt::format("{}: the deploy failed at step {}: {}", a.device, imaged.failed_step,
                          imaged.failure_reason));
  }
}

void add_image_device_options(CLI::App& image, ImageDeviceArgs& a) {
  image.add_option("--device", a.device,
                   "wipe and image this whole disk (attached to this computer, e.g. in a USB "
                   "dock); needs --profile, --tag and --confirm-serial");
  image.add_option("--profile", a.profile,
                   "the profile's name (from --profiles), or a profile file (.toml)");
  image.add_option("--tag", a.tag,
                   "asset tag of the unit the disk belongs to (atelier units add "
                   "makes one for a disk without its machine)");
  image.add_option("--confirm-serial", a.confirm_serial,
                   "the disk's serial, as printed on it: proof this is the disk you mean");
  image.add_option("--firmware", a.firmware,
                   "bios or uefi: the machine the disk goes into (default: the unit's inventory)");
  image.add_option("--config", a.config,
                   "server configuration for pipeline.profiles_dir, images_dir, keys_dir (default: "
                   "/etc/atelier/atelier.toml when it exists)");
  image.add_option("--profiles", a.profiles_dir,
                   "profiles directory (default: the configuration's)");
  image.add_option("--images", a.images_dir, "images directory (default: the configuration's)");
  image.add_option("--image", a.image,
                   "read the image from here (path or URL); the profile's "
                   "sha256 still applies");
  image.add_option("--key-dir", a.key_dir,
                   "workshop key directory (default: $ATELIER_KEY_DIR, "
                   "else the configuration's)");
  image.add_option("--operator", a.operator_name,
                   "who is doing it, for the erasure record "
                   "(default: --actor)");
  image.add_option("--site", a.site, "workshop name, for the erasure record");
  image.add_option("--contact", a.contact, "support contact written to the installed system");
  image.add_option("--cert-out", a.cert_out, "also write the signed erasure certificate here");
  image.add_flag("--json", a.json, "print the summary as JSON");
  image.add_flag("--no-bootloader", a.no_bootloader,
                 "skip GRUB (only for test images without a kernel)");
}

} // namespace atelier::cli
