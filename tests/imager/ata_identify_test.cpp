// IDENTIFY DEVICE and DCO IDENTIFY parsers on captures from real drives
// (tests/data/purge/SOURCES.md).
#include "imager/purge/ata_identify.h"
#include "purge_fixtures.h"

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using test::load_purge_fixture;

TEST(AtaIdentify, ReadsIdentityCapacityAndFrozenSecurityOfASamsung870Qvo) {
  // A current SATA SSD whose BIOS froze its security: the case the volunteer meets most.
  const auto bytes = load_purge_fixture("samsung_870_qvo_4tb.ata.txt");
  const auto id = parse_ata_identify(bytes);
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(id->model, "Samsung SSD 870 QVO 4TB");
  EXPECT_EQ(id->serial, "S5STNF0W706332M");
  EXPECT_EQ(id->firmware, "SVQ02B6Q");
  EXPECT_EQ(id->checksum_valid, true);
  EXPECT_TRUE(id->lba48);
  EXPECT_EQ(id->user_sectors, 7814037168U); // CrystalDiskInfo: "# of Sectors : 7814037168"
  EXPECT_EQ(id->sectors_28bit, 268435455U);
  EXPECT_EQ(id->logical_sector_bytes, 512U);
  EXPECT_EQ(id->physical_sector_bytes, 512U);
  EXPECT_EQ(id->rotation_rate, 1);
  EXPECT_EQ(id->media(), "ssd");
  EXPECT_TRUE(id->trim);
  EXPECT_TRUE(id->security.supported);
  EXPECT_FALSE(id->security.enabled);
  EXPECT_FALSE(id->security.locked);
  EXPECT_TRUE(id->security.frozen);
  EXPECT_TRUE(id->security.enhanced_erase_supported);
  EXPECT_EQ(id->security.normal_erase_estimate, (EraseEstimate{4, false}));
  EXPECT_EQ(id->security.enhanced_erase_estimate, (EraseEstimate{8, false}));
  EXPECT_FALSE(id->sanitize.supported); // word 59 = 0101h: this model has no SANITIZE
  EXPECT_TRUE(id->hpa_supported);
  EXPECT_TRUE(id->dco_supported);
}

TEST(AtaIdentify, ReadsA2006HardDiskWithoutRotationRateOrEstimates) {
  // Older drives leave words 89/90/217 at zero: the parser must say "not reported", not guess.
  const auto id = parse_ata_identify(load_purge_fixture("seagate_st3160023as.ata.txt"));
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(id->model, "ST3160023AS");
  EXPECT_EQ(id->serial, "3JS2KSL3");
  EXPECT_EQ(id->firmware, "3.18");
  EXPECT_EQ(id->user_sectors, 312581808U); // hdparm: "sectors = 312581808"
  EXPECT_EQ(id->user_bytes(), 312581808ULL * 512);
  EXPECT_FALSE(id->rotation_rate);
  EXPECT_EQ(id->media(), "");
  EXPECT_TRUE(id->security.supported);
  EXPECT_FALSE(id->security.frozen);
  EXPECT_FALSE(id->security.enhanced_erase_supported);
  EXPECT_FALSE(id->security.normal_erase_estimate);
  EXPECT_FALSE(id->security.enhanced_erase_estimate);
  EXPECT_TRUE(id->hpa_supported);
  EXPECT_TRUE(id->hpa_enabled);
  EXPECT_TRUE(id->dco_supported);
}

TEST(AtaIdentify, ReadsTheMaxtorOfTheSameReport) {
  const auto id = parse_ata_identify(load_purge_fixture("maxtor_6b200m0.ata.txt"));
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(id->model, "Maxtor 6B200M0");
  EXPECT_EQ(id->serial, "B41RVC2H");
  EXPECT_EQ(id->user_sectors, 398297088U); // hdparm: "sectors = 398297088"
  EXPECT_TRUE(id->security.supported);
  EXPECT_FALSE(id->sanitize.supported);
}

