// A child process whose stdout and stderr are read separately, as they arrive: `atelier image
// build` streams mmdebstrap's tar output into the compressor while its log goes to a file and
// the terminal. (osbuild/bootenv_process.h covers the simpler run-and-collect case.)
#pragma once

#include "base/unique_fd.h"

#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace atelier::daemon {

class ChildProcess {
public:
  // Starts argv[0] (looked up in PATH) with stdin from /dev/null and `environment` ("NAME=value")
  // added to ours (replacing variables of the same name).
  static std::expected<ChildProcess, std::string>
  start(const std::vector<std::string>& argv, const std::vector<std::string>& environment);
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  // A child still running is sent SIGTERM and waited for: mmdebstrap cleans up its mounts and
  // temporary directory on SIGTERM.
  ~ChildProcess();

  // Hands each chunk of stdout and stderr to its callback until both streams end, then waits for
  // the child. When on_stdout returns an error, the child is terminated and that error returned.
  // The result is the exit status (-1 when killed by a signal).
  using StdoutSink = std::function<std::expected<void, std::string>(std::string_view)>;
  using StderrSink = std::function<void(std::string_view)>;
  std::expected<int, std::string> pump(const StdoutSink& on_stdout, const StderrSink& on_stderr);

private:
  ChildProcess(pid_t pid, pxe::UniqueFd out, pxe::UniqueFd err);
  int terminate_and_wait();
  int wait_for_exit();

  pid_t m_pid = -1;
  pxe::UniqueFd m_out;
  pxe::UniqueFd m_err;
};

} // namespace atelier::daemon
