#include "records/erasure_record.h"

#include "records/canonical_json.h"

#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::records {
namespace {

using Json = nlohmann::json;

constexpr int k_format_version = 1;

// Seconds (double, in the struct) to the whole milliseconds of the JSON form, and bytes per second
// to whole bytes per second: a signed document holds no floating-point numbers (canonical_json.h).
std::uint64_t to_whole(double value, double scale) {
  if (!(value > 0)) { // also NaN
    return 0;
  }
  const double scaled = std::round(value * scale);
  if (scaled >= static_cast<double>(std::numeric_limits<std::uint64_t>::max())) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return static_cast<std::uint64_t>(scaled);
}

Json text(const std::string& value) {
  return to_valid_utf8(value);
}

Json optional_count(const std::optional<std::uint64_t>& value) {
  return value ? Json(*value) : Json(nullptr);
}

std::optional<std::uint64_t> as_count(const Json& v, std::uint64_t max) {
  if (v.is_number_unsigned() && v.get<std::uint64_t>() <= max) {
    return v.get<std::uint64_t>();
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
      static_cast<std::uint64_t>(v.get<std::int64_t>()) <= max) {
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  }
  return std::nullopt;
}

// Reads one object's members, remembering which were read so unknown ones can be refused, and
// naming the member by its full path when it is missing or has the wrong type.
class Reader {
public:
  Reader(const Json& object, std::string path) : m_object(object), m_path(std::move(path)) {}

  std::string error() const { return m_error; }
  bool ok() const { return m_error.empty(); }

  const Json* member(std::string_view key) {
    m_seen.emplace(key);
    if (!ok()) {
      return nullptr;
    }
    const auto it = m_object.find(std::string(key));
    if (it == m_object.end()) {
      fail(key, "is missing");
      return nullptr;
    }
    return &*it;
  }

  void text(std::string_view key, std::string& out) {
    if (const Json* v = member(key)) {
      v->is_string() ? void(out = v->get<std::string>()) : fail(key, "must be a string");
    }
  }

  template <typename T>
  void count(std::string_view key, T& out) {
    if (const Json* v = member(key)) {
      const auto value = as_count(*v, static_cast<std::uint64_t>(std::numeric_limits<T>::max()));
      value ? void(out = static_cast<T>(*value)) : fail(key, "must be a non-negative integer");
    }
  }

  void optional_count(std::string_view key, std::optional<std::uint64_t>& out) {
    if (const Json* v = member(key)) {
      const auto value = as_count(*v, std::numeric_limits<std::uint64_t>::max());
      if (v->is_null()) {
        out.reset();
      } else if (value) {
        out = *value;
      } else {
        fail(key, "must be a non-negative integer or null");
      }
    }
  }

  void flag(std::string_view key, bool& out) {
    if (const Json* v = member(key)) {
      v->is_boolean() ? void(out = v->get<bool>()) : fail(key, "must be true or false");
    }
  }

  template <typename Enum, std::size_t N>
  void choice(std::string_view key, Enum& out, const Enum (&values)[N]) {
    if (const Json* v = member(key)) {
      for (const Enum e : values) {
        if (v->is_string() && v->get<std::string>() == to_string(e)) {
          out = e;
          return;
        }
      }
      std::string allowed;
      for (const Enum e : values) {
        allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", to_string(e));
      }
      fail(key, fmt::format("must be one of {}", allowed));
    }
  }

  // Refuses members this version does not know: a signed record says exactly what it says.
  void no_others() {
    if (!ok()) {
      return;
    }
    for (const auto& [key, value] : m_object.items()) {
      if (!m_seen.contains(key)) {
        fail(key, "is not part of the record (unknown key)");
        return;
      }
    }
  }

  std::string full(std::string_view key) const {
    return m_path.empty() ? std::string(key) : fmt::format("{}.{}", m_path, key);
  }

  void fail(std::string_view key, std::string_view what) {
    if (ok()) {
      m_error = fmt::format("erasure record: key '{}' {}", full(key), what);
    }
  }

