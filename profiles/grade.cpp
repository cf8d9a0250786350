#include "profiles/grade.h"

#include "profiles/profile.h"

#include <fmt/format.h>

namespace atelier::profiles {
namespace {

// The highest step reached, or null when the value is under the first one.
template <typename T, typename Reached>
const Step<T>* highest_step(const std::vector<Step<T>>& steps, Reached reached) {
  const Step<T>* best = nullptr;
  for (const auto& step : steps) {
    if (reached(step.min)) {
      best = &step;
    }
  }
  return best;
}

// Sizes print in the base the program wrote its steps in: "Disk 250.1 GB" next to "min = 240GB".
SizeBase base_of(const std::vector<Step<ByteSize>>& steps, const Step<ByteSize>* reached) {
  if (reached != nullptr) {
    return reached->min.base;
  }
  return steps.empty() ? SizeBase::binary : steps.front().min.base;
}

// The machine's Secure Boot in one line, with what a volunteer does about it: a household keeps
// Secure Boot on only if the machine boots with it (the installed system does: docs/DEPLOY.md).
std::string secure_boot_line(const MachineFacts& facts) {
  if (facts.firmware == Firmware::bios) {
    return "Secure Boot: none (BIOS firmware)";
  }
  if (!facts.secure_boot) {
    return "Secure Boot: unknown (not reported by the machine)";
  }
  switch (*facts.secure_boot) {
  case SecureBoot::on:
    return "Secure Boot: on";
  case SecureBoot::off:
    return "Secure Boot: off (turn it on in the firmware setup)";
  case SecureBoot::setup_mode:
    return "Secure Boot: setup mode, no keys (restore the factory keys in the firmware setup)";
  }
  return "Secure Boot: unknown";
}

} // namespace

GradeResult grade(const Program& program, const MachineFacts& facts) {
  const GradingRules& rules = program.grading;
  GradeResult result;
  const auto add = [&](std::string what, int points) {
    result.score += points;
    result.breakdown.push_back(fmt::format("{}: +{}", what, points));
  };

  if (!rules.ram.empty()) {
    const auto* step =
        highest_step(rules.ram, [&](ByteSize min) { return facts.ram_bytes >= min.bytes; });
    add(fmt::format("RAM {}", format_size(facts.ram_bytes, base_of(rules.ram, step))),
        step != nullptr ? step->points : 0);
  }
  if (rules.cpu_level) {
    if (facts.x86_64_level >= 1 && facts.x86_64_level <= 4) {
      add(fmt::format("CPU {}", cpu_level_name(facts.x86_64_level)),
          (*rules.cpu_level)[static_cast<std::size_t>(facts.x86_64_level - 1)]);
    } else {
      add("CPU level unknown", 0);
    }
  }
  if (!rules.cpu_threads.empty()) {
    const auto* step =
        highest_step(rules.cpu_threads, [&](int min) { return facts.cpu_threads >= min; });
    add(facts.cpu_threads > 0 ? fmt::format("CPU {} threads", facts.cpu_threads)
                              : std::string("CPU threads unknown"),
        step != nullptr ? step->points : 0);
  }
  if (rules.disk_media) {
    if (!facts.main_disk_media) {
      add("Disk media unknown", 0);
    } else {
      const DiskMedia media = *facts.main_disk_media;
      const int points = media == DiskMedia::hdd    ? rules.disk_media->hdd
                         : media == DiskMedia::ssd  ? rules.disk_media->ssd
                         : media == DiskMedia::nvme ? rules.disk_media->nvme
                                                    : 0;
      add(fmt::format("Disk {}", to_string(media)), points);
    }
  }
  if (!rules.disk_size.empty()) {
    const auto* step = highest_step(
        rules.disk_size, [&](ByteSize min) { return facts.largest_disk_bytes >= min.bytes; });
    add(facts.largest_disk_bytes > 0
            ? fmt::format("Disk {}",
                          format_size(facts.largest_disk_bytes, base_of(rules.disk_size, step)))
            : std::string("No disk"),
        step != nullptr ? step->points : 0);
  }

  if (rules.secure_boot == SecureBootRule::note) {
    result.breakdown.push_back(secure_boot_line(facts));
  }

  // Floors are checked after scoring so the breakdown still shows what the machine is worth.
  bool under_floor = false;
  const auto floor = [&](std::string line) {
    under_floor = true;
    result.breakdown.push_back(std::move(line));
  };
  if (rules.secure_boot == SecureBootRule::require && facts.secure_boot != SecureBoot::on) {
    floor("floor: " + secure_boot_line(facts) + "; the program requires it on");
  }
  if (rules.floor.ram && facts.ram_bytes < rules.floor.ram->bytes) {
    floor(fmt::format("floor: RAM {} is below the {} floor",
                      format_size(facts.ram_bytes, rules.floor.ram->base),
                      format_size(*rules.floor.ram)));
  }
  if (rules.floor.cpu_level) {
    if (facts.x86_64_level < 1 || facts.x86_64_level > 4) {
      floor(fmt::format("floor: CPU level unknown, the floor is {}",
                        cpu_level_name(*rules.floor.cpu_level)));
    } else if (facts.x86_64_level < *rules.floor.cpu_level) {
      floor(fmt::format("floor: CPU {} is below the {} floor", cpu_level_name(facts.x86_64_level),
                        cpu_level_name(*rules.floor.cpu_level)));
    }
  }
  if (rules.floor.disk && facts.largest_disk_bytes < rules.floor.disk->bytes) {
    floor(fmt::format("floor: disk {} is below the {} floor",
                      format_size(facts.largest_disk_bytes, rules.floor.disk->base),
                      format_size(*rules.floor.disk)));
  }

  const GradeThresholds& t = rules.grades;
  if (under_floor) {
    result.grade = Grade::parts;
    result.breakdown.push_back(fmt::format("score {}, under a floor: grade parts", result.score));
  } else if (result.score >= t.a) {
    result.grade = Grade::A;
    result.breakdown.push_back(fmt::format("score {} >= {}: grade A", result.score, t.a));
  } else if (result.score >= t.b) {
    result.grade = Grade::B;
    result.breakdown.push_back(fmt::format("score {} >= {}: grade B", result.score, t.b));
  } else if (result.score >= t.c) {
    result.grade = Grade::C;
    result.breakdown.push_back(fmt::format("score {} >= {}: grade C", result.score, t.c));
  } else {
    result.grade = Grade::parts;
    result.breakdown.push_back(
        fmt::format("score {} < {} (grade C): grade parts", result.score, t.c));
  }
  return result;
}

} // namespace atelier::profiles
