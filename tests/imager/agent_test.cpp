// The agent's parts that can run on the workshop's own machine: the child-process runner, the
// console screen, and the API client against a real HTTP server that is down, then up. (The agent
// loop itself erases disks and runs only in the boot environment: it is tested in the VM tests.)
#include "imager/agent/agent.h"
#include "imager/agent/agent_client.h"
#include "imager/agent/child_process.h"
#include "imager/agent/console_display.h"
#include "imager/agent/progress_poster.h"
#include "imager/purge/purge_command.h"
#include "imager/wipe/wipe_command.h"
#include "pxe/http_server.h"
#include "support/fake_clock.h"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <mutex>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

// GCC 12 reports a false -Wnull-dereference inside CLI11's inlined string splitting at -O2.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace atelier;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ChildProcess, StderrLinesArriveOneByOneAndStdoutIsKept) {
  std::vector<std::string> lines;
  auto r = imager::run_child(
      {"sh", "-c", "echo one >&2; printf 'two\\nthree' >&2; echo '{\"ok\":1}'; exit 3"},
      [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "{\"ok\":1}\n");
  EXPECT_THAT(lines, ElementsAre("one", "two", "three"));
}

// A step that hangs without a word is killed, and the agent lives on to report it.
TEST(ChildProcess, SilentChildIsKilledAfterTheStallTime) {
  auto r = imager::run_child(
      {"sleep", "30"}, {}, {.timeout = std::chrono::seconds(0), .stall = std::chrono::seconds(1)});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
}

TEST(ChildProcess, MissingProgramIsAnError) {
  auto r = imager::run_child({"/nonexistent/atelier-step"}, {});
  EXPECT_FALSE(r && r->exit_code == 0);
}

TEST(ConsoleDisplay, BigTextHasFiveRowsOfBlocks) {
  const auto rows = imager::big_text("AT-1");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_THAT(rows[0], HasSubstr("\u2588"));
  // 4 glyphs of 5 cells and 3 spaces between them, each cell one character.
  std::string expected;
  for (const char c : std::string_view("##### "
                                       "  #   "
                                       " ###  "
                                       "  #  ")) {
    expected += c == '#' ? "\u2588" : " ";
  }
  EXPECT_EQ(rows[2], expected); // A, T, -, 1: middle rows
}

TEST(ConsoleDisplay, ScreenShowsTagStageProgressAndVerdict) {
  imager::ScreenState s;
  s.tag = "AT-0042-7";
  s.stage = "WIPING";
  s.detail = "wipe /dev/sda pass 1";
  s.fraction = 0.5;
  s.eta_seconds = 125;
  const std::string working = imager::render_screen(s);
  EXPECT_THAT(working, HasSubstr("wipe /dev/sda pass 1"));
  EXPECT_THAT(working, HasSubstr(" 50%"));
  EXPECT_THAT(working, HasSubstr("ETA 2m05s"));
  s.verdict = "READY";
  s.message = "stick label AT-0042-7 and shelve the machine";
  const std::string done = imager::render_screen(s);
  EXPECT_THAT(done, HasSubstr(">>> stick label AT-0042-7 and shelve the machine"));
  EXPECT_THAT(done, ::testing::Not(HasSubstr("ETA")));
}

// The daemon restarts while the agent posts: the post waits for it and gets its answer; a refusal
// (4xx) is final and carries the daemon's sentence and "stop".
TEST(AgentClient, WaitsForARestartingDaemonAndReportsRefusals) {
  boost::asio::io_context io;
  pxe::HttpBootConfig config;
  config.listen_address = "127.0.0.1";
  config.port = 0;
  int calls = 0;
  std::string seen_token;
  config.post_handler = [&](std::string_view path, const std::string& body, const std::string&) {
    ++calls;
    seen_token = nlohmann::json::parse(body).value("token", "");
    if (path == "/api/v1/next") {
      return pxe::HttpPostResult{409, R"({"error":"this boot's session is over","stop":true})"};
    }
    if (calls == 1) {
      return pxe::HttpPostResult{503, R"({"error":"starting"})"};
    }
    return pxe::HttpPostResult{200, R"({"unit":"AT-0001-3"})"};
  };
  pxe::HttpBootServer server(io, config, [](std::string_view) {});
  ASSERT_TRUE(server.start());
  std::thread loop([&] { io.run(); });
  imager::AgentClient client(fmt::format("http://127.0.0.1:{}", server.local_port()), "feedface",
                             {.patience = std::chrono::seconds(20),
                              .first_pause = std::chrono::milliseconds(50),
                              .max_pause = std::chrono::milliseconds(100),
                              .timeout = std::chrono::seconds(5)});
  auto answer = client.post(records::Endpoint::register_unit, {{"mac", "52:54:00:00:00:01"}});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ((*answer)["unit"], "AT-0001-3");
  EXPECT_EQ(calls, 2); // the 503 was retried
  EXPECT_EQ(seen_token, "feedface");
  auto refused = client.post(records::Endpoint::next, nlohmann::json::object());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 409u);
  EXPECT_TRUE(refused.error().stop);
  EXPECT_THAT(refused.error().message, HasSubstr("session is over"));
  boost::asio::post(io, [&] { server.stop(); });
  loop.join();
}

