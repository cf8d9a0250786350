// The one spawning implementation (base::ChildProcess) and the runner built on it, with real
// children: they are the OS touchpoint every fake in the other tests stands in for.
#include "base/child_process.h"
#include "base/process_runner.h"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace atelier::base {
namespace {

using namespace std::chrono_literals;
using ::testing::StartsWith;

TEST(PosixProcessRunnerTest, CapturesStdoutStderrAndTheExitStatusSeparately) {
  PosixProcessRunner runner;
  const auto r = runner.run({"/bin/sh", "-c", "echo out; echo err >&2; echo more; exit 3"}, 10s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->out, "out\nmore\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->signal, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(exit_text(*r), "exit status 3");
}

// Why: a disk or USB bridge that hangs smartctl must not hang the inventory.
TEST(PosixProcessRunnerTest, KillsAChildThatOutlivesTheTimeout) {
  PosixProcessRunner runner;
  const auto started = std::chrono::steady_clock::now();
  const auto r = runner.run({"sleep", "30"}, 300ms);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_LT(took, 10s);
  EXPECT_GE(took, 300ms);
  EXPECT_EQ(exit_text(*r), "timed out (killed)");
}

TEST(PosixProcessRunnerTest, AMissingProgramIsAnErrorNamingIt) {
  PosixProcessRunner runner;
  const auto in_path = runner.run({"atelier-no-such-tool"}, 1s);
  ASSERT_FALSE(in_path);
  EXPECT_EQ(in_path.error(), "atelier-no-such-tool: not installed");
  const auto by_path = runner.run({"/nonexistent/atelier-tool"}, 1s);
  ASSERT_FALSE(by_path);
  EXPECT_EQ(by_path.error(), "/nonexistent/atelier-tool: no such program");
}

TEST(PosixProcessRunnerTest, AProgramThatCannotBeExecutedSaysWhy) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("atelier-base-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto script = dir / "not-executable";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_read);
  PosixProcessRunner runner;
  const auto r = runner.run({script.string()}, 1s);
  std::filesystem::remove_all(dir);
  // root may execute a file without execute bits only if some x bit is set: none is.
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), StartsWith(script.string() + ": cannot be started: "));
}

TEST(PosixProcessRunnerTest, ASignalIsReportedAsSuch) {
  PosixProcessRunner runner;
  const auto r = runner.run({"/bin/sh", "-c", "kill -TERM $$"}, 10s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(exit_text(*r), "killed by signal 15");
}

// Why: a program that prints without end must neither block on a full pipe nor fill our memory.
TEST(PosixProcessRunnerTest, OutputIsCutAtTheLimitAndTheChildStillFinishes) {
  PosixProcessRunner runner;
  const auto r =
      runner.run({"/bin/sh", "-c", "head -c 9000000 /dev/zero; echo done >&2; exit 0"}, 30s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->out.size(), ProcessRunner::k_max_output);
  EXPECT_EQ(r->err, "done\n");
  EXPECT_EQ(r->exit_code, 0);
}

TEST(PosixProcessRunnerTest, TheChildHasNoStandardInput) {
  PosixProcessRunner runner;
  const auto r = runner.run({"/bin/sh", "-c", "cat; echo end"}, 10s);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->out, "end\n");
}

TEST(RunProcessTest, MergedStderrKeepsTheOrderTheChildWroteIn) {
  const auto r =
      run_process({"/bin/sh", "-c", "echo 1; echo 2 >&2; echo 3"}, {.merge_stderr = true});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->out, "1\n2\n3\n");
  EXPECT_EQ(r->err, "");
}

TEST(RunProcessTest, RunsInTheGivenDirectoryWithTheGivenEnvironment) {
  const auto r = run_process({"/bin/sh", "-c", "pwd; echo \"$ATELIER_TEST_VAR\"; echo \"$PATH\""},
                             {.cwd = "/", .environment = {"ATELIER_TEST_VAR=set"}});
  ASSERT_TRUE(r) << r.error();
  const std::string path = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "";
  EXPECT_EQ(r->out, "/\nset\n" + path + "\n"); // ours is kept under the overlay
}

TEST(RunCheckedTest, ReturnsTheOutputOrQuotesTheFailure) {
  const auto ok = run_checked({"/bin/sh", "-c", "echo fine"});
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(*ok, "fine\n");
  const auto failed = run_checked({"/bin/sh", "-c", "echo why >&2; exit 2"});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), "`/bin/sh -c echo why >&2; exit 2` failed (exit status 2): why");
}

TEST(ChildProcessTest, StreamsArriveSeparatelyAsTheyAreWritten) {
  auto child = ChildProcess::start({"/bin/sh", "-c", "echo a; echo b >&2; echo c"});
  ASSERT_TRUE(child) << child.error();
  std::string out;
  std::string err;
  const auto status = child->pump(
      [&](std::string_view chunk) -> std::expected<void, std::string> {
        out += chunk;
        return {};
      },
      [&](std::string_view chunk) { err += chunk; });
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(status->exit_code, 0);
  EXPECT_EQ(out, "a\nc\n");
  EXPECT_EQ(err, "b\n");
}

// Why: when the image writer fails, mmdebstrap must be stopped, not left writing into a pipe.
TEST(ChildProcessTest, AStdoutSinkErrorTerminatesTheChild) {
  auto child = ChildProcess::start({"/bin/sh", "-c", "echo first; exec sleep 30"});
  ASSERT_TRUE(child) << child.error();
  const auto started = std::chrono::steady_clock::now();
  const auto status = child->pump(
      [](std::string_view) -> std::expected<void, std::string> {
        return std::unexpected("disk full");
      },
      {});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error(), "disk full");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(ChildProcessTest, ASilentChildIsKilledAfterTheStallTime) {
  auto child = ChildProcess::start({"/bin/sh", "-c", "echo hello; exec sleep 30"});
  ASSERT_TRUE(child) << child.error();
  std::string out;
  const auto status = child->pump(
      [&](std::string_view chunk) -> std::expected<void, std::string> {
        out += chunk;
        return {};
      },
      {}, {.stall = 300ms});
  ASSERT_TRUE(status) << status.error();
  EXPECT_TRUE(status->timed_out);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_EQ(out, "hello\n");
}

TEST(ChildProcessTest, DestroyingARunningChildTerminatesAndReapsIt) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::start({"sleep", "30"});
    ASSERT_TRUE(child) << child.error();
    pid = child->pid();
    ASSERT_GT(pid, 0);
  }
  // Reaped: the pid is no longer our child.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

} // namespace
} // namespace atelier::base
