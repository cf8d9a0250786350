// Runs one of our own subcommands (wipe, deploy, bench...) as a child process and follows it: the
// agent stays alive whatever the child does (a crash or a hang in a wipe is a failed step, not a
// dead agent), and the child's progress lines on stderr are handed over as they come. A thin layer
// over base::ChildProcess, which does the spawning, the pipes and the limits.
#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace atelier::imager {

struct ChildResult {
  int exit_code = -1;     // -1 when killed by a signal
  int signal = 0;         // the signal that ended it, 0 if it exited
  bool timed_out = false; // killed by us: total timeout, or no output for `stall`
  bool cancelled = false; // killed by us: ChildOptions::cancel was set
  std::string out;        // all of standard output
  std::string err_tail;   // the last lines of standard error (for error messages)
};

struct ChildOptions {
  std::chrono::seconds timeout{0}; // 0: none
  std::chrono::seconds stall{0};   // kill when neither stream said anything for this long; 0: none
  const std::atomic<bool>* cancel = nullptr; // kill when another thread sets it; null: never
};

// argv[0] is a path or a name looked up in PATH. Each complete line of the child's stderr goes to
// on_err_line (without the newline) on the calling thread; an unfinished last line is handed over
// when the stream ends. on_err_line runs between the reads of both pipes: it must never wait (on
// the network, say), or the child blocks on a full pipe (the agent hands progress to a
// ProgressPoster for that reason). Error: the child could not be started (base::ChildProcess::start
// says why).
std::expected<ChildResult, std::string>
run_child(const std::vector<std::string>& argv,
          const std::function<void(std::string_view)>& on_err_line, ChildOptions options = {});

} // namespace atelier::imager
