#include "imager/wipe/wipe_command.h"

#include "base/version.h"
#include "imager/disk/block_device.h"
#include "imager/disk/device_identity.h"
#include "imager/disk/device_safety.h"
#include "imager/wipe/wipe_engine.h"
#include "imager/wipe/wipe_hidden_areas.h"
#include "imager/wipe/wipe_runner.h"
#include "imager/wipe/wipe_verify.h"
#include "records/erasure_phrases.h"
#include "records/erasure_record.h"

#include <array>
#include <cerrno>
#include <sys/random.h>
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

constexpr std::chrono::milliseconds k_last_lines_wait{2000};

std::string new_uuid() {
  std::array<std::uint8_t, 16> b{};
  if (::getrandom(b.data(), b.size(), 0) != static_cast<ssize_t>(b.size())) {
    throw std::runtime_error("getrandom failed");
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0FU) | 0x40U); // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3FU) | 0x80U); // RFC 4122 variant
  const std::string hex = to_hex(b);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

} // namespace

records::ErasureRecord new_overwrite_record(const DeviceIdentity& id, const WipeCommandArgs& args) {
  records::ErasureRecord r;
  r.record_id = new_uuid();
  r.manufacturer = id.vendor;
  r.model = id.model;
  r.serial = id.serial;
  r.media_type = id.media;
  r.device = id.path;
  r.source_property = args.asset_tag;
  r.tool_version = std::string(base::version());
  r.operator_name = args.operator_name;
  r.site = args.site;
  r.contact = args.contact;
  r.hidden_areas.checked = false;
  r.hidden_areas.note = records::k_hidden_not_checked_by_overwrite;
  if (id.media == "ssd" || id.media == "nvme" || id.media == "usb") {
    r.notes.push_back(records::k_note_flash_overwrite);
  }
  return r;
}

namespace {

std::string progress_line(const std::string& mode, const Progress& p) {
  if (mode == "json") {
    return to_json(p).dump();
  }
  const double percent = p.total_bytes > 0 ? 100.0 * static_cast<double>(p.done_bytes) /
                                                 static_cast<double>(p.total_bytes)
                                           : 0;
  return fmt::format("{}: {} {} {:.1f}% {:.1f} MB/s{}", p.device, p.operation, p.detail, percent,
                     p.bytes_per_second / 1e6,
                     p.eta_seconds ? fmt::format(" ETA {:.0f} s", *p.eta_seconds) : "");
}

int usage(std::FILE* err, const std::string& message) {
  std::fprintf(err, "atelier-imager wipe: %s\n", message.c_str());
  return 2;
}

// The hidden PRNG benchmark: the random stream to stdout, as `openssl enc -aes-128-ctr` would write
// it.
int stream_to_stdout(std::uint64_t bytes, std::size_t buffer_bytes, std::FILE* err) {
  auto seed = new_stream_seed();
  if (!seed) {
    return usage(err, seed.error());
  }
  PatternGenerator generator(PatternKind::random, *seed);
  AlignedBuffer buffer(buffer_bytes);
  for (std::uint64_t done = 0; done < bytes;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer_bytes, bytes - done));
    generator.fill(buffer.span().first(n), done);
    for (std::size_t w = 0; w < n;) {
      const ssize_t k = ::write(STDOUT_FILENO, buffer.data() + w, n - w);
      if (k < 0 && errno == EINTR) {
        continue;
      }
      if (k <= 0) {
        std::fprintf(err, "atelier-imager wipe: stdout: %s\n", errno_text(errno).c_str());
        return 1;
      }
      w += static_cast<std::size_t>(k);
    }
    done += n;
  }
  return 0;
}

int verify_only(const WipeCommandArgs& args, OverwriteMethod method,
                records::VerificationMethod verification, const ProgressSink& sink, std::FILE* out,
                std::FILE* err) {
  const PatternKind pattern = passes_of(method).back();
  if (pattern == PatternKind::random) {
    return usage(err, "--verify-only needs a method whose last pass is a fixed pattern (zero, one, "
                      "random-then-zero): "
                      "the random stream's seed is never kept after a wipe");
  }
  bool all_passed = true;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& device : args.devices) {
    auto opened = open_block_device(device, OpenOptions{.write = false, .direct = true});
    if (!opened) {
      std::fprintf(err, "atelier-imager wipe: %s\n", opened.error().c_str());
      return 1;
    }
    VerifyOptions options;
    options.method = verification == records::VerificationMethod::none
                         ? records::VerificationMethod::full
                         : verification;
    options.buffer_bytes = args.buffer_mib << 20U;
    options.progress = sink;
    options.device_label = device;
    const VerifyOutcome outcome = verify_overwrite(**opened, pattern, StreamSeed{}, options);
    all_passed = all_passed && outcome.passed();
    nlohmann::json ranges = nlohmann::json::array();
    for (const auto& f : outcome.failed_ranges) {
      ranges.push_back({{"first_byte", f.first_byte}, {"length", f.length}, {"error", f.error}});
    }
    results.push_back({{"device", device},
                       {"pattern", std::string(to_string(pattern))},
                       {"verification", std::string(to_string(options.method))},
                       {"result", outcome.summary()},
                       {"bytes_verified", outcome.bytes_verified},
                       {"mismatched_sectors", outcome.mismatched_sectors},
                       {"unreadable_sectors", outcome.unreadable_sectors},
                       {"failed_ranges", ranges}});
    if (!args.json) {
      std::fprintf(out, "%s: verification %s (%llu bytes read)\n", device.c_str(),
                   outcome.summary().c_str(),
                   static_cast<unsigned long long>(outcome.bytes_verified));
    }
  }
  if (args.json) {
    const std::string text = results.dump(2) + "\n";
    std::fwrite(text.data(), 1, text.size(), out);
  }
  return all_passed ? 0 : 1;
}

