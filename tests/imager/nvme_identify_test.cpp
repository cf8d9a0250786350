// NVMe Identify / Sanitize log parsers on captures from real drives, and the admin command
// encoders.
#include "imager/purge/nvme_commands.h"
#include "imager/purge/nvme_identify.h"
#include "purge_fixtures.h"

#include <gtest/gtest.h>

namespace atelier::imager {
namespace {

using test::load_purge_fixture;

TEST(NvmeIdentifyController, ReadsIdentityAndEraseCapabilitiesOfAPm1733) {
  const auto c = parse_nvme_identify_controller(load_purge_fixture("samsung_pm1733.id-ctrl.txt"));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->vid, 0x144D);
  EXPECT_EQ(c->ssvid, 0x144D);
  EXPECT_EQ(c->serial, "S5L0NYZM9A0014");
  EXPECT_EQ(c->model, "ABCDEFGHIJKL-000GG");
  EXPECT_EQ(c->firmware, "MPKD0P21");
  EXPECT_EQ(c->version, 0x00010300U);
  EXPECT_EQ(c->namespaces, 8U);
  EXPECT_EQ(c->total_capacity_bytes, 3840755982336ULL); // nvme-cli: tnvmcap 3840755982336
  EXPECT_EQ(c->sanicap, 0x3U);                          // nvme-cli: sanicap 0x3
  EXPECT_TRUE(c->sanitize_crypto());
  EXPECT_TRUE(c->sanitize_block());
  EXPECT_FALSE(c->sanitize_overwrite());
  EXPECT_TRUE(c->format_supported());       // OACS 02FFh
  EXPECT_TRUE(c->crypto_erase_supported()); // FNA 04h
  EXPECT_FALSE(c->format_applies_to_all());
}

TEST(NvmeIdentifyController, ReadsQemusEmulatedController) {
  // Captured in the purge VM test: Format NVM without crypto erase, no Sanitize.
  const auto c = parse_nvme_identify_controller(load_purge_fixture("qemu_nvme.id-ctrl.txt"));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->vid, 0x1B36); // Red Hat, Inc. (QEMU)
  EXPECT_EQ(c->serial, "ATELIER-NVME-0001");
  EXPECT_EQ(c->model, "QEMU NVMe Ctrl");
  EXPECT_EQ(c->firmware, "7.2.22");
  EXPECT_EQ(c->version, 0x00010400U);
  EXPECT_TRUE(c->format_supported());
  EXPECT_FALSE(c->crypto_erase_supported());
  EXPECT_FALSE(c->sanitize_supported());
  const auto ns = parse_nvme_identify_namespace(load_purge_fixture("qemu_nvme.id-ns.txt"));
  ASSERT_TRUE(ns) << ns.error();
  EXPECT_EQ(ns->size_bytes(), 64U << 20U);
  EXPECT_EQ(ns->formats.size(), 8U);
  EXPECT_EQ(ns->block_bytes(), 512U);
}

TEST(NvmeIdentifyController, RejectsShortAndEmptyData) {
  const auto bytes = load_purge_fixture("samsung_pm1733.id-ctrl.txt");
  EXPECT_FALSE(parse_nvme_identify_controller(std::span(bytes).first(4095)));
  EXPECT_FALSE(parse_nvme_identify_controller(std::vector<std::uint8_t>(4096, 0)));
}

TEST(NvmeIdentifyNamespace, ReadsSizeAndTheCurrentLbaFormat) {
  const auto ns = parse_nvme_identify_namespace(load_purge_fixture("samsung_nvme.id-ns.txt"));
  ASSERT_TRUE(ns) << ns.error();
  EXPECT_EQ(ns->size_blocks, 0x40000U);
  EXPECT_EQ(ns->capacity_blocks, 0x40000U);
  ASSERT_EQ(ns->formats.size(), 2U);
  EXPECT_EQ(ns->formats[0].data_bytes, 512U);
  EXPECT_EQ(ns->formats[0].relative_performance, 2);
  EXPECT_EQ(ns->formats[1].data_bytes, 4096U);
  EXPECT_EQ(ns->format_index, 1);
  EXPECT_TRUE(ns->metadata_extended); // FLBAS 11h
  EXPECT_EQ(ns->block_bytes(), 4096U);
  EXPECT_EQ(ns->size_bytes(), 0x40000ULL * 4096);
}

TEST(NvmeIdentifyNamespace, RejectsAnInvalidCurrentFormatAndInactiveNamespaces) {
  auto bytes = load_purge_fixture("samsung_nvme.id-ns.txt");
  bytes[26] = 0x05; // FLBAS points past NLBAF
  EXPECT_FALSE(parse_nvme_identify_namespace(bytes));
  bytes = load_purge_fixture("samsung_nvme.id-ns.txt");
  std::fill(bytes.begin(), bytes.begin() + 8, 0); // NSZE 0
  EXPECT_FALSE(parse_nvme_identify_namespace(bytes));
}

