#include "profiles/match.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace atelier::profiles {
namespace {

std::string_view firmware_word(Firmware firmware) {
  return firmware == Firmware::bios ? "BIOS" : firmware == Firmware::uefi ? "UEFI" : "unknown";
}

// "BIOS or UEFI", "laptop or all-in-one"
template <typename T, typename Name>
std::string alternatives(const std::vector<T>& values, Name name) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += i + 1 == values.size() ? " or " : ", ";
    }
    out += name(values[i]);
  }
  return out;
}

template <typename T>
bool contains(const std::vector<T>& values, T value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// "a laptop", "an all-in-one"
std::string with_article(std::string_view words) {
  const bool vowel =
      !words.empty() && std::string_view("aeiou").find(words.front()) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", words);
}

} // namespace

std::vector<std::string> unmet_requirements(const Requirements& need, const MachineFacts& facts) {
  std::vector<std::string> reasons;
  if (facts.ram_bytes < need.min_ram.bytes) {
    reasons.push_back(fmt::format("needs {} RAM, machine has {}", format_size(need.min_ram),
                                  format_size(facts.ram_bytes, need.min_ram.base)));
  }
  if (facts.largest_disk_bytes < need.min_disk.bytes) {
    reasons.push_back(
        facts.largest_disk_bytes == 0
            ? fmt::format("needs a {} disk, machine has none", format_size(need.min_disk))
            : fmt::format("needs a {} disk, machine's largest is {}", format_size(need.min_disk),
                          format_size(facts.largest_disk_bytes, need.min_disk.base)));
  }
  // Every x86-64 CPU is at least level 1, so an unknown level only fails a higher requirement.
  if (need.cpu_level > 1 && facts.x86_64_level < need.cpu_level) {
    reasons.push_back(facts.x86_64_level == 0
                          ? fmt::format("needs {}, machine's CPU level is unknown",
                                        cpu_level_name(need.cpu_level))
                          : fmt::format("needs {}, machine's CPU is {}",
                                        cpu_level_name(need.cpu_level),
                                        cpu_level_name(facts.x86_64_level)));
  }
  // Unknown firmware fits only a profile that boots either way.
  const bool firmware_ok =
      facts.firmware == Firmware::unknown
          ? contains(need.firmware, Firmware::bios) && contains(need.firmware, Firmware::uefi)
          : contains(need.firmware, facts.firmware);
  if (!firmware_ok) {
    const std::string wanted = alternatives(need.firmware, firmware_word);
    reasons.push_back(facts.firmware == Firmware::unknown
                          ? fmt::format("needs {} firmware, machine's firmware is unknown", wanted)
                          : fmt::format("needs {} firmware, machine has {}", wanted,
                                        firmware_word(facts.firmware)));
  }
  if (!need.chassis.empty() && (!facts.chassis || !contains(need.chassis, *facts.chassis))) {
    const auto name = [](Chassis c) {
      return std::string(to_string(c));
    };
    const std::string wanted = with_article(alternatives(need.chassis, name));
    reasons.push_back(facts.chassis
                          ? fmt::format("needs {} chassis, machine is {}", wanted,
                                        with_article(to_string(*facts.chassis)))
                          : fmt::format("needs {} chassis, machine's chassis is unknown", wanted));
  }
  return reasons;
}

MatchResult match(std::span<const Profile> profiles, const MachineFacts& facts) {
  std::vector<std::size_t> order(profiles.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (profiles[a].priority != profiles[b].priority) {
      return profiles[a].priority > profiles[b].priority;
    }
    return profiles[a].name < profiles[b].name;
  });
  MatchResult result;
  for (std::size_t index : order) {
    const Profile& profile = profiles[index];
    Candidate candidate{profile.name, profile.priority, false,
                        unmet_requirements(profile.requirements, facts)};
    candidate.fits = candidate.reasons.empty();
    if (candidate.fits && !result.chosen) {
      result.chosen = result.candidates.size();
    }
    result.candidates.push_back(std::move(candidate));
  }
  return result;
}

} // namespace atelier::profiles