  void fail_with(std::string message) {
    if (ok()) {
      m_error = std::move(message);
    }
  }

private:
  const Json& m_object;
  std::string m_path;
  std::set<std::string, std::less<>> m_seen;
  std::string m_error;
};

constexpr SanitizationLevel k_levels[] = {SanitizationLevel::clear, SanitizationLevel::purge};
constexpr ErasureResult k_results[] = {ErasureResult::erased, ErasureResult::failed};
constexpr VerificationMethod k_verifications[] = {
    VerificationMethod::none, VerificationMethod::sample, VerificationMethod::full};

// Reads an object-valued member with its own Reader; `read` fills the fields.
template <typename Fn>
void nested(Reader& parent, std::string_view key, Fn read) {
  const Json* v = parent.member(key);
  if (v == nullptr) {
    return;
  }
  if (!v->is_object()) {
    parent.fail(key, "must be an object");
    return;
  }
  Reader child(*v, parent.full(key));
  read(child);
  child.no_others();
  if (!child.ok()) {
    parent.fail_with(child.error());
  }
}

} // namespace

std::string_view to_string(SanitizationLevel level) {
  switch (level) {
  case SanitizationLevel::clear:
    return "clear";
  case SanitizationLevel::purge:
    return "purge";
  }
  return "clear";
}

std::string_view to_string(ErasureResult result) {
  switch (result) {
  case ErasureResult::erased:
    return "erased";
  case ErasureResult::failed:
    return "failed";
  }
  return "failed";
}

std::string_view to_string(VerificationMethod method) {
  switch (method) {
  case VerificationMethod::none:
    return "none";
  case VerificationMethod::sample:
    return "sample";
  case VerificationMethod::full:
    return "full";
  }
  return "none";
}

Json to_json(const ErasureRecord& r) {
  Json failed_ranges = Json::array();
  for (const FailedRange& f : r.failed_ranges) {
    failed_ranges.push_back(
        {{"first_byte", f.first_byte}, {"length", f.length}, {"error", text(f.error)}});
  }
  Json notes = Json::array();
  for (const std::string& n : r.notes) {
    notes.push_back(text(n));
  }
  const HiddenAreaStatus& h = r.hidden_areas;
  return {
      {"format_version", r.format_version},
      {"record_id", text(r.record_id)},
      {"manufacturer", text(r.manufacturer)},
      {"model", text(r.model)},
      {"serial", text(r.serial)},
      {"media_type", text(r.media_type)},
      {"device", text(r.device)},
      {"size_bytes", r.size_bytes},
      {"logical_sector_size", r.logical_sector_size},
      {"source_property", text(r.source_property)},
      {"level", to_string(r.level)},
      {"method", text(r.method)},
      {"method_detail", text(r.method_detail)},
      {"tool", text(r.tool)},
      {"tool_version", text(r.tool_version)},
      {"verification", to_string(r.verification)},
      {"verification_result", text(r.verification_result)},
      {"operator_name", text(r.operator_name)},
      {"verified_by", text(r.verified_by)},
      {"site", text(r.site)},
      {"contact", text(r.contact)},
      {"started_at", text(r.started_at)},
      {"finished_at", text(r.finished_at)},
      {"duration_ms", to_whole(r.duration_seconds, 1000.0)},
      {"bytes_written", r.bytes_written},
      {"bytes_verified", r.bytes_verified},
      {"passes", r.passes},
      {"pattern", text(r.pattern)},
      {"prng_seed_sha256", text(r.prng_seed_sha256)},
      {"throughput_bytes_per_second", to_whole(r.throughput_bytes_per_second, 1.0)},
      {"write_errors", r.write_errors},
      {"read_errors", r.read_errors},
      {"verify_mismatches", r.verify_mismatches},
      {"failed_ranges", failed_ranges},
      {"hidden_areas",
       {{"checked", h.checked},
        {"hpa_present", h.hpa_present},
        {"dco_present", h.dco_present},
        {"reset", h.reset},
        {"native_bytes", h.native_bytes},
        {"visible_bytes", h.visible_bytes},
        {"note", text(h.note)}}},
      {"smart",
       {{"overall", text(r.smart.overall)},
        {"power_on_hours", optional_count(r.smart.power_on_hours)},
        {"reallocated_sectors", optional_count(r.smart.reallocated_sectors)},
        {"pending_sectors", optional_count(r.smart.pending_sectors)},
        {"uncorrectable_sectors", optional_count(r.smart.uncorrectable_sectors)}}},
      {"result", to_string(r.result)},
      {"failure_reason", text(r.failure_reason)},
      {"notes", notes},
  };
}

