#include "imager/agent/child_process.h"

#include "base/child_process.h"

namespace atelier::imager {
namespace {

constexpr std::size_t k_tail_bytes = 4096;

} // namespace

std::expected<ChildResult, std::string>
run_child(const std::vector<std::string>& argv,
          const std::function<void(std::string_view)>& on_err_line, ChildOptions options) {
  auto child = base::ChildProcess::start(argv);
  if (!child) {
    return std::unexpected(child.error());
  }
  ChildResult result;
  std::string line; // stderr not yet ended by a newline
  auto status = child->pump(
      [&](std::string_view chunk) -> std::expected<void, std::string> {
        result.out.append(chunk);
        return {};
      },
      [&](std::string_view chunk) {
        result.err_tail.append(chunk);
        if (result.err_tail.size() > k_tail_bytes) {
          result.err_tail.erase(0, result.err_tail.size() - k_tail_bytes);
        }
        line.append(chunk);
        for (auto nl = line.find('\n'); nl != std::string::npos; nl = line.find('\n')) {
          if (on_err_line) {
            on_err_line(std::string_view(line).substr(0, nl));
          }
          line.erase(0, nl + 1);
        }
      },
      {.timeout = options.timeout, .stall = options.stall, .cancel = options.cancel});
  if (!line.empty() && on_err_line) {
    on_err_line(line);
  }
  if (!status) {
    return std::unexpected(status.error());
  }
  result.exit_code = status->exit_code;
  result.signal = status->signal;
  result.timed_out = status->timed_out;
  result.cancelled = status->cancelled;
  return result;
}

} // namespace atelier::imager
