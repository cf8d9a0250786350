// `atelier image --device` on REAL loop devices (root): a disk "in a dock" is refused when mounted,
// with a wrong serial, or when the profile or its image is missing (and then nothing is written);
// a full run leaves a signed erasure record that `atelier cert verify` accepts, an imaging record,
// the unit moved along its lifecycle, and a partitioned disk with the tailored files on it. The
// test image has no kernel, so GRUB is skipped (--no-bootloader); the VM tests boot real images.
#include "cli/cli.h"
#include "hardware-db/registry.h"
#include "support/loop_device.h"
#include "support/temp_dir.h"

#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using atelier::cli::run_cli;
using atelier::imager::test::LoopDevice;
using atelier::imager::test::MountPoint;
using atelier::imager::test::must_run;
using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr std::uint64_t k_mib = 1ULL << 20U;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

class ImageDevice : public ::testing::Test {
protected:
  void SetUp() override {
    if (auto missing = atelier::imager::test::loop_support_missing()) {
      GTEST_SKIP() << *missing;
    }
    ASSERT_EQ(run({"db", "init"}).status, 0);
    const CliRun added = run({"units", "add", "--vendor", "HP", "--model", "ProDesk 400 G1",
                              "--serial", "CZC0000001", "--json"});
    ASSERT_EQ(added.status, 0) << added.err;
    m_tag = json::parse(added.out).at("tag");
    build_archive();
    write_profile("dock-family", "rootfs.tar.zst", m_sha256);
  }

  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", m_db, "--actor", "cli:test"});
    std::ostringstream out, err;
    const int status = run_cli(args, out, err);
    return {status, out.str(), err.str()};
  }

  // The command as a technician types it, with the test's directories.
  CliRun image(const std::string& device, const std::string& serial,
               std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"image",
                                  "--device",
                                  device,
                                  "--profile",
                                  "dock-family",
                                  "--tag",
                                  m_tag,
                                  "--confirm-serial",
                                  serial,
                                  "--profiles",
                                  m_profiles.string(),
                                  "--images",
                                  m_images.string(),
                                  "--key-dir",
                                  m_keys.string(),
                                  "--no-bootloader"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }

  // A small root tree with what tailoring edits, packed as the profile's image.
  void build_archive() {
    const fs::path r = m_dir / "rootfs";
    const std::string q = "'" + r.string() + "'";
    must_run("mkdir -p " + q + "/etc/default " + q + "/etc/skel " + q + "/var/lib/dbus " + q +
             "/usr/bin");
    std::ofstream(r / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
    std::ofstream(r / "etc/group") << "root:x:0:\nsudo:x:27:\naudio:x:29:\nusers:x:100:\n";
    std::ofstream(r / "etc/shadow") << "root:*:19000:0:99999:7:::\n";
    std::ofstream(r / "etc/gshadow") << "root:*::\nsudo:*::\naudio:*::\nusers:*::\n";
    std::ofstream(r / "etc/machine-id") << "0123456789abcdef0123456789abcdef\n";
    std::ofstream(r / "etc/hosts") << "127.0.0.1\tlocalhost\n127.0.1.1\tbuildhost\n";
    std::ofstream(r / "etc/default/keyboard") << "XKBMODEL=\"pc105\"\nXKBLAYOUT=\"us\"\n";
    std::ofstream(r / "etc/fstab") << "# UNCONFIGURED FSTAB\n";
    fs::create_directories(m_images);
    const fs::path archive = m_images / "rootfs.tar.zst";
    must_run("tar --numeric-owner -C " + q + " -cf - . | zstd -q -f -o '" + archive.string() + "'");
    m_sha256 = must_run("sha256sum '" + archive.string() + "' | cut -d' ' -f1");
  }

  void write_profile(const std::string& name, const std::string& source, const std::string& sha256,
                     const std::string& hdd_methods = "\"zero\"") {
    fs::create_directories(m_profiles);
    std::ofstream(m_profiles / (name + ".toml"))
        << "[profile]\nname = \"" << name << "\"\ndescription = \"dock test\"\n"
        << "[image]\nsource = \"" << source << "\"\nformat = \"rootfs-archive\"\n"
        << (sha256.empty() ? "" : "sha256 = \"" + sha256 + "\"\n")
        << "[partitioning]\nscheme = \"auto\"\nswap = \"none\"\nfilesystem = \"ext4\"\n"
        << "[tailoring]\nhostname = \"atelier-{tag}\"\nlocale = \"fr_FR.UTF-8\"\nkeyboard = "
           "\"fr\"\n"
        << "timezone = \"Europe/Paris\"\n"
        << "[tailoring.account]\nmode = \"preset\"\nusername = \"famille\"\npassword = \"s3cret\"\n"
        << "[[tailoring.files]]\npath = \"/etc/skel/Bienvenue.txt\"\ncontent = \"Bienvenue\\n\"\n"
        << "[wipe]\nhdd = [" << hdd_methods << "]\nverify = \"full\"\n";
  }

  // Something recognisable on the disk, to prove that a refusal wrote nothing.
  static void mark(const LoopDevice& loop) {
    must_run("printf 'DONOR-DATA' | dd of='" + loop.path() +
             "' bs=1 seek=1048576 conv=notrunc status=none");
    must_run("sync");
  }
  static bool still_marked(const LoopDevice& loop) {
    return must_run("dd if='" + loop.path() + "' bs=1 skip=1048576 count=10 status=none") ==
           "DONOR-DATA";
  }

  // The database as the pipeline leaves a graded machine: its unit `tested`.
  void move_unit_to_tested() {
    auto registry = registry_of_test();
    auto unit = registry.find(m_tag);
    ASSERT_TRUE(unit.has_value());
    auto moved = registry.transition(*unit, atelier::hwdb::UnitState::inventoried, "test",
                                     "inventory taken");
    ASSERT_TRUE(moved.has_value()) << moved.error().message;
    moved = registry.transition(*moved, atelier::hwdb::UnitState::tested, "test", "graded B");
    ASSERT_TRUE(moved.has_value()) << moved.error().message;
  }
  atelier::hwdb::Registry registry_of_test() {
    auto store = atelier::hwdb::open_store(m_db);
    if (!store) {
      throw std::runtime_error(store.error().message);
    }
    return atelier::hwdb::Registry(std::move(*store), m_clock);
  }

  atelier::testing::TempDir m_dir;
  std::string m_db = (m_dir / "atelier.db").string();
  fs::path m_profiles = m_dir / "profiles";
  fs::path m_images = m_dir / "images";
  fs::path m_keys = m_dir / "keys";
  std::string m_tag;
  std::string m_sha256;
  atelier::base::SystemClock m_clock;
};

