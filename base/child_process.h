// The one place in Atelier that starts a child process (posix_spawn), owns its pipes, enforces a
// timeout or a stall limit, and reaps it. Everything else builds on it: the ProcessRunner that
// tests fake (base/process_runner.h), `atelier image build` streaming mmdebstrap's tar output into
// the compressor, the agent following its subcommands' progress lines, the boot environment
// builder's host tools.
//
// Threads: a ChildProcess belongs to the thread that started it; pump() calls the sinks on it.
#pragma once

#include "base/unique_fd.h"

#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace atelier::base {

// Meant for designated initializers: every member has an initializer ({} too), so GCC 12 does
// not warn about the ones left out.
struct SpawnOptions {
  // "NAME=value" entries laid over our environment (replacing variables of the same name).
  std::vector<std::string> environment{};
  // The child's working directory; empty: ours.
  std::string cwd{};
  // Standard error goes into the standard output pipe, interleaved as the child wrote it; pump()
  // then hands everything to the stdout sink.
  bool merge_stderr = false;
};

// How a child ended.
struct ExitStatus {
  int exit_code = -1;     // its exit status; -1 when a signal ended it
  int signal = 0;         // the signal that ended it, 0 when it exited
  bool timed_out = false; // we killed it (SIGKILL) because a PumpLimits limit ran out
  bool cancelled = false; // we killed it (SIGKILL) because PumpLimits::cancel was set
};

// "exit status 3", "killed by signal 9", "timed out (killed)", "stopped (killed)": for error
// messages.
std::string exit_text(const ExitStatus& status);

struct PumpLimits {
  std::chrono::milliseconds timeout{0}; // since pump() began; 0: none
  std::chrono::milliseconds stall{0};   // neither stream said anything for this long; 0: none
  // Set by another thread to stop the child (seen within 100 ms); null: never.
  const std::atomic<bool>* cancel = nullptr;
};

class ChildProcess {
public:
  // Starts argv[0] (looked up in PATH unless it holds a '/') with standard input from /dev/null
  // and its standard output and error in pipes. Error, a sentence naming argv[0], when it could
  // not be started: "smartctl: not installed" (not in PATH), "/x/y: no such program", or
  // "prog: cannot be started: <why>". Our descriptors are all close-on-exec: the child inherits
  // only 0, 1 and 2.
  static std::expected<ChildProcess, std::string> start(const std::vector<std::string>& argv,
                                                        const SpawnOptions& options = {});
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // A child still running is sent SIGTERM and waited for: mmdebstrap cleans up its mounts and
  // temporary directory on SIGTERM.
  ~ChildProcess();

  pid_t pid() const { return m_pid; }

  // Hands each chunk of stdout and stderr to its sink as it arrives until both streams end, then
  // waits for the child and returns how it ended. When a limit runs out the child is killed
  // (SIGKILL), the streams are abandoned (a grandchild may still hold them) and the status says
  // timed_out; when limits.cancel is set, the same, and the status says cancelled. When on_stdout
  // returns an error, or poll fails, the child is terminated (SIGTERM), waited for, and that error
  // returned. Call once.
  using StdoutSink = std::function<std::expected<void, std::string>(std::string_view)>;
  using StderrSink = std::function<void(std::string_view)>;
  std::expected<ExitStatus, std::string> pump(const StdoutSink& on_stdout,
                                              const StderrSink& on_stderr, PumpLimits limits = {});

private:
  ChildProcess(pid_t pid, UniqueFd out, UniqueFd err);
  ExitStatus wait_for_exit();
  void terminate_and_wait();

  pid_t m_pid = -1;
  UniqueFd m_out;
  UniqueFd m_err; // empty when stderr is merged into m_out
};

} // namespace atelier::base
