// NVMe Identify Controller, Identify Namespace and the Sanitize Status log page (81h): pure
// parsers, bytes in, structs out. Offsets follow the NVM Express Base Specification 2.0 (fields
// this code reads have not moved since 1.3). docs/PURGE.md, "Capability detection", lists them.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace atelier::imager {

struct NvmeController {
  std::uint16_t vid = 0;                             // PCI vendor id
  std::uint16_t ssvid = 0;                           // PCI subsystem vendor id
  std::string serial;                                // sn, bytes 4-23
  std::string model;                                 // mn, bytes 24-63
  std::string firmware;                              // fr, bytes 64-71
  std::uint32_t version = 0;                         // ver, e.g. 0x00010300 = 1.3
  std::uint16_t oacs = 0;                            // optional admin commands
  std::uint32_t sanicap = 0;                         // sanitize capabilities
  std::uint8_t fna = 0;                              // format NVM attributes
  std::uint32_t namespaces = 0;                      // nn
  std::optional<std::uint64_t> total_capacity_bytes; // tnvmcap (low 64 bits; 0 = not reported)
  int replaced_characters = 0;                       // non-ASCII string bytes shown as '?'

  bool format_supported() const { return (oacs & 0x0002U) != 0; }         // OACS bit 1
  bool crypto_erase_supported() const { return (fna & 0x04U) != 0; }      // FNA bit 2
  bool format_applies_to_all() const { return (fna & 0x01U) != 0; }       // FNA bit 0
  bool secure_erase_applies_to_all() const { return (fna & 0x02U) != 0; } // FNA bit 1
  bool sanitize_crypto() const { return (sanicap & 0x1U) != 0; }          // SANICAP bit 0
  bool sanitize_block() const { return (sanicap & 0x2U) != 0; }           // bit 1
  bool sanitize_overwrite() const { return (sanicap & 0x4U) != 0; }       // bit 2
  bool sanitize_supported() const { return (sanicap & 0x7U) != 0; }
};

struct NvmeLbaFormat {
  std::uint16_t metadata_bytes = 0;
  std::uint32_t data_bytes = 0; // 2^LBADS
  std::uint8_t relative_performance = 0;
};

struct NvmeNamespace {
  std::uint64_t size_blocks = 0;      // nsze
  std::uint64_t capacity_blocks = 0;  // ncap
  std::uint64_t used_blocks = 0;      // nuse
  std::vector<NvmeLbaFormat> formats; // nlbaf + 1 entries
  std::uint8_t format_index = 0;      // flbas bits 3:0, plus 6:5 as bits 5:4 when nlbaf >= 16
  bool metadata_extended = false;     // flbas bit 4: metadata at the end of each block
  std::uint8_t protection_type = 0;   // dps bits 2:0
  bool protection_first = false;      // dps bit 3

  std::uint32_t block_bytes() const { return formats.at(format_index).data_bytes; }
  std::uint64_t size_bytes() const { return size_blocks * block_bytes(); }
};

// Sanitize Status log page (LID 81h, 512 bytes).
struct NvmeSanitizeLog {
  std::uint16_t progress = 0;        // SPROG: fraction of 65536 done, while in progress
  std::uint16_t status = 0;          // SSTAT
  std::uint32_t command_dword10 = 0; // SCDW10 of the most recent Sanitize command
  // Estimated seconds (ETO, ETBE, ETCE); empty when the drive reports none (FFFFFFFFh).
  std::optional<std::uint32_t> estimate_overwrite_s;
  std::optional<std::uint32_t> estimate_block_erase_s;
  std::optional<std::uint32_t> estimate_crypto_erase_s;

  // SSTAT bits 2:0.
  enum class State { never, completed, in_progress, failed, completed_no_deallocate, reserved };
  State state() const;
  bool global_data_erased() const { return (status & 0x0100U) != 0; } // SSTAT bit 8
  std::uint8_t overwrite_passes_done() const {
    return static_cast<std::uint8_t>((status >> 3U) & 0x1FU);
  }
  std::uint8_t action() const {
    return static_cast<std::uint8_t>(command_dword10 & 0x7U);
  } // SANACT
};

std::expected<NvmeController, std::string>
parse_nvme_identify_controller(std::span<const std::uint8_t> data);
std::expected<NvmeNamespace, std::string>
parse_nvme_identify_namespace(std::span<const std::uint8_t> data);
std::expected<NvmeSanitizeLog, std::string>
parse_nvme_sanitize_log(std::span<const std::uint8_t> data);

std::string_view to_string(NvmeSanitizeLog::State);

} // namespace atelier::imager
