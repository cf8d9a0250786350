// ATA IDENTIFY DEVICE data (and DEVICE CONFIGURATION IDENTIFY data): pure parsers, 512 bytes in,
// structs out. Word numbers follow ACS-3/ACS-4 (T13); each word arrives little-endian, ATA strings
// have their two characters per word swapped. docs/PURGE.md, "Capability detection", lists every
// word read here and why.
//
// Leniency rules (each one commented where it is applied):
//  - A drive older than ATA-5 has no integrity word (byte 510 != 0xA5): accepted, checksum_valid
//    stays empty. A signature with a wrong checksum is an error (the transfer was corrupted).
//  - String characters outside printable ASCII are replaced by '?' and counted in
//    `replaced_characters`, so a serial with garbage still compares predictably.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

namespace atelier::imager {

// A SECURITY ERASE UNIT time estimate (words 89/90). `at_least` when the drive reports the largest
// value its format can hold (more than 508 or 65532 minutes).
struct EraseEstimate {
  std::uint32_t minutes = 0;
  bool at_least = false;
  bool operator==(const EraseEstimate&) const = default;
};

// Words 89/90: bit 15 selects the extended format (bits 14:0), else bits 7:0; units of 2 minutes;
// 0 means "not reported".
std::optional<EraseEstimate> decode_erase_estimate(std::uint16_t word);

struct AtaSecurity { // word 82 bit 1, word 128
  bool supported = false;
  bool enabled = false;       // a user password is set
  bool locked = false;        // the media is inaccessible until SECURITY UNLOCK
  bool frozen = false;        // SECURITY FREEZE LOCK was issued (usually by the BIOS)
  bool count_expired = false; // five wrong passwords since power-on
  bool enhanced_erase_supported = false;
  bool master_password_maximum = false; // security level: false = High, true = Maximum
  std::optional<EraseEstimate> normal_erase_estimate;   // word 89
  std::optional<EraseEstimate> enhanced_erase_estimate; // word 90
};

struct AtaSanitize { // word 59 bits 10-15
  bool supported = false;
  bool crypto_scramble = false;
  bool overwrite = false;
  bool block_erase = false;
  bool antifreeze_lock = false;
  bool acs3_command_rules = false; // commands allowed during sanitize follow ACS-3
};

struct AtaIdentify {
  std::string model;    // words 27-46
  std::string serial;   // words 10-19
  std::string firmware; // words 23-26
  int replaced_characters = 0;

  std::uint64_t sectors_28bit = 0;            // words 60-61
  std::optional<std::uint64_t> sectors_48bit; // words 100-103, when 48-bit addressing is supported
  std::optional<std::uint64_t> sectors_extended; // words 230-233, when word 69 bit 3 says valid
  std::uint64_t user_sectors = 0; // the accessible capacity: extended, else 48-bit, else 28-bit
  bool lba48 = false;             // word 83 bit 10

  std::uint32_t logical_sector_bytes = 512;  // words 106, 117-118
  std::uint32_t physical_sector_bytes = 512; // word 106 bits 3:0
  std::optional<std::uint16_t>
      rotation_rate;               // word 217: 1 = solid state, else rpm; empty = not reported
  bool trim = false;               // word 169 bit 0
  std::uint16_t major_version = 0; // word 80 (bit n set: ATA/ACS version n supported)

  bool hpa_supported = false; // word 82 bit 10 (Host Protected Area feature set)
  bool hpa_enabled = false;   // word 85 bit 10
  bool dco_supported = false; // word 83 bit 11 (Device Configuration Overlay)
  bool ama_supported = false; // word 119 bit 8 (Accessible Max Address Configuration, ACS-3)

  AtaSecurity security;
  AtaSanitize sanitize;

  std::optional<bool> checksum_valid; // empty: the drive predates the integrity word

  std::uint64_t user_bytes() const { return user_sectors * logical_sector_bytes; }
  // "ssd" when word 217 says solid state, "hdd" for a reported rpm, "" when not reported.
  std::string media() const;
};

// Parses the 512 bytes of IDENTIFY DEVICE. Errors name the problem: too short, all zero or all ones
// (no device answered), an ATAPI device (word 0 bit 15), or a checksum mismatch.
std::expected<AtaIdentify, std::string> parse_ata_identify(std::span<const std::uint8_t> data);

// DEVICE CONFIGURATION IDENTIFY (B1h/C2h) data: the factory maximum LBA a DCO may have lowered.
struct DcoIdentify {
  std::uint16_t revision = 0;    // word 0, 0x0002 in ATA8-ACS
  std::uint64_t maximum_lba = 0; // words 3-6: the highest LBA the drive can be restored to
  std::optional<bool> checksum_valid;
};
std::expected<DcoIdentify, std::string> parse_dco_identify(std::span<const std::uint8_t> data);

} // namespace atelier::imager
