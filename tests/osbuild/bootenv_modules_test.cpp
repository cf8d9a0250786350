// Which kernel modules the boot environment ships, and in which order init loads them.
#include "osbuild/bootenv_modules.h"

#include <cstdint>
#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::osbuild {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::string_literals;

// A modules.dep excerpt in depmod's format, as a 6.1 Debian kernel's would read.
constexpr std::string_view k_modules_dep =
    R"(kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
# comment lines are ignored

kernel/drivers/usb/storage/usb-storage.ko: kernel/drivers/usb/core/usbcore.ko kernel/drivers/usb/common/usb-common.ko kernel/drivers/scsi/scsi_mod.ko
kernel/drivers/usb/core/usbcore.ko: kernel/drivers/usb/common/usb-common.ko
kernel/drivers/usb/common/usb-common.ko:
kernel/drivers/scsi/scsi_mod.ko: kernel/drivers/scsi/scsi_common.ko
kernel/drivers/scsi/scsi_common.ko:
kernel/drivers/nvme/host/nvme.ko: kernel/drivers/nvme/host/nvme-core.ko
kernel/drivers/nvme/host/nvme-core.ko:
)";

ModuleGraph fixture_graph() {
  auto graph = parse_modules_dep(k_modules_dep);
  EXPECT_TRUE(graph.has_value());
  graph->builtin =
      parse_modules_builtin("kernel/net/packet/af_packet.ko\nkernel/drivers/virtio/virtio.ko\n");
  return *graph;
}

TEST(ModuleNames, DashAndUnderscoreAreTheSameCharacter) {
  EXPECT_EQ(canonical_module_name("usb-storage"), "usb_storage");
  EXPECT_EQ(module_name_from_path("kernel/drivers/nvme/host/nvme-core.ko"), "nvme_core");
  EXPECT_EQ(module_name_from_path("kernel/drivers/net/virtio_net.ko.xz"), "virtio_net");
}

TEST(ModulesDep, ParsesPathsAndDependencies) {
  const auto graph = fixture_graph();
  ASSERT_TRUE(graph.modules.contains("usb_storage"));
  EXPECT_EQ(graph.modules.at("usb_storage").path, "kernel/drivers/usb/storage/usb-storage.ko");
  EXPECT_THAT(graph.modules.at("usb_storage").depends,
              ElementsAre("usbcore", "usb_common", "scsi_mod"));
  EXPECT_TRUE(graph.modules.at("failover").depends.empty());
  EXPECT_EQ(graph.modules.size(), 10U);
}

TEST(ModulesDep, LineWithoutColonIsAnErrorWithItsNumber) {
  const auto graph = parse_modules_dep("a.ko:\nkernel/broken.ko kernel/x.ko\n");
  ASSERT_FALSE(graph.has_value());
  EXPECT_THAT(graph.error(), HasSubstr("line 2"));
}

TEST(ModulesDep, FormatRoundTripsAndIsSorted) {
  const auto graph = fixture_graph();
  const std::string text = format_modules_dep(graph);
  EXPECT_TRUE(
      text.starts_with("kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"));
  auto again = parse_modules_dep(text);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(format_modules_dep(*again), text);
}

TEST(ModuleClosure, DependenciesComeBeforeWhatNeedsThem) {
  const auto closure = resolve_modules(fixture_graph(), {"virtio_net", "usb-storage"});
  ASSERT_TRUE(closure.has_value()) << closure.error();
  EXPECT_THAT(
      closure->load_order,
      ElementsAre("kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko",
                  "kernel/drivers/net/virtio_net.ko", "kernel/drivers/usb/common/usb-common.ko",
                  "kernel/drivers/usb/core/usbcore.ko", "kernel/drivers/scsi/scsi_common.ko",
                  "kernel/drivers/scsi/scsi_mod.ko", "kernel/drivers/usb/storage/usb-storage.ko"));
}

TEST(ModuleClosure, SharedDependencyIsLoadedOnce) {
  const auto closure = resolve_modules(fixture_graph(), {"nvme", "nvme_core", "nvme-core"});
  ASSERT_TRUE(closure.has_value());
  EXPECT_THAT(closure->load_order, ElementsAre("kernel/drivers/nvme/host/nvme-core.ko",
                                               "kernel/drivers/nvme/host/nvme.ko"));
}

TEST(ModuleClosure, BuiltinNamesNeedNoFile) {
  const auto closure = resolve_modules(fixture_graph(), {"af_packet", "virtio"});
  ASSERT_TRUE(closure.has_value());
  EXPECT_TRUE(closure->load_order.empty());
  EXPECT_THAT(closure->builtin, ElementsAre("af_packet", "virtio"));
}

TEST(ModuleClosure, MissingModuleIsAnErrorNamingIt) {
  // A typo in modules.list must not silently leave machines without a driver.
  const auto closure = resolve_modules(fixture_graph(), {"nvme", "e1000ee"});
  ASSERT_FALSE(closure.has_value());
  EXPECT_THAT(closure.error(), HasSubstr("e1000ee"));
}

