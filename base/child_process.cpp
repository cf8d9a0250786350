#include "base/child_process.h"

#include "base/text.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

extern char** environ;

namespace atelier::base {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

// Both ends close-on-exec: the child gets the write end only through dup2 onto 1 or 2.
std::expected<Pipe, std::string> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return std::unexpected(fmt::format("pipe: {}", errno_text(errno)));
  }
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// posix_spawn file actions are a C object with an init/destroy pair.
class FileActions {
public:
  FileActions() { posix_spawn_file_actions_init(&m_actions); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { posix_spawn_file_actions_destroy(&m_actions); }
  posix_spawn_file_actions_t* get() { return &m_actions; }

private:
  posix_spawn_file_actions_t m_actions{};
};

// Our environment with `overlay` ("NAME=value") laid over it. The strings live in `storage`.
std::vector<char*> merged_environment(const std::vector<std::string>& overlay,
                                      std::map<std::string, std::string>& storage) {
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    storage[entry.substr(0, entry.find('='))] = entry;
  }
  for (const auto& entry : overlay) {
    storage[entry.substr(0, entry.find('='))] = entry;
  }
  std::vector<char*> envp;
  envp.reserve(storage.size() + 1);
  for (auto& [name, entry] : storage) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  return envp;
}

std::string start_error(const std::string& program, int error) {
  if (error == ENOENT) {
    return program.find('/') == std::string::npos ? fmt::format("{}: not installed", program)
                                                  : fmt::format("{}: no such program", program);
  }
  return fmt::format("{}: cannot be started: {}", program, errno_text(error));
}

} // namespace

std::string exit_text(const ExitStatus& status) {
  if (status.timed_out) {
    return "timed out (killed)";
  }
  if (status.cancelled) {
    return "stopped (killed)";
  }
  if (status.signal != 0) {
    return fmt::format("killed by signal {}", status.signal);
  }
  return fmt::format("exit status {}", status.exit_code);
}

ChildProcess::ChildProcess(pid_t pid, UniqueFd out, UniqueFd err)
    : m_pid(pid), m_out(std::move(out)), m_err(std::move(err)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_out(std::move(other.m_out)),
      m_err(std::move(other.m_err)) {}

ChildProcess::~ChildProcess() {
  if (m_pid > 0) {
    terminate_and_wait();
  }
}

std::expected<ChildProcess, std::string> ChildProcess::start(const std::vector<std::string>& argv,
                                                             const SpawnOptions& options) {
  if (argv.empty()) {
    return std::unexpected("no command to run");
  }
  auto out = make_pipe();
  if (!out) {
    return std::unexpected(out.error());
  }
  std::optional<Pipe> err;
  if (!options.merge_stderr) {
    auto made = make_pipe();
    if (!made) {
      return std::unexpected(made.error());
    }
    err = std::move(*made);
  }
  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out->write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err ? err->write.get() : out->write.get(),
                                   STDERR_FILENO);
  if (!options.cwd.empty()) {
    // glibc 2.29+: changes directory in the child only.
    posix_spawn_file_actions_addchdir_np(actions.get(), options.cwd.c_str());
  }

  std::map<std::string, std::string> env_storage;
  std::vector<char*> envp = options.environment.empty()
                                ? std::vector<char*>{}
                                : merged_environment(options.environment, env_storage);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str())); // posix_spawn's signature predates const
  }
  args.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(),
                                envp.empty() ? environ : envp.data());
  if (rc != 0) {
    return std::unexpected(start_error(argv[0], rc));
  }
  // Only the child writes now: its exit ends our reads.
  return ChildProcess(pid, std::move(out->read), err ? std::move(err->read) : UniqueFd());
}

std::expected<ExitStatus, std::string>
ChildProcess::pump(const StdoutSink& on_stdout, const StderrSink& on_stderr, PumpLimits limits) {
  std::vector<char> buffer(1 << 20);
  const auto started = Clock::now();
  auto last_output = started;
  while (m_out.valid() || m_err.valid()) {
    // How long poll may wait before a limit runs out; -1: forever.
    std::optional<Clock::duration> left;
    const auto now = Clock::now();
    if (limits.timeout.count() > 0) {
      left = started + limits.timeout - now;
    }
    if (limits.stall.count() > 0) {
      const Clock::duration stall_left = last_output + limits.stall - now;
      left = left ? std::min(*left, stall_left) : stall_left;
    }
    const bool cancelled = limits.cancel != nullptr && limits.cancel->load();
    if (cancelled || (left && *left <= Clock::duration::zero())) {
      ::kill(m_pid, SIGKILL);
      m_out.reset();
      m_err.reset();
      ExitStatus status = wait_for_exit();
      status.timed_out = !cancelled;
      status.cancelled = cancelled;
      return status;
    }
    if (limits.cancel != nullptr) {
      constexpr Clock::duration k_cancel_check = std::chrono::milliseconds(100);
      left = left ? std::min(*left, k_cancel_check) : k_cancel_check;
    }
    const int wait_ms =
        left ? static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*left).count()) : -1;
    pollfd fds[2] = {{m_out.get(), POLLIN, 0}, {m_err.get(), POLLIN, 0}};
    if (::poll(fds, 2, wait_ms) < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string why = fmt::format("poll: {}", errno_text(errno));
      terminate_and_wait();
      return std::unexpected(why);
    }
    for (int i = 0; i < 2; ++i) {
      UniqueFd& fd = i == 0 ? m_out : m_err;
      // A closed pipe reports POLLHUP (or POLLIN with a zero read): read until end of file.
      if (!fd.valid() || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        fd.reset();
        continue;
      }
      last_output = Clock::now();
      const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
      if (i == 1) {
        if (on_stderr) {
          on_stderr(chunk);
        }
      } else if (on_stdout) {
        if (auto r = on_stdout(chunk); !r) {
          terminate_and_wait();
          return std::unexpected(r.error());
        }
      }
    }
  }
  return wait_for_exit();
}

ExitStatus ChildProcess::wait_for_exit() {
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_pid = -1;
  ExitStatus result;
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

void ChildProcess::terminate_and_wait() {
  m_out.reset();
  m_err.reset();
  ::kill(m_pid, SIGTERM);
  wait_for_exit();
}

} // namespace atelier::base
