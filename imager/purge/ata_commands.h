// ATA commands for the firmware purge, as pure encoders (a command description in, taskfile and
// SCSI ATA PASS-THROUGH(16) CDB bytes out) and pure decoders (sense data in, ATA registers out).
// Nothing here touches a device; purge_device.h sends these through SG_IO.
//
// References: ACS-3 (T13/2161-D) for the commands, SAT-4 (T10) for the pass-through CDB and the ATA
// Status Return sense descriptor. docs/PURGE.md shows each command's registers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

// SAT PROTOCOL field values used here.
enum class AtaProtocol : std::uint8_t { non_data = 3, pio_in = 4, pio_out = 5 };

// One ATA command: the registers as the host writes them. `data_blocks` 512-byte blocks move in the
// protocol's direction (the caller passes a buffer of exactly that size).
struct AtaCommand {
  std::uint8_t command = 0;
  std::uint16_t feature = 0;
  std::uint16_t count = 0;
  std::uint64_t lba = 0;      // 48 bits for extended commands, 28 otherwise
  std::uint8_t device = 0x40; // bit 6: LBA addressing
  bool extended = false;      // a 48-bit ("EXT") command
  AtaProtocol protocol = AtaProtocol::non_data;
  std::uint16_t data_blocks = 0;
  bool operator==(const AtaCommand&) const = default;
};

// The registers the device returned (SAT ATA Status Return descriptor, or fixed-format sense).
struct AtaRegisters {
  std::uint8_t error = 0;
  std::uint8_t status = 0;
  std::uint8_t device = 0;
  std::uint16_t count = 0;
  std::uint64_t lba = 0;
  // Fixed-format sense carries only the low bytes; set when the high bytes were non-zero and lost.
  bool upper_bytes_lost = false;
  bool failed() const { return (status & 0x01U) != 0 || (status & 0x20U) != 0; } // ERR or DF
  bool aborted() const { return failed() && (error & 0x04U) != 0; }              // ABRT
};

// Plain-words name of a command for messages and logs ("SECURITY ERASE UNIT").
std::string ata_command_name(const AtaCommand&);

// --- Encoders (ACS-3) -------------------------------------------------------------------------
AtaCommand ata_identify_device();                      // ECh, PIO in, 1 block
AtaCommand ata_read_native_max_address(bool extended); // 27h (EXT) or F8h
// The maximum LBA in the registers READ NATIVE MAX ADDRESS returned: the 28-bit form keeps bits
// 27:24 in the DEVICE register.
std::uint64_t ata_max_lba_from(const AtaRegisters&, bool extended);
// SET MAX ADDRESS (EXT) 37h/F9h. `non_volatile`: the new maximum survives a power cycle (VV bit).
AtaCommand ata_set_max_address(std::uint64_t max_lba, bool non_volatile, bool extended);
AtaCommand ata_get_native_max_address_ama(); // 78h/0000h (Accessible Max Address)
AtaCommand ata_set_accessible_max_address(std::uint64_t max_lba); // 78h/0001h
AtaCommand ata_dco_identify();                                    // B1h/C2h, PIO in, 1 block
AtaCommand ata_dco_restore();                                     // B1h/C0h

enum class SanitizeAction { crypto_scramble, block_erase, overwrite };
// SANITIZE DEVICE B4h with the sub-command's feature and its LBA signature ("Cryp", "BkEr", "OW").
// Overwrite: one pass of `pattern` (no invert, no failure mode).
AtaCommand ata_sanitize(SanitizeAction action, std::uint32_t overwrite_pattern = 0);
// SANITIZE STATUS EXT (feature 0000h); `clear_failure` sets COUNT bit 0 to clear a failed state.
AtaCommand ata_sanitize_status(bool clear_failure = false);

// Security feature set. The password is at most 32 bytes, sent as hdparm sends it (bytes 2-33 of
// the data block, NUL-padded), so `hdparm --security-disable PASSWORD` undoes what we set.
AtaCommand ata_security_set_password();     // F1h, PIO out
AtaCommand ata_security_unlock();           // F2h, PIO out
AtaCommand ata_security_erase_prepare();    // F3h
AtaCommand ata_security_erase_unit();       // F4h, PIO out
AtaCommand ata_security_disable_password(); // F6h, PIO out
// The 512-byte data block of SET PASSWORD / UNLOCK / ERASE UNIT / DISABLE PASSWORD for the user
// password. `enhanced` is ERASE UNIT's erase-mode bit (word 0 bit 1).
std::array<std::uint8_t, 512> ata_security_data(std::string_view password, bool enhanced = false);

// --- Pass-through (SAT-4) ---------------------------------------------------------------------
// ATA PASS-THROUGH(16), opcode 85h. CK_COND is always set so that the device's registers come back
// in the sense data even on success (needed for READ NATIVE MAX and SANITIZE STATUS).
// `check_condition` false only to reproduce other tools' CDBs in tests.
std::array<std::uint8_t, 16> ata_pass_through_16(const AtaCommand&, bool check_condition = true);

struct SenseData {
  std::uint8_t response_code = 0; // 0x70/0x71 fixed, 0x72/0x73 descriptor
  std::uint8_t sense_key = 0;
  std::uint8_t asc = 0;
  std::uint8_t ascq = 0;
  std::optional<AtaRegisters> ata; // present when the sense carries ATA registers
  std::string layout;              // "descriptor", "fixed (SAT)", "fixed (libata before 6.10)"
};

// Decodes SCSI sense data. Descriptor format: the ATA Status Return descriptor (09h). Fixed format
// with ASC/ASCQ 00h/1Dh or registers: SAT places them in INFORMATION (bytes 3-6, VALID bit set);
// Linux before 6.10 wrote them at bytes 8-11 without VALID (leniency rule, see the .cpp).
// Returns nullopt for fewer than 8 bytes or an unknown response code.
std::optional<SenseData> decode_sense(std::span<const std::uint8_t> sense);

// "ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h)" style text for errors.
std::string describe_sense(const SenseData&);

// --- SANITIZE STATUS EXT output -----------------------------------------------------------------
struct AtaSanitizeStatus {
  bool completed_without_error = false; // COUNT bit 15
  bool in_progress = false;             // COUNT bit 14
  bool frozen = false;                  // COUNT bit 13 (SANITIZE FREEZE LOCK, often by the BIOS)
  bool antifreeze = false;              // COUNT bit 12
  double progress = 0;                  // LBA 15:0 / 65536, while in progress
  std::optional<std::uint8_t> failure_reason; // LBA 7:0 when the command reported an error
};
AtaSanitizeStatus decode_sanitize_status(const AtaRegisters&);
std::string sanitize_failure_text(std::uint8_t reason);

} // namespace atelier::imager
