#include "imager/purge/ata_commands.h"

#include <algorithm>

#include <fmt/format.h>

namespace atelier::imager {
namespace {

// SANITIZE DEVICE sub-commands (FEATURE) and the signatures their LBA field must carry
// (ACS-3 7.36).
constexpr std::uint16_t k_sanitize_status = 0x0000;
constexpr std::uint16_t k_sanitize_crypto = 0x0011;
constexpr std::uint16_t k_sanitize_block = 0x0012;
constexpr std::uint16_t k_sanitize_overwrite = 0x0014;
constexpr std::uint64_t k_crypto_key = 0x43727970; // "Cryp"
constexpr std::uint64_t k_block_key = 0x426B4572;  // "BkEr"
constexpr std::uint64_t k_overwrite_key = 0x4F57;  // "OW", in LBA 47:32

AtaCommand non_data(std::uint8_t command, std::uint16_t feature = 0, bool extended = false) {
  AtaCommand c;
  c.command = command;
  c.feature = feature;
  c.extended = extended;
  return c;
}

AtaCommand one_block(std::uint8_t command, AtaProtocol protocol, std::uint16_t feature = 0) {
  AtaCommand c = non_data(command, feature);
  c.protocol = protocol;
  c.data_blocks = 1;
  c.count = 1; // SAT T_LENGTH=2: the transfer length is taken from COUNT
  return c;
}

} // namespace

std::string ata_command_name(const AtaCommand& c) {
  switch (c.command) {
  case 0xEC:
    return "IDENTIFY DEVICE";
  case 0x27:
    return "READ NATIVE MAX ADDRESS EXT";
  case 0xF8:
    return "READ NATIVE MAX ADDRESS";
  case 0x37:
    return "SET MAX ADDRESS EXT";
  case 0xF9:
    return "SET MAX ADDRESS";
  case 0x78:
    return c.feature == 0 ? "GET NATIVE MAX ADDRESS EXT" : "SET ACCESSIBLE MAX ADDRESS EXT";
  case 0xB1:
    return c.feature == 0xC2   ? "DEVICE CONFIGURATION IDENTIFY"
           : c.feature == 0xC0 ? "DEVICE CONFIGURATION RESTORE"
                               : fmt::format("DEVICE CONFIGURATION ({:02X}h)", c.feature);
  case 0xB4:
    switch (c.feature) {
    case k_sanitize_status:
      return "SANITIZE STATUS EXT";
    case k_sanitize_crypto:
      return "CRYPTO SCRAMBLE EXT";
    case k_sanitize_block:
      return "BLOCK ERASE EXT";
    case k_sanitize_overwrite:
      return "OVERWRITE EXT";
    default:
      return fmt::format("SANITIZE DEVICE ({:04X}h)", c.feature);
    }
  case 0xF1:
    return "SECURITY SET PASSWORD";
  case 0xF2:
    return "SECURITY UNLOCK";
  case 0xF3:
    return "SECURITY ERASE PREPARE";
  case 0xF4:
    return "SECURITY ERASE UNIT";
  case 0xF6:
    return "SECURITY DISABLE PASSWORD";
  default:
    return fmt::format("ATA command {:02X}h", c.command);
  }
}

AtaCommand ata_identify_device() {
  return one_block(0xEC, AtaProtocol::pio_in);
}

AtaCommand ata_read_native_max_address(bool extended) {
  return non_data(extended ? 0x27 : 0xF8, 0, extended);
}

std::uint64_t ata_max_lba_from(const AtaRegisters& r, bool extended) {
  if (extended) {
    return r.lba & 0x0000FFFFFFFFFFFFULL;
  }
  return (r.lba & 0x00FFFFFFULL) | (static_cast<std::uint64_t>(r.device & 0x0FU) << 24U);
}

AtaCommand ata_set_max_address(std::uint64_t max_lba, bool non_volatile, bool extended) {
  AtaCommand c = non_data(extended ? 0x37 : 0xF9, 0, extended);
  c.count = non_volatile ? 1 : 0; // VV bit
  if (extended) {
    c.lba = max_lba & 0x0000FFFFFFFFFFFFULL;
  } else {
    c.lba = max_lba & 0x00FFFFFFULL;
    c.device = static_cast<std::uint8_t>(0x40U | ((max_lba >> 24U) & 0x0FU));
  }
  return c;
}

AtaCommand ata_get_native_max_address_ama() {
  return non_data(0x78, 0x0000, true);
}

AtaCommand ata_set_accessible_max_address(std::uint64_t max_lba) {
  AtaCommand c = non_data(0x78, 0x0001, true);
  c.lba = max_lba & 0x0000FFFFFFFFFFFFULL;
  return c;
}

AtaCommand ata_dco_identify() {
  return one_block(0xB1, AtaProtocol::pio_in, 0xC2);
}

AtaCommand ata_dco_restore() {
  return non_data(0xB1, 0xC0);
}

AtaCommand ata_sanitize(SanitizeAction action, std::uint32_t overwrite_pattern) {
  switch (action) {
  case SanitizeAction::crypto_scramble: {
    AtaCommand c = non_data(0xB4, k_sanitize_crypto, true);
    c.lba = k_crypto_key;
    return c;
  }
  case SanitizeAction::block_erase: {
    AtaCommand c = non_data(0xB4, k_sanitize_block, true);
    c.lba = k_block_key;
    return c;
  }
  case SanitizeAction::overwrite:
    break;
  }
  AtaCommand c = non_data(0xB4, k_sanitize_overwrite, true);
  c.lba = (k_overwrite_key << 32U) | overwrite_pattern;
  c.count = 1; // OVERWRITE PASS COUNT 1; no INVERT (bit 7), no FAILURE MODE (bit 4)
  return c;
}

AtaCommand ata_sanitize_status(bool clear_failure) {
  AtaCommand c = non_data(0xB4, k_sanitize_status, true);
  c.count = clear_failure ? 1 : 0;
  return c;
}

AtaCommand ata_security_set_password() {
  return one_block(0xF1, AtaProtocol::pio_out);
}
AtaCommand ata_security_unlock() {
  return one_block(0xF2, AtaProtocol::pio_out);
}
AtaCommand ata_security_erase_prepare() {
  return non_data(0xF3);
}
AtaCommand ata_security_erase_unit() {
  return one_block(0xF4, AtaProtocol::pio_out);
}
AtaCommand ata_security_disable_password() {
  return one_block(0xF6, AtaProtocol::pio_out);
}

std::array<std::uint8_t, 512> ata_security_data(std::string_view password, bool enhanced) {
  std::array<std::uint8_t, 512> data{};
  // Word 0: bit 0 identifier (0 = user password), bit 1 erase mode (ERASE UNIT: 1 = enhanced),
  // bit 8 security level (SET PASSWORD: 0 = High). Words 1-16: the password, 32 bytes.
  data[0] = enhanced ? 0x02 : 0x00;
  const auto n = std::min<std::size_t>(password.size(), 32);
  std::copy_n(password.begin(), n, data.begin() + 2);
  return data;
}

std::array<std::uint8_t, 16> ata_pass_through_16(const AtaCommand& c, bool check_condition) {
  std::array<std::uint8_t, 16> cdb{};
  cdb[0] = 0x85;
  cdb[1] =
      static_cast<std::uint8_t>((static_cast<unsigned>(c.protocol) << 1U) | (c.extended ? 1U : 0U));
  std::uint8_t flags = check_condition ? 0x20 : 0x00; // CK_COND
  if (c.protocol != AtaProtocol::non_data) {
    flags |= 0x04U | 0x02U; // BYTE_BLOCK (blocks), T_LENGTH = COUNT
    if (c.protocol == AtaProtocol::pio_in) {
      flags |= 0x08U; // T_DIR: from the device
    }
  }
  cdb[2] = flags;
  auto byte = [](std::uint64_t v, unsigned shift) {
    return static_cast<std::uint8_t>((v >> shift) & 0xFFU);
  };
  cdb[3] = c.extended ? byte(c.feature, 8) : 0;
  cdb[4] = byte(c.feature, 0);
  cdb[5] = c.extended ? byte(c.count, 8) : 0;
  cdb[6] = byte(c.count, 0);
  cdb[7] = c.extended ? byte(c.lba, 24) : 0;
  cdb[8] = byte(c.lba, 0);
  cdb[9] = c.extended ? byte(c.lba, 32) : 0;
  cdb[10] = byte(c.lba, 8);
  cdb[11] = c.extended ? byte(c.lba, 40) : 0;
  cdb[12] = byte(c.lba, 16);
  cdb[13] = c.device;
  cdb[14] = c.command;
  cdb[15] = 0;
  return cdb;
}

std::optional<SenseData> decode_sense(std::span<const std::uint8_t> sb) {
  if (sb.size() < 8) {
    return std::nullopt;
  }
  SenseData s;
  s.response_code = sb[0] & 0x7FU;
  if (s.response_code == 0x72 || s.response_code == 0x73) {
    s.layout = "descriptor";
    s.sense_key = sb[1] & 0x0FU;
    s.asc = sb[2];
    s.ascq = sb[3];
    const std::size_t end = std::min<std::size_t>(sb.size(), 8U + sb[7]);
    for (std::size_t at = 8; at + 2 <= end;) {
      const std::size_t length = 2U + sb[at + 1];
      if (sb[at] == 0x09 && length >= 14 && at + 14 <= end) {
        const auto d = sb.subspan(at, 14);
        AtaRegisters r;
        const bool extend = (d[2] & 0x01U) != 0;
        r.error = d[3];
        r.count =
            static_cast<std::uint16_t>((extend ? static_cast<unsigned>(d[4]) << 8U : 0U) | d[5]);
        r.lba = static_cast<std::uint64_t>(d[7]) | (static_cast<std::uint64_t>(d[9]) << 8U) |
                (static_cast<std::uint64_t>(d[11]) << 16U);
        if (extend) {
          r.lba |= (static_cast<std::uint64_t>(d[6]) << 24U) |
                   (static_cast<std::uint64_t>(d[8]) << 32U) |
                   (static_cast<std::uint64_t>(d[10]) << 40U);
        }
        r.device = d[12];
        r.status = d[13];
        s.ata = r;
        break;
      }
      at += length;
    }
    return s;
  }
  if (s.response_code != 0x70 && s.response_code != 0x71) {
    return std::nullopt;
  }
  s.sense_key = sb[2] & 0x0FU;
  s.asc = sb.size() > 12 ? sb[12] : 0;
  s.ascq = sb.size() > 13 ? sb[13] : 0;
  auto at = [&](std::size_t i) -> std::uint8_t {
    return i < sb.size() ? sb[i] : 0;
  };
  const bool valid = (sb[0] & 0x80U) != 0;
  AtaRegisters r;
  std::uint8_t flags = 0;
  if (valid) {
    // SAT-4: INFORMATION = ERROR, STATUS, DEVICE, COUNT(7:0); COMMAND-SPECIFIC INFORMATION =
    // flags, LBA(7:0), LBA(15:8), LBA(23:16). Linux 6.10 and later.
    s.layout = "fixed (SAT)";
    r.error = sb[3];
    r.status = sb[4];
    r.device = sb[5];
    r.count = sb[6];
    flags = at(8);
    r.lba = at(9) | (static_cast<std::uint64_t>(at(10)) << 8U) |
            (static_cast<std::uint64_t>(at(11)) << 16U);
  } else if (sb.size() >= 12) {
    // Leniency rule: Linux libata before 6.10 ("ata: libata-scsi: Fix offsets for the fixed format
    // sense data") wrote the same fields 5 bytes later, without the VALID bit: ERROR, STATUS,
    // DEVICE, COUNT at 8-11, flags at 16, LBA at 17-19 (the kernel reports only 18 bytes of
    // sense, so the LBA's upper bytes are often cut off).
    s.layout = "fixed (libata before 6.10)";
    r.error = sb[8];
    r.status = sb[9];
    r.device = sb[10];
    r.count = sb[11];
    flags = at(16);
    r.lba = at(17) | (static_cast<std::uint64_t>(at(18)) << 8U) |
            (static_cast<std::uint64_t>(at(19)) << 16U);
  } else {
    s.layout = "fixed";
    return s;
  }
  // EXTEND with COUNT UPPER NONZERO or LBA UPPER NONZERO: the high bytes exist but are not here.
  r.upper_bytes_lost = (flags & 0x80U) != 0 && (flags & 0x60U) != 0;
  if (r.status != 0 || r.error != 0 || (s.asc == 0x00 && s.ascq == 0x1D)) {
    s.ata = r;
  }
  return s;
}

std::string describe_sense(const SenseData& s) {
  static constexpr std::array<std::string_view, 16> k_keys{
      "NO SENSE",       "RECOVERED ERROR", "NOT READY",      "MEDIUM ERROR",
      "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
      "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",   "ABORTED COMMAND",
      "(reserved 0Ch)", "VOLUME OVERFLOW", "MISCOMPARE",     "COMPLETED"};
  std::string text =
      fmt::format("{}, ASC/ASCQ {:02X}h/{:02X}h", k_keys[s.sense_key & 0x0FU], s.asc, s.ascq);
  if (s.asc == 0x20 && s.ascq == 0x00) {
    text += " (invalid command operation code)";
  } else if (s.asc == 0x24 && s.ascq == 0x00) {
    text += " (invalid field in CDB)";
  } else if (s.asc == 0x00 && s.ascq == 0x1D) {
    text += " (ATA pass-through information available)";
  }
  if (s.ata) {
    text += fmt::format("; ATA status {:02X}h error {:02X}h", s.ata->status, s.ata->error);
  }
  return text;
}

AtaSanitizeStatus decode_sanitize_status(const AtaRegisters& r) {
  AtaSanitizeStatus s;
  s.completed_without_error = (r.count & 0x8000U) != 0;
  s.in_progress = (r.count & 0x4000U) != 0;
  s.frozen = (r.count & 0x2000U) != 0;
  s.antifreeze = (r.count & 0x1000U) != 0;
  s.progress = static_cast<double>(r.lba & 0xFFFFU) / 65536.0;
  if (r.failed()) {
    s.failure_reason = static_cast<std::uint8_t>(r.lba & 0xFFU);
  }
  return s;
}

std::string sanitize_failure_text(std::uint8_t reason) {
  switch (reason) {
  case 0x00:
    return "reason not reported";
  case 0x01:
    return "the sanitize operation did not complete successfully";
  case 0x02:
    return "the drive does not support this sanitize sub-command";
  case 0x03:
    return "the drive is in the sanitize frozen state";
  case 0x04:
    return "SANITIZE FREEZE LOCK failed because of SANITIZE ANTIFREEZE LOCK";
  default:
    return fmt::format("reason {:02X}h", reason);
  }
}

} // namespace atelier::imager
