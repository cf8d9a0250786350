// `atelier-imager wipe` as the agent runs it, on image files (nothing here touches a disk): its
// progress lines never hold the wipe when their reader stops reading (issue 14, finding 10), and
// it asks an ATA disk for hidden areas and removes them before overwriting (finding 5b), through a
// fake pass-through device.
#include "fake_drive.h"
#include "imager/disk/progress.h"
#include "imager/wipe/wipe_command.h"
#include "support/temp_dir.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <future>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace atelier::imager {
namespace {

using namespace std::chrono_literals;
using test::FakeClock;
using test::FakeDrive;

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void make_file(const std::filesystem::path& path, std::uint64_t bytes) {
  std::ofstream out(path, std::ios::binary);
  const std::vector<char> chunk(1 << 20, 'x'); // a previous owner's data
  for (std::uint64_t done = 0; done < bytes; done += chunk.size()) {
    out.write(chunk.data(),
              static_cast<std::streamsize>(std::min<std::uint64_t>(chunk.size(), bytes - done)));
  }
}

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) {
    text.append(buffer, n);
  }
  return text;
}

// A pipe nobody reads, already full: what the wipe's stderr was while the agent's reading thread
// sat in a progress post that never returned.
struct StuckReader {
  int read_end = -1;
  std::FILE* write_end = nullptr;
  std::size_t junk_bytes = 0; // what fills it
  StuckReader() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe2");
    }
    read_end = fds[0];
    ::fcntl(fds[1], F_SETPIPE_SZ, 4096);
    const int flags = ::fcntl(fds[1], F_GETFL);
    ::fcntl(fds[1], F_SETFL, flags | O_NONBLOCK);
    const std::string junk(512, 'j');
    for (ssize_t n; (n = ::write(fds[1], junk.data(), junk.size())) > 0;) {
      junk_bytes += static_cast<std::size_t>(n);
    }
    ::fcntl(fds[1], F_SETFL, flags); // full, and blocking again: a write now waits for a reader
    write_end = ::fdopen(fds[1], "w");
  }
  // Reads everything until the writer closes (unblocks whatever waits on the pipe).
  std::string drain() {
    std::string all;
    char buffer[4096];
    for (ssize_t n; (n = ::read(read_end, buffer, sizeof buffer)) > 0;) {
      all.append(buffer, static_cast<std::size_t>(n));
    }
    return all;
  }
  ~StuckReader() {
    if (write_end != nullptr) {
      std::fclose(write_end);
    }
    ::close(read_end);
  }
};

// Issue 14, finding 10. The wipe's progress sink wrote to stderr under a mutex with a blocking
// fwrite; once its reader stopped reading, the disk's writer blocked inside that write (the wipe
// stood at 44 %), the watchdog gave the disk up after its stall timeout, and the report then waited
// for ever on the mutex the blocked writer held. Now the lines never make anyone wait: the wipe
// completes and the report comes out while the pipe stays full.
TEST(WipeCommand, AReaderThatStopsReadingTheProgressDoesNotHoldTheWipe) {
  testing::TempDir dir;
  const auto image = dir / "disk.img";
  make_file(image, 8U << 20);
  StuckReader err;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  WipeCommandArgs args;
  args.devices = {image.string()};
  args.method = "zero";
  args.verify = "full";
  args.json = true;
  args.progress = "json";
  args.allow_regular_file = true;
  args.stall_timeout_s = 1;
  args.buffer_mib = 1;
  std::promise<WipeCommandResult> finished;
  auto result = finished.get_future();
  std::thread wipe([&] { finished.set_value(run_wipe_command(args, out, err.write_end)); });
  const bool done = result.wait_for(20s) == std::future_status::ready;
  // Reading again lets a held wipe go on (before the fix), so that the test can end either way.
  std::thread unblock([&] { err.drain(); });
  wipe.join();
  std::fclose(std::exchange(err.write_end, nullptr));
  unblock.join();
  ASSERT_TRUE(done) << "the wipe was held by a progress reader that did not read";
  const WipeCommandResult r = result.get();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.abandoned, 0U);
  const auto records = nlohmann::json::parse(contents(out));
  std::fclose(out);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0]["result"], "erased") << records[0].dump(2);
  EXPECT_EQ(records[0]["bytes_written"], 8U << 20);
}