std::expected<ErasureRecord, std::string> erasure_record_from_json(const Json& j) {
  if (!j.is_object()) {
    return std::unexpected("erasure record: expected a JSON object");
  }
  ErasureRecord r;
  Reader in(j, "");
  in.count("format_version", r.format_version);
  if (in.ok() && r.format_version != k_format_version) {
    return std::unexpected(fmt::format(
        "erasure record: format_version {} is not understood by this version (it reads {})",
        r.format_version, k_format_version));
  }
  in.text("record_id", r.record_id);
  in.text("manufacturer", r.manufacturer);
  in.text("model", r.model);
  in.text("serial", r.serial);
  in.text("media_type", r.media_type);
  in.text("device", r.device);
  in.count("size_bytes", r.size_bytes);
  in.count("logical_sector_size", r.logical_sector_size);
  in.text("source_property", r.source_property);
  in.choice("level", r.level, k_levels);
  in.text("method", r.method);
  in.text("method_detail", r.method_detail);
  in.text("tool", r.tool);
  in.text("tool_version", r.tool_version);
  in.choice("verification", r.verification, k_verifications);
  in.text("verification_result", r.verification_result);
  in.text("operator_name", r.operator_name);
  in.text("verified_by", r.verified_by);
  in.text("site", r.site);
  in.text("contact", r.contact);
  in.text("started_at", r.started_at);
  in.text("finished_at", r.finished_at);
  std::uint64_t duration_ms = 0;
  in.count("duration_ms", duration_ms);
  r.duration_seconds = static_cast<double>(duration_ms) / 1000.0;
  in.count("bytes_written", r.bytes_written);
  in.count("bytes_verified", r.bytes_verified);
  in.count("passes", r.passes);
  in.text("pattern", r.pattern);
  in.text("prng_seed_sha256", r.prng_seed_sha256);
  std::uint64_t throughput = 0;
  in.count("throughput_bytes_per_second", throughput);
  r.throughput_bytes_per_second = static_cast<double>(throughput);
  in.count("write_errors", r.write_errors);
  in.count("read_errors", r.read_errors);
  in.count("verify_mismatches", r.verify_mismatches);
  if (const Json* ranges = in.member("failed_ranges")) {
    if (!ranges->is_array()) {
      in.fail("failed_ranges", "must be an array");
    }
    for (std::size_t i = 0; in.ok() && i < ranges->size(); ++i) {
      const std::string path = fmt::format("failed_ranges[{}]", i);
      if (!(*ranges)[i].is_object()) {
        in.fail(path, "must be an object");
        break;
      }
      Reader range((*ranges)[i], path);
      FailedRange f;
      range.count("first_byte", f.first_byte);
      range.count("length", f.length);
      range.text("error", f.error);
      range.no_others();
      range.ok() ? r.failed_ranges.push_back(std::move(f)) : in.fail_with(range.error());
    }
  }
  nested(in, "hidden_areas", [&](Reader& h) {
    h.flag("checked", r.hidden_areas.checked);
    h.flag("hpa_present", r.hidden_areas.hpa_present);
    h.flag("dco_present", r.hidden_areas.dco_present);
    h.flag("reset", r.hidden_areas.reset);
    h.count("native_bytes", r.hidden_areas.native_bytes);
    h.count("visible_bytes", r.hidden_areas.visible_bytes);
    h.text("note", r.hidden_areas.note);
  });
  nested(in, "smart", [&](Reader& s) {
    s.text("overall", r.smart.overall);
    s.optional_count("power_on_hours", r.smart.power_on_hours);
    s.optional_count("reallocated_sectors", r.smart.reallocated_sectors);
    s.optional_count("pending_sectors", r.smart.pending_sectors);
    s.optional_count("uncorrectable_sectors", r.smart.uncorrectable_sectors);
  });
  in.choice("result", r.result, k_results);
  in.text("failure_reason", r.failure_reason);
  if (const Json* notes = in.member("notes")) {
    if (!notes->is_array()) {
      in.fail("notes", "must be an array of strings");
    }
    for (std::size_t i = 0; in.ok() && i < notes->size(); ++i) {
      if (!(*notes)[i].is_string()) {
        in.fail(fmt::format("notes[{}]", i), "must be a string");
        break;
      }
      r.notes.push_back((*notes)[i].get<std::string>());
    }
  }
  in.no_others();
  if (!in.ok()) {
    return std::unexpected(in.error());
  }
  return r;
}

} // namespace atelier::records
