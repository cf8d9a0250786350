#include "imager/purge/purge_sampling.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

SectorSample summarize(std::uint64_t offset, std::span<const std::uint8_t> sector) {
  SectorSample s;
  s.offset = offset;
  s.uniform = std::all_of(sector.begin(), sector.end(),
                          [&](std::uint8_t b) { return b == sector.front(); });
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const std::uint8_t b : sector) {
    h = (h ^ b) * 0x100000001B3ULL;
  }
  s.digest = h;
  return s;
}

} // namespace

std::vector<std::uint64_t> sample_offsets(std::uint64_t size_bytes, std::uint32_t sector_bytes,
                                          std::size_t count, std::uint64_t seed) {
  std::vector<std::uint64_t> offsets;
  if (sector_bytes == 0 || size_bytes < sector_bytes) {
    return offsets;
  }
  const std::uint64_t sectors = size_bytes / sector_bytes;
  offsets.push_back(0);
  offsets.push_back((sectors - 1) * sector_bytes);
  std::uint64_t state = seed;
  const std::uint64_t n = std::min<std::uint64_t>(count, sectors);
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t first = sectors * i / n;
    const std::uint64_t last = sectors * (i + 1) / n; // exclusive
    if (last > first) {
      offsets.push_back((first + splitmix64(state) % (last - first)) * sector_bytes);
    }
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  return offsets;
}

std::expected<std::vector<SectorSample>, std::string>
read_samples(SectorReader& sectors, const std::vector<std::uint64_t>& offsets) {
  std::vector<std::uint8_t> buffer(sectors.sector_bytes());
  std::vector<SectorSample> samples;
  samples.reserve(offsets.size());
  for (const std::uint64_t offset : offsets) {
    if (auto r = sectors.read_at(offset, buffer); !r) {
      return std::unexpected(fmt::format("sector at byte {} unreadable: {}", offset, r.error()));
    }
    samples.push_back(summarize(offset, buffer));
  }
  return samples;
}

std::expected<std::vector<SectorSample>, std::string>
plant_markers(SectorWriter& sectors, const std::vector<std::uint64_t>& offsets,
              std::uint64_t seed) {
  std::vector<std::uint8_t> buffer(sectors.sector_bytes());
  std::vector<SectorSample> planted;
  planted.reserve(offsets.size());
  std::uint64_t state = seed ^ 0x5A5A5A5A5A5A5A5AULL;
  for (const std::uint64_t offset : offsets) {
    for (std::size_t i = 0; i + 8 <= buffer.size(); i += 8) {
      const std::uint64_t v = splitmix64(state);
      std::memcpy(buffer.data() + i, &v, 8);
    }
    const std::string label = fmt::format("ATELIER PURGE VERIFICATION MARKER at byte {}", offset);
    std::memcpy(buffer.data(), label.data(), std::min(label.size(), buffer.size()));
    if (auto r = sectors.write_at(offset, buffer); !r) {
      return std::unexpected(fmt::format("verification marker at byte {}: {}", offset, r.error()));
    }
    planted.push_back(summarize(offset, buffer));
  }
  if (auto r = sectors.flush(); !r) {
    return std::unexpected("verification markers: " + r.error());
  }
  auto samples = read_samples(sectors, offsets);
  if (!samples) {
    return samples;
  }
  for (std::size_t i = 0; i < samples->size(); ++i) {
    if ((*samples)[i] != planted[i]) {
      return std::unexpected(
          fmt::format("verification marker at byte {} did not stick: the disk ignores writes",
                      (*samples)[i].offset));
    }
  }
  return samples;
}

SampleVerdict compare_samples(const std::vector<SectorSample>& before,
                              const std::vector<SectorSample>& after) {
  SampleVerdict v;
  v.sampled = std::min(before.size(), after.size());
  for (std::size_t i = 0; i < v.sampled; ++i) {
    if (before[i].uniform) {
      continue; // blank before: blank after proves nothing, anything else is not our concern
    }
    ++v.informative;
    if (after[i].digest == before[i].digest) {
      ++v.unchanged;
    }
  }
  return v;
}

std::string SampleVerdict::summary() const {
  if (!conclusive()) {
    return fmt::format("not verified: the {} sampled sectors held no data before the erase",
                       sampled);
  }
  if (unchanged == 0) {
    return fmt::format("passed: {} of {} sampled sectors held data and all of them changed",
                       informative, sampled);
  }
  return fmt::format(
      "failed: {} of {} sampled sectors that held data still hold it after the erase", unchanged,
      informative);
}

} // namespace atelier::imager