// The lines themselves: what a reader that comes back finds is the newest line of each device.
TEST(ProgressLines, KeepOnlyTheNewestLinePerDeviceWhileTheReaderIsAway) {
  StuckReader reader;
  ProgressLines lines(::fileno(reader.write_end));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) {
    lines.post("/dev/sda", "{\"done_bytes\":" + std::to_string(i) + "}");
    lines.post("/dev/sdb", "{\"done_bytes\":" + std::to_string(2 * i) + "}");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "posting never waits";
  EXPECT_FALSE(lines.flush(50ms)); // nobody reads
  EXPECT_GE(lines.replaced(), 19990U);
  std::string read_back;
  std::thread reading([&] { read_back = reader.drain(); }); // the reader comes back
  EXPECT_TRUE(lines.flush(5s));
  std::fclose(std::exchange(reader.write_end, nullptr));
  reading.join();
  ASSERT_GE(read_back.size(), reader.junk_bytes); // the junk that filled the pipe, then the lines
  const std::string rest = read_back.substr(reader.junk_bytes);
  EXPECT_EQ(rest, "{\"done_bytes\":9999}\n{\"done_bytes\":19998}\n");
}

// A FakeDrive lent to the command (which owns what it opens).
class LentDrive final : public FirmwareEraseDevice {
public:
  explicit LentDrive(FakeDrive& drive) : m_drive(drive) {}
  const std::string& path() const override { return m_drive.path(); }
  PassThrough pass_through() const override { return m_drive.pass_through(); }
  std::string kind() const override { return m_drive.kind(); }
  std::string bus() const override { return m_drive.bus(); }
  std::string media() const override { return m_drive.media(); }
  std::uint32_t nvme_namespace() const override { return m_drive.nvme_namespace(); }
  std::expected<AtaRegisters, DeviceError> ata(const AtaCommand& c, std::span<std::uint8_t> data,
                                               std::chrono::milliseconds timeout) override {
    return m_drive.ata(c, data, timeout);
  }
  std::expected<std::uint32_t, DeviceError> nvme_admin(const NvmeAdminCommand& c,
                                                       std::span<std::uint8_t> data,
                                                       std::chrono::milliseconds timeout) override {
    return m_drive.nvme_admin(c, data, timeout);
  }
  std::expected<void, std::string> rescan_capacity() override { return m_drive.rescan_capacity(); }

private:
  FakeDrive& m_drive;
};

// An ATA disk with a 2 MiB HPA over 4 MiB of media, the media an image file of `file_bytes` (what
// the kernel sees after the reset).
struct HiddenAreaWipe {
  testing::TempDir dir;
  FakeClock clock;
  FakeDrive drive{clock, FakeDrive::Type::ata_hdd};
  WipeCommandArgs args;
  nlohmann::json record;
  int exit_code = -1;

  explicit HiddenAreaWipe(std::uint64_t file_bytes) {
    drive.native_sectors = drive.factory_sectors = 8192;
    drive.visible_sectors = 4096;
    make_file(dir / "disk.img", file_bytes);
    args.devices = {(dir / "disk.img").string()};
    args.json = true;
    args.verify = "full";
    args.allow_regular_file = true;
    args.buffer_mib = 1;
  }
  void run() {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    WipeDevices devices;
    devices.open_firmware = [this](const std::string&) {
      return std::expected<std::unique_ptr<FirmwareEraseDevice>, std::string>(
          std::make_unique<LentDrive>(drive));
    };
    exit_code = run_wipe_command(args, out, err, devices).exit_code;
    const auto records = nlohmann::json::parse(contents(out), nullptr, false);
    if (records.is_array() && records.size() == 1) {
      record = records[0];
    } else {
      ADD_FAILURE() << "no record; stderr: " << contents(err);
    }
    std::fclose(out);
    std::fclose(err);
  }
};

