// libFuzzer target for the ATA side of the purge: IDENTIFY DEVICE and DCO IDENTIFY parsers and the
// SCSI sense decoder. Any bytes either fail with an error value or give a result that keeps the
// parsers' promises (string lengths, sector sizes, register widths); anything else aborts.
#include "imager/purge/ata_commands.h"
#include "imager/purge/ata_identify.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace atelier::imager;
  const std::span<const std::uint8_t> bytes(data, size);
  if (const auto id = parse_ata_identify(bytes)) {
    if (id->model.size() > 40 || id->serial.size() > 20 || id->firmware.size() > 8) {
      std::abort();
    }
    if (id->logical_sector_bytes < 512 || id->physical_sector_bytes < id->logical_sector_bytes) {
      std::abort();
    }
    if (id->sanitize.crypto_scramble && !id->sanitize.supported) {
      std::abort(); // sub-commands are only read when the feature set is supported
    }
    (void)id->media();
    (void)id->user_bytes();
  }
  if (const auto dco = parse_dco_identify(bytes)) {
    if (dco->maximum_lba == 0 || dco->maximum_lba > 0x0000FFFFFFFFFFFFULL) {
      std::abort();
    }
  }
  if (const auto sense = decode_sense(bytes)) {
    (void)describe_sense(*sense);
    if (sense->ata) {
      const auto status = decode_sanitize_status(*sense->ata);
      if (status.progress < 0.0 || status.progress >= 1.0) {
        std::abort();
      }
      if (sense->ata->lba > 0x0000FFFFFFFFFFFFULL) {
        std::abort(); // 48-bit registers
      }
    }
  }
  if (size >= 2) {
    const auto estimate =
        decode_erase_estimate(static_cast<std::uint16_t>(data[0] | (data[1] << 8U)));
    if (estimate && (estimate->minutes == 0 || estimate->minutes > 65534)) {
      std::abort();
    }
  }
  return 0;
}
