#include "daemon/certificate_text.h"

#include <fmt/format.h>

namespace atelier::daemon {
namespace {

using imager::ErasureRecord;

// "500.1 GB": decimal units, as disk labels use.
std::string short_bytes(std::uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(k_units)) {
    value /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} bytes", bytes)
                   : fmt::format("{:.1f} {}", value, k_units[unit]);
}

std::string or_unknown(const std::string& text) {
  return text.empty() ? "not recorded" : text;
}

std::string media_words(const std::string& media) {
  if (media == "hdd") {
    return "hard disk drive (HDD)";
  }
  if (media == "ssd") {
    return "solid-state drive (SSD)";
  }
  if (media == "nvme") {
    return "NVMe solid-state drive";
  }
  if (media == "usb") {
    return "USB storage";
  }
  if (media == "file") {
    return "disk image file (test)";
  }
  return or_unknown(media);
}

std::string verification_words(const ErasureRecord& r) {
  std::string how;
  switch (r.verification) {
  case imager::VerificationMethod::none:
    how = "not verified";
    break;
  case imager::VerificationMethod::sample:
    how = "sampled read-back";
    break;
  case imager::VerificationMethod::full:
    how = "full read-back";
    break;
  }
  if (r.verification_result.empty()) {
    return how;
  }
  return fmt::format("{}: {} ({} checked)", how, r.verification_result,
                     short_bytes(r.bytes_verified));
}

std::string duration_words(double seconds) {
  const auto total = static_cast<std::uint64_t>(seconds + 0.5);
  if (total < 60) {
    return fmt::format("{} s", total);
  }
  if (total < 3600) {
    return fmt::format("{} min {} s", total / 60, total % 60);
  }
  return fmt::format("{} h {} min", total / 3600, total % 3600 / 60);
}

std::string hidden_area_words(const imager::HiddenAreaStatus& h) {
  std::string words;
  if (!h.checked) {
    words = "not checked (the drive could not be asked)";
  } else if (!h.hpa_present && !h.dco_present) {
    words = "checked: none found";
  } else {
    words = fmt::format("{}{}{} found, {}", h.hpa_present ? "HPA" : "",
                        h.hpa_present && h.dco_present ? " and " : "", h.dco_present ? "DCO" : "",
                        h.reset ? "removed before erasing" : "NOT removed");
  }
  return h.note.empty() ? words : fmt::format("{}; {}", words, h.note);
}

std::string smart_words(const imager::SmartSummary& s) {
  std::string words = s.overall.empty() ? "not available" : s.overall;
  const auto add = [&](const std::optional<std::uint64_t>& v, std::string_view what) {
    if (v) {
      words += fmt::format(", {} {}", *v, what);
    }
  };
  add(s.power_on_hours, "power-on hours");
  add(s.reallocated_sectors, "reallocated sectors");
  add(s.pending_sectors, "pending sectors");
  add(s.uncorrectable_sectors, "uncorrectable sectors");
  return words;
}

} // namespace

std::string format_bytes(std::uint64_t bytes) {
  return bytes < 1000 ? short_bytes(bytes)
                      : fmt::format("{} ({} bytes)", short_bytes(bytes), bytes);
}

std::vector<RecordLine> record_lines(const ErasureRecord& r) {
  std::vector<RecordLine> lines;
  const auto add = [&](std::string label, std::string value) {
    lines.push_back({std::move(label), std::move(value)});
  };
  add("Result", r.result == imager::ErasureResult::erased
                    ? "ERASED"
                    : fmt::format("FAILED: {}", or_unknown(r.failure_reason)));
  add("Record id", r.record_id);
  add("Manufacturer", or_unknown(r.manufacturer));
  add("Model", or_unknown(r.model));
  add("Serial number", or_unknown(r.serial));
  add("Media type", media_words(r.media_type));
  add("Capacity",
      fmt::format("{}, {}-byte sectors", format_bytes(r.size_bytes), r.logical_sector_size));
  add("Property number", or_unknown(r.source_property));
  add("Device at the time", or_unknown(r.device));
  add("Sanitization level",
      fmt::format("{} (NIST SP 800-88)",
                  r.level == imager::SanitizationLevel::purge ? "Purge" : "Clear"));
  add("Method",
      r.method_detail.empty() ? r.method : fmt::format("{}: {}", r.method, r.method_detail));
  add("Passes and pattern", fmt::format("{} pass{}{}", r.passes, r.passes == 1 ? "" : "es",
                                        r.pattern.empty() ? "" : ", " + r.pattern));
  add("Tool", fmt::format("{} {}", r.tool, r.tool_version));
  add("Verification", verification_words(r));
  add("Started", r.started_at);
  add("Finished", fmt::format("{} (took {})", r.finished_at, duration_words(r.duration_seconds)));
  add("Written",
      fmt::format("{} at {}/s", format_bytes(r.bytes_written),
                  short_bytes(static_cast<std::uint64_t>(r.throughput_bytes_per_second))));
  add("Errors", fmt::format("{} write, {} read, {} verification mismatches{}", r.write_errors,
                            r.read_errors, r.verify_mismatches,
                            r.failed_ranges.empty()
                                ? ""
                                : fmt::format("; {} failed ranges", r.failed_ranges.size())));
  add("Hidden areas (HPA/DCO)", hidden_area_words(r.hidden_areas));
  add("SMART", smart_words(r.smart));
  add("Performed by", or_unknown(r.operator_name));
  add("Verified by", or_unknown(r.verified_by));
  add("Location", or_unknown(r.site));
  add("Contact", or_unknown(r.contact));
  for (const std::string& note : r.notes) {
    add("Note", note);
  }
  return lines;
}

std::vector<std::string> verification_instructions(const std::string& record_id,
                                                   const std::string& fingerprint) {
  return {
      fmt::format("This record is signed with the workshop key {} (Ed25519).", fingerprint),
      fmt::format("Check it with: atelier cert verify {}.json --key workshop.pem", record_id),
      "or with python3 and openssl alone, as docs/ERASURE-RECORD.md shows.",
  };
}

std::string certificate_qr_text(const std::string& record_id, const std::string& fingerprint) {
  return fmt::format("atelier-erasure:{}:{}", record_id, fingerprint);
}

} // namespace atelier::daemon