// The patience is counted on the client's clock: pauses of 100, 200, 200, 200 and 200 ms fit in
// one second, the sixth would not.
TEST(AgentClient, UnreachableServerGivesUpAfterItsPatience) {
  atelier::testing::FakeClock clock;
  imager::AgentClient client("http://127.0.0.1:9", "t",
                             {.patience = std::chrono::seconds(1),
                              .first_pause = std::chrono::milliseconds(100),
                              .max_pause = std::chrono::milliseconds(200),
                              .timeout = std::chrono::seconds(1)},
                             {}, clock);
  auto r = client.post(records::Endpoint::next, nlohmann::json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 0u);
  EXPECT_THAT(r.error().message, HasSubstr("no answer after 6 tries"));
  EXPECT_EQ(clock.sleeps(), 5);
  EXPECT_EQ(clock.elapsed(), std::chrono::milliseconds(900));
}

// Outside the boot environment the agent refuses to start at all.
TEST(Agent, RefusesToRunOutsideTheBootEnvironment) {
  if (std::ifstream("/etc/atelier/bootenv").good()) {
    GTEST_SKIP() << "this machine is an Atelier boot environment";
  }
  imager::AgentOptions o;
  o.server = "http://127.0.0.1:9";
  o.token = "t";
  o.mac = "52:54:00:00:00:01";
  EXPECT_EQ(imager::run_agent(o), 2);
}

// The verify step's filesystem check must really read the filesystem: xfs and btrfs have no-op
// fsck.* scripts, so their own read-only checkers are used instead.
TEST(Agent, FilesystemCheckIsReadOnlyAndRealForEveryRootType) {
  using V = std::vector<std::string>;
  EXPECT_EQ(imager::filesystem_check_command("ext4", "/dev/sda2"),
            (V{"fsck", "-n", "-t", "ext4", "/dev/sda2"}));
  EXPECT_EQ(imager::filesystem_check_command("xfs", "/dev/sda2"),
            (V{"xfs_repair", "-n", "/dev/sda2"}));
  EXPECT_EQ(imager::filesystem_check_command("btrfs", "/dev/sda2"),
            (V{"btrfs", "check", "--readonly", "/dev/sda2"}));
}

// A step's failure reason is its last human sentence, not the JSON progress line printed before.
TEST(Agent, FailureReasonSkipsProgressLines) {
  EXPECT_EQ(
      imager::last_message_line("{\"operation\":\"check\"}\ncheck /dev/vda: refused: no image\n"
                                "{\"operation\":\"check\",\"done_bytes\":0}\n\n"),
      "check /dev/vda: refused: no image");
  EXPECT_EQ(imager::last_message_line("{\"done_bytes\":0}\n"), "");
}

// The verify step finds the installed partitions from lsblk's listing (captured from the boot
// environment, where lsblk has no udev to tell filesystem types: those come from blkid).
TEST(Agent, PartitionsAreReadFromTheLsblkListing) {
  const std::string listing = R"({
   "blockdevices": [
      {"name": "/dev/vda", "type": "disk",
       "children": [
          {"name": "/dev/vda1", "type": "part"},
          {"name": "/dev/vda2", "type": "part"}
       ]
      }
   ]
})";
  EXPECT_EQ(imager::partitions_in_lsblk(listing),
            (std::vector<std::string>{"/dev/vda1", "/dev/vda2"}));
  EXPECT_TRUE(
      imager::partitions_in_lsblk(R"({"blockdevices": [{"name": "/dev/vda", "type": "disk"}]})")
          .empty());
  EXPECT_TRUE(imager::partitions_in_lsblk("lsblk: /dev/vdz: not a block device").empty());
}

