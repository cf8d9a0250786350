#include "imager/disk/progress.h"

#include <nlohmann/json.hpp>

namespace atelier::imager {

nlohmann::json to_json(const Progress& p) {
  return nlohmann::json{
      {"operation", p.operation},
      {"device", p.device},
      {"done_bytes", p.done_bytes},
      {"total_bytes", p.total_bytes},
      {"bytes_per_second", p.bytes_per_second},
      {"eta_seconds", p.eta_seconds ? nlohmann::json(*p.eta_seconds) : nlohmann::json(nullptr)},
      {"detail", p.detail},
  };
}

} // namespace atelier::imager
