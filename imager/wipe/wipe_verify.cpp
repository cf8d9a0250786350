#include "imager/wipe/wipe_verify.h"

#include "imager/wipe/wipe_pipeline.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <sys/random.h>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

constexpr std::size_t k_slots = 3;
constexpr const char* k_mismatch = "verify: content differs from the pattern";

std::uint64_t draw_seed() {
  std::uint64_t seed = 0;
  while (seed == 0) {
    if (::getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
      seed = std::random_device{}();
    }
  }
  return seed;
}

void add_range(std::vector<ByteRange>& ranges, std::uint64_t offset, std::uint64_t length) {
  ranges.push_back({offset, length});
}

// Sorted, overlapping or touching ranges joined.
std::vector<ByteRange> merged(std::vector<ByteRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const auto& a, const auto& b) { return a.offset < b.offset; });
  std::vector<ByteRange> out;
  for (const auto& r : ranges) {
    if (!out.empty() && out.back().offset + out.back().length >= r.offset) {
      const auto end = std::max(out.back().offset + out.back().length, r.offset + r.length);
      out.back().length = end - out.back().offset;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::string plural(std::uint64_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

} // namespace

SamplePlan plan_samples(std::uint64_t size_bytes, std::uint32_t sector_bytes, std::uint64_t seed) {
  SamplePlan plan;
  const std::uint64_t sectors = size_bytes / sector_bytes;
  const std::uint64_t sub_sectors = sectors / k_sample_subsections;
  if (sub_sectors < k_min_subsection_sectors) {
    plan.full = true;
    plan.ranges = {{0, size_bytes}};
    return plan;
  }
  plan.subsections = k_sample_subsections;
  std::mt19937_64 random(seed);
  std::vector<ByteRange> ranges;
  ranges.reserve(2 * k_sample_subsections + 2);
  for (std::uint64_t i = 0; i < k_sample_subsections; ++i) {
    const std::uint64_t first = i * sub_sectors;
    // The last subsection takes the sectors the division left over.
    const std::uint64_t length = i + 1 == k_sample_subsections ? sectors - first : sub_sectors;
    const std::uint64_t sample = (length * k_sample_percent + 99) / 100;
    // Two non-overlapping positions, uniformly: draw both in the room left by two samples, sort,
    // and push the second one past the first.
    std::uniform_int_distribution<std::uint64_t> position(0, length - 2 * sample);
    std::uint64_t a = position(random);
    std::uint64_t b = position(random);
    if (b < a) {
      std::swap(a, b);
    }
    add_range(ranges, (first + a) * sector_bytes, sample * sector_bytes);
    add_range(ranges, (first + b + sample) * sector_bytes, sample * sector_bytes);
  }
  add_range(ranges, 0, sector_bytes);
  add_range(ranges, (sectors - 1) * sector_bytes, sector_bytes);
  if (size_bytes % sector_bytes != 0) {
    add_range(ranges, sectors * sector_bytes, size_bytes % sector_bytes); // a regular file's tail
  }
  plan.ranges = merged(std::move(ranges));
  return plan;
}

std::string VerifyOutcome::summary() const {
  if (!completed) {
    return "incomplete: " + (fatal.empty() ? std::string("stopped before the end") : fatal);
  }
  if (passed()) {
    return "passed";
  }
  std::string text = "failed:";
  if (mismatched_sectors > 0) {
    text += " " + plural(mismatched_sectors, "mismatching sector");
  }
  if (unreadable_sectors > 0) {
    text += std::string(mismatched_sectors > 0 ? "," : "") + " " +
            plural(unreadable_sectors, "unreadable sector");
  }
  return text;
}

VerifyOutcome verify_overwrite(BlockDevice& device, PatternKind pattern, const StreamSeed& seed,
                               const VerifyOptions& options) {
  VerifyOutcome outcome;
  if (options.method == records::VerificationMethod::none) {
    return outcome;
  }
  const DeviceGeometry& geometry = device.geometry();
  if (auto flushed = device.flush(); !flushed) {
    outcome.fatal = "flush before verification: " + errno_text(flushed.error());
    return outcome;
  }
  std::vector<ByteRange> ranges{{0, geometry.size_bytes}};
  if (options.method == records::VerificationMethod::sample) {
    auto plan = plan_samples(geometry.size_bytes, geometry.logical_sector_bytes,
                             options.sample_seed != 0 ? options.sample_seed : draw_seed());
    outcome.sampled_in_full = plan.full;
    ranges = std::move(plan.ranges);
  }
  // Chunks of at most one buffer, never across a range boundary.
  std::vector<ByteRange> chunks;
  for (const auto& r : ranges) {
    outcome.bytes_planned += r.length;
    for (std::uint64_t pos = 0; pos < r.length; pos += options.buffer_bytes) {
      chunks.push_back(
          {r.offset + pos, std::min<std::uint64_t>(options.buffer_bytes, r.length - pos)});
    }
  }

  const std::uint64_t sector = geometry.logical_sector_bytes;
  ChunkPipeline pipeline(k_slots, options.buffer_bytes);
  std::vector<TransferResult> reads(k_slots);
  AlignedBuffer expected(options.buffer_bytes);
  PatternGenerator generator(pattern, seed);
  if (pattern != PatternKind::random) {
    generator.fill(expected.span(), 0); // constant: filled once
  }
  Progress base{"verify",
                options.device_label,
                0,
                outcome.bytes_planned,
                0,
                std::nullopt,
                options.method == records::VerificationMethod::sample && !outcome.sampled_in_full
                    ? "sampled read-back"
                    : "full read-back"};
  ProgressMeter meter(options.progress, base, options.progress_interval, *options.clock);
  std::uint64_t done = 0;

  const auto produce = [&](std::uint64_t k, std::span<std::byte> buffer) {
    const auto& c = chunks[k];
    reads[k % k_slots] = transfer(device, TransferKind::read, buffer.first(c.length), c.offset,
                                  options.max_attempts, options.control);
    return !reads[k % k_slots].cancelled && !reads[k % k_slots].fatal_errno;
  };
  const auto consume = [&](std::uint64_t k, std::span<std::byte> buffer) {
    const auto& c = chunks[k];
    const TransferResult& read = reads[k % k_slots];
    if (pattern == PatternKind::random) {
      generator.fill(expected.span().first(c.length), c.offset);
    }
    for (const auto& failed : read.failed) {
      add_failed_range(outcome.failed_ranges, failed);
    }
    outcome.unreadable_sectors += read.failed_sectors;
    const bool clean = read.failed.empty();
    if (!clean || std::memcmp(buffer.data(), expected.data(), c.length) != 0) {
      // Find the sectors that differ, skipping the ones that could not be read.
      for (std::uint64_t pos = 0; pos < c.length; pos += sector) {
        const std::uint64_t at = c.offset + pos;
        const std::uint64_t len = std::min(sector, c.length - pos);
        const bool unreadable =
            std::any_of(read.failed.begin(), read.failed.end(), [&](const records::FailedRange& f) {
              return at >= f.first_byte && at < f.first_byte + f.length;
            });
        if (!unreadable && std::memcmp(buffer.data() + pos, expected.data() + pos, len) != 0) {
          ++outcome.mismatched_sectors;
          add_failed_range(outcome.failed_ranges, {at, len, k_mismatch});
        }
      }
    }
    std::uint64_t unreadable_bytes = 0;
    for (const auto& f : read.failed) {
      unreadable_bytes += f.length;
    }
    outcome.bytes_verified += c.length - std::min(unreadable_bytes, c.length);
    done += c.length;
    meter.update(done);
    return true;
  };
  const bool complete = pipeline.run(chunks.size(), produce, consume, options.control);
  // The chunk the reader stopped on tells why.
  for (const auto& r : reads) {
    if (r.fatal_errno) {
      outcome.fatal =
          fmt::format("read at byte {}: {}", r.fatal_offset, errno_text(*r.fatal_errno));
    }
  }
  if (options.control != nullptr && options.control->cancelled()) {
    outcome.fatal = "cancelled";
  }
  outcome.completed = complete && outcome.fatal.empty();
  meter.finish(done);
  return outcome;
}

} // namespace atelier::imager
