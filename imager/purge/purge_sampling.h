// Verification of a firmware purge by sampling sectors before and after (NIST SP 800-88 Rev. 1,
// 4.7.2 for crypto erase: "sample before and after; content must change").
//
// A sample is one logical sector: the first, the last, and one pseudorandom sector in each of
// `count` equal subsections. A sector that holds one repeated byte (blank, e.g. never written or
// trimmed) before the erase proves nothing when it reads blank afterwards, so it is
// "uninformative"; when every sample is blank, verification markers can be written first
// (SectorWriter) so that the erase has something to destroy. A purge passes when every informative
// sample changed.
#pragma once

#include "imager/purge/purge_device.h"

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace atelier::imager {

// Pure: sorted, distinct byte offsets of the sampled sectors. Same inputs, same offsets.
std::vector<std::uint64_t> sample_offsets(std::uint64_t size_bytes, std::uint32_t sector_bytes,
                                          std::size_t count, std::uint64_t seed);

struct SectorSample {
  std::uint64_t offset = 0;
  bool uniform = false;     // every byte the same (blank)
  std::uint64_t digest = 0; // FNV-1a 64 of the sector
  bool operator==(const SectorSample&) const = default;
};

// Reads the samples. An error names the first unreadable sector.
std::expected<std::vector<SectorSample>, std::string>
read_samples(SectorReader& sectors, const std::vector<std::uint64_t>& offsets);

// Writes a distinct marker (text + offset + pseudorandom bytes) into each sampled sector, flushes,
// and reads them back; an error when the disk does not keep them.
std::expected<std::vector<SectorSample>, std::string>
plant_markers(SectorWriter& sectors, const std::vector<std::uint64_t>& offsets, std::uint64_t seed);

struct SampleVerdict {
  std::size_t sampled = 0;
  std::size_t informative = 0; // held data (or a marker) before
  std::size_t unchanged = 0;   // informative samples whose content did not change
  bool conclusive() const { return informative > 0; }
  bool passed() const { return conclusive() && unchanged == 0; }
  // "passed: 258 of 258 sampled sectors changed" / "failed: 3 of 258 ... still hold ..." /
  // "not verified: the 258 sampled sectors held no data before the erase"
  std::string summary() const;
};

SampleVerdict compare_samples(const std::vector<SectorSample>& before,
                              const std::vector<SectorSample>& after);

} // namespace atelier::imager
