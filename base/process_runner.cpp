#include "base/process_runner.h"

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace atelier::base {
namespace {

// Appends up to ProcessRunner::k_max_output bytes in all; the rest is read and dropped, so a
// chatty program never blocks on a full pipe.
void append_capped(std::string& sink, std::string_view chunk) {
  if (sink.size() < ProcessRunner::k_max_output) {
    sink.append(chunk.substr(0, ProcessRunner::k_max_output - sink.size()));
  }
}

} // namespace

std::string exit_text(const ProcessResult& result) {
  return exit_text(ExitStatus{result.exit_code, result.signal, result.timed_out});
}

std::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                      const RunOptions& options) {
  auto child = ChildProcess::start(argv, {.environment = options.environment,
                                          .cwd = options.cwd,
                                          .merge_stderr = options.merge_stderr});
  if (!child) {
    return std::unexpected(child.error());
  }
  ProcessResult result;
  auto status = child->pump(
      [&](std::string_view chunk) -> std::expected<void, std::string> {
        append_capped(result.out, chunk);
        return {};
      },
      [&](std::string_view chunk) { append_capped(result.err, chunk); },
      {.timeout = options.timeout});
  if (!status) {
    return std::unexpected(fmt::format("{}: {}", argv[0], status.error()));
  }
  result.exit_code = status->exit_code;
  result.signal = status->signal;
  result.timed_out = status->timed_out;
  return result;
}

std::expected<std::string, std::string> run_checked(const std::vector<std::string>& argv,
                                                    RunOptions options) {
  options.merge_stderr = true;
  auto result = run_process(argv, options);
  if (!result) {
    return std::unexpected(result.error());
  }
  if (result->exit_code != 0 || result->timed_out) {
    std::string command;
    for (const auto& a : argv) {
      command += (command.empty() ? "" : " ") + a;
    }
    std::string tail =
        result->out.size() > 600 ? result->out.substr(result->out.size() - 600) : result->out;
    while (!tail.empty() && tail.back() == '\n') {
      tail.pop_back();
    }
    return std::unexpected(fmt::format("`{}` failed ({}): {}", command, exit_text(*result), tail));
  }
  return std::move(result->out);
}

std::expected<ProcessResult, std::string>
PosixProcessRunner::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  return run_process(argv, {.timeout = timeout});
}

} // namespace atelier::base
