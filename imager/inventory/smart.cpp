#include "imager/inventory/smart.h"

#include "base/process_runner.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using Json = nlohmann::json;

constexpr auto k_tool_timeout = std::chrono::seconds(30);

std::optional<Json> parse_json(std::string_view text) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return std::nullopt;
  }
  return doc;
}

// The unsigned number at a JSON pointer, if there is one.
std::optional<std::uint64_t> number_at(const Json& doc, const char* pointer) {
  const Json::json_pointer ptr(pointer);
  if (!doc.contains(ptr)) {
    return std::nullopt;
  }
  const Json& v = doc.at(ptr);
  if (v.is_number_unsigned()) {
    return v.get<std::uint64_t>();
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  }
  return std::nullopt;
}

std::string string_at(const Json& doc, const char* key) {
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int> signed_at(const Json& doc, const char* pointer) {
  const Json::json_pointer ptr(pointer);
  if (!doc.contains(ptr) || !doc.at(ptr).is_number_integer()) {
    return std::nullopt;
  }
  return static_cast<int>(doc.at(ptr).get<std::int64_t>());
}

// The first error message smartctl gave, to explain an empty answer.
std::string smartctl_message(const Json& doc) {
  const Json::json_pointer ptr("/smartctl/messages");
  if (doc.contains(ptr) && doc.at(ptr).is_array()) {
    for (const auto& m : doc.at(ptr)) {
      if (m.is_object() && m.contains("string") && m["string"].is_string()) {
        return m["string"].get<std::string>();
      }
    }
  }
  return {};
}

} // namespace

std::string_view to_string(HealthStatus s) {
  switch (s) {
  case HealthStatus::ok:
    return "ok";
  case HealthStatus::warning:
    return "warning";
  case HealthStatus::failing:
    return "failing";
  case HealthStatus::unknown:
    break;
  }
  return "unknown";
}

void grade_health(DiskHealth& h) {
  std::vector<std::string> problems;
  auto flag = [&](const std::optional<std::uint64_t>& value, std::string_view what) {
    if (value && *value > 0) {
      problems.push_back(fmt::format("{} {}", *value, what));
    }
  };
  flag(h.reallocated_sectors, "reallocated sectors");
  flag(h.reported_uncorrectable, "reported uncorrectable errors");
  flag(h.command_timeout, "command timeouts");
  flag(h.pending_sectors, "pending sectors");
  flag(h.offline_uncorrectable, "offline uncorrectable sectors");
  flag(h.media_errors, "media errors");
  flag(h.critical_warning, "critical warning flags");
  if (h.percentage_used && *h.percentage_used >= 100) {
    problems.push_back(fmt::format("{}% of rated endurance used", *h.percentage_used));
  }
  std::string joined;
  for (const auto& p : problems) {
    joined += joined.empty() ? p : ", " + p;
  }
  if (h.smart_passed == false) {
    h.status = HealthStatus::failing;
    h.reason = "the drive reports its own SMART overall-health test as FAILED";
    if (!joined.empty()) {
      h.reason += " (" + joined + ")";
    }
  } else if (!problems.empty()) {
    h.status = HealthStatus::warning;
    h.reason = joined;
  } else if (h.smart_passed == true || h.percentage_used || h.reallocated_sectors) {
    h.status = HealthStatus::ok;
    h.reason.clear();
  } else {
    h.status = HealthStatus::unknown;
    if (h.reason.empty()) {
      h.reason = "no SMART data in the answer";
    }
  }
}

