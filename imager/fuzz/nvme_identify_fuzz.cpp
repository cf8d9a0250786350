// libFuzzer target for the NVMe side of the purge: Identify Controller, Identify Namespace and the
// Sanitize Status log. Any bytes either fail with an error value or give a result whose current LBA
// format is valid and survives the Format NVM encoder unchanged; anything else aborts.
#include "imager/purge/nvme_commands.h"
#include "imager/purge/nvme_identify.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::imager;
  const std::span<const std::uint8_t> bytes(data, size);
  if (const auto c = parse_nvme_identify_controller(bytes)) {
    if (c->serial.size() > 20 || c->model.size() > 40 || c->firmware.size() > 8) {
      std::abort();
    }
    (void)c->sanitize_supported();
  }
  if (const auto ns = parse_nvme_identify_namespace(bytes)) {
    if (ns->format_index >= ns->formats.size() || ns->formats.size() > 64) {
      std::abort();
    }
    const std::uint32_t block = ns->block_bytes();
    if (block < 512 || !std::has_single_bit(block)) {
      std::abort();
    }
    // The format command must keep the namespace's LBA format: LBAF bits 3:0 and 13:12.
    const auto format = nvme_format(1, *ns, NvmeSecureErase::cryptographic);
    const unsigned lbaf = (format.cdw10 & 0xFU) | (((format.cdw10 >> 12U) & 0x3U) << 4U);
    if (lbaf != ns->format_index || ((format.cdw10 >> 9U) & 0x7U) != 2U) {
      std::abort();
    }
    (void)ns->size_bytes();
  }
  if (const auto log = parse_nvme_sanitize_log(bytes)) {
    (void)to_string(log->state());
    if (log->action() > 7) {
      std::abort();
    }
  }
  if (size >= 4) {
    (void)describe_nvme_status(
        static_cast<std::uint32_t>(data[0] | (data[1] << 8U) | (data[2] << 16U)));
  }
  return 0;
}