// The whole job: erased, signed, filed, imaged, tailored; the certificate verifies offline.
TEST_F(ImageDevice, WipesImagesAndFilesAVerifiableSignedRecord) {
  move_unit_to_tested();
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  mark(loop);
  const CliRun r =
      image(loop.path(), loop.file().string(),
            {"--firmware", "bios", "--json", "--cert-out", (m_dir / "cert.json").string()});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_THAT(r.err, HasSubstr("disk " + loop.path())); // the identity is shown before the wipe
  const json summary = json::parse(r.out);
  EXPECT_EQ(summary["erasure"]["result"], "erased");
  EXPECT_EQ(summary["erasure"]["method"], "zero");
  EXPECT_EQ(summary["imaging"]["result"], "imaged");
  EXPECT_EQ(summary["imaging"]["hostname"], "atelier-" + lower(m_tag)); // hostnames are lower case
  EXPECT_EQ(summary["imaging"]["image_sha256"], m_sha256);
  EXPECT_EQ(summary["state"], "imaged"); // tested → wiped → imaged, as the pipeline moves it
  EXPECT_FALSE(still_marked(loop));

  // The certificate: from the file written, and from the database, both valid with the key.
  const std::string pem = (m_dir / "workshop.pem").string();
  ASSERT_EQ(run({"cert", "key", "export", "--key-dir", m_keys.string(), "--out", pem}).status, 0);
  const CliRun verified =
      run({"cert", "verify", (m_dir / "cert.json").string(), "--key", pem, "--db", m_db});
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("VALID erasure certificate"));
  EXPECT_THAT(verified.out, HasSubstr("identical to the record filed against " + m_tag));
  const std::string record_id = summary["erasure"]["record_id"];
  const CliRun listed = run({"cert", "list", m_tag, "--json"});
  EXPECT_THAT(listed.out, HasSubstr(record_id));

  // The disk: an MBR with one Linux root partition, and the tailored system on it.
  const json table = json::parse(must_run("sfdisk --json " + loop.path()))["partitiontable"];
  EXPECT_EQ(table["label"], "dos");
  ASSERT_FALSE(table["partitions"].empty());
  const std::string root = table["partitions"].back()["node"];
  MountPoint mounted(root, m_dir / "mnt");
  EXPECT_EQ(slurp(mounted.dir() / "etc/hostname"), "atelier-" + lower(m_tag) + "\n");
  EXPECT_EQ(slurp(mounted.dir() / "etc/skel/Bienvenue.txt"), "Bienvenue\n");
  EXPECT_THAT(slurp(mounted.dir() / "etc/fstab"), HasSubstr("UUID="));

  // The imaging record is stored against the unit, with the deploy's own record as detail.
  auto registry = registry_of_test();
  auto unit = registry.find(m_tag);
  ASSERT_TRUE(unit.has_value());
  auto records = registry.store().imaging_records(unit->id);
  ASSERT_TRUE(records.has_value());
  ASSERT_EQ(records->size(), 1U);
  EXPECT_EQ(records->front().result, "imaged");
  EXPECT_EQ(records->front().profile, "dock-family");
  EXPECT_EQ(records->front().image_sha256, m_sha256);
  EXPECT_EQ(json::parse(records->front().detail)["partitions"].size(), table["partitions"].size());
  const CliRun history = run({"units", "history", m_tag});
  EXPECT_THAT(history.out, HasSubstr("erased and verified in a dock"));
}

