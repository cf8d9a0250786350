#include "imager/disk/progress.h"

#include "records/agent_protocol.h"

#include <nlohmann/json.hpp>

namespace atelier::imager {

nlohmann::json to_json(const Progress& p) {
  // The agent forwards these lines as they are: they are the progress report of the agent API.
  namespace field = records::progress_field;
  return nlohmann::json{
      {field::k_operation, p.operation},
      {field::k_device, p.device},
      {field::k_done_bytes, p.done_bytes},
      {field::k_total_bytes, p.total_bytes},
      {field::k_bytes_per_second, p.bytes_per_second},
      {field::k_eta_seconds,
       p.eta_seconds ? nlohmann::json(*p.eta_seconds) : nlohmann::json(nullptr)},
      {field::k_detail, p.detail},
  };
}

} // namespace atelier::imager
