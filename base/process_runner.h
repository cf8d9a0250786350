// Running the read-only health tools (smartctl, nvme) behind a narrow interface: tests use a fake
// that answers from fixtures, the real one uses posix_spawn with a timeout so a disk or USB bridge
// that hangs cannot hang the inventory.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <vector>

namespace atelier::imager {

struct ProcessResult {
  int exit_code = -1;     // the program's exit status; -1 when killed by a signal
  bool timed_out = false; // killed by the runner after the timeout
  std::string out;        // standard output, at most k_max_output bytes
  std::string err;        // standard error, likewise
};

class ProcessRunner {
public:
  virtual ~ProcessRunner() = default;
  // Runs argv[0] (looked up in PATH) with no standard input. An error (a sentence) only when the
  // program could not be started at all, e.g. "smartctl: not installed"; a program that ran and
  // failed is a ProcessResult with its exit code.
  virtual std::expected<ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                        std::chrono::milliseconds timeout) = 0;
  static constexpr std::size_t k_max_output = 8U << 20;
};

// posix_spawn-based runner. Blocking; one child at a time; the child gets /dev/null as stdin.
class PosixProcessRunner final : public ProcessRunner {
public:
  std::expected<ProcessResult, std::string> run(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout) override;
};

} // namespace atelier::imager