// A unit the lifecycle cannot move to `wiped` (not yet graded) keeps its state; the records are
// filed all the same, and the summary says why the state did not move.
TEST_F(ImageDevice, LeavesAnUngradedUnitInItsStateAndSaysSo) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  const CliRun r = image(loop.path(), loop.file().string(), {"--firmware", "bios"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr(m_tag + " stays detected"));
  EXPECT_THAT(run({"cert", "list", m_tag}).out, HasSubstr("erased"));
}

// The disk is laid out for the machine it goes into: the firmware its registration recorded.
TEST_F(ImageDevice, TakesTheFirmwareFromTheUnitsInventory) {
  {
    auto registry = registry_of_test();
    auto unit = registry.find(m_tag);
    ASSERT_TRUE(unit.has_value());
    atelier::hwdb::InventorySnapshot snapshot;
    snapshot.unit_id = unit->id;
    snapshot.taken_at = m_clock.wall_seconds();
    snapshot.schema = "atelier.inventory/1";
    snapshot.raw_json = R"({"firmware": {"type": "uefi"}})";
    snapshot.firmware = "uefi";
    ASSERT_TRUE(registry.store().add_inventory(snapshot).has_value());
  }
  LoopDevice loop(m_dir / "disk.img", 700 * k_mib, "-P");
  const CliRun r = image(loop.path(), loop.file().string(), {"--json"});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_EQ(json::parse(r.out)["imaging"]["firmware"], "uefi");
  EXPECT_EQ(json::parse(must_run("sfdisk --json " + loop.path()))["partitiontable"]["label"],
            "gpt");
}