TEST(AtaIdentify, ReadsQemusEmulatedDiskWhichHasNoIntegrityWordAndNoSecurity) {
  // Captured in the purge VM test: QEMU's ide-hd leaves word 255 at zero and offers no security.
  const auto id = parse_ata_identify(load_purge_fixture("qemu_ide_hd.ata.txt"));
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(id->model, "QEMU HARDDISK");
  EXPECT_EQ(id->serial, "ATELIER-ATA-0001");
  EXPECT_EQ(id->firmware, "2.5+");
  EXPECT_EQ(id->user_sectors, 131072U); // 64 MiB
  EXPECT_FALSE(id->checksum_valid);
  EXPECT_FALSE(id->security.supported);
  EXPECT_FALSE(id->sanitize.supported);
  EXPECT_FALSE(id->hpa_supported);
  EXPECT_FALSE(id->rotation_rate);
}

TEST(AtaIdentify, RejectsACorruptedTransferByItsChecksum) {
  auto bytes = load_purge_fixture("samsung_870_qvo_4tb.ata.txt");
  bytes[256] ^= 0x01; // word 128 bit 0 flipped
  const auto id = parse_ata_identify(bytes);
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().find("checksum"), std::string::npos) << id.error();
}

TEST(AtaIdentify, AcceptsDataWithoutIntegrityWordAndSaysSo) {
  auto bytes = load_purge_fixture("seagate_st3160023as.ata.txt");
  bytes[510] = 0;
  bytes[511] = 0; // an ATA-4 drive has no integrity word
  const auto id = parse_ata_identify(bytes);
  ASSERT_TRUE(id) << id.error();
  EXPECT_FALSE(id->checksum_valid);
}

TEST(AtaIdentify, RejectsShortEmptyAndAtapiData) {
  const auto bytes = load_purge_fixture("seagate_st3160023as.ata.txt");
  EXPECT_FALSE(parse_ata_identify(std::span(bytes).first(511)));
  EXPECT_FALSE(parse_ata_identify(std::vector<std::uint8_t>(512, 0x00)));
  EXPECT_FALSE(parse_ata_identify(std::vector<std::uint8_t>(512, 0xFF)));
  auto atapi = bytes;
  atapi[1] = 0x85; // word 0 = 85C0h: a CD-ROM
  atapi[510] = 0;
  const auto id = parse_ata_identify(atapi);
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().find("ATAPI"), std::string::npos) << id.error();
}

// Builds IDENTIFY data word by word for bits no capture at hand sets (sanitize, 4Kn, locked).
std::vector<std::uint8_t>
with_words(std::vector<std::uint8_t> bytes,
           std::initializer_list<std::pair<std::size_t, std::uint16_t>> words) {
  for (const auto& [n, v] : words) {
    bytes[2 * n] = static_cast<std::uint8_t>(v & 0xFF);
    bytes[2 * n + 1] = static_cast<std::uint8_t>(v >> 8);
  }
  bytes[510] = 0xA5;
  unsigned sum = 0;
  for (std::size_t i = 0; i < 511; ++i) {
    sum += bytes[i];
  }
  bytes[511] = static_cast<std::uint8_t>((256U - (sum & 0xFFU)) & 0xFFU);
  return bytes;
}

TEST(AtaIdentify, ReadsSanitizeSubcommandsFromWord59) {
  const auto bytes = with_words(load_purge_fixture("samsung_870_qvo_4tb.ata.txt"), {{59, 0xB401}});
  const auto id = parse_ata_identify(bytes);
  ASSERT_TRUE(id) << id.error();
  EXPECT_TRUE(id->sanitize.supported);
  EXPECT_TRUE(id->sanitize.block_erase);
  EXPECT_FALSE(id->sanitize.overwrite);
  EXPECT_TRUE(id->sanitize.crypto_scramble);
  EXPECT_TRUE(id->sanitize.antifreeze_lock);
}

