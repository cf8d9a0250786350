// NVMe admin commands for the firmware purge as pure encoders (what to send in which dword), and
// the completion status decoder. purge_device.h sends them with ioctl(NVME_IOCTL_ADMIN_CMD).
// References: NVM Express Base Specification 2.0 (Identify 06h, Get Log Page 02h, Format NVM 80h,
// Sanitize 84h).
#pragma once

#include <cstdint>
#include <string>

namespace atelier::imager {

struct NvmeNamespace;

// The fields of struct nvme_admin_cmd this code uses. `data_bytes` move from the controller for
// Identify/Get Log Page; Format NVM and Sanitize carry no data.
struct NvmeAdminCommand {
  std::uint8_t opcode = 0;
  std::uint32_t nsid = 0;
  std::uint32_t cdw10 = 0;
  std::uint32_t cdw11 = 0;
  std::uint32_t cdw12 = 0;
  std::uint32_t cdw13 = 0;
  std::uint32_t data_bytes = 0;
  bool operator==(const NvmeAdminCommand&) const = default;
};

constexpr std::uint32_t k_nvme_all_namespaces = 0xFFFFFFFFU;

NvmeAdminCommand nvme_identify_controller();                  // CNS 01h, 4096 bytes
NvmeAdminCommand nvme_identify_namespace(std::uint32_t nsid); // CNS 00h, 4096 bytes
NvmeAdminCommand nvme_get_sanitize_log();                     // LID 81h, 512 bytes

enum class NvmeSanitizeAction : std::uint8_t { block_erase = 2, overwrite = 3, crypto_erase = 4 };
// Sanitize 84h: SANACT, no AUSE, no deallocation inhibit; overwrite: one pass of `pattern`.
NvmeAdminCommand nvme_sanitize(NvmeSanitizeAction action, std::uint32_t overwrite_pattern = 0);

enum class NvmeSecureErase : std::uint8_t { user_data = 1, cryptographic = 2 };
// Format NVM 80h keeping the namespace's current LBA format, metadata and protection settings, so
// only the Secure Erase Settings change what the drive does.
NvmeAdminCommand nvme_format(std::uint32_t nsid, const NvmeNamespace& ns, NvmeSecureErase ses);

std::string nvme_command_name(const NvmeAdminCommand&);

// The status the kernel returns from NVME_IOCTL_ADMIN_CMD when positive: Status Code in bits 7:0,
// Status Code Type in bits 10:8, Do Not Retry in bit 14.
struct NvmeStatus {
  std::uint8_t code = 0;
  std::uint8_t type = 0;
  bool do_not_retry = false;
};
NvmeStatus decode_nvme_status(std::uint32_t value);
// "Invalid Field in Command (SCT 0h, SC 02h)".
std::string describe_nvme_status(std::uint32_t value);

} // namespace atelier::imager
