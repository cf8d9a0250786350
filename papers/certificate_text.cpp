#include "papers/certificate_text.h"

#include <fmt/format.h>

namespace atelier::papers {
namespace {

using profiles::Language;
using records::ErasureRecord;

constexpr CertificateText k_english{
    .bytes = "bytes",
    .units = {"kB", "MB", "GB", "TB", "PB"},
    .not_recorded = "not recorded",
    .result = "Result",
    .record_id = "Record id",
    .manufacturer = "Manufacturer",
    .model = "Model",
    .serial = "Serial number",
    .media_type = "Media type",
    .capacity = "Capacity",
    .property_number = "Property number",
    .device = "Device at the time",
    .level = "Sanitization level",
    .method = "Method",
    .passes = "Passes and pattern",
    .tool = "Tool",
    .verification = "Verification",
    .started = "Started",
    .finished = "Finished",
    .written = "Written",
    .errors = "Errors",
    .hidden_areas = "Hidden areas (HPA/DCO)",
    .smart = "SMART",
    .performed_by = "Performed by",
    .verified_by = "Verified by",
    .location = "Location",
    .contact = "Contact",
    .note = "Note",
    .colon = ": ",
    .semicolon = "; ",
    .erased = "ERASED",
    .failed_reason = "FAILED: {}",
    .media_hdd = "hard disk drive (HDD)",
    .media_ssd = "solid-state drive (SSD)",
    .media_nvme = "NVMe solid-state drive",
    .media_usb = "USB storage",
    .media_file = "disk image file (test)",
    .sectors = "{}, {}-byte sectors",
    .pass_one = "{} pass",
    .pass_many = "{} passes",
    .not_verified = "not verified",
    .sampled_read_back = "sampled read-back",
    .full_read_back = "full read-back",
    .checked = "{}: {} ({} checked)",
    .passed = "passed",
    .failed = "failed",
    .failed_detail = "failed: {}",
    .took = "{} (took {})",
    .written_at = "{} at {}/s",
    .error_counts = "{} write, {} read, {} verification mismatches",
    .failed_ranges = "; {} failed ranges",
    .hidden_not_checked = "not checked (the drive could not be asked)",
    .hidden_none = "checked: none found",
    .and_ = " and ",
    .hidden_found_one = "{} found, {}",
    .hidden_found_two = "{} found, {}",
    .hidden_removed_one = "removed before erasing",
    .hidden_removed_two = "removed before erasing",
    .hidden_not_removed_one = "NOT removed",
    .hidden_not_removed_two = "NOT removed",
    .smart_unavailable = "not available",
    .smart_passed = "passed",
    .smart_failed = "failed",
    .power_on_hours = "power-on hours",
    .reallocated = "reallocated sectors",
    .pending = "pending sectors",
    .uncorrectable = "uncorrectable sectors",
    .title = "Certificate of data erasure",
    .meta_title = "Certificate of data erasure: {}",
    .unit_subject = "Unit {}",
    .intro_one = "{}: 1 disk record, signed by the workshop",
    .intro_many = "{}: {} disk records, signed by the workshop",
    .intro_nist = "Every disk below was sanitized as NIST SP 800-88 describes; the record of each "
                  "is signed so that any change to it can be detected.",
    .disk_of = "Disk {} of {}: {}",
    .signature = "Signature",
    .key_fingerprint = "Key fingerprint",
    .signature_value = "Signature (Ed25519)",
    .signature_none = "none ({})",
    .signature_key = "Ed25519, key {}",
    .check_signed = "This record is signed with the workshop key {} (Ed25519).",
    .check_command = "Check it with: atelier cert verify {}.json --key workshop.pem",
    .check_by_hand = "or with python3 and openssl alone, as docs/ERASURE-RECORD.md shows.",
};

// French typography: a no-break space (U+00A0) before ":" and ";", so the sign never starts a
// line; DejaVu Sans, the PDF's font, has the glyph.
constexpr CertificateText k_french{
    .bytes = "octets",
    .units = {"ko", "Mo", "Go", "To", "Po"},
    .not_recorded = "non enregistr\u00e9",
    .result = "R\u00e9sultat",
    .record_id = "Identifiant",
    .manufacturer = "Fabricant",
    .model = "Mod\u00e8le",
    .serial = "Num\u00e9ro de s\u00e9rie",
    .media_type = "Type de support",
    .capacity = "Capacit\u00e9",
    .property_number = "Num\u00e9ro d'inventaire",
    .device = "P\u00e9riph\u00e9rique utilis\u00e9",
    .level = "Niveau d'effacement",
    .method = "M\u00e9thode",
    .passes = "Passes et motif",
    .tool = "Outil",
    .verification = "V\u00e9rification",
    .started = "D\u00e9but",
    .finished = "Fin",
    .written = "Donn\u00e9es \u00e9crites",
    .errors = "Erreurs",
    .hidden_areas = "Zones cach\u00e9es (HPA/DCO)",
    .smart = "SMART",
    .performed_by = "Effectu\u00e9 par",
    .verified_by = "V\u00e9rifi\u00e9 par",
    .location = "Lieu",
    .contact = "Contact",
    .note = "Remarque",
    .colon = "\u00a0: ",
    .semicolon = "\u00a0; ",
    .erased = "EFFAC\u00c9",
    .failed_reason = "\u00c9CHEC\u00a0: {}",
    .media_hdd = "disque dur (HDD)",
    .media_ssd = "disque SSD",
    .media_nvme = "disque SSD NVMe",
    .media_usb = "stockage USB",
    .media_file = "fichier image disque (test)",
    .sectors = "{}, secteurs de {} octets",
    .pass_one = "{} passe",
    .pass_many = "{} passes",
    .not_verified = "non v\u00e9rifi\u00e9",
    .sampled_read_back = "relecture par \u00e9chantillons",
    .full_read_back = "relecture compl\u00e8te",
    .checked = "{}\u00a0: {} ({} v\u00e9rifi\u00e9s)",
    .passed = "r\u00e9ussie",
    .failed = "\u00e9chou\u00e9e",
    .failed_detail = "\u00e9chou\u00e9e\u00a0: {}",
    .took = "{} (dur\u00e9e {})",
    .written_at = "{} \u00e0 {}/s",
    .error_counts = "{} en \u00e9criture, {} en lecture, {} \u00e9carts \u00e0 la "
                    "v\u00e9rification",
    .failed_ranges = "\u00a0; {} plages en \u00e9chec",
    .hidden_not_checked = "non v\u00e9rifi\u00e9es (le disque n'a pas pu \u00eatre interrog\u00e9)",
    .hidden_none = "v\u00e9rifi\u00e9es\u00a0: aucune trouv\u00e9e",
    .and_ = " et ",
    .hidden_found_one = "{} trouv\u00e9e, {}",
    .hidden_found_two = "{} trouv\u00e9es, {}",
    .hidden_removed_one = "retir\u00e9e avant l'effacement",
    .hidden_removed_two = "retir\u00e9es avant l'effacement",
    .hidden_not_removed_one = "NON retir\u00e9e",
    .hidden_not_removed_two = "NON retir\u00e9es",
    .smart_unavailable = "non disponible",
    .smart_passed = "bon \u00e9tat",
    .smart_failed = "d\u00e9faillant",
    .power_on_hours = "heures de fonctionnement",
    .reallocated = "secteurs r\u00e9allou\u00e9s",
    .pending = "secteurs en attente",
    .uncorrectable = "secteurs irr\u00e9cup\u00e9rables",
    .title = "Certificat d'effacement des donn\u00e9es",
    .meta_title = "Certificat d'effacement des donn\u00e9es\u00a0: {}",
    .unit_subject = "Ordinateur {}",
    .intro_one = "{}\u00a0: 1 disque, dont l'enregistrement est sign\u00e9 par l'atelier",
    .intro_many = "{}\u00a0: {} disques, dont les enregistrements sont sign\u00e9s par l'atelier",
    .intro_nist = "Chaque disque ci-dessous a \u00e9t\u00e9 effac\u00e9 comme le d\u00e9crit la "
                  "norme NIST SP 800-88\u00a0; l'enregistrement de chacun est sign\u00e9, si bien "
                  "que toute modification peut \u00eatre d\u00e9tect\u00e9e.",
    .disk_of = "Disque {} sur {}\u00a0: {}",
    .signature = "Signature",
    .key_fingerprint = "Empreinte de la cl\u00e9",
    .signature_value = "Signature (Ed25519)",
    .signature_none = "aucune ({})",
    .signature_key = "Ed25519, cl\u00e9 {}",
    .check_signed = "Cet enregistrement est sign\u00e9 avec la cl\u00e9 de l'atelier {} (Ed25519).",
    .check_command = "Pour le v\u00e9rifier\u00a0: atelier cert verify {}.json --key workshop.pem",
    .check_by_hand = "ou avec python3 et openssl seuls, comme le montre docs/ERASURE-RECORD.md.",
};

// The patterns come from the tables above, never from input.
template <typename... Args>
std::string format(std::string_view pattern, Args&&... args) {
  return fmt::vformat(pattern, fmt::make_format_args(args...));
}

// "500.1 GB" / "500,1 Go": decimal units, as disk labels use.
std::string short_bytes(std::uint64_t bytes, Language language) {
  const CertificateText& t = certificate_text(language);
  if (bytes < 1000) {
    return fmt::format("{} {}", bytes, t.bytes);
  }
  double value = static_cast<double>(bytes) / 1000;
  std::size_t unit = 0;
  while (value >= 1000 && unit + 1 < t.units.size()) {
    value /= 1000;
    ++unit;
  }
  std::string number = fmt::format("{:.1f}", value);
  if (language == Language::fr) {
    number[number.find('.')] = ','; // French writes a decimal comma
  }
  return fmt::format("{} {}", number, t.units[unit]);
}

std::string or_unknown(const std::string& text, const CertificateText& t) {
  return text.empty() ? std::string(t.not_recorded) : text;
}

std::string media_words(const std::string& media, const CertificateText& t) {
  if (media == "hdd") {
    return std::string(t.media_hdd);
  }
  if (media == "ssd") {
    return std::string(t.media_ssd);
  }
  if (media == "nvme") {
    return std::string(t.media_nvme);
  }
  if (media == "usb") {
    return std::string(t.media_usb);
  }
  if (media == "file") {
    return std::string(t.media_file);
  }
  return or_unknown(media, t);
}

// The imager's recorded outcome words ("passed", "failed: 3 mismatching sectors", "not
// verified") in the certificate's language; anything else is shown as recorded.
std::string outcome_words(const std::string& outcome, const CertificateText& t) {
  if (outcome == "passed") {
    return std::string(t.passed);
  }
  if (outcome == "failed") {
    return std::string(t.failed);
  }
  if (outcome == "not verified") {
    return std::string(t.not_verified);
  }
  if (constexpr std::string_view k_failed = "failed: "; outcome.starts_with(k_failed)) {
    return format(t.failed_detail, outcome.substr(k_failed.size()));
  }
  return outcome;
}

std::string verification_words(const ErasureRecord& r, Language language) {
  const CertificateText& t = certificate_text(language);
  std::string_view how;
  switch (r.verification) {
  case records::VerificationMethod::none:
    how = t.not_verified;
    break;
  case records::VerificationMethod::sample:
    how = t.sampled_read_back;
    break;
  case records::VerificationMethod::full:
    how = t.full_read_back;
    break;
  }
  if (r.verification_result.empty()) {
    return std::string(how);
  }
  return format(t.checked, how, outcome_words(r.verification_result, t),
                short_bytes(r.bytes_verified, language));
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

std::string hidden_area_words(const records::HiddenAreaStatus& h, const CertificateText& t) {
  std::string words;
  if (!h.checked) {
    words = t.hidden_not_checked;
  } else if (!h.hpa_present && !h.dco_present) {
    words = t.hidden_none;
  } else {
    const bool both = h.hpa_present && h.dco_present; // French agrees the words in number
    const std::string areas = fmt::format("{}{}{}", h.hpa_present ? "HPA" : "", both ? t.and_ : "",
                                          h.dco_present ? "DCO" : "");
    words = format(both ? t.hidden_found_two : t.hidden_found_one, areas,
                   h.reset ? (both ? t.hidden_removed_two : t.hidden_removed_one)
                           : (both ? t.hidden_not_removed_two : t.hidden_not_removed_one));
  }
  return h.note.empty() ? words : fmt::format("{}{}{}", words, t.semicolon, h.note);
}

std::string smart_words(const records::SmartSummary& s, const CertificateText& t) {
  std::string words = s.overall.empty()       ? std::string(t.smart_unavailable)
                      : s.overall == "passed" ? std::string(t.smart_passed)
                      : s.overall == "failed" ? std::string(t.smart_failed)
                                              : s.overall;
  const auto add = [&](const std::optional<std::uint64_t>& v, std::string_view what) {
    if (v) {
      words += fmt::format(", {} {}", *v, what);
    }
  };
  add(s.power_on_hours, t.power_on_hours);
  add(s.reallocated_sectors, t.reallocated);
  add(s.pending_sectors, t.pending);
  add(s.uncorrectable_sectors, t.uncorrectable);
  return words;
}

} // namespace

const CertificateText& certificate_text(Language language) {
  return language == Language::fr ? k_french : k_english;
}

std::string format_bytes(std::uint64_t bytes, Language language) {
  const CertificateText& t = certificate_text(language);
  return bytes < 1000 ? short_bytes(bytes, language)
                      : fmt::format("{} ({} {})", short_bytes(bytes, language), bytes, t.bytes);
}

std::vector<RecordLine> record_lines(const ErasureRecord& r, Language language) {
  const CertificateText& t = certificate_text(language);
  std::vector<RecordLine> lines;
  const auto add = [&](std::string_view label, std::string value) {
    lines.push_back({std::string(label), std::move(value)});
  };
  const auto known = [&](const std::string& text) {
    return or_unknown(text, t);
  };
  add(t.result, r.result == records::ErasureResult::erased
                    ? std::string(t.erased)
                    : format(t.failed_reason, known(r.failure_reason)));
  add(t.record_id, r.record_id);
  add(t.manufacturer, known(r.manufacturer));
  add(t.model, known(r.model));
  add(t.serial, known(r.serial));
  add(t.media_type, media_words(r.media_type, t));
  add(t.capacity, format(t.sectors, format_bytes(r.size_bytes, language), r.logical_sector_size));
  add(t.property_number, known(r.source_property));
  add(t.device, known(r.device));
  // The NIST level names are the standard's own words, in every language.
  add(t.level, fmt::format("{} (NIST SP 800-88)",
                           r.level == records::SanitizationLevel::purge ? "Purge" : "Clear"));
  add(t.method, r.method_detail.empty()
                    ? r.method
                    : fmt::format("{}{}{}", r.method, t.colon, r.method_detail));
  add(t.passes, format(r.passes == 1 ? t.pass_one : t.pass_many, r.passes) +
                    (r.pattern.empty() ? "" : ", " + r.pattern));
  add(t.tool, fmt::format("{} {}", r.tool, r.tool_version));
  add(t.verification, verification_words(r, language));
  add(t.started, r.started_at);
  add(t.finished, format(t.took, r.finished_at, duration_words(r.duration_seconds)));
  add(t.written,
      format(t.written_at, format_bytes(r.bytes_written, language),
             short_bytes(static_cast<std::uint64_t>(r.throughput_bytes_per_second), language)));
  add(t.errors,
      format(t.error_counts, r.write_errors, r.read_errors, r.verify_mismatches) +
          (r.failed_ranges.empty() ? "" : format(t.failed_ranges, r.failed_ranges.size())));
  add(t.hidden_areas, hidden_area_words(r.hidden_areas, t));
  add(t.smart, smart_words(r.smart, t));
  add(t.performed_by, known(r.operator_name));
  add(t.verified_by, known(r.verified_by));
  add(t.location, known(r.site));
  add(t.contact, known(r.contact));
  for (const std::string& note : r.notes) {
    add(t.note, note);
  }
  return lines;
}

std::vector<std::string> verification_instructions(const std::string& record_id,
                                                   const std::string& fingerprint,
                                                   Language language) {
  const CertificateText& t = certificate_text(language);
  return {format(t.check_signed, fingerprint), format(t.check_command, record_id),
          std::string(t.check_by_hand)};
}

std::string certificate_qr_text(const std::string& record_id, const std::string& fingerprint) {
  return fmt::format("atelier-erasure:{}:{}", record_id, fingerprint);
}

} // namespace atelier::papers