// Issue 14, finding 5b: the overwrite ignored hidden_areas = "reset" and its record said nothing
// was checked. Now an ATA disk is asked first; the HPA goes before the overwrite, which then covers
// the whole native capacity, and the record says what was found and done.
TEST(WipeCommand, RemovesTheHpaOfAnAtaDiskBeforeOverwritingTheWholeDisk) {
  HiddenAreaWipe w(4U << 20);
  w.run();
  ASSERT_EQ(w.exit_code, 0) << w.record.dump(2);
  const auto& hidden = w.record["hidden_areas"];
  EXPECT_EQ(hidden["checked"], true) << hidden.dump();
  EXPECT_EQ(hidden["hpa_present"], true);
  EXPECT_EQ(hidden["dco_present"], false);
  EXPECT_EQ(hidden["reset"], true);
  EXPECT_EQ(hidden["visible_bytes"], 2U << 20);
  EXPECT_EQ(hidden["native_bytes"], 4U << 20);
  EXPECT_TRUE(mentions(hidden["note"], "removed before the erase")) << hidden["note"];
  EXPECT_EQ(w.drive.visible_sectors, 8192U);
  EXPECT_EQ(w.drive.count("SET MAX ADDRESS EXT"), 1U);
  EXPECT_EQ(w.drive.rescans, 1);
  EXPECT_EQ(w.record["size_bytes"], 4U << 20);
  EXPECT_EQ(w.record["bytes_written"], 4U << 20);
}

TEST(WipeCommand, LeavesTheHpaWhenToldToReportAndSaysItWasNotOverwritten) {
  HiddenAreaWipe w(2U << 20);
  w.args.hidden_areas = "report";
  w.run();
  ASSERT_EQ(w.exit_code, 0) << w.record.dump(2);
  const auto& hidden = w.record["hidden_areas"];
  EXPECT_EQ(hidden["checked"], true);
  EXPECT_EQ(hidden["hpa_present"], true);
  EXPECT_EQ(hidden["reset"], false);
  EXPECT_TRUE(mentions(hidden["note"], "NOT erased")) << hidden["note"];
  EXPECT_EQ(w.drive.count("SET MAX ADDRESS EXT"), 0U);
  EXPECT_EQ(w.drive.visible_sectors, 4096U);
}

// The drive removed its HPA but the kernel did not re-read the capacity: the overwrite reaches
// only the old capacity, and the record must not say the hidden area was dealt with.
TEST(WipeCommand, AResetTheKernelDoesNotSeeIsNotReportedAsReset) {
  HiddenAreaWipe w(2U << 20);
  w.run();
  const auto& hidden = w.record["hidden_areas"];
  EXPECT_EQ(hidden["hpa_present"], true);
  EXPECT_EQ(hidden["reset"], false) << hidden.dump();
  EXPECT_TRUE(mentions(hidden["note"], "were NOT overwritten")) << hidden["note"];
}

// A disk that cannot be asked (here an image file, as a virtio or loop disk) is recorded as not
// checked, with why: nothing is guessed.
TEST(WipeCommand, ADiskThatCannotBeAskedIsRecordedAsNotChecked) {
  testing::TempDir dir;
  make_file(dir / "disk.img", 1U << 20);
  WipeCommandArgs args;
  args.devices = {(dir / "disk.img").string()};
  args.json = true;
  args.allow_regular_file = true;
  args.buffer_mib = 1;
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  EXPECT_EQ(run_wipe_command(args, out, err).exit_code, 0) << contents(err);
  const auto records = nlohmann::json::parse(contents(out));
  const auto& hidden = records.at(0)["hidden_areas"];
  EXPECT_EQ(hidden["checked"], false);
  EXPECT_EQ(hidden["hpa_present"], false);
  EXPECT_TRUE(mentions(hidden["note"], "could not be checked")) << hidden["note"];
  std::fclose(out);
  std::fclose(err);
}

} // namespace
} // namespace atelier::imager
