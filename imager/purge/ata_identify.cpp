#include "imager/purge/ata_identify.h"

#include <fmt/format.h>

namespace atelier::imager {
namespace {

constexpr std::size_t k_identify_bytes = 512;

class Words {
public:
  explicit Words(std::span<const std::uint8_t> data) : m_data(data) {}
  std::uint16_t operator[](std::size_t word) const {
    return static_cast<std::uint16_t>(static_cast<unsigned>(m_data[2 * word]) |
                                      (static_cast<unsigned>(m_data[2 * word + 1]) << 8U));
  }
  bool bit(std::size_t word, unsigned bit) const {
    return ((static_cast<unsigned>((*this)[word]) >> bit) & 1U) != 0;
  }
  // Consecutive words, least significant first (ATA's order for 32- and 64-bit fields).
  std::uint64_t number(std::size_t first, std::size_t count) const {
    std::uint64_t value = 0;
    for (std::size_t i = count; i-- > 0;) {
      value = (value << 16U) | (*this)[first + i];
    }
    return value;
  }

private:
  std::span<const std::uint8_t> m_data;
};

// ATA strings: two characters per word, the first in the high byte; padded with spaces.
std::string ata_string(const Words& w, std::size_t first, std::size_t count, int& replaced) {
  std::string text;
  for (std::size_t i = first; i < first + count; ++i) {
    for (const auto c :
         {static_cast<unsigned char>(w[i] >> 8U), static_cast<unsigned char>(w[i] & 0xFFU)}) {
      if (c == 0) {
        text.push_back(' '); // some firmware pads with NUL instead of spaces
      } else if (c < 0x20 || c > 0x7E) {
        text.push_back('?'); // leniency rule: non-ASCII shown as '?', counted
        ++replaced;
      } else {
        text.push_back(static_cast<char>(c));
      }
    }
  }
  const auto begin = text.find_first_not_of(' ');
  if (begin == std::string::npos) {
    return {};
  }
  return text.substr(begin, text.find_last_not_of(' ') - begin + 1);
}

// Word 255: signature 0xA5 in the low byte; then all 512 bytes sum to 0 modulo 256.
std::optional<bool> checksum(std::span<const std::uint8_t> data) {
  if (data[510] != 0xA5) {
    return std::nullopt; // leniency rule: pre-ATA-5 drives have no integrity word
  }
  unsigned sum = 0;
  for (std::size_t i = 0; i < k_identify_bytes; ++i) {
    sum += data[i];
  }
  return (sum & 0xFFU) == 0;
}

std::optional<std::string> empty_or_short(std::span<const std::uint8_t> data,
                                          std::string_view what) {
  if (data.size() < k_identify_bytes) {
    return fmt::format("{}: {} bytes, expected 512", what, data.size());
  }
  bool zeros = true;
  bool ones = true;
  for (std::size_t i = 0; i < k_identify_bytes; ++i) {
    zeros = zeros && data[i] == 0x00;
    ones = ones && data[i] == 0xFF;
  }
  if (zeros || ones) {
    return fmt::format("{}: all bytes are {:#04x} (no device answered)", what, data[0]);
  }
  return std::nullopt;
}

} // namespace

std::optional<EraseEstimate> decode_erase_estimate(std::uint16_t word) {
  const bool extended = (word & 0x8000U) != 0;
  const unsigned units = extended ? (word & 0x7FFFU) : (word & 0x00FFU);
  if (units == 0) {
    return std::nullopt;
  }
  return EraseEstimate{units * 2U, units == (extended ? 0x7FFFU : 0xFFU)};
}

std::string AtaIdentify::media() const {
  if (!rotation_rate) {
    return {};
  }
  return *rotation_rate == 1 ? "ssd" : "hdd";
}

std::expected<AtaIdentify, std::string> parse_ata_identify(std::span<const std::uint8_t> data) {
  if (auto problem = empty_or_short(data, "IDENTIFY DEVICE data")) {
    return std::unexpected(*problem);
  }
  const Words w(data);
  if (w.bit(0, 15)) {
    return std::unexpected(fmt::format(
        "IDENTIFY DEVICE data: word 0 is {:#06x}, an ATAPI device (optical drive), not an ATA disk",
        w[0]));
  }
  AtaIdentify id;
  id.checksum_valid = checksum(data.first(k_identify_bytes));
  if (id.checksum_valid == false) {
    return std::unexpected("IDENTIFY DEVICE data: the integrity word's checksum does not match "
                           "(the transfer was corrupted)");
  }
  id.serial = ata_string(w, 10, 10, id.replaced_characters);
  id.firmware = ata_string(w, 23, 4, id.replaced_characters);
  id.model = ata_string(w, 27, 20, id.replaced_characters);

  id.sectors_28bit = w.number(60, 2);
  id.lba48 = w.bit(83, 10);
  if (id.lba48) {
    id.sectors_48bit = w.number(100, 4);
  }
  if (w.bit(69, 3)) {
    id.sectors_extended = w.number(230, 4);
  }
  if (id.sectors_extended && *id.sectors_extended != 0) {
    id.user_sectors = *id.sectors_extended;
  } else if (id.sectors_48bit && *id.sectors_48bit != 0) {
    id.user_sectors = *id.sectors_48bit;
  } else {
    id.user_sectors = id.sectors_28bit;
  }

  // Word 106 is valid when bit 14 is one and bit 15 zero.
  const std::uint16_t w106 = w[106];
  if ((w106 & 0xC000U) == 0x4000U) {
    if (w.bit(106, 12)) {
      const std::uint64_t words = w.number(117, 2); // words 117-118 count 16-bit words
      if (words < 256 || words > 32768) {
        return std::unexpected(fmt::format("IDENTIFY DEVICE data: words 117-118 give a logical "
                                           "sector of {} bytes (512 to 65536 expected)",
                                           2 * words));
      }
      id.logical_sector_bytes = static_cast<std::uint32_t>(words * 2U);
    }
    const unsigned exponent = w.bit(106, 13) ? (w106 & 0x000FU) : 0U;
    const std::uint64_t physical = std::uint64_t{id.logical_sector_bytes} << exponent;
    if (physical > (1U << 20U)) {
      return std::unexpected(fmt::format("IDENTIFY DEVICE data: word 106 gives a physical sector "
                                         "of {} bytes (at most 1 MiB expected)",
                                         physical));
    }
    id.physical_sector_bytes = static_cast<std::uint32_t>(physical);
  } else {
    id.physical_sector_bytes = id.logical_sector_bytes;
  }

  const std::uint16_t rate = w[217];
  if (rate == 0x0001 || (rate >= 0x0401 && rate <= 0xFFFE)) {
    id.rotation_rate = rate;
  }
  id.trim = w.bit(169, 0);
  // Words 80-87 are only meaningful when not 0x0000 or 0xFFFF (ATA-5 and later say so).
  auto valid_word = [&](std::size_t n) {
    return w[n] != 0x0000 && w[n] != 0xFFFF;
  };
  id.major_version = valid_word(80) ? w[80] : 0;
  if (valid_word(82)) {
    id.hpa_supported = w.bit(82, 10);
    id.security.supported = w.bit(82, 1);
  }
  if (valid_word(83)) {
    id.dco_supported = w.bit(83, 11);
  }
  if (valid_word(85)) {
    id.hpa_enabled = w.bit(85, 10);
  }
  id.ama_supported = w.bit(86, 15) && w.bit(119, 14) && !w.bit(119, 15) && w.bit(119, 8);

  const std::uint16_t sec = w[128];
  if ((sec & 0x0001U) != 0) {
    id.security.supported = true;
    id.security.enabled = (sec & 0x0002U) != 0;
    id.security.locked = (sec & 0x0004U) != 0;
    id.security.frozen = (sec & 0x0008U) != 0;
    id.security.count_expired = (sec & 0x0010U) != 0;
    id.security.enhanced_erase_supported = (sec & 0x0020U) != 0;
    id.security.master_password_maximum = (sec & 0x0100U) != 0;
  }
  id.security.normal_erase_estimate = decode_erase_estimate(w[89]);
  id.security.enhanced_erase_estimate = decode_erase_estimate(w[90]);

  const std::uint16_t w59 = w[59];
  id.sanitize.supported = (w59 & 0x1000U) != 0;
  if (id.sanitize.supported) {
    id.sanitize.crypto_scramble = (w59 & 0x2000U) != 0;
    id.sanitize.overwrite = (w59 & 0x4000U) != 0;
    id.sanitize.block_erase = (w59 & 0x8000U) != 0;
    id.sanitize.antifreeze_lock = (w59 & 0x0400U) != 0;
    id.sanitize.acs3_command_rules = (w59 & 0x0800U) != 0;
  }
  return id;
}

std::expected<DcoIdentify, std::string> parse_dco_identify(std::span<const std::uint8_t> data) {
  if (auto problem = empty_or_short(data, "DEVICE CONFIGURATION IDENTIFY data")) {
    return std::unexpected(*problem);
  }
  const Words w(data);
  DcoIdentify dco;
  dco.checksum_valid = checksum(data.first(k_identify_bytes));
  if (dco.checksum_valid == false) {
    return std::unexpected(
        "DEVICE CONFIGURATION IDENTIFY data: checksum mismatch (the transfer was corrupted)");
  }
  dco.revision = w[0];
  dco.maximum_lba = w.number(3, 4) & 0x0000FFFFFFFFFFFFULL; // 48-bit addresses
  if (dco.maximum_lba == 0) {
    return std::unexpected("DEVICE CONFIGURATION IDENTIFY data: maximum LBA is 0");
  }
  return dco;
}

} // namespace atelier::imager
