// `atelier-imager wipe` as the agent runs it, on image files (nothing here touches a disk): its
// progress lines never hold the wipe when their reader stops reading (issue 14, finding 10).
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

} // namespace
} // namespace atelier::imager