TEST(AtaIdentify, ReadsLogicalAndPhysicalSectorSizes) {
  // 4096-byte logical sectors (words 117-118 = 2048 words), one per physical sector.
  const auto native4k = with_words(load_purge_fixture("samsung_870_qvo_4tb.ata.txt"),
                                   {{106, 0x5000}, {117, 0x0800}, {118, 0x0000}});
  auto id = parse_ata_identify(native4k);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->logical_sector_bytes, 4096U);
  EXPECT_EQ(id->physical_sector_bytes, 4096U);
  // 512e: 512-byte logical, 8 per physical sector.
  const auto emulated =
      with_words(load_purge_fixture("samsung_870_qvo_4tb.ata.txt"), {{106, 0x6003}});
  id = parse_ata_identify(emulated);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->logical_sector_bytes, 512U);
  EXPECT_EQ(id->physical_sector_bytes, 4096U);
}

TEST(AtaIdentify, RejectsImplausibleSectorSizes) {
  // Found by ata_identify_fuzz: words 117-118 of garbage overflowed the physical sector size.
  const auto huge = with_words(load_purge_fixture("samsung_870_qvo_4tb.ata.txt"),
                               {{106, 0x700F}, {117, 0xFFF8}, {118, 0x0077}});
  const auto id = parse_ata_identify(huge);
  ASSERT_FALSE(id);
  EXPECT_NE(id.error().find("words 117-118"), std::string::npos) << id.error();
  const auto wide = with_words(load_purge_fixture("samsung_870_qvo_4tb.ata.txt"), {{106, 0x600F}});
  EXPECT_FALSE(parse_ata_identify(wide)); // 512 << 15: no such physical sector
}

TEST(AtaIdentify, ReadsLockedAndExpiredSecurityStates) {
  const auto bytes = with_words(load_purge_fixture("samsung_870_qvo_4tb.ata.txt"), {{128, 0x0137}});
  const auto id = parse_ata_identify(bytes);
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->security.enabled);
  EXPECT_TRUE(id->security.locked);
  EXPECT_FALSE(id->security.frozen);
  EXPECT_TRUE(id->security.count_expired);
  EXPECT_TRUE(id->security.master_password_maximum);
}

TEST(AtaIdentify, DecodesEraseEstimatesInBothFormats) {
  EXPECT_FALSE(decode_erase_estimate(0x0000));
  EXPECT_FALSE(decode_erase_estimate(0x8000));
  EXPECT_EQ(decode_erase_estimate(0x0002), (EraseEstimate{4, false}));
  EXPECT_EQ(decode_erase_estimate(0x00FF), (EraseEstimate{510, true}));  // "more than 508 minutes"
  EXPECT_EQ(decode_erase_estimate(0x80B4), (EraseEstimate{360, false})); // extended: 180 units
  EXPECT_EQ(decode_erase_estimate(0xFFFF), (EraseEstimate{65534, true}));
  EXPECT_EQ(decode_erase_estimate(0x7F02), (EraseEstimate{4, false})); // bits 14:8 ignored
}

TEST(DcoIdentify, ReadsTheFactoryMaximumLba) {
  std::vector<std::uint8_t> data(512, 0);
  data = with_words(data, {{0, 0x0002}, {3, 0xBEAF}, {4, 0xD1C0}, {5, 0x0001}});
  const auto dco = parse_dco_identify(data);
  ASSERT_TRUE(dco) << dco.error();
  EXPECT_EQ(dco->revision, 2);
  EXPECT_EQ(dco->maximum_lba, 7814037167U);
  EXPECT_EQ(dco->checksum_valid, true);
}

TEST(DcoIdentify, RejectsEmptyData) {
  // What a drive that aborted the command leaves in the buffer (nwipe issue #444's capture).
  EXPECT_FALSE(parse_dco_identify(std::vector<std::uint8_t>(512, 0)));
}

} // namespace
} // namespace atelier::imager
