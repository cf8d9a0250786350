#include "imager/purge/nvme_commands.h"

#include "imager/purge/nvme_identify.h"

#include <fmt/format.h>

namespace atelier::imager {

NvmeAdminCommand nvme_identify_controller() {
  NvmeAdminCommand c;
  c.opcode = 0x06;
  c.cdw10 = 0x01; // CNS: Identify Controller
  c.data_bytes = 4096;
  return c;
}

NvmeAdminCommand nvme_identify_namespace(std::uint32_t nsid) {
  NvmeAdminCommand c;
  c.opcode = 0x06;
  c.nsid = nsid;
  c.cdw10 = 0x00; // CNS: Identify Namespace
  c.data_bytes = 4096;
  return c;
}

NvmeAdminCommand nvme_get_sanitize_log() {
  NvmeAdminCommand c;
  c.opcode = 0x02;
  c.nsid = k_nvme_all_namespaces; // the sanitize log is controller-wide
  constexpr std::uint32_t dwords = 512 / 4;
  c.cdw10 = 0x81U | ((dwords - 1U) << 16U); // LID 81h, NUMDL (zero-based)
  c.data_bytes = 512;
  return c;
}

NvmeAdminCommand nvme_sanitize(NvmeSanitizeAction action, std::uint32_t overwrite_pattern) {
  NvmeAdminCommand c;
  c.opcode = 0x84;
  // SANACT in bits 2:0; AUSE, OWPASS, OIPBP and NDAS stay zero.
  c.cdw10 = static_cast<std::uint32_t>(action);
  if (action == NvmeSanitizeAction::overwrite) {
    c.cdw10 |= 1U << 4U; // OWPASS: one pass
    c.cdw11 = overwrite_pattern;
  }
  return c;
}

NvmeAdminCommand nvme_format(std::uint32_t nsid, const NvmeNamespace& ns, NvmeSecureErase ses) {
  NvmeAdminCommand c;
  c.opcode = 0x80;
  c.nsid = nsid;
  const std::uint32_t lbaf = ns.format_index;
  c.cdw10 = (lbaf & 0xFU)                                                   // LBAF bits 3:0
            | (ns.metadata_extended ? 1U << 4U : 0U)                        // MSET
            | (static_cast<std::uint32_t>(ns.protection_type & 0x7U) << 5U) // PI
            | (ns.protection_first ? 1U << 8U : 0U)                         // PIL
            | (static_cast<std::uint32_t>(ses) << 9U)                       // SES
            | (((lbaf >> 4U) & 0x3U) << 12U); // LBAF bits 5:4 (NVMe 2.0)
  return c;
}

std::string nvme_command_name(const NvmeAdminCommand& c) {
  switch (c.opcode) {
  case 0x06:
    return c.cdw10 == 0x01 ? "Identify Controller" : "Identify Namespace";
  case 0x02:
    return fmt::format("Get Log Page {:02X}h", c.cdw10 & 0xFFU);
  case 0x80: {
    const unsigned ses = (c.cdw10 >> 9U) & 0x7U;
    return ses == 2   ? "Format NVM (cryptographic erase)"
           : ses == 1 ? "Format NVM (user data erase)"
                      : "Format NVM";
  }
  case 0x84:
    switch (c.cdw10 & 0x7U) {
    case 2:
      return "Sanitize (block erase)";
    case 3:
      return "Sanitize (overwrite)";
    case 4:
      return "Sanitize (crypto erase)";
    default:
      return "Sanitize";
    }
  default:
    return fmt::format("admin command {:02X}h", c.opcode);
  }
}

NvmeStatus decode_nvme_status(std::uint32_t value) {
  NvmeStatus s;
  s.code = static_cast<std::uint8_t>(value & 0xFFU);
  s.type = static_cast<std::uint8_t>((value >> 8U) & 0x7U);
  s.do_not_retry = (value & 0x4000U) != 0;
  return s;
}

std::string describe_nvme_status(std::uint32_t value) {
  const NvmeStatus s = decode_nvme_status(value);
  std::string_view name = "status";
  if (s.type == 0) {
    switch (s.code) {
    case 0x00:
      name = "Successful Completion";
      break;
    case 0x01:
      name = "Invalid Command Opcode";
      break;
    case 0x02:
      name = "Invalid Field in Command";
      break;
    case 0x04:
      name = "Data Transfer Error";
      break;
    case 0x06:
      name = "Internal Error";
      break;
    case 0x07:
      name = "Command Abort Requested";
      break;
    case 0x0B:
      name = "Invalid Namespace or Format";
      break;
    case 0x0C:
      name = "Command Sequence Error";
      break;
    case 0x1C:
      name = "Sanitize Failed";
      break;
    case 0x1D:
      name = "Sanitize In Progress";
      break;
    case 0x20:
      name = "Namespace is Write Protected";
      break;
    default:
      break;
    }
  } else if (s.type == 1) {
    switch (s.code) {
    case 0x0A:
      name = "Invalid Format";
      break;
    case 0x23:
      name = "Sanitize Prohibited While Persistent Memory Region is Enabled";
      break;
    default:
      name = "command specific status";
      break;
    }
  } else if (s.type == 2) {
    name = "media or data integrity error";
  }
  return fmt::format("{} (SCT {:X}h, SC {:02X}h)", name, s.type, s.code);
}

} // namespace atelier::imager
