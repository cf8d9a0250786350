#include "papers/paper_text.h"

#include "base/i18n.h"
#include "base/typography.h"

#include <cmath>

#include <fmt/format.h>

namespace atelier::papers {
namespace {

// A whole number when the value is within 0.05 of one ("8 GB", not "8.0 GB"), else one decimal.
std::string decimal(double value, profiles::Language language) {
  return std::abs(value - std::round(value)) < 0.05
             ? base::format_decimal(std::round(value), 0, language)
             : base::format_decimal(value, 1, language);
}

} // namespace

std::string not_inventoried_words(profiles::Language language) {
  return base::tr(language, "Not inventoried yet");
}

std::string format_memory(std::uint64_t bytes, profiles::Language language) {
  constexpr double k_gib = 1024.0 * 1024 * 1024;
  const double gib = static_cast<double>(bytes) / k_gib;
  if (gib < 1) {
    return fmt::format("{:.0f} {}", static_cast<double>(bytes) / (1024.0 * 1024),
                       base::tr(language, "MB"));
  }
  return fmt::format("{} {}", decimal(gib, language), base::tr(language, "GB"));
}

std::string format_capacity(std::uint64_t bytes, profiles::Language language) {
  const double gb = static_cast<double>(bytes) / 1e9;
  if (gb >= 1000) {
    return fmt::format("{} {}", decimal(gb / 1000, language), base::tr(language, "TB"));
  }
  return fmt::format("{:.0f} {}", gb, base::tr(language, "GB"));
}

std::string format_date(std::chrono::sys_seconds at, profiles::Language language) {
  const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(at)};
  const int y = static_cast<int>(d.year());
  const unsigned m = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  return language == profiles::Language::fr ? fmt::format("{:02}/{:02}/{}", day, m, y)
                                            : fmt::format("{}-{:02}-{:02}", y, m, day);
}

std::optional<profiles::Language> parse_language(std::string_view text) {
  return base::parse_language(text);
}

} // namespace atelier::papers
