#include "records/imaging_record.h"

#include <nlohmann/json.hpp>

namespace atelier::records {

std::string_view to_string(ImagingResult result) {
  return result == ImagingResult::imaged ? "imaged" : "failed";
}

nlohmann::json to_json(const ImagingRecord& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"name", s.name},
                     {"duration_seconds", s.duration_seconds},
                     {"ok", s.ok},
                     {"detail", s.detail}});
  }
  nlohmann::json partitions = nlohmann::json::array();
  for (const auto& p : r.partitions) {
    partitions.push_back({{"number", p.number},
                          {"role", p.role},
                          {"device", p.device},
                          {"start_sector", p.start_sector},
                          {"end_sector", p.end_sector},
                          {"size_bytes", p.size_bytes},
                          {"filesystem", p.filesystem},
                          {"uuid", p.uuid}});
  }
  return {{"format_version", r.format_version},
          {"device", r.device},
          {"disk_bytes", r.disk_bytes},
          {"sector_size", r.sector_size},
          {"asset_tag", r.asset_tag},
          {"profile", r.profile},
          {"image_source", r.image_source},
          {"image_format", r.image_format},
          {"image_sha256", r.image_sha256},
          {"firmware", r.firmware},
          {"partition_table", r.partition_table},
          {"partitions", partitions},
          {"hostname", r.hostname},
          {"bootloader_installed", r.bootloader_installed},
          {"started_at", r.started_at},
          {"finished_at", r.finished_at},
          {"duration_seconds", r.duration_seconds},
          {"steps", steps},
          {"result", to_string(r.result)},
          {"failed_step", r.failed_step},
          {"failure_reason", r.failure_reason},
          {"disk_left_unbootable", r.disk_left_unbootable},
          {"notes", r.notes}};
}

namespace {

class Reader {
public:
  Reader(const nlohmann::json& j, std::string where) : m_j(j), m_where(std::move(where)) {}

  template <typename T>
  void get(const char* key, T& out) {
    if (!m_error.empty()) {
      return;
    }
    if (!m_j.is_object() || !m_j.contains(key)) {
      m_error = "imaging record: key '" + m_where + key + "' is missing";
      return;
    }
    try {
      out = m_j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
      m_error = "imaging record: key '" + m_where + key + "' has the wrong type";
    }
  }
  std::string& error() { return m_error; }

private:
  const nlohmann::json& m_j;
  std::string m_where;
  std::string m_error;
};

} // namespace

std::expected<ImagingRecord, std::string> imaging_record_from_json(const nlohmann::json& j) {
  ImagingRecord r;
  Reader in(j, "");
  in.get("format_version", r.format_version);
  in.get("device", r.device);
  in.get("disk_bytes", r.disk_bytes);
  in.get("sector_size", r.sector_size);
  in.get("asset_tag", r.asset_tag);
  in.get("profile", r.profile);
  in.get("image_source", r.image_source);
  in.get("image_format", r.image_format);
  in.get("image_sha256", r.image_sha256);
  in.get("firmware", r.firmware);
  in.get("partition_table", r.partition_table);
  in.get("hostname", r.hostname);
  in.get("bootloader_installed", r.bootloader_installed);
  in.get("started_at", r.started_at);
  in.get("finished_at", r.finished_at);
  in.get("duration_seconds", r.duration_seconds);
  std::string result;
  in.get("result", result);
  in.get("failed_step", r.failed_step);
  in.get("failure_reason", r.failure_reason);
  in.get("disk_left_unbootable", r.disk_left_unbootable);
  in.get("notes", r.notes);
  nlohmann::json steps;
  nlohmann::json partitions;
  in.get("steps", steps);
  in.get("partitions", partitions);
  if (!in.error().empty()) {
    return std::unexpected(in.error());
  }
  if (result != "imaged" && result != "failed") {
    return std::unexpected(
        "imaging record: key 'result' must be \"imaged\" or \"failed\", found \"" + result + "\"");
  }
  r.result = result == "imaged" ? ImagingResult::imaged : ImagingResult::failed;
  if (!steps.is_array() || !partitions.is_array()) {
    return std::unexpected(std::string("imaging record: 'steps' and 'partitions' must be arrays"));
  }
  for (std::size_t i = 0; i < steps.size(); ++i) {
    ImagingStep s;
    Reader step(steps[i], "steps[" + std::to_string(i) + "].");
    step.get("name", s.name);
    step.get("duration_seconds", s.duration_seconds);
    step.get("ok", s.ok);
    step.get("detail", s.detail);
    if (!step.error().empty()) {
      return std::unexpected(step.error());
    }
    r.steps.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    RecordedPartition p;
    Reader part(partitions[i], "partitions[" + std::to_string(i) + "].");
    part.get("number", p.number);
    part.get("role", p.role);
    part.get("device", p.device);
    part.get("start_sector", p.start_sector);
    part.get("end_sector", p.end_sector);
    part.get("size_bytes", p.size_bytes);
    part.get("filesystem", p.filesystem);
    part.get("uuid", p.uuid);
    if (!part.error().empty()) {
      return std::unexpected(part.error());
    }
    r.partitions.push_back(std::move(p));
  }
  return r;
}

} // namespace atelier::records