DiskHealth parse_smartctl_json(std::string_view text) {
  DiskHealth h;
  h.source = "smartctl";
  const auto doc = parse_json(text);
  if (!doc) {
    h.reason = "smartctl did not answer with JSON";
    return h;
  }
  h.model = string_at(*doc, "model_name");
  h.serial = string_at(*doc, "serial_number");
  h.firmware = string_at(*doc, "firmware_version");
  h.rotation_rate_rpm = number_at(*doc, "/rotation_rate");
  if (doc->contains(Json::json_pointer("/smart_status/passed")) &&
      doc->at(Json::json_pointer("/smart_status/passed")).is_boolean()) {
    h.smart_passed = doc->at(Json::json_pointer("/smart_status/passed")).get<bool>();
  }
  const Json::json_pointer table_ptr("/ata_smart_attributes/table");
  if (doc->contains(table_ptr) && doc->at(table_ptr).is_array()) {
    for (const auto& attr : doc->at(table_ptr)) {
      const auto id = number_at(attr, "/id");
      const auto raw = number_at(attr, "/raw/value");
      if (!id || !raw) {
        continue;
      }
      switch (*id) {
      case 5:
        h.reallocated_sectors = raw;
        break;
      case 187:
        h.reported_uncorrectable = raw;
        break;
      case 188:
        h.command_timeout = raw;
        break;
      case 197:
        h.pending_sectors = raw;
        break;
      case 198:
        h.offline_uncorrectable = raw;
        break;
      default:
        break;
      }
    }
  }
  h.power_on_hours = number_at(*doc, "/power_on_time/hours");
  h.power_cycles = number_at(*doc, "/power_cycle_count");
  h.temperature_c = signed_at(*doc, "/temperature/current");
  const Json::json_pointer nvme_ptr("/nvme_smart_health_information_log");
  if (doc->contains(nvme_ptr)) {
    const Json& log = doc->at(nvme_ptr);
    h.percentage_used = number_at(log, "/percentage_used");
    h.available_spare = number_at(log, "/available_spare");
    h.media_errors = number_at(log, "/media_errors");
    h.critical_warning = number_at(log, "/critical_warning");
    if (!h.power_on_hours) {
      h.power_on_hours = number_at(log, "/power_on_hours");
    }
  }
  h.reason = smartctl_message(*doc);
  grade_health(h);
  return h;
}

DiskHealth parse_nvme_smart_log_json(std::string_view text) {
  DiskHealth h;
  h.source = "nvme-cli";
  const auto doc = parse_json(text);
  if (!doc) {
    h.reason = "nvme smart-log did not answer with JSON";
    return h;
  }
  h.critical_warning = number_at(*doc, "/critical_warning");
  h.percentage_used = number_at(*doc, "/percent_used");
  if (!h.percentage_used) {
    h.percentage_used = number_at(*doc, "/percentage_used");
  }
  h.available_spare = number_at(*doc, "/avail_spare");
  h.media_errors = number_at(*doc, "/media_errors");
  h.power_on_hours = number_at(*doc, "/power_on_hours");
  h.power_cycles = number_at(*doc, "/power_cycles");
  if (auto kelvin = number_at(*doc, "/temperature"); kelvin && *kelvin >= 200 && *kelvin < 500) {
    h.temperature_c = static_cast<int>(*kelvin) - 273; // the log stores kelvin
  }
  grade_health(h);
  return h;
}

HealthProbe probe_health(base::ProcessRunner& runner, std::string_view device_name, bool is_nvme) {
  HealthProbe probe;
  const std::string device = fmt::format("/dev/{}", device_name);
  auto run = [&](std::vector<std::string> argv) -> const HealthProbe::Run& {
    HealthProbe::Run record;
    record.argv = argv;
    auto result = runner.run(argv, k_tool_timeout);
    if (!result) {
      record.error = result.error();
    } else {
      record.exit_code = result->exit_code;
      record.timed_out = result->timed_out;
      record.out = std::move(result->out);
    }
    probe.runs.push_back(std::move(record));
    return probe.runs.back();
  };

  // smartctl's exit status is a bit mask: bits 0-1 mean the command line or the device open failed;
  // the higher bits report disk problems and still come with a full JSON answer.
  const auto& smartctl = run({"smartctl", "--json=c", "-a", device});
  if (!smartctl.error.empty()) {
    probe.health.reason = smartctl.error;
  } else if (smartctl.timed_out) {
    probe.health.reason = "smartctl did not answer in time";
  } else {
    probe.health = parse_smartctl_json(smartctl.out);
  }
  if (is_nvme && probe.health.status == HealthStatus::unknown) {
    const std::string first_reason = probe.health.reason;
    const auto& nvme = run({"nvme", "smart-log", "-o", "json", device});
    if (nvme.error.empty() && !nvme.timed_out && nvme.exit_code == 0) {
      probe.health = parse_nvme_smart_log_json(nvme.out);
    } else {
      probe.health.reason =
          fmt::format("{}; nvme smart-log: {}", first_reason,
                      !nvme.error.empty() ? nvme.error
                      : nvme.timed_out    ? std::string("no answer in time")
                                          : fmt::format("exit status {}", nvme.exit_code));
    }
  }
  return probe;
}

} // namespace atelier::imager
