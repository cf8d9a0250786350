#include "papers/certificate_text.h"

#include "base/i18n.h"
#include "base/typography.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace atelier::papers {
namespace {

using base::tr;
using base::tr_ctx;
using base::tr_n;
using base::trf;
using profiles::Language;
using records::ErasureRecord;

// "500.1 GB" / "500,1 Go": decimal units, as disk labels use.
std::string short_bytes(std::uint64_t bytes, Language language) {
  if (bytes < 1000) {
    return fmt::format("{} {}", bytes, tr(language, "bytes"));
  }
  const std::array<std::string, 5> units = {tr(language, "kB"), tr(language, "MB"),
                                            tr(language, "GB"), tr(language, "TB"),
                                            tr(language, "PB")};
  double value = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  while (value >= 1000 && unit + 1 < units.size()) {
    value /= 1000;
    ++unit;
  }
  return fmt::format("{} {}", base::format_decimal(value, 1, language), units[unit]);
}

std::string or_unknown(const std::string& text, Language language) {
  return text.empty() ? tr(language, "not recorded") : text;
}

std::string media_words(const std::string& media, Language language) {
  if (media == "hdd") {
    return tr(language, "hard disk drive (HDD)");
  }
  if (media == "ssd") {
    return tr(language, "solid-state drive (SSD)");
  }
  if (media == "nvme") {
    return tr(language, "NVMe solid-state drive");
  }
  if (media == "usb") {
    return tr(language, "USB storage");
  }
  if (media == "file") {
    return tr(language, "disk image file (test)");
  }
  return or_unknown(media, language);
}

// The imager's recorded outcome words ("passed", "failed: 3 mismatching sectors", "not
// verified") in the certificate's language; anything else is shown as recorded.
std::string outcome_words(const std::string& outcome, Language language) {
  if (outcome == "passed") {
    return tr_ctx(language, "verification", "passed");
  }
  if (outcome == "failed") {
    return tr_ctx(language, "verification", "failed");
  }
  if (outcome == "not verified") {
    return tr(language, "not verified");
  }
  if (constexpr std::string_view k_failed = "failed: "; outcome.starts_with(k_failed)) {
    return trf(language, "failed: {detail}", {{"detail", outcome.substr(k_failed.size())}});
  }
  return outcome;
}

std::string verification_words(const ErasureRecord& r, Language language) {
  std::string how;
  switch (r.verification) {
  case records::VerificationMethod::none:
    how = tr(language, "not verified");
    break;
  case records::VerificationMethod::sample:
    how = tr(language, "sampled read-back");
    break;
  case records::VerificationMethod::full:
    how = tr(language, "full read-back");
    break;
  }
  if (r.verification_result.empty()) {
    return how;
  }
  return trf(language, "{how}: {outcome} ({size} checked)",
             {{"how", how},
              {"outcome", outcome_words(r.verification_result, language)},
              {"size", short_bytes(r.bytes_verified, language)}});
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

std::string hidden_area_words(const records::HiddenAreaStatus& h, Language language) {
  std::string words;
  if (!h.checked) {
    words = tr(language, "not checked (the drive could not be asked)");
  } else if (!h.hpa_present && !h.dco_present) {
    words = tr(language, "checked: none found");
  } else {
    // French agrees the words with the number of areas: "HPA trouvée", "HPA et DCO trouvées".
    const std::uint64_t count = (h.hpa_present ? 1U : 0U) + (h.dco_present ? 1U : 0U);
    const std::string areas =
        count == 2 ? trf(language, "{first} and {second}", {{"first", "HPA"}, {"second", "DCO"}})
                   : std::string(h.hpa_present ? "HPA" : "DCO");
    const std::string action =
        h.reset ? tr_n(language, "removed before erasing", "removed before erasing", count, {})
                : tr_n(language, "NOT removed", "NOT removed", count, {});
    words = tr_n(language, "{areas} found, {action}", "{areas} found, {action}", count,
                 {{"areas", areas}, {"action", action}});
  }
  return h.note.empty() ? words
                        : trf(language, "{words}; {note}", {{"words", words}, {"note", h.note}});
}

std::string smart_words(const records::SmartSummary& s, Language language) {
  std::string words = s.overall.empty()       ? tr(language, "not available")
                      : s.overall == "passed" ? tr_ctx(language, "SMART", "passed")
                      : s.overall == "failed" ? tr_ctx(language, "SMART", "failed")
                                              : s.overall;
  const auto add = [&](const std::optional<std::uint64_t>& v, const std::string& what) {
    if (v) {
      words += fmt::format(", {} {}", *v, what);
    }
  };
  add(s.power_on_hours, tr(language, "power-on hours"));
  add(s.reallocated_sectors, tr(language, "reallocated sectors"));
  add(s.pending_sectors, tr(language, "pending sectors"));
  add(s.uncorrectable_sectors, tr(language, "uncorrectable sectors"));
  return words;
}

} // namespace

std::string format_bytes(std::uint64_t bytes, Language language) {
  return bytes < 1000 ? short_bytes(bytes, language)
                      : fmt::format("{} ({} {})", short_bytes(bytes, language), bytes,
                                    tr(language, "bytes"));
}

std::vector<RecordLine> record_lines(const ErasureRecord& r, Language language) {
  const Language l = language;
  std::vector<RecordLine> lines;
  const auto add = [&](std::string label, std::string value) {
    lines.push_back({std::move(label), std::move(value)});
  };
  const auto known = [&](const std::string& text) {
    return or_unknown(text, l);
  };
  add(tr(l, "Result"), r.result == records::ErasureResult::erased
                           ? tr(l, "ERASED")
                           : trf(l, "FAILED: {reason}", {{"reason", known(r.failure_reason)}}));
  add(tr(l, "Record id"), r.record_id);
  add(tr(l, "Manufacturer"), known(r.manufacturer));
  add(tr(l, "Model"), known(r.model));
  add(tr(l, "Serial number"), known(r.serial));
  add(tr(l, "Media type"), media_words(r.media_type, l));
  add(tr(l, "Capacity"),
      trf(l, "{capacity}, {size}-byte sectors",
          {{"capacity", format_bytes(r.size_bytes, l)}, {"size", r.logical_sector_size}}));
  add(tr(l, "Property number"), known(r.source_property));
  add(tr(l, "Device at the time"), known(r.device));
  // The NIST level names are the standard's own words, in every language.
  add(tr(l, "Sanitization level"),
      fmt::format("{} (NIST SP 800-88)",
                  r.level == records::SanitizationLevel::purge ? "Purge" : "Clear"));
  add(tr(l, "Method"),
      r.method_detail.empty()
          ? r.method
          : trf(l, "{method}: {detail}", {{"method", r.method}, {"detail", r.method_detail}}));
  add(tr(l, "Passes and pattern"),
      tr_n(l, "{count} pass", "{count} passes", static_cast<std::uint64_t>(std::max(r.passes, 0)),
           {{"count", r.passes}}) +
          (r.pattern.empty() ? "" : ", " + r.pattern));
  add(tr(l, "Tool"), fmt::format("{} {}", r.tool, r.tool_version));
  add(tr(l, "Verification"), verification_words(r, l));
  add(tr(l, "Started"), r.started_at);
  add(tr(l, "Finished"),
      trf(l, "{time} (took {duration})",
          {{"time", r.finished_at}, {"duration", duration_words(r.duration_seconds)}}));
  add(tr(l, "Written"),
      trf(l, "{size} at {rate}/s",
          {{"size", format_bytes(r.bytes_written, l)},
           {"rate", short_bytes(static_cast<std::uint64_t>(r.throughput_bytes_per_second), l)}}));
  const std::string errors = trf(
      l, "{write} write, {read} read, {mismatches} verification mismatches",
      {{"write", r.write_errors}, {"read", r.read_errors}, {"mismatches", r.verify_mismatches}});
  add(tr(l, "Errors"),
      r.failed_ranges.empty()
          ? errors
          : tr_n(l, "{errors}; {count} failed range", "{errors}; {count} failed ranges",
                 r.failed_ranges.size(), {{"errors", errors}, {"count", r.failed_ranges.size()}}));
  add(tr(l, "Hidden areas (HPA/DCO)"), hidden_area_words(r.hidden_areas, l));
  add(tr(l, "SMART"), smart_words(r.smart, l));
  add(tr(l, "Performed by"), known(r.operator_name));
  add(tr(l, "Verified by"), known(r.verified_by));
  add(tr(l, "Location"), known(r.site));
  add(tr(l, "Contact"), known(r.contact));
  for (const std::string& note : r.notes) {
    add(tr(l, "Note"), note);
  }
  return lines;
}

std::vector<std::string> verification_instructions(const std::string& record_id,
                                                   const std::string& fingerprint,
                                                   Language language) {
  return {trf(language, "This record is signed with the workshop key {fingerprint} (Ed25519).",
              {{"fingerprint", fingerprint}}),
          trf(language, "Check it with: atelier cert verify {record}.json --key workshop.pem",
              {{"record", record_id}}),
          tr(language, "or with python3 and openssl alone, as docs/ERASURE-RECORD.md shows.")};
}

std::string certificate_qr_text(const std::string& record_id, const std::string& fingerprint) {
  return fmt::format("atelier-erasure:{}:{}", record_id, fingerprint);
}

} // namespace atelier::papers