// The record's hidden_areas for one device, asked before anything is written (docs/WIPE.md, "Hidden
// areas") through its pass-through device (none for a regular file: the opener says so).
records::HiddenAreaStatus hidden_areas_of(const std::string& device, profiles::HiddenAreas policy,
                                          const WipeDevices& devices) {
  auto firmware = devices.open_firmware(device);
  if (!firmware) {
    return hidden_areas_not_asked(firmware.error());
  }
  records::HiddenAreaStatus status = prepare_hidden_areas(**firmware, policy);
  if (status.reset) {
    // The sectors just made visible are written only if the kernel sees them.
    auto opened = devices.open_block(device, OpenOptions{.write = false, .direct = false});
    status = confirm_capacity(status, opened ? (*opened)->geometry().size_bytes : 0);
  }
  return status;
}

} // namespace

CLI::App* add_wipe_command(CLI::App& app, WipeCommandArgs& args) {
  auto* wipe = app.add_subcommand(
      "wipe", "Overwrite whole disks and verify them (docs/WIPE.md); exit 0 erased, "
              "1 failed, 2 usage or refused");
  wipe->add_option("devices", args.devices, "Disks to erase, in parallel (e.g. /dev/sdb /dev/sdc)");
  wipe->add_option("--method", args.method, "zero | one | random | random-then-zero")
      ->capture_default_str();
  wipe->add_option("--verify", args.verify, "none | sample (NIST SP 800-88) | full")
      ->capture_default_str();
  wipe->add_flag("--json", args.json,
                 "Print the erasure records as a JSON array (docs/ERASURE-RECORD.md)");
  wipe->add_option("--progress", args.progress, "none | text | json: one line per event on stderr")
      ->capture_default_str();
  wipe->add_option("--confirm-serial", args.confirm_serials,
                   "The disk's serial, once per device in order (required outside the boot "
                   "environment; a loop "
                   "device's serial is its backing file)")
      ->allow_extra_args(false);
  wipe->add_option("--stall-timeout", args.stall_timeout_s,
                   "Seconds without I/O progress before a disk is declared failed")
      ->check(CLI::Range(1.0, 86400.0))
      ->capture_default_str();
  wipe->add_option("--hidden-areas", args.hidden_areas,
                   "reset (default): remove an HPA/DCO of an ATA disk before overwriting, so the "
                   "whole native capacity is written; report: leave it and say so in the record")
      ->check(CLI::IsMember({"reset", "report"}))
      ->capture_default_str();
  wipe->add_flag(
      "--verify-only", args.verify_only,
      "Only read back and compare with the method's last pattern (zero or one); write nothing");
  wipe->add_flag("--allow-regular-file", args.allow_regular_file,
                 "Accept regular files (tests, benches)");
  wipe->add_option("--operator", args.operator_name, "Who performs the erasure (for the record)");
  wipe->add_option("--asset-tag", args.asset_tag,
                   "The unit's asset tag (the record's source_property)");
  wipe->add_option("--site", args.site, "Workshop name (for the record)");
  wipe->add_option("--contact", args.contact, "Contact for questions about the record");
  wipe->add_option("--buffer-size", args.buffer_mib, "I/O size in MiB")
      ->group("")
      ->capture_default_str();
  wipe->add_option("--stream-to-stdout", args.stream_bytes,
                   "Write this many bytes of the AES-128-CTR stream to stdout (PRNG benchmark)")
      ->group("");
  return wipe;
}

