// ChainWatch (daemon/chain_watch.h): a UEFI machine that stopped in Debian's signed chain is named
// in the log once, with what that means. The real firmware refusing shim is in
// tests/vm/pxe_boot_test.sh (OVMF with Secure Boot keys that lack Microsoft's UEFI CA).
#include "daemon/chain_watch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

const ChainWatch::TimePoint k_t0{std::chrono::hours(1)};

TEST(ChainWatch, AShimThatIsNeverFollowedByGrubIsAFirmwareThatRefusedIt) {
  ChainWatch watch(30s);
  watch.sent("shimx64.efi", "198.18.0.60", k_t0);
  EXPECT_THAT(watch.overdue(k_t0 + 29s), IsEmpty());
  const auto lines = watch.overdue(k_t0 + 31s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], HasSubstr("198.18.0.60 received shimx64.efi 31 s ago but never asked for "
                                  "grubx64.efi: its firmware refused Debian's shim"));
  EXPECT_THAT(lines[0], HasSubstr("restore the factory Secure Boot keys"));
  EXPECT_THAT(watch.overdue(k_t0 + 90s), IsEmpty()); // said once
  EXPECT_EQ(watch.watched(), 0U);
}

TEST(ChainWatch, GrubWithoutItsEntryIsAShimThatRefusedGrub) {
  ChainWatch watch(30s);
  watch.sent("shimx64.efi", "198.18.0.61", k_t0);
  watch.sent("/grubx64.efi", "198.18.0.61", k_t0 + 2s);
  const auto lines = watch.overdue(k_t0 + 40s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], HasSubstr("198.18.0.61 received grubx64.efi 38 s ago but never asked for "
                                  "its GRUB entry"));
}

// UEFI HTTP boot: the disk's download is the last thing the server sees before the GRUB entry.
TEST(ChainWatch, AnHttpBootDiskNeverFollowedByTheEntryIsAFirmwareThatRefusedShim) {
  ChainWatch watch(30s);
  watch.sent("/boot/uefi-http-x64.img", "198.18.0.65", k_t0);
  watch.sent("/boot/vmlinuz", "198.18.0.66", k_t0); // iPXE's kernel download: not the chain
  watch.sent("/images/uefi-http-x64.img", "198.18.0.67", k_t0); // only the boot route counts
  const auto lines = watch.overdue(k_t0 + 45s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], HasSubstr("198.18.0.65 downloaded the UEFI HTTP boot disk "
                                  "(uefi-http-x64.img) 45 s ago but never asked for its GRUB "
                                  "entry: its firmware refused Debian's shim"));
  watch.sent("/boot/uefi-http-x64.img", "198.18.0.65", k_t0 + 50s);
  watch.reached_entry("198.18.0.65");
  EXPECT_THAT(watch.overdue(k_t0 + 120s), IsEmpty());
}

// EDK2 tries UEFI HTTP boot right after a PXE boot failed, from the same address: the refused shim
// is said at once, not lost when the disk's download takes its place.
TEST(ChainWatch, AFirmwareThatMovesOnToHttpBootRefusedTheShimItHad) {
  ChainWatch watch(30s);
  watch.sent("shimx64.efi", "198.18.0.68", k_t0);
  watch.sent("/boot/uefi-http-x64.img", "198.18.0.68", k_t0 + 8s);
  auto lines = watch.overdue(k_t0 + 9s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], HasSubstr("198.18.0.68 received shimx64.efi 8 s ago but never asked for "
                                  "grubx64.efi"));
  lines = watch.overdue(k_t0 + 40s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], HasSubstr("198.18.0.68 downloaded the UEFI HTTP boot disk"));
}

TEST(ChainWatch, AMachineThatReachesItsEntryIsNotReportedAndOthersAreKeptApart) {
  ChainWatch watch(30s);
  watch.sent("shimx64.efi", "198.18.0.62", k_t0);
  watch.sent("grubx64.efi", "198.18.0.62", k_t0 + 1s);
  watch.reached_entry("198.18.0.62");
  watch.sent("shimx64.efi", "198.18.0.63", k_t0);
  watch.sent("undionly.kpxe", "198.18.0.64", k_t0); // not the signed chain
  const auto lines = watch.overdue(k_t0 + 60s);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], HasSubstr("198.18.0.63"));
}

} // namespace
} // namespace atelier::daemon