// A virtio or USB disk reports no model (null in the inventory): naming it for the volunteer's
// FAILED sentence must not throw (the agent died on it mid-wipe) and must still say which disk.
TEST(Agent, DiskIsDescribedFromWhateverItReports) {
  using base::Language;
  using nlohmann::json;
  EXPECT_EQ(
      imager::describe_disk(Language::en, json{{"model", "ST500DM002"}, {"serial", "Z3T1234"}}),
      "ST500DM002 Z3T1234");
  EXPECT_EQ(imager::describe_disk(Language::en,
                                  json{{"name", "vda"}, {"model", nullptr}, {"serial", "ATLE2E1"}}),
            "serial ATLE2E1");
  const json anonymous{{"model", nullptr}, {"serial", nullptr}, {"size_bytes", 3221225472u}};
  EXPECT_EQ(imager::describe_disk(Language::en, anonymous), "3.0 GiB, no model or serial reported");
  // The program's language: a decimal comma, French words.
  EXPECT_EQ(imager::describe_disk(Language::fr, anonymous),
            "3,0 Gio, ni modèle ni numéro de série indiqués");
  EXPECT_EQ(imager::describe_disk(Language::fr, json{{"serial", "ATLE2E1"}}),
            "numéro de série ATLE2E1");
}

// A bench that hangs fails the step with the time limit in the reason instead of holding the
// machine forever; the limit is twice the budget plus a margin.
TEST(Agent, HungBenchIsStoppedAndFailsTheStep) {
  EXPECT_EQ(imager::bench_timeout(60), std::chrono::seconds(180));
  const std::string self = ::testing::TempDir() + "/atelier-hung-bench.sh";
  {
    std::ofstream script(self);
    script << "#!/bin/sh\nexec sleep 60\n";
  }
  ASSERT_EQ(::chmod(self.c_str(), 0755), 0);
  auto bench = imager::bench_step(base::Language::fr, self, 1, std::chrono::seconds(1),
                                  [](std::string_view) {});
  ASSERT_FALSE(bench);
  // atelierd hears English; the screen speaks the program's language.
  EXPECT_THAT(bench.error().english,
              HasSubstr("benchmark failed: it ran longer than 1 s (budget 1 s"));
  EXPECT_THAT(bench.error().english, HasSubstr("run a memory test"));
  EXPECT_THAT(bench.error().shown, HasSubstr("plus de 1\u00a0s (budget 1\u00a0s"));
  EXPECT_THAT(bench.error().shown, HasSubstr("test de la mémoire"));
}

// A bench that ends is read as before: its report, or its error line.
TEST(Agent, BenchStepReturnsTheReportOrTheError) {
  const std::string self = ::testing::TempDir() + "/atelier-quick-bench.sh";
  {
    std::ofstream script(self);
    script << "#!/bin/sh\n[ \"$1 $4\" = \"bench 7\" ] || { echo wrong arguments >&2; exit 3; }\n"
              "echo '{\"schema\":\"atelier.bench/1\"}'\n";
  }
  ASSERT_EQ(::chmod(self.c_str(), 0755), 0);
  auto report = imager::bench_step(base::Language::en, self, 7, std::chrono::seconds(30),
                                   [](std::string_view) {});
  ASSERT_TRUE(report) << report.error().english;
  EXPECT_EQ((*report)["schema"], "atelier.bench/1");
  auto refused = imager::bench_step(base::Language::en, self, 8, std::chrono::seconds(30),
                                    [](std::string_view) {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().english, "benchmark failed: bench exited with 3: wrong arguments");
  EXPECT_EQ(refused.error().shown, refused.error().english);
}

// --- issue 14, finding 10: a wipe that hangs is noticed ------------------------------------------

using nlohmann::json;

// The hang's first link: AgentClient's per-attempt timeout was set with beast::tcp_stream's
// expires_after, which holds only for asynchronous operations; its synchronous connect, write and
// read ignored it, so one post whose answer never came waited for ever. Here the server completes
// the connection (the kernel's backlog) and never answers; it goes away after 8 s, so that the
// test ends even when the timeout is not kept.
TEST(AgentClient, AnAnswerThatNeverComesIsGivenUpAfterTheTimeout) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::mutex mutex;
  std::condition_variable returned;
  bool done = false;
  std::thread closer([&] {
    std::unique_lock lock(mutex);
    returned.wait_for(lock, std::chrono::seconds(8), [&] { return done; });
    ::close(listener); // the connections in its backlog are reset
  });
  imager::AgentClient client(fmt::format("http://127.0.0.1:{}", ntohs(address.sin_port)), "t",
                             {.patience = std::chrono::seconds(1),
                              .first_pause = std::chrono::milliseconds(100),
                              .max_pause = std::chrono::milliseconds(100),
                              .timeout = std::chrono::seconds(1)});
  const auto start = std::chrono::steady_clock::now();
  auto r = client.post(records::Endpoint::progress, nlohmann::json::object());
  const auto took = std::chrono::steady_clock::now() - start;
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  returned.notify_all();
  closer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 0u);
  EXPECT_LT(took, std::chrono::seconds(5)) << "the post waited for an answer that never came";
  EXPECT_THAT(r.error().message, HasSubstr("no answer within 1 s"));
}