TEST(ModuleClosure, MissingDependencyNamesWhoNeedsIt) {
  auto graph = fixture_graph();
  graph.modules.erase("scsi_common");
  const auto only_usb = resolve_modules(graph, {"usb_storage"});
  ASSERT_FALSE(only_usb.has_value());
  EXPECT_THAT(only_usb.error(), HasSubstr("scsi_common (needed by scsi_mod)"));
}

TEST(ModuleClosure, CycleIsAnError) {
  auto graph = parse_modules_dep("a.ko: b.ko\nb.ko: a.ko\n");
  ASSERT_TRUE(graph.has_value());
  const auto closure = resolve_modules(*graph, {"a"});
  ASSERT_FALSE(closure.has_value());
  EXPECT_THAT(closure.error(), HasSubstr("cycle"));
}

TEST(ModuleClosure, AbsentSoftDependencyIsSkippedPresentOneLoadsFirst) {
  ModuleGraph graph;
  graph.modules["crc32c_generic"] = ModuleNode{"kernel/crypto/crc32c_generic.ko", {}, {}};
  graph.modules["libcrc32c"] =
      ModuleNode{"kernel/lib/libcrc32c.ko", {}, {"crc32c", "crc32c_generic"}};
  const auto closure = resolve_modules(graph, {"libcrc32c"});
  ASSERT_TRUE(closure.has_value()) << closure.error();
  EXPECT_THAT(closure->load_order,
              ElementsAre("kernel/crypto/crc32c_generic.ko", "kernel/lib/libcrc32c.ko"));
}

TEST(ModuleList, CommentsBlankLinesAndDuplicatesAreIgnored) {
  EXPECT_THAT(
      parse_module_list("# storage\nahci\n\nusb-storage  # USB disks\nusb_storage\n  nvme\n"),
      ElementsAre("ahci", "usb_storage", "nvme"));
}

// The smallest ELF64 little-endian file with a .modinfo section: header, the two sections'
// bytes, then the section header table (null, .modinfo, .shstrtab).
std::string make_module_elf(std::string_view modinfo) {
  const std::string shstrtab("\0.modinfo\0.shstrtab\0", 20);
  std::string elf(64, '\0');
  elf.replace(0, 4,
              "\x7f"
              "ELF");
  elf[4] = 2; // 64-bit
  elf[5] = 1; // little-endian
  const std::uint64_t modinfo_offset = elf.size();
  elf += modinfo;
  const std::uint64_t strtab_offset = elf.size();
  elf += shstrtab;
  const std::uint64_t shoff = elf.size();
  auto put = [&elf](std::size_t at, std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) {
      elf[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
    }
  };
  put(0x28, shoff, 8);
  put(0x3A, 64, 2); // e_shentsize
  put(0x3C, 3, 2);  // e_shnum
  put(0x3E, 2, 2);  // e_shstrndx
  elf.append(3 * 64, '\0');
  put(shoff + 64 + 0, 1, 4); // ".modinfo" at offset 1 of shstrtab
  put(shoff + 64 + 24, modinfo_offset, 8);
  put(shoff + 64 + 32, modinfo.size(), 8);
  put(shoff + 128 + 0, 10, 4); // ".shstrtab"
  put(shoff + 128 + 24, strtab_offset, 8);
  put(shoff + 128 + 32, shstrtab.size(), 8);
  return elf;
}

std::span<const std::byte> bytes_of(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(ModInfo, ReadsKeyValuePairsOfTheSection) {
  const std::string info = "license=GPL\0depends=net_failover,failover\0alias=virtio:d00000001v*\0"
                           "softdep=pre: crc32c post: foo\0name=virtio_net\0"s;
  const std::string elf = make_module_elf(info);
  const auto parsed = parse_modinfo(bytes_of(elf));
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  ASSERT_EQ(parsed->size(), 5U);
  EXPECT_EQ((*parsed)[1],
            (std::pair<std::string, std::string>{"depends", "net_failover,failover"}));
  const ModuleNode node = node_from_modinfo("kernel/drivers/net/virtio_net.ko", *parsed);
  EXPECT_THAT(node.depends, ElementsAre("net_failover", "failover"));
  EXPECT_THAT(node.soft, ElementsAre("crc32c"));
}

TEST(ModInfo, EmptyDependsMeansNone) {
  const std::string elf = make_module_elf("depends=\0name=failover\0"s);
  const auto parsed = parse_modinfo(bytes_of(elf));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(node_from_modinfo("failover.ko", *parsed).depends.empty());
}

TEST(ModInfo, TruncatedOrForeignFilesAreErrorsNotCrashes) {
  const std::string elf = make_module_elf("depends=\0"s);
  for (std::size_t size : {std::size_t{0}, std::size_t{10}, std::size_t{64}, elf.size() - 1}) {
    EXPECT_FALSE(parse_modinfo(bytes_of(elf.substr(0, size))).has_value()) << size;
  }
  EXPECT_FALSE(parse_modinfo(bytes_of(std::string(200, 'x'))).has_value());
}

} // namespace
} // namespace atelier::osbuild
