// ATA command encoders and the sense decoder: registers and CDB bytes as ACS-3/SAT-4 lay them out,
// checked against what hdparm and the kernel put on the wire in captured logs.
#include "imager/purge/ata_commands.h"
#include "purge_fixtures.h"

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using test::load_purge_fixture;

std::vector<std::uint8_t> cdb_bytes(const AtaCommand& c, bool check_condition = true) {
  const auto cdb = ata_pass_through_16(c, check_condition);
  return {cdb.begin(), cdb.end()};
}

TEST(AtaPassThrough, EncodesDcoIdentifyExactlyAsHdparmDid) {
  // hdparm --dco-identify sent this CDB (nwipe issue #444); ours differs only by CK_COND.
  EXPECT_EQ(cdb_bytes(ata_dco_identify(), false),
            load_purge_fixture("cdb_dco_identify_hdparm.txt"));
  EXPECT_EQ(cdb_bytes(ata_dco_identify())[2], 0x2E);
}

TEST(AtaPassThrough, EncodesIdentifyDeviceAsPioInOfOneBlock) {
  const std::vector<std::uint8_t> expected{0x85, 0x08, 0x2E, 0, 0, 0,    1,    0,
                                           0,    0,    0,    0, 0, 0x40, 0xEC, 0};
  EXPECT_EQ(cdb_bytes(ata_identify_device()), expected);
}

TEST(AtaPassThrough, EncodesSanitizeCryptoScrambleWithItsSignature) {
  // B4h, FEATURE 0011h, LBA 0000_4372_7970h ("Cryp"), 48-bit non-data.
  const std::vector<std::uint8_t> expected{0x85, 0x07, 0x20, 0x00, 0x11, 0,    0,    0x43,
                                           0x70, 0x00, 0x79, 0x00, 0x72, 0x40, 0xB4, 0x00};
  EXPECT_EQ(cdb_bytes(ata_sanitize(SanitizeAction::crypto_scramble)), expected);
}

TEST(AtaCommands, SanitizeSubcommandsCarryTheirFeatureAndSignature) {
  const auto block = ata_sanitize(SanitizeAction::block_erase);
  EXPECT_EQ(block.feature, 0x0012);
  EXPECT_EQ(block.lba, 0x426B4572U); // "BkEr"
  const auto overwrite = ata_sanitize(SanitizeAction::overwrite, 0xDEADBEEF);
  EXPECT_EQ(overwrite.feature, 0x0014);
  EXPECT_EQ(overwrite.lba, 0x00004F57DEADBEEFULL); // "OW" in LBA 47:32, the pattern below
  EXPECT_EQ(overwrite.count, 1);                   // one pass, no invert, no failure mode
  const auto status = ata_sanitize_status();
  EXPECT_EQ(status.feature, 0x0000);
  EXPECT_EQ(status.count, 0);
  EXPECT_EQ(ata_sanitize_status(true).count, 1);
  EXPECT_EQ(ata_command_name(block), "BLOCK ERASE EXT");
}

TEST(AtaCommands, SecurityCommandsAreOneBlockPioOut) {
  for (const auto& c : {ata_security_set_password(), ata_security_unlock(),
                        ata_security_erase_unit(), ata_security_disable_password()}) {
    EXPECT_EQ(c.protocol, AtaProtocol::pio_out) << ata_command_name(c);
    EXPECT_EQ(c.data_blocks, 1);
    EXPECT_EQ(cdb_bytes(c)[2], 0x26) << "CK_COND, BYTE_BLOCK, T_LENGTH=COUNT, to the device";
  }
  EXPECT_EQ(ata_security_erase_prepare().protocol, AtaProtocol::non_data);
  EXPECT_EQ(ata_security_erase_unit().command, 0xF4);
}