// A disk that cannot be erased is never imaged: its record is kept unsigned as evidence, the
// command exits 1, and the unit's state does not move.
TEST_F(ImageDevice, AFailedWipeIsFiledUnsignedAndNothingIsInstalled) {
  move_unit_to_tested();
  atelier::imager::test::UnwritableRangeDevice disk(m_dir / "tmpfs", 8U << 20, 4U << 20, 5U << 20,
                                                    atelier::imager::test::LoopRequests::one_page);
  if (const auto broken = disk.broken_precondition()) {
    FAIL() << "set-up: " << *broken;
  }
  const CliRun r =
      image(disk.path(), (m_dir / "tmpfs/disk.img").string(), {"--firmware", "bios", "--json"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the wipe FAILED"));
  const json summary = json::parse(r.out);
  EXPECT_EQ(summary["erasure"]["result"], "failed");
  EXPECT_EQ(summary["erasure"]["signed_by"], "");
  EXPECT_FALSE(summary.contains("imaging"));
  EXPECT_EQ(summary["state"], "tested");
  EXPECT_THAT(run({"cert", "list", m_tag}).out, HasSubstr("not signed"));
  auto registry = registry_of_test();
  auto unit = registry.find(m_tag);
  ASSERT_TRUE(unit.has_value());
  EXPECT_TRUE(registry.store().imaging_records(unit->id)->empty());
}

// Firmware commands are not sent through a dock; a policy without an overwrite is refused whole.
TEST_F(ImageDevice, RefusesAPolicyWithoutOverwriteForTheMedia) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  mark(loop);
  write_profile("dock-family", "rootfs.tar.zst", m_sha256, "\"ata-secure-erase\"");
  const CliRun r = image(loop.path(), loop.file().string(), {"--firmware", "bios"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("allows no overwrite for hdd disks"));
  EXPECT_TRUE(still_marked(loop));
}

// --device names the disk to image; with `build` it would be ambiguous.
TEST_F(ImageDevice, BuildWithDeviceIsAUsageError) {
  EXPECT_EQ(
      run({"image", "--device", "/dev/loop0", "build", (m_profiles / "dock-family.toml").string()})
          .status,
      2);
}

// A mounted disk is never written, whatever the serial says.
TEST_F(ImageDevice, RefusesAMountedDiskAndWritesNothing) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  must_run("mkfs.ext4 -q -F '" + loop.path() + "'");
  MountPoint mounted(loop.path(), m_dir / "mnt");
  std::ofstream(mounted.dir() / "donor.txt") << "family photos\n";
  const CliRun r = image(loop.path(), loop.file().string(), {"--firmware", "bios"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("mounted"));
  EXPECT_EQ(slurp(mounted.dir() / "donor.txt"), "family photos\n");
  EXPECT_THAT(run({"cert", "list", m_tag}).out, ::testing::Not(HasSubstr("erased")));
}

// The serial is the technician's proof of which disk they mean.
TEST_F(ImageDevice, RefusesAWrongSerialAndWritesNothing) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  mark(loop);
  const CliRun r = image(loop.path(), "WD-WRONG-SERIAL", {"--firmware", "bios"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("WD-WRONG-SERIAL"));
  EXPECT_TRUE(still_marked(loop));
}

TEST_F(ImageDevice, RefusesAnUnknownProfileNamingTheOnesThere) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  mark(loop);
  std::vector<std::string> args{
      "image", "--device",         loop.path(),          "--profile",  "no-such",          "--tag",
      m_tag,   "--confirm-serial", loop.file().string(), "--profiles", m_profiles.string()};
  const CliRun r = run(args);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("no profile named \"no-such\""));
  EXPECT_THAT(r.err, HasSubstr("dock-family"));
  EXPECT_TRUE(still_marked(loop));
}

TEST_F(ImageDevice, RefusesAMissingImageBeforeTheWipe) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  mark(loop);
  fs::remove(m_images / "rootfs.tar.zst");
  const CliRun r = image(loop.path(), loop.file().string(), {"--firmware", "bios"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("the image of profile \"dock-family\" is missing"));
  EXPECT_TRUE(still_marked(loop));
}

TEST_F(ImageDevice, RefusesAProfileWithoutImageChecksum) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  write_profile("dock-family", "rootfs.tar.zst", "");
  const CliRun r = image(loop.path(), loop.file().string(), {"--firmware", "bios"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("names no image sha256"));
}

// The server's own firmware says nothing about the machine the disk goes into.
TEST_F(ImageDevice, AsksForTheFirmwareWhenTheUnitHasNoInventory) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  mark(loop);
  const CliRun r = image(loop.path(), loop.file().string());
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("--firmware bios or --firmware uefi"));
  EXPECT_TRUE(still_marked(loop));
}

TEST_F(ImageDevice, RefusesAnUnknownTag) {
  LoopDevice loop(m_dir / "disk.img", 512 * k_mib, "-P");
  std::vector<std::string> args{"image",          "--device",          loop.path(),
                                "--profile",      "dock-family",       "--tag",
                                "AT-9999-9",      "--confirm-serial",  loop.file().string(),
                                "--profiles",     m_profiles.string(), "--images",
                                m_images.string()};
  const CliRun r = run(args);
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("AT-9999"));
}

TEST_F(ImageDevice, WithoutDeviceOrSubcommandIsAUsageError) {
  EXPECT_EQ(run({"image"}).status, 2);
  EXPECT_EQ(run({"image", "--device", "/dev/loop0"}).status, 2);
}

} // namespace