WipeCommandResult run_wipe_command(const WipeCommandArgs& args, std::FILE* out, std::FILE* err,
                                   const WipeDevices& wanted) {
  WipeDevices devices = wanted;
  if (!devices.open_block) {
    devices.open_block = [](const std::string& path, const OpenOptions& options) {
      return open_block_device(path, options);
    };
  }
  if (!devices.open_firmware) {
    devices.open_firmware = [](const std::string& path) {
      return open_firmware_erase_device(path);
    };
  }
  const std::size_t buffer_bytes = args.buffer_mib << 20U;
  if (args.buffer_mib == 0 || args.buffer_mib > 256) {
    return {usage(err, "--buffer-size must be between 1 and 256 MiB"), 0};
  }
  if (args.stream_bytes > 0) {
    return {stream_to_stdout(args.stream_bytes, buffer_bytes, err), 0};
  }
  const auto method = overwrite_method_from_string(args.method);
  if (!method) {
    return {usage(err, "--method '" + args.method +
                           "' is not one of zero, one, random, random-then-zero"),
            0};
  }
  const auto verification = verification_from_string(args.verify);
  if (!verification) {
    return {usage(err, "--verify '" + args.verify + "' is not one of none, sample, full"), 0};
  }
  if (args.progress != "none" && args.progress != "text" && args.progress != "json") {
    return {usage(err, "--progress '" + args.progress + "' is not one of none, text, json"), 0};
  }
  if (args.hidden_areas != "reset" && args.hidden_areas != "report") {
    return {usage(err, "--hidden-areas '" + args.hidden_areas + "' is not one of reset, report"),
            0};
  }
  if (args.devices.empty()) {
    return {usage(err, "name at least one device"), 0};
  }
  if (!args.confirm_serials.empty() && args.confirm_serials.size() != args.devices.size()) {
    return {
        usage(
            err,
            fmt::format(
                "{} --confirm-serial given for {} devices: give one per device, in the same order",
                args.confirm_serials.size(), args.devices.size())),
        0};
  }
  // The progress lines never make a disk's writer wait for their reader: a reader that stopped
  // reading (the agent, once) held the writer inside fwrite, and the report behind a lock that
  // writer held, for ever (docs/WIPE.md, "Progress").
  std::fflush(err);
  auto lines = std::make_shared<ProgressLines>(::fileno(err));
  ProgressSink sink;
  if (args.progress != "none") {
    sink = [lines, mode = args.progress](const Progress& p) {
      lines->post(p.device, progress_line(mode, p));
    };
  }
  if (args.verify_only) {
    const int status = verify_only(args, *method, *verification, sink, out, err);
    lines->flush(k_last_lines_wait);
    return {status, 0};
  }

  // Every device is checked before any is touched: one refusal and nothing is written.
  const bool boot_env = running_in_boot_environment();
  std::vector<WipeJob> jobs;
  for (std::size_t i = 0; i < args.devices.size(); ++i) {
    const auto& device = args.devices[i];
    SafetyOptions safety;
    safety.in_boot_environment = boot_env;
    safety.allow_regular_file = args.allow_regular_file;
    if (!args.confirm_serials.empty()) {
      safety.confirm_serial = args.confirm_serials[i];
    }
    if (auto ok = check_overwrite_allowed(device, safety); !ok) {
      std::fprintf(err, "atelier-imager wipe: %s\n", ok.error().c_str());
      return {2, 0};
    }
    auto id = identify_device(device);
    if (!id) {
      std::fprintf(err, "atelier-imager wipe: %s\n", id.error().c_str());
      return {2, 0};
    }
    WipeJob job;
    job.device = device;
    job.record = new_overwrite_record(*id, args);
    job.open = [device, open = devices.open_block] {
      return open(device, OpenOptions{});
    };
    jobs.push_back(std::move(job));
  }
  // Hidden areas next, once every device passed the checks: a reset changes the disk's capacity.
  const profiles::HiddenAreas policy =
      args.hidden_areas == "report" ? profiles::HiddenAreas::report : profiles::HiddenAreas::reset;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].record.hidden_areas = hidden_areas_of(jobs[i].device, policy, devices);
  }

  RunOptions options;
  options.wipe.method = *method;
  options.wipe.verification = *verification;
  options.wipe.buffer_bytes = buffer_bytes;
  options.wipe.progress = sink;
  options.stall_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(args.stall_timeout_s * 1000));
  const RunResult result = run_wipes(std::move(jobs), options);
  // The last progress lines (each pass's final one) get a moment to go out; the report does not
  // wait longer for a reader that does not read.
  lines->flush(k_last_lines_wait);

  bool all_erased = true;
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : result.records) {
    all_erased = all_erased && r.result == records::ErasureResult::erased;
    records.push_back(to_json(r));
    if (!args.json) {
      if (r.result == records::ErasureResult::erased) {
        std::fprintf(out, "%s: erased (%s, verification %s, %.1f MB/s)\n", r.device.c_str(),
                     r.method.c_str(), r.verification_result.c_str(),
                     r.throughput_bytes_per_second / 1e6);
      } else {
        std::fprintf(out, "%s: FAILED: %s\n", r.device.c_str(), r.failure_reason.c_str());
        constexpr std::size_t k_listed = 20;
        for (std::size_t i = 0; i < r.failed_ranges.size() && i < k_listed; ++i) {
          const auto& f = r.failed_ranges[i];
          std::fprintf(out, "  bytes %llu..%llu: %s\n",
                       static_cast<unsigned long long>(f.first_byte),
                       static_cast<unsigned long long>(f.first_byte + f.length), f.error.c_str());
        }
        if (r.failed_ranges.size() > k_listed) {
          std::fprintf(out, "  ... and %zu more ranges (--json lists them all)\n",
                       r.failed_ranges.size() - k_listed);
        }
      }
    }
  }
  if (args.json) {
    const std::string text = records.dump(2) + "\n";
    std::fwrite(text.data(), 1, text.size(), out);
  }
  std::fflush(out);
  return {all_erased ? 0 : 1, result.abandoned};
}

} // namespace atelier::imager
