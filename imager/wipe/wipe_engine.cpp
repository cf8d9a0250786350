#include "imager/wipe/wipe_engine.h"

#include "base/time_text.h"
#include "imager/wipe/wipe_pipeline.h"
#include "imager/wipe/wipe_verify.h"
#include "records/erasure_phrases.h"

#include <algorithm>
#include <exception>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace atelier::imager {
namespace {

struct PassResult {
  bool complete = false;
  bool cancelled = false;
  std::uint64_t bytes_written = 0;
  std::uint64_t failed_sectors = 0;
  std::uint64_t retries = 0;
  std::string stop_reason; // why the pass ended before the last sector, in plain words
};

std::string plural(std::uint64_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

PassResult write_pass(BlockDevice& device, PatternKind pattern, const StreamSeed& seed,
                      const WipeOptions& options, int pass, int pass_count,
                      records::ErasureRecord& record) {
  PassResult result;
  const std::uint64_t size = device.geometry().size_bytes;
  const std::uint64_t chunk = options.buffer_bytes;
  const std::uint64_t count = (size + chunk - 1) / chunk;
  Progress base{"wipe",
                options.device_label,
                0,
                size,
                0,
                std::nullopt,
                fmt::format("pass {} of {}: {}", pass, pass_count, to_string(pattern))};
  ProgressMeter meter(options.progress, base, options.progress_interval, *options.clock);

  const auto consume = [&](std::uint64_t k, std::span<std::byte> buffer) {
    const std::uint64_t offset = k * chunk;
    const std::uint64_t length = std::min(chunk, size - offset);
    const TransferResult t = transfer(device, TransferKind::write, buffer.first(length), offset,
                                      options.max_attempts, options.control);
    std::uint64_t lost = 0;
    for (const auto& f : t.failed) {
      lost += f.length;
      add_failed_range(record.failed_ranges, f);
    }
    result.failed_sectors += t.failed_sectors;
    result.retries += t.retries;
    if (t.cancelled) {
      result.cancelled = true;
      result.bytes_written += length - std::min(length, lost);
      return false;
    }
    if (t.fatal_errno) {
      const std::uint64_t at = t.fatal_offset;
      result.bytes_written += (at - offset) - std::min(at - offset, lost);
      add_failed_range(record.failed_ranges, {at, size - at,
                                              fmt::format("write: {}; not written from here on",
                                                          errno_text(*t.fatal_errno))});
      result.stop_reason =
          at < size && *t.fatal_errno == ENOSPC
              ? fmt::format("the device ended at byte {}, before its reported size of {} bytes "
                            "({})",
                            at, size, errno_text(*t.fatal_errno))
              : fmt::format("the device refused writes at byte {} ({})", at,
                            errno_text(*t.fatal_errno));
      return false;
    }
    result.bytes_written += length - std::min(length, lost);
    if (result.failed_sectors > options.max_failed_sectors) {
      const std::uint64_t next = offset + length;
      if (next < size) {
        add_failed_range(record.failed_ranges,
                         {next, size - next, "not attempted: too many unwritable sectors"});
      }
      result.stop_reason = fmt::format("gave up after {} (more than {})",
                                       plural(result.failed_sectors, "unwritable sector"),
                                       options.max_failed_sectors);
      return false;
    }
    meter.update(offset + length);
    return true;
  };

  if (pattern == PatternKind::random) {
    ChunkPipeline pipeline(std::max<std::size_t>(2, options.ring_buffers), chunk);
    PatternGenerator generator(pattern, seed);
    const auto produce = [&](std::uint64_t k, std::span<std::byte> buffer) {
      const std::uint64_t offset = k * chunk;
      generator.fill(buffer.first(std::min(chunk, size - offset)), offset);
      return true;
    };
    result.complete = pipeline.run(count, produce, consume, options.control);
  } else {
    // A constant pattern is generated once; the writer reuses the same buffer for every chunk.
    AlignedBuffer buffer(chunk);
    PatternGenerator(pattern, seed).fill(buffer.span(), 0);
    result.complete = true;
    for (std::uint64_t k = 0; k < count; ++k) {
      if (!consume(k, buffer.span()) ||
          (options.control != nullptr && options.control->cancelled())) {
        result.complete = false;
        break;
      }
    }
  }
  if (options.control != nullptr && options.control->cancelled()) {
    result.cancelled = true;
    result.complete = false;
  }
  if (result.complete) {
    if (auto flushed = device.flush(); !flushed) {
      result.complete = false;
      result.stop_reason =
          "the data could not be flushed to the device (" + errno_text(flushed.error()) + ")";
      add_failed_range(record.failed_ranges, {0, size, "flush: " + errno_text(flushed.error())});
    }
  }
  meter.finish(result.complete ? size : result.bytes_written);
  return result;
}

std::string pattern_names(const std::vector<PatternKind>& passes) {
  std::string out;
  for (const auto p : passes) {
    out += (out.empty() ? "" : ",") + std::string(to_string(p));
  }
  return out;
}

void finish_record(records::ErasureRecord& record, std::chrono::steady_clock::time_point t0,
                   const base::Clock& clock) {
  record.finished_at = base::format_rfc3339(clock.wall());
  record.duration_seconds = std::chrono::duration<double>(clock.monotonic() - t0).count();
}

} // namespace

std::string_view to_string(OverwriteMethod method) {
  switch (method) {
  case OverwriteMethod::zero:
    return "zero";
  case OverwriteMethod::one:
    return "one";
  case OverwriteMethod::random:
    return "random";
  case OverwriteMethod::random_then_zero:
    return "random-then-zero";
  }
  return "unknown";
}

std::optional<OverwriteMethod> overwrite_method_from_string(std::string_view text) {
  for (const auto m : {OverwriteMethod::zero, OverwriteMethod::one, OverwriteMethod::random,
                       OverwriteMethod::random_then_zero}) {
    if (text == to_string(m)) {
      return m;
    }
  }
  return std::nullopt;
}

std::optional<records::VerificationMethod> verification_from_string(std::string_view text) {
  for (const auto v : {records::VerificationMethod::none, records::VerificationMethod::sample,
                       records::VerificationMethod::full}) {
    if (text == to_string(v)) {
      return v;
    }
  }
  return std::nullopt;
}

std::vector<PatternKind> passes_of(OverwriteMethod method) {
  switch (method) {
  case OverwriteMethod::zero:
    return {PatternKind::zero};
  case OverwriteMethod::one:
    return {PatternKind::one};
  case OverwriteMethod::random:
    return {PatternKind::random};
  case OverwriteMethod::random_then_zero:
    return {PatternKind::random, PatternKind::zero};
  }
  return {};
}

std::string method_detail(OverwriteMethod method) {
  switch (method) {
  case OverwriteMethod::zero:
    return "one pass of zeros (0x00)";
  case OverwriteMethod::one:
    return "one pass of ones (0xFF)";
  case OverwriteMethod::random:
    return "one pass of an AES-128-CTR stream (OpenSSL EVP, key and IV from getrandom)";
  case OverwriteMethod::random_then_zero:
    return "one pass of an AES-128-CTR stream (OpenSSL EVP, key and IV from getrandom), then one "
           "pass of zeros";
  }
  return {};
}

void run_overwrite(BlockDevice& device, const WipeOptions& options,
                   records::ErasureRecord& record) {
  const base::Clock& clock = *options.clock;
  const auto started = clock.wall();
  const auto t0 = clock.monotonic();
  const DeviceGeometry& geometry = device.geometry();
  const auto passes = passes_of(options.method);
  record.level = records::SanitizationLevel::clear;
  record.method = std::string(to_string(options.method));
  record.method_detail = method_detail(options.method);
  record.pattern = pattern_names(passes);
  record.size_bytes = geometry.size_bytes;
  record.logical_sector_size = geometry.logical_sector_bytes;
  record.started_at = base::format_rfc3339(started);
  record.verification = options.verification;
  record.passes = 0;
  record.result = records::ErasureResult::failed;
  if (options.control != nullptr) {
    options.control->touch();
  }
  try {
    StreamSeed seed;
    if (std::find(passes.begin(), passes.end(), PatternKind::random) != passes.end()) {
      auto fresh = new_stream_seed();
      if (!fresh) {
        record.failure_reason = "no random seed: " + fresh.error();
        finish_record(record, t0, clock);
        return;
      }
      seed = *fresh;
      record.prng_seed_sha256 = seed_sha256(seed);
      if (options.seed_observer_for_tests) {
        options.seed_observer_for_tests(seed);
      }
    }
    if (geometry.size_bytes == 0) {
      record.failure_reason = "the device reports a size of 0 bytes: nothing can be erased";
      finish_record(record, t0, clock);
      return;
    }
    std::uint64_t retries = 0;
    const auto write_t0 = clock.monotonic();
    for (std::size_t i = 0; i < passes.size(); ++i) {
      const PassResult pass = write_pass(device, passes[i], seed, options, static_cast<int>(i + 1),
                                         static_cast<int>(passes.size()), record);
      record.bytes_written += pass.bytes_written;
      record.write_errors += pass.failed_sectors;
      retries += pass.retries;
      if (pass.complete) {
        ++record.passes;
      }
      if (pass.cancelled) {
        record.failure_reason =
            fmt::format("stopped during pass {} at byte {}", i + 1,
                        options.control != nullptr ? options.control->position.load() : 0);
        break;
      }
      if (!pass.stop_reason.empty()) {
        record.failure_reason =
            fmt::format("pass {} of {}: {}", i + 1, passes.size(), pass.stop_reason);
        break;
      }
    }
    const double write_seconds =
        std::chrono::duration<double>(clock.monotonic() - write_t0).count();
    record.throughput_bytes_per_second =
        write_seconds > 0 ? static_cast<double>(record.bytes_written) / write_seconds : 0;
    if (retries > 0) {
      record.notes.push_back(
          fmt::format("{} needed retries and then succeeded or were recorded as failed",
                      plural(retries, "I/O")));
    }
    if (record.failure_reason.empty() && record.write_errors > 0) {
      const auto& first = record.failed_ranges.front();
      record.failure_reason =
          fmt::format("{} could not be written (first at byte {}: {}); the disk has bad "
                      "sectors and is not erased",
                      plural(record.write_errors, "sector"), first.first_byte, first.error);
    }
    const bool written =
        record.failure_reason.empty() && record.passes == static_cast<int>(passes.size());
    if (!written) {
      record.verification_result = "not verified: the overwrite did not complete";
      finish_record(record, t0, clock);
      return;
    }
    if (options.verification == records::VerificationMethod::none) {
      record.verification_result = "not verified";
      record.result = records::ErasureResult::erased;
      finish_record(record, t0, clock);
      return;
    }
    VerifyOptions verify;
    verify.method = options.verification;
    verify.buffer_bytes = options.buffer_bytes;
    verify.max_attempts = options.max_attempts;
    verify.sample_seed = options.sample_seed;
    verify.control = options.control;
    verify.progress = options.progress;
    verify.progress_interval = options.progress_interval;
    verify.device_label = options.device_label;
    verify.clock = options.clock;
    const VerifyOutcome outcome = verify_overwrite(device, passes.back(), seed, verify);
    record.bytes_verified = outcome.bytes_verified;
    record.read_errors = outcome.unreadable_sectors;
    record.verify_mismatches = outcome.mismatched_sectors;
    for (const auto& f : outcome.failed_ranges) {
      add_failed_range(record.failed_ranges, f);
    }
    record.verification_result = outcome.summary();
    record.verified_by =
        outcome.sampled_in_full || options.verification == records::VerificationMethod::full
            ? records::k_verified_full_read_back
            : records::k_verified_sampled_read_back;
    if (outcome.sampled_in_full) {
      record.notes.push_back(records::k_note_sampled_in_full);
    }
    if (!outcome.completed) {
      record.failure_reason = "verification could not finish: " + outcome.fatal;
    } else if (!outcome.passed()) {
      const auto it =
          std::find_if(record.failed_ranges.begin(), record.failed_ranges.end(),
                       [](const records::FailedRange& f) {
                         return f.error.starts_with("verify") || f.error.starts_with("read");
                       });
      record.failure_reason =
          fmt::format("verification {} (first at byte {}); the disk did not keep what was written",
                      outcome.summary(), it != record.failed_ranges.end() ? it->first_byte : 0);
    } else {
      record.result = records::ErasureResult::erased;
    }
  } catch (const std::exception& e) {
    record.result = records::ErasureResult::failed;
    record.failure_reason = std::string("internal error: ") + e.what();
  }
  finish_record(record, t0, clock);
}

} // namespace atelier::imager
