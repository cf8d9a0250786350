// Running a program to completion and collecting what it printed. ProcessRunner is the narrow
// interface the inventory (smartctl, nvme, dmidecode) and the deploy (sfdisk, mkfs, grub-install,
// chroot) take, so tests answer from fixtures; PosixProcessRunner is the real one. run_process and
// run_checked are the same collection for code that has no fake (the boot environment builder's
// host tools). All of them spawn through base::ChildProcess (base/child_process.h).
#pragma once

#include "base/child_process.h"

#include <chrono>
#include <cstddef>
#include <expected>
#include <string>
#include <vector>

namespace atelier::base {

struct ProcessResult {
  int exit_code = -1;     // the program's exit status; -1 when killed by a signal
  bool timed_out = false; // killed by the runner after the timeout
  std::string out;        // standard output (with standard error when merged), at most k_max_output
  std::string err;        // standard error, likewise; empty when merged into out
  int signal = 0;         // the signal that ended it, 0 when it exited
};

// exit_text (base/child_process.h) of a result.
std::string exit_text(const ProcessResult& result);

// Meant for designated initializers: every member has an initializer ({} too), so GCC 12 does
// not warn about the ones left out.
struct RunOptions {
  std::chrono::milliseconds timeout{0};   // 0: none; then the child is killed (SIGKILL)
  std::string cwd{};                      // the child's working directory; empty: ours
  std::vector<std::string> environment{}; // "NAME=value" laid over ours
  bool merge_stderr = false;              // stderr interleaved into out
};

// Runs argv[0] (looked up in PATH) with no standard input, waits for it and returns what it
// printed, each stream cut at ProcessRunner::k_max_output bytes. An error (a sentence) only when
// the program could not be started at all, e.g. "smartctl: not installed"; a program that ran and
// failed is a ProcessResult with its exit code, for the caller to judge.
std::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                      const RunOptions& options = {});

// run_process with standard error merged into the output, where a non-zero exit is an error that
// quotes the command and its last output: "`dpkg-deb -x a.deb dir` failed (exit status 2): ...".
std::expected<std::string, std::string> run_checked(const std::vector<std::string>& argv,
                                                    RunOptions options = {});

class ProcessRunner {
public:
  virtual ~ProcessRunner() = default;
  // Runs argv[0] (looked up in PATH) with no standard input, as run_process does, killing it after
  // `timeout`.
  virtual std::expected<ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                        std::chrono::milliseconds timeout) = 0;
  static constexpr std::size_t k_max_output = 8U << 20;
};

// The real runner: run_process. Blocking; one child at a time.
class PosixProcessRunner final : public ProcessRunner {
public:
  std::expected<ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout) override;
};

} // namespace atelier::base
