// purge_drive and what it runs: the method runners, the password guard, the timeouts (purge.h).
#include "imager/purge/purge.h"

#include "base/time_text.h"
#include "imager/purge/purge_sampling.h"
#include "records/erasure_phrases.h"

#include <array>
#include <ctime>
#include <sys/random.h>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;
using profiles::WipeMethod;
using Ms = std::chrono::milliseconds;

constexpr Ms k_quick = 30s;         // commands that return at once
constexpr int k_status_retries = 3; // consecutive failed status polls tolerated

Ms minutes(std::uint64_t m) {
  return Ms(static_cast<std::int64_t>(m) * 60'000);
}

// Seconds to write the whole disk at a pace any working drive beats (40 MB/s), twice over.
Ms whole_disk(const DriveCapabilities& d) {
  return Ms(static_cast<std::int64_t>(2 * d.size_bytes() / 40'000'000ULL) * 1000);
}

Ms twice_plus_ten(Ms estimate) {
  return 2 * estimate + 10min;
}

std::uint64_t random_u64() {
  std::uint64_t v = 0;
  if (::getrandom(&v, sizeof v, 0) != static_cast<ssize_t>(sizeof v)) {
    v = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return v;
}

std::string random_uuid() {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < 16; i += 8) {
    const std::uint64_t v = random_u64();
    for (std::size_t j = 0; j < 8; ++j) {
      b[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
    }
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0FU) | 0x40U); // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3FU) | 0x80U); // RFC 4122 variant
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{"
                     ":02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                     b[12], b[13], b[14], b[15]);
}

std::string duration_text(Ms d) {
  const auto s = d.count() / 1000;
  if (s < 120) {
    return fmt::format("{} s", s);
  }
  if (s < 7200) {
    return fmt::format("{} minutes", s / 60);
  }
  return fmt::format("{:.1f} hours", static_cast<double>(s) / 3600.0);
}

bool is_crypto(WipeMethod m) {
  return m == WipeMethod::ata_sanitize_crypto || m == WipeMethod::nvme_sanitize_crypto ||
         m == WipeMethod::nvme_format_crypto;
}

// What one method run produced: how the drive described it, or why it failed.
struct RunResult {
  bool ok = false;
  std::string detail;  // record.method_detail
  std::string failure; // plain words when !ok
};

RunResult failed(std::string why) {
  return {false, {}, std::move(why)};
}

class Runner {
public:
  Runner(PurgeEnvironment& env, const DriveCapabilities& drive, const PurgeOptions& options,
         records::ErasureRecord& record)
      : m_env(env), m_dev(env.device), m_drive(drive), m_options(options), m_record(record) {}

  RunResult run(WipeMethod method) {
    switch (method) {
    case WipeMethod::ata_sanitize_crypto:
      return run_ata_sanitize(SanitizeAction::crypto_scramble, method);
    case WipeMethod::ata_sanitize_block:
      return run_ata_sanitize(SanitizeAction::block_erase, method);
    case WipeMethod::ata_sanitize_overwrite:
      return run_ata_sanitize(SanitizeAction::overwrite, method);
    case WipeMethod::ata_secure_erase:
      return run_security_erase(false, method);
    case WipeMethod::ata_secure_erase_enhanced:
      return run_security_erase(true, method);
    case WipeMethod::nvme_sanitize_crypto:
      return run_nvme_sanitize(NvmeSanitizeAction::crypto_erase, method);
    case WipeMethod::nvme_sanitize_block:
      return run_nvme_sanitize(NvmeSanitizeAction::block_erase, method);
    case WipeMethod::nvme_sanitize_overwrite:
      return run_nvme_sanitize(NvmeSanitizeAction::overwrite, method);
    case WipeMethod::nvme_format_crypto:
      return run_nvme_format(NvmeSecureErase::cryptographic, method);
    case WipeMethod::nvme_format_user:
      return run_nvme_format(NvmeSecureErase::user_data, method);
    default:
      return failed(fmt::format("{} is an overwrite method: run it with atelier-imager wipe",
                                to_string(method)));
    }
  }

private:
  void progress(double fraction, Ms elapsed, Ms estimate, const std::string& detail) {
    if (!m_env.progress) {
      return;
    }
    Progress p;
    p.operation = "purge";
    p.device = m_dev.path();
    p.total_bytes = m_drive.size_bytes();
    p.done_bytes = static_cast<std::uint64_t>(std::clamp(fraction, 0.0, 1.0) *
                                              static_cast<double>(p.total_bytes));
    const double seconds = static_cast<double>(elapsed.count()) / 1000.0;
    if (seconds > 0) {
      p.bytes_per_second = static_cast<double>(p.done_bytes) / seconds;
    }
    if (fraction > 0.0 && fraction < 1.0) {
      p.eta_seconds = seconds * (1.0 - fraction) / fraction;
    } else if (estimate > 0ms && fraction < 1.0) {
      p.eta_seconds = std::max(0.0, static_cast<double>((estimate - elapsed).count()) / 1000.0);
    } else if (fraction >= 1.0) {
      p.eta_seconds = 0.0;
    }
    p.detail = detail;
    m_env.progress(p);
  }

  Ms elapsed(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<Ms>(m_env.clock.monotonic() - start);
  }

  std::string still_running(const std::string& what, Ms waited) {
    return fmt::format(
        "{} is still running after {} (twice the drive's estimate, or the floor when it gives "
        "none): "
        "the drive continues on its own and resumes after a power loss; do not use the disk until "
        "`atelier-imager identify {}` shows it finished, then purge again",
        what, duration_text(waited), m_dev.path());
  }

  RunResult run_ata_sanitize(SanitizeAction action, WipeMethod method) {
    const AtaCommand command = ata_sanitize(action);
    const std::string name = ata_command_name(command);
    const Ms limit = purge_timeout(method, m_drive);
    const auto start = m_env.clock.monotonic();
    if (auto r = m_dev.ata(command, {}, k_quick); !r) {
      std::string why = r.error().message;
      if (r.error().registers) {
        if (const auto s = decode_sanitize_status(*r.error().registers); s.failure_reason) {
          why += ": " + sanitize_failure_text(*s.failure_reason);
        }
      }
      return failed(why);
    }
    int failures = 0;
    while (true) {
      m_env.clock.sleep_for(m_options.poll_interval);
      auto st = m_dev.ata(ata_sanitize_status(), {}, k_quick);
      if (!st) {
        if (st.error().registers) {
          const auto s = decode_sanitize_status(*st.error().registers);
          return failed(fmt::format("{}: the sanitize failed: {}", name,
                                    sanitize_failure_text(s.failure_reason.value_or(0))));
        }
        if (++failures > k_status_retries) {
          return failed(st.error().message);
        }
        continue;
      }
      failures = 0;
      const AtaSanitizeStatus s = decode_sanitize_status(*st);
      if (s.in_progress) {
        progress(s.progress, elapsed(start), limit / 2, name);
        if (elapsed(start) > limit) {
          return failed(still_running(name, elapsed(start)));
        }
        continue;
      }
      if (s.completed_without_error) {
        progress(1.0, elapsed(start), limit / 2, name);
        return {true,
                fmt::format("{} (SANITIZE DEVICE B4h/{:04X}h), completed in {}", name,
                            command.feature, duration_text(elapsed(start))),
                {}};
      }
      return failed(fmt::format(
          "{}: the drive reports neither a sanitize in progress nor a successful one", name));
    }
  }

  RunResult run_security_erase(bool enhanced, WipeMethod method) {
    const Ms limit = purge_timeout(method, m_drive);
    const auto password = ata_security_data(k_temporary_password);
    auto data = password;
    PasswordGuard guard(m_dev);
    RunResult result = [&]() -> RunResult {
      if (auto r = m_dev.ata(ata_security_set_password(), data, k_quick); !r) {
        return failed(r.error().message);
      }
      if (auto r = m_dev.ata(ata_security_erase_prepare(), {}, k_quick); !r) {
        return failed(r.error().message);
      }
      auto erase_data = ata_security_data(k_temporary_password, enhanced);
      const std::string name = enhanced ? "ENHANCED SECURITY ERASE UNIT" : "SECURITY ERASE UNIT";
      progress(0.0, 0ms, limit / 2, name);
      const auto start = m_env.clock.monotonic();
      if (auto r = m_dev.ata(ata_security_erase_unit(), erase_data, limit); !r) {
        if (r.error().timed_out) {
          return failed(fmt::format(
              "{}: no answer within {} (twice the drive's estimate plus 10 minutes, or the floor "
              "when it gives none)",
              r.error().message, duration_text(limit)));
        }
        return failed(r.error().message);
      }
      progress(1.0, elapsed(start), limit / 2, name);
      return {
          true, fmt::format("{} (F4h), completed in {}", name, duration_text(elapsed(start))), {}};
    }();
    // The erase clears the password itself; clear() confirms it, or removes it on a failure path.
    auto cleared = guard.clear();
    m_record.notes.push_back(guard.outcome());
    if (!cleared) {
      const std::string warning = locked_drive_warning(m_dev.path());
      m_record.notes.push_back(warning);
      if (result.ok) {
        return failed(cleared.error() + ". " + warning);
      }
      result.failure += ". " + warning;
    }
    return result;
  }

  RunResult run_nvme_sanitize(NvmeSanitizeAction action, WipeMethod method) {
    const NvmeAdminCommand command = nvme_sanitize(action);
    const std::string name = nvme_command_name(command);
    const Ms limit = purge_timeout(method, m_drive);
    const auto start = m_env.clock.monotonic();
    if (auto r = m_dev.nvme_admin(command, {}, k_quick); !r) {
      return failed(r.error().message);
    }
    int failures = 0;
    int idle_polls = 0;
    while (true) {
      m_env.clock.sleep_for(m_options.poll_interval);
      std::array<std::uint8_t, 512> page{};
      auto r = m_dev.nvme_admin(nvme_get_sanitize_log(), page, k_quick);
      std::expected<NvmeSanitizeLog, std::string> log =
          r ? parse_nvme_sanitize_log(page)
            : std::expected<NvmeSanitizeLog, std::string>(std::unexpect, r.error().message);
      if (!log) {
        if (++failures > k_status_retries) {
          return failed(log.error());
        }
        continue;
      }
      failures = 0;
      switch (log->state()) {
      case NvmeSanitizeLog::State::in_progress:
        progress(log->progress / 65536.0, elapsed(start), limit / 2, name);
        if (elapsed(start) > limit) {
          return failed(still_running(name, elapsed(start)));
        }
        continue;
      case NvmeSanitizeLog::State::completed:
      case NvmeSanitizeLog::State::completed_no_deallocate:
        if (log->action() != static_cast<std::uint8_t>(action)) {
          return failed(fmt::format("{}: the Sanitize log describes another sanitize (action {})",
                                    name, log->action()));
        }
        progress(1.0, elapsed(start), limit / 2, name);
        return {true,
                fmt::format("{} (84h, SANACT {}), completed in {}", name, static_cast<int>(action),
                            duration_text(elapsed(start))),
                {}};
      case NvmeSanitizeLog::State::failed:
        return failed(fmt::format(
            "{}: the drive reports the sanitize failed (SSTAT {:04X}h); it refuses I/O until a "
            "sanitize succeeds",
            name, log->status));
      default:
        // Leniency rule: a controller may update the log a moment after the command completes.
        if (++idle_polls > k_status_retries) {
          return failed(fmt::format("{}: the Sanitize log shows no sanitize ({})", name,
                                    to_string(log->state())));
        }
        continue;
      }
    }
  }

  RunResult run_nvme_format(NvmeSecureErase ses, WipeMethod method) {
    const NvmeAdminCommand command = nvme_format(m_drive.nvme_nsid, *m_drive.nvme_namespace, ses);
    const std::string name = nvme_command_name(command);
    const Ms limit = purge_timeout(method, m_drive);
    progress(0.0, 0ms, 0ms, name);
    const auto start = m_env.clock.monotonic();
    if (auto r = m_dev.nvme_admin(command, {}, limit); !r) {
      if (r.error().timed_out) {
        return failed(
            fmt::format("{}: no answer within {}", r.error().message, duration_text(limit)));
      }
      return failed(r.error().message);
    }
    progress(1.0, elapsed(start), 0ms, name);
    return {true,
            fmt::format("{} (80h, SES {}, LBA format {} kept), completed in {}", name,
                        static_cast<int>(ses), m_drive.nvme_namespace->format_index,
                        duration_text(elapsed(start))),
            {}};
  }

  PurgeEnvironment& m_env;
  FirmwareEraseDevice& m_dev;
  const DriveCapabilities& m_drive;
  const PurgeOptions& m_options;
  records::ErasureRecord& m_record;
};

// A drive left with Atelier's temporary password by an interrupted erase: unlock and disable it.
bool recover_temporary_password(FirmwareEraseDevice& device, std::vector<std::string>& notes) {
  PasswordGuard guard(device);
  const bool ok = guard.clear().has_value();
  guard.disarm();
  notes.push_back(
      ok ? "the disk carried Atelier's temporary password from an interrupted erase: it was removed"
         : "the disk has a user password that is not Atelier's temporary one");
  return ok;
}

void fill_identity(records::ErasureRecord& r, const DriveCapabilities& d) {
  r.device = d.device;
  r.model = d.model();
  r.serial = d.serial();
  r.media_type = d.media;
  r.size_bytes = d.size_bytes();
  r.logical_sector_size = d.sector_bytes();
}

} // namespace

Ms purge_timeout(WipeMethod method, const DriveCapabilities& drive) {
  std::optional<Ms> ata_estimate;
  if (drive.ata) {
    const auto& s = drive.ata->security;
    const bool enhanced = method == WipeMethod::ata_secure_erase_enhanced;
    const auto& e = enhanced ? s.enhanced_erase_estimate : s.normal_erase_estimate;
    const auto& any =
        e ? e : (s.enhanced_erase_estimate ? s.enhanced_erase_estimate : s.normal_erase_estimate);
    if (any) {
      ata_estimate = minutes(any->minutes);
    }
  }
  std::optional<Ms> nvme_estimate;
  if (drive.nvme_sanitize_log) {
    const auto& l = *drive.nvme_sanitize_log;
    const auto& e = method == WipeMethod::nvme_sanitize_crypto  ? l.estimate_crypto_erase_s
                    : method == WipeMethod::nvme_sanitize_block ? l.estimate_block_erase_s
                                                                : l.estimate_overwrite_s;
    if (e) {
      nvme_estimate = Ms(static_cast<std::int64_t>(*e) * 1000);
    }
  }
  switch (method) {
  case WipeMethod::ata_secure_erase:
  case WipeMethod::ata_secure_erase_enhanced:
    return ata_estimate ? twice_plus_ten(*ata_estimate) : std::max<Ms>(2h, whole_disk(drive));
  case WipeMethod::ata_sanitize_crypto:
    return ata_estimate ? std::max<Ms>(15min, twice_plus_ten(*ata_estimate)) : Ms(30min);
  case WipeMethod::ata_sanitize_block:
    return ata_estimate ? std::max<Ms>(1h, twice_plus_ten(*ata_estimate)) : Ms(2h);
  case WipeMethod::ata_sanitize_overwrite:
    return ata_estimate ? twice_plus_ten(*ata_estimate) : std::max<Ms>(2h, whole_disk(drive));
  case WipeMethod::nvme_sanitize_crypto:
    return nvme_estimate ? twice_plus_ten(*nvme_estimate) : Ms(30min);
  case WipeMethod::nvme_sanitize_block:
    return nvme_estimate ? twice_plus_ten(*nvme_estimate) : Ms(2h);
  case WipeMethod::nvme_sanitize_overwrite:
    return nvme_estimate ? twice_plus_ten(*nvme_estimate) : std::max<Ms>(2h, whole_disk(drive));
  case WipeMethod::nvme_format_crypto:
    return 30min;
  case WipeMethod::nvme_format_user:
    return std::max<Ms>(2h, whole_disk(drive));
  default:
    return 0ms;
  }
}

PasswordGuard::~PasswordGuard() {
  if (m_armed) {
    (void)clear();
  }
}

std::expected<void, std::string> PasswordGuard::clear() {
  m_armed = false;
  auto id = read_ata_identify(m_device);
  if (id && !id->security.enabled) {
    m_outcome = "no SECURITY password is left on the drive";
    return {};
  }
  auto fail = [&](const std::string& why) -> std::expected<void, std::string> {
    m_outcome = fmt::format("the temporary SECURITY password \"{}\" could not be removed: {}",
                            k_temporary_password, why);
    return std::unexpected(m_outcome);
  };
  if (!id || id->security.locked) {
    // Locked (or state unknown): unlock first. A wrong password costs one of the drive's five
    // tries, so a failed unlock stops here instead of trying DISABLE PASSWORD as well.
    auto data = ata_security_data(k_temporary_password);
    auto unlocked = m_device.ata(ata_security_unlock(), data, k_quick);
    if (!unlocked && id) {
      return fail(unlocked.error().message);
    }
  }
  auto data = ata_security_data(k_temporary_password);
  auto disabled = m_device.ata(ata_security_disable_password(), data, k_quick);
  auto again = read_ata_identify(m_device);
  if (again && !again->security.enabled) {
    m_outcome = fmt::format(
        "the temporary SECURITY password \"{}\" was removed (SECURITY DISABLE PASSWORD)",
        k_temporary_password);
    return {};
  }
  return fail(!disabled ? disabled.error().message
              : !again  ? again.error()
                        : std::string("the drive still reports a password"));
}

std::string locked_drive_warning(const std::string& device) {
  return fmt::format("WARNING: the drive may be locked with the password \"{0}\". To free it: "
                     "hdparm --user-master u --security-unlock {0} {1}; then "
                     "hdparm --user-master u --security-disable {0} {1}",
                     k_temporary_password, device);
}

records::ErasureRecord purge_drive(const PurgeOptions& options, PurgeEnvironment& env) {
  records::ErasureRecord record;
  record.record_id = random_uuid();
  record.tool_version = options.tool_version;
  record.operator_name = options.operator_name;
  record.site = options.site;
  record.contact = options.contact;
  record.source_property = options.source_property;
  record.method = std::string(to_string(options.method));
  record.device = env.device.path();
  record.started_at = base::format_rfc3339(env.clock.wall());
  const auto start = env.clock.monotonic();
  auto finish = [&](bool ok, std::string failure) {
    record.finished_at = base::format_rfc3339(env.clock.wall());
    record.duration_seconds = std::chrono::duration<double>(env.clock.monotonic() - start).count();
    record.result = ok ? records::ErasureResult::erased : records::ErasureResult::failed;
    record.failure_reason = ok ? std::string() : std::move(failure);
    return record;
  };

  DriveCapabilities drive = identify_drive(env.device);
  fill_identity(record, drive);
  record.hidden_areas = hidden_area_status(drive.hidden, std::nullopt, drive.sector_bytes(), false,
                                           to_string(drive.pass_through));
  if (drive.pass_through == PassThrough::none) {
    return finish(false, fmt::format("{}: no ATA/NVMe pass-through on this device ({})",
                                     drive.device, drive.kind));
  }
  if (!drive.ata && !drive.nvme) {
    const std::string why =
        drive.problems.empty() ? "the drive did not identify itself" : drive.problems.front();
    return finish(false, why);
  }
  // The serial is confirmed before anything changes state on the drive (even unlocking it).
  if (options.confirm_serial && *options.confirm_serial != drive.serial()) {
    return finish(
        false,
        fmt::format("{}: serial is \"{}\", not \"{}\" as confirmed: wrong disk, nothing was done",
                    drive.device, drive.serial(), *options.confirm_serial));
  }
  if (drive.ata && (drive.ata->security.enabled || drive.ata->security.locked) &&
      !drive.ata->security.frozen && !drive.ata->security.count_expired &&
      !profiles::is_overwrite(options.method)) {
    if (recover_temporary_password(env.device, record.notes)) {
      drive = identify_drive(env.device);
      fill_identity(record, drive);
    }
  }
  if (profiles::is_overwrite(options.method)) {
    return finish(false, fmt::format("{} is an overwrite method: run it with atelier-imager wipe",
                                     to_string(options.method)));
  }
  if (auto why = why_unusable(options.method, drive)) {
    return finish(false, fmt::format("{}: {}: {}", drive.device, to_string(options.method), *why));
  }
  const WipeMethod method = effective_method(options.method, drive);
  if (method != options.method) {
    record.notes.push_back(
        fmt::format("{} was asked; the drive supports the enhanced mode, which also reaches "
                    "reallocated sectors, so {} was run",
                    to_string(options.method), to_string(method)));
  }
  record.method = std::string(to_string(method));
  const LevelVerdict level = level_for(method, drive.media);
  record.level = level.level;
  record.notes.push_back(level.reason);

  // Hidden areas first: an erase of the visible part leaves them untouched otherwise.
  if (drive.ata && (drive.hidden.hpa() || drive.hidden.dco())) {
    const HiddenAreaProbe found = drive.hidden;
    const bool reset = options.hidden_areas == profiles::HiddenAreas::reset;
    std::optional<HiddenAreaProbe> after;
    if (reset) {
      if (auto r = reset_hidden_areas(env.device, *drive.ata, found)) {
        after = *r;
        drive = identify_drive(env.device);
        fill_identity(record, drive);
      } else {
        record.notes.push_back(r.error());
      }
    }
    record.hidden_areas = hidden_area_status(found, after, drive.sector_bytes(), reset, "ata");
    if (!record.hidden_areas.reset) {
      record.notes.push_back(record.hidden_areas.note);
    }
  }

  // Samples before the erase.
  const bool verify = env.sectors != nullptr &&
                      (options.verify != profiles::Verification::none || is_crypto(method));
  const std::uint64_t seed = options.sample_seed != 0 ? options.sample_seed : random_u64();
  std::vector<std::uint64_t> offsets;
  std::vector<SectorSample> before;
  if (verify) {
    offsets = sample_offsets(env.sectors->size_bytes(), env.sectors->sector_bytes(),
                             options.samples, seed);
    auto read = read_samples(*env.sectors, offsets);
    if (!read) {
      return finish(false,
                    fmt::format("{}: sampling before the erase: {}", drive.device, read.error()));
    }
    before = std::move(*read);
    const bool blank =
        std::all_of(before.begin(), before.end(), [](const SectorSample& s) { return s.uniform; });
    if (blank && env.marker_writer != nullptr) {
      auto planted = plant_markers(*env.marker_writer, offsets, seed);
      if (!planted) {
        // Nothing could show that the erase changed anything: a disk that does not keep what is
        // written to it (or cannot be written) is not reported erased, whatever the method.
        record.verification = records::VerificationMethod::sample;
        record.verification_result = "failed: " + planted.error();
        return finish(false, fmt::format("{}: the erase could not be verified: the sampled sectors "
                                         "were blank and {}; the firmware erase was not started",
                                         drive.device, planted.error()));
      } else {
        before = std::move(*planted);
        record.bytes_written = offsets.size() * env.sectors->sector_bytes();
        record.notes.push_back(
            fmt::format("the sampled sectors were blank: {} verification markers were written "
                        "before the erase",
                        offsets.size()));
      }
    }
  } else if (is_crypto(method)) {
    record.notes.push_back("no sector access: the crypto erase could not be verified");
  }

  Runner runner(env, drive, options, record);
  const RunResult run = runner.run(method);
  record.method_detail = run.detail;
  record.passes = run.ok ? 1 : 0;
  if (!run.ok) {
    return finish(false, run.failure);
  }

  if (!verify) {
    record.verification = records::VerificationMethod::none;
    record.verification_result = "not verified";
    if (is_crypto(method)) {
      return finish(
          false,
          "crypto erase could not be verified (no sector access); NIST SP 800-88: follow with an "
          "overwrite");
    }
    return finish(true, {});
  }
  auto after = read_samples(*env.sectors, offsets);
  if (!after) {
    record.verification = records::VerificationMethod::sample;
    record.verification_result = "failed: " + after.error();
    return finish(false,
                  fmt::format("{}: sampling after the erase: {}", drive.device, after.error()));
  }
  const SampleVerdict verdict = compare_samples(before, *after);
  record.verification = records::VerificationMethod::sample;
  record.verification_result = verdict.summary();
  record.verified_by = records::k_verified_purge_samples;
  record.bytes_verified = 2 * offsets.size() * env.sectors->sector_bytes();
  record.verify_mismatches = verdict.unchanged;
  if (!verdict.conclusive()) {
    if (is_crypto(method)) {
      return finish(
          false,
          fmt::format("crypto erase could not be verified: {}; NIST SP 800-88: follow with an "
                      "overwrite",
                      verdict.summary()));
    }
    return finish(true, {});
  }
  if (!verdict.passed()) {
    return finish(false,
                  fmt::format("{} reported success but {}", to_string(method), verdict.summary()));
  }
  return finish(true, {});
}

} // namespace atelier::imager