TEST(AtaCommands, SecurityDataHoldsThePasswordAndTheEnhancedBit) {
  const auto normal = ata_security_data("atelier-purge");
  EXPECT_EQ(normal[0], 0x00); // user password, normal erase, High level
  EXPECT_EQ(std::string(normal.begin() + 2, normal.begin() + 15), "atelier-purge");
  EXPECT_EQ(normal[15], 0);
  const auto enhanced = ata_security_data("atelier-purge", true);
  EXPECT_EQ(enhanced[0], 0x02);
  const auto longest = ata_security_data(std::string(40, 'x'));
  EXPECT_EQ(longest[33], 'x');
  EXPECT_EQ(longest[34], 0); // 32 bytes at most
}

TEST(AtaCommands, MaxAddressCommandsPlaceTheLbaAndTheVolatileBit) {
  const auto ext = ata_set_max_address(0x1D1C0BEAF, true, true);
  EXPECT_EQ(ext.command, 0x37);
  EXPECT_EQ(ext.lba, 0x1D1C0BEAFU);
  EXPECT_EQ(ext.count, 1);
  EXPECT_TRUE(ext.extended);
  EXPECT_EQ(ata_set_max_address(1000, false, true).count, 0);
  // 28-bit: LBA 27:24 go to DEVICE bits 3:0.
  const auto small = ata_set_max_address(0x0ABCDEF1, false, false);
  EXPECT_EQ(small.command, 0xF9);
  EXPECT_EQ(small.lba, 0xBCDEF1U);
  EXPECT_EQ(small.device, 0x4A);
  AtaRegisters r;
  r.lba = 0xBCDEF1;
  r.device = 0x4A;
  EXPECT_EQ(ata_max_lba_from(r, false), 0x0ABCDEF1U);
  EXPECT_EQ(ata_read_native_max_address(true).command, 0x27);
  EXPECT_EQ(ata_read_native_max_address(false).command, 0xF8);
  EXPECT_EQ(ata_dco_restore().feature, 0xC0);
  EXPECT_EQ(ata_get_native_max_address_ama().command, 0x78);
  EXPECT_EQ(ata_set_accessible_max_address(5).feature, 0x0001);
}

