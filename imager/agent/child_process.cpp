#include "imager/agent/child_process.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

extern char** environ;

namespace atelier::imager {
namespace {

constexpr std::size_t k_tail_bytes = 4096;

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) {
      ::close(read);
    }
    if (write >= 0) {
      ::close(write);
    }
  }
};

bool open_pipe(Pipe& p) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return false;
  }
  p.read = fds[0];
  p.write = fds[1];
  return true;
}

} // namespace

std::expected<ChildResult, std::string>
run_child(const std::vector<std::string>& argv,
          const std::function<void(std::string_view)>& on_err_line, ChildOptions options) {
  if (argv.empty()) {
    return std::unexpected("run_child: no program");
  }
  Pipe out;
  Pipe err;
  if (!open_pipe(out) || !open_pipe(err)) {
    return std::unexpected(
        fmt::format("{}: cannot create a pipe: {}", argv[0], std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str())); // posix_spawn's historical signature
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return std::unexpected(fmt::format("{}: cannot start: {}", argv[0], std::strerror(spawned)));
  }
  ::close(out.write);
  out.write = -1;
  ::close(err.write);
  err.write = -1;

  ChildResult result;
  std::string line;
  const auto start = std::chrono::steady_clock::now();
  auto last_output = start;
  bool out_open = true;
  bool err_open = true;
  std::array<char, 65536> buffer{};
  while (out_open || err_open) {
    std::array<pollfd, 2> fds{
        {{out_open ? out.read : -1, POLLIN, 0}, {err_open ? err.read : -1, POLLIN, 0}}};
    const int ready = ::poll(fds.data(), fds.size(), 1000);
    const auto now = std::chrono::steady_clock::now();
    if (ready < 0 && errno != EINTR) {
      break;
    }
    if ((options.timeout.count() > 0 && now - start > options.timeout) ||
        (options.stall.count() > 0 && now - last_output > options.stall)) {
      ::kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      last_output = now;
      const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
      if (i == 0) {
        result.out.append(chunk);
        continue;
      }
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
    }
  }
  if (!line.empty() && on_err_line) {
    on_err_line(line);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

} // namespace atelier::imager