TEST(NvmeSanitizeLog, ReadsACompletedBlockErase) {
  const auto log = parse_nvme_sanitize_log(load_purge_fixture("sanitize_log_block_erase.txt"));
  ASSERT_TRUE(log) << log.error();
  EXPECT_EQ(log->progress, 0xFFFF);
  EXPECT_EQ(log->state(), NvmeSanitizeLog::State::completed);
  EXPECT_TRUE(log->global_data_erased());
  EXPECT_EQ(log->action(), 2);
  EXPECT_FALSE(log->estimate_block_erase_s); // FFFFFFFFh: no time period reported
  EXPECT_FALSE(log->estimate_crypto_erase_s);
}

TEST(NvmeSanitizeLog, ReadsACompletedCryptoEraseWithItsCommandBits) {
  const auto log = parse_nvme_sanitize_log(load_purge_fixture("sanitize_log_crypto_erase.txt"));
  ASSERT_TRUE(log);
  EXPECT_EQ(log->action(), 4);
  EXPECT_EQ(log->command_dword10 & 0x8U, 0x8U);     // AUSE
  EXPECT_EQ(log->command_dword10 & 0x200U, 0x200U); // No-Deallocate After Sanitize
  EXPECT_EQ(to_string(log->state()), "completed");
}

TEST(NvmeSanitizeLog, ReadsProgressAndEstimates) {
  std::vector<std::uint8_t> bytes(512, 0);
  bytes[0] = 0x00;
  bytes[1] = 0x40;  // SPROG 4000h: a quarter done
  bytes[2] = 0x02;  // in progress
  bytes[12] = 0x58; // ETBE 600 s
  bytes[13] = 0x02;
  const auto log = parse_nvme_sanitize_log(bytes);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->state(), NvmeSanitizeLog::State::in_progress);
  EXPECT_EQ(log->progress, 0x4000);
  EXPECT_EQ(log->estimate_block_erase_s, 600U);
  EXPECT_EQ(log->estimate_overwrite_s, 0U); // 0 is an estimate: done with the command
  EXPECT_FALSE(parse_nvme_sanitize_log(std::span(bytes).first(511)));
}

TEST(NvmeCommands, EncodeIdentifyLogAndSanitize) {
  EXPECT_EQ(nvme_identify_controller().cdw10, 1U);
  EXPECT_EQ(nvme_identify_namespace(3).nsid, 3U);
  const auto log = nvme_get_sanitize_log();
  EXPECT_EQ(log.opcode, 0x02);
  EXPECT_EQ(log.cdw10, 0x007F0081U); // LID 81h, 128 dwords
  EXPECT_EQ(log.data_bytes, 512U);
  EXPECT_EQ(nvme_sanitize(NvmeSanitizeAction::crypto_erase).cdw10, 4U);
  EXPECT_EQ(nvme_sanitize(NvmeSanitizeAction::block_erase).cdw10, 2U);
  const auto overwrite = nvme_sanitize(NvmeSanitizeAction::overwrite, 0x5A5A5A5A);
  EXPECT_EQ(overwrite.cdw10, 0x13U); // SANACT 3, OWPASS 1
  EXPECT_EQ(overwrite.cdw11, 0x5A5A5A5AU);
  EXPECT_EQ(nvme_command_name(overwrite), "Sanitize (overwrite)");
}

TEST(NvmeCommands, FormatKeepsTheNamespaceLayoutAndSetsSes) {
  const auto ns = parse_nvme_identify_namespace(load_purge_fixture("samsung_nvme.id-ns.txt"));
  ASSERT_TRUE(ns);
  const auto crypto = nvme_format(8, *ns, NvmeSecureErase::cryptographic);
  EXPECT_EQ(crypto.opcode, 0x80);
  EXPECT_EQ(crypto.nsid, 8U);
  EXPECT_EQ(crypto.cdw10, 0x411U); // LBAF 1, MSET, SES 2
  EXPECT_EQ(nvme_format(8, *ns, NvmeSecureErase::user_data).cdw10, 0x211U);
}

TEST(NvmeStatus, DescribesTheCommonFailures) {
  EXPECT_EQ(describe_nvme_status(0x0002), "Invalid Field in Command (SCT 0h, SC 02h)");
  EXPECT_EQ(describe_nvme_status(0x401D), "Sanitize In Progress (SCT 0h, SC 1Dh)");
  EXPECT_TRUE(decode_nvme_status(0x401D).do_not_retry);
  EXPECT_EQ(describe_nvme_status(0x010A), "Invalid Format (SCT 1h, SC 0Ah)");
}

} // namespace
} // namespace atelier::imager