TEST(AtaSense, DecodesTheStatusReturnDescriptorOfSmartReturnStatus) {
  const auto s = decode_sense(load_purge_fixture("sense_descriptor_smart_status.txt"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->layout, "descriptor");
  EXPECT_EQ(s->sense_key, 0x01);
  EXPECT_EQ(s->asc, 0x00);
  EXPECT_EQ(s->ascq, 0x1D);
  ASSERT_TRUE(s->ata);
  EXPECT_EQ(s->ata->status, 0x50);
  EXPECT_EQ(s->ata->device, 0xE0);
  EXPECT_EQ(s->ata->lba, 0xC24F00U); // LBA mid 4Fh, high C2h: "passed"
  EXPECT_FALSE(s->ata->failed());
}

TEST(AtaSense, DecodesTheCountOfCheckPowerMode) {
  const auto s = decode_sense(load_purge_fixture("sense_descriptor_check_power.txt"));
  ASSERT_TRUE(s && s->ata);
  EXPECT_EQ(s->ata->count, 0xFF);
  EXPECT_EQ(s->ata->device, 0x40);
}

TEST(AtaSense, DecodesFixedFormatWithValidBitAtSatOffsets) {
  const auto s = decode_sense(load_purge_fixture("sense_fixed_sat_check_power.txt"));
  ASSERT_TRUE(s && s->ata);
  EXPECT_EQ(s->layout, "fixed (SAT)");
  EXPECT_EQ(s->ata->status, 0x50);
  EXPECT_EQ(s->ata->count, 0xFF);
  EXPECT_EQ(s->ascq, 0x1D);
}

TEST(AtaSense, DecodesOlderLibataFixedFormatOfAnAbortedCommand) {
  const auto s = decode_sense(load_purge_fixture("sense_fixed_libata_dco_aborted.txt"));
  ASSERT_TRUE(s && s->ata);
  EXPECT_EQ(s->layout, "fixed (libata before 6.10)");
  EXPECT_EQ(s->sense_key, 0x05);
  EXPECT_EQ(s->ata->error, 0x04);
  EXPECT_EQ(s->ata->status, 0x53);
  EXPECT_TRUE(s->ata->aborted());
  EXPECT_NE(describe_sense(*s).find("ILLEGAL REQUEST"), std::string::npos);
}

TEST(AtaSense, ReadsOlderLibataRegistersFromTheEighteenBytesTheKernelReports) {
  // SG_IO's sb_len_wr is 18 for fixed-format sense: the registers at 8-11 are inside, found by the
  // VM test, where a QEMU disk's answer came back in exactly 18 bytes.
  const auto sb = load_purge_fixture("sense_fixed_libata_dco_aborted.txt");
  const auto s = decode_sense(std::span(sb).first(18));
  ASSERT_TRUE(s && s->ata);
  EXPECT_EQ(s->ata->status, 0x53);
  EXPECT_TRUE(s->ata->aborted());
}

TEST(AtaSense, ReportsLost48BitRegistersOfFixedFormat) {
  auto sb = load_purge_fixture("sense_fixed_sat_check_power.txt");
  sb[8] = 0xA0; // EXTEND and LBA UPPER NONZERO: READ NATIVE MAX EXT's answer would be truncated
  const auto s = decode_sense(sb);
  ASSERT_TRUE(s && s->ata);
  EXPECT_TRUE(s->ata->upper_bytes_lost);
}

TEST(AtaSense, Decodes48BitDescriptorRegisters) {
  // A READ NATIVE MAX ADDRESS EXT answer for 7814037168 sectors (max LBA 1_D1C0_BEAFh).
  const std::vector<std::uint8_t> sb{0x72, 0x01, 0x00, 0x1D, 0,    0,    0,    0x0E,
                                     0x09, 0x0C, 0x01, 0x00, 0x00, 0x00, 0xD1, 0xAF,
                                     0x01, 0xBE, 0x00, 0xC0, 0x40, 0x50};
  const auto s = decode_sense(sb);
  ASSERT_TRUE(s && s->ata);
  EXPECT_EQ(s->ata->lba, 0x1D1C0BEAFU);
  EXPECT_EQ(ata_max_lba_from(*s->ata, true), 7814037167U);
}

TEST(AtaSense, RejectsShortOrUnknownSense) {
  EXPECT_FALSE(decode_sense(std::vector<std::uint8_t>{0x72, 0x01}));
  EXPECT_FALSE(decode_sense(std::vector<std::uint8_t>(18, 0x00)));
  // A descriptor whose length runs past the buffer is ignored, not read out of bounds.
  const std::vector<std::uint8_t> truncated{0x72, 0x01, 0x00, 0x1D, 0,   0,
                                            0,    0x0E, 0x09, 0x0C, 0x00};
  const auto s = decode_sense(truncated);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->ata);
}

TEST(AtaSanitizeStatus, DecodesProgressCompletionAndFrozenBits) {
  AtaRegisters r;
  r.count = 0x4000;
  r.lba = 0x8000;
  auto s = decode_sanitize_status(r);
  EXPECT_TRUE(s.in_progress);
  EXPECT_DOUBLE_EQ(s.progress, 0.5);
  r.count = 0x8000;
  EXPECT_TRUE(decode_sanitize_status(r).completed_without_error);
  r.count = 0x2000;
  EXPECT_TRUE(decode_sanitize_status(r).frozen);
  r.status = 0x51;
  r.error = 0x04;
  r.lba = 0x03;
  s = decode_sanitize_status(r);
  ASSERT_TRUE(s.failure_reason);
  EXPECT_EQ(sanitize_failure_text(*s.failure_reason), "the drive is in the sanitize frozen state");
}

} // namespace
} // namespace atelier::imager
