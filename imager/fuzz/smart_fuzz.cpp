// libFuzzer target for the disk health parsers (imager/inventory/smart.h): any text from smartctl
// or nvme-cli gives a DiskHealth (never an exception), and a status of ok always rests on something
// the tool said (the drive's verdict or a health value), never on an empty answer.
#include "imager/inventory/smart.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void check(const atelier::imager::DiskHealth& h) {
  using atelier::imager::HealthStatus;
  if (h.status == HealthStatus::ok && h.smart_passed != true && !h.percentage_used &&
      !h.reallocated_sectors) {
    std::abort();
  }
  if (h.status != HealthStatus::ok && h.reason.empty()) {
    std::abort(); // every verdict but ok says why
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(atelier::imager::parse_smartctl_json(text));
  check(atelier::imager::parse_nvme_smart_log_json(text));
  return 0;
}
