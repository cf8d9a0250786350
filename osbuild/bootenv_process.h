// Running the host tools the boot environment builder needs (apt-get, dpkg-deb, ldd, busybox).
// The one place that spawns processes for `atelier bootenv`, so the rest stays pure.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace atelier::osbuild {

struct ProcessResult {
  int exit_code = 0;  // -1 when killed by a signal
  std::string output; // stdout and stderr interleaved, for parsing and for error messages
};

// Runs argv[0] (looked up in PATH) with `cwd` as its working directory ("" = ours), waits for it
// and returns what it printed. Fails only when it could not be started; a non-zero exit status is
// a result, for the caller to judge.
std::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                      const std::string& cwd = {});

// run_process, and a non-zero exit is an error that quotes the command and its last output.
std::expected<std::string, std::string> run_checked(const std::vector<std::string>& argv,
                                                    const std::string& cwd = {});

} // namespace atelier::osbuild