// A child stopped from another thread (atelierd gave its step up) is killed and said so.
TEST(ChildProcess, ACancelledChildIsKilled) {
  std::atomic<bool> cancel{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto r = imager::run_child({"sleep", "30"}, {}, {.cancel = &cancel});
  stopper.join();
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

namespace {

using atelier::testing::FakeClock;

json event(const std::string& device, std::uint64_t done) {
  return {{"operation", "wipe"},
          {"device", device},
          {"done_bytes", done},
          {"total_bytes", 28'000'000'000ULL},
          {"detail", "pass 1 of 1: zero"}};
}

// Collects what the poster posts; can hold a post for as long as a test wants (a daemon that
// never answers) or refuse (a step atelierd gave up).
struct FakeDaemon {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<json> posts;
  bool hold = false;
  std::optional<imager::AgentError> refusal;

  imager::ProgressPoster::Post post() {
    return [this](const json& progress) -> std::expected<json, imager::AgentError> {
      std::unique_lock lock(mutex);
      posts.push_back(progress);
      changed.notify_all();
      changed.wait(lock, [&] { return !hold; });
      if (refusal) {
        return std::unexpected(*refusal);
      }
      return json{{"ok", true}};
    };
  }
  // Waits (real time) until a post matches.
  bool wait_for(const std::function<bool(const json&)>& match) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10),
                            [&] { return std::any_of(posts.begin(), posts.end(), match); });
  }
  // Waits (real time) until `n` posts arrived.
  bool wait_for_posts(std::size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(10), [&] { return posts.size() >= n; });
  }
  json post_at(std::size_t i) {
    std::lock_guard lock(mutex);
    return posts.at(i);
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return posts.size();
  }
  void release() {
    std::lock_guard lock(mutex);
    hold = false;
    changed.notify_all();
  }
};

constexpr imager::ProgressPoster::Timing k_fast{.min_gap = std::chrono::milliseconds(1000),
                                                .heartbeat = std::chrono::milliseconds(20000),
                                                .tick = std::chrono::milliseconds(5)};

} // namespace

// The hang's second link: progress was posted from the thread that reads the step's pipes, so a
// post that hung left the wipe's stderr undrained. A report now never waits, however long the
// post takes; and what goes out after it is the newest event.
TEST(ProgressPoster, AReportNeverWaitsForAPostThatHangs) {
  FakeClock clock;
  FakeDaemon daemon;
  daemon.hold = true;
  imager::ProgressPoster poster(daemon.post(), {}, clock, k_fast);
  poster.report(event("/dev/sda", 1));
  clock.advance(std::chrono::seconds(2));
  ASSERT_TRUE(daemon.wait_for_posts(1)); // and it hangs there
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 2; i <= 10'000; ++i) {
    poster.report(event("/dev/sda", i));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  daemon.release();
  clock.advance(std::chrono::seconds(2));
  ASSERT_TRUE(daemon.wait_for_posts(2));
  EXPECT_EQ(daemon.post_at(1)["done_bytes"], 10'000U);
}

// The hang's third link: the heartbeat kept a stuck wipe looking alive. It now repeats the event of
// the device that moved least recently, with its done_bytes as they were, so atelierd, which judges
// bytes, sees it stand still; a device whose child ended is not repeated.
TEST(ProgressPoster, TheHeartbeatRepeatsTheStuckDiskAsItWas) {
  FakeClock clock;
  FakeDaemon daemon;
  imager::ProgressPoster poster(daemon.post(), {}, clock, k_fast);
  poster.stage("WIPING", "2 disk(s)");
  clock.advance(std::chrono::seconds(21));
  ASSERT_TRUE(daemon.wait_for_posts(1));
  EXPECT_EQ(daemon.post_at(0), (json{{"operation", "WIPING"}, {"detail", "2 disk(s)"}}));

  poster.report(event("/dev/sda", 12'300'000'000ULL)); // sda stops here
  for (std::uint64_t i = 1; i <= 30; ++i) {            // sdb goes on, then ends
    clock.advance(std::chrono::seconds(1));
    poster.report(event("/dev/sdb", i * 1'000'000'000ULL));
  }
  clock.advance(std::chrono::seconds(1));
  ASSERT_TRUE(
      daemon.wait_for([&](const json& p) { return p == event("/dev/sdb", 30'000'000'000ULL); }));
  poster.device_done("/dev/sdb");
  const std::size_t before = daemon.count();
  for (int beat = 0; beat < 3; ++beat) {
    clock.advance(std::chrono::seconds(21));
    ASSERT_TRUE(daemon.wait_for_posts(before + static_cast<std::size_t>(beat) + 1));
    EXPECT_EQ(daemon.post_at(before + static_cast<std::size_t>(beat)),
              event("/dev/sda", 12'300'000'000ULL));
  }
}

// atelierd gave the step up: the refusal's sentence goes to the screen once and posting stops.
TEST(ProgressPoster, ARefusalIsHandedOverOnceAndPostingStops) {
  FakeClock clock;
  FakeDaemon daemon;
  daemon.refusal = imager::AgentError{409,
                                      "job 17 (wipe) was given up by atelierd: wipe made no "
                                      "progress for 10 min",
                                      true};
  std::mutex mutex;
  std::vector<std::string> refusals;
  imager::ProgressPoster poster(
      daemon.post(),
      [&](const std::string& reason) {
        std::lock_guard lock(mutex);
        refusals.push_back(reason);
      },
      clock, k_fast);
  poster.report(event("/dev/sda", 5));
  clock.advance(std::chrono::seconds(2));
  ASSERT_TRUE(daemon.wait_for_posts(1));
  for (int i = 0; i < 50 && poster.refusal().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(poster.refusal(), HasSubstr("made no progress"));
  poster.report(event("/dev/sda", 6));
  clock.advance(std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(daemon.count(), 1u);
  std::lock_guard lock(mutex);
  EXPECT_EQ(refusals.size(), 1u);
}

// Finding 5: what the agent runs for each disk is what the subcommands accept, and carries the
// profile's hidden-area policy to the overwrite as to the purge, with the record's tag and site.
TEST(Agent, EraseCommandsCarryThePolicyAndTheRecordsFields) {
  const json params{{"tag", "AT-0042-7"},
                    {"site", "Atelier Nord"},
                    {"verify", "full"},
                    {"hidden_areas", "report"}};
  {
    const auto argv = imager::erase_command("/dev/sda", "zero", params);
    CLI::App app;
    imager::WipeCommandArgs args;
    imager::add_wipe_command(app, args);
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    ASSERT_NO_THROW(app.parse(reversed));
    EXPECT_EQ(args.devices, std::vector<std::string>{"/dev/sda"});
    EXPECT_EQ(args.hidden_areas, "report");
    EXPECT_EQ(args.verify, "full");
    EXPECT_EQ(args.asset_tag, "AT-0042-7");
    EXPECT_EQ(args.site, "Atelier Nord");
    EXPECT_EQ(args.operator_name, "atelier agent");
    EXPECT_EQ(args.progress, "json");
    EXPECT_TRUE(args.json);
  }
  {
    const auto argv = imager::erase_command("/dev/sda", "ata-sanitize-crypto", params);
    CLI::App app;
    imager::PurgeCommandArgs args;
    imager::add_purge_command(app, args);
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    ASSERT_NO_THROW(app.parse(reversed));
    EXPECT_EQ(args.hidden_areas, "report");
    EXPECT_EQ(args.asset_tag, "AT-0042-7");
    EXPECT_EQ(args.site, "Atelier Nord");
    EXPECT_EQ(args.operator_name, "atelier agent");
  }
  // The default policy is reset, for both.
  const auto plain = imager::erase_command("/dev/sda", "zero", json{{"tag", "AT-1"}});
  const auto at = std::find(plain.begin(), plain.end(), "--hidden-areas");
  ASSERT_NE(at, plain.end());
  EXPECT_EQ(*(at + 1), "reset");
}
