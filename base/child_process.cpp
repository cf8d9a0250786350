#include "base/child_process.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

extern char** environ;

namespace atelier::daemon {
namespace {

struct PipeFds {
  pxe::UniqueFd read;
  pxe::UniqueFd write;
};

std::expected<PipeFds, std::string> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  }
  return PipeFds{pxe::UniqueFd(fds[0]), pxe::UniqueFd(fds[1])};
}

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

} // namespace

ChildProcess::ChildProcess(pid_t pid, pxe::UniqueFd out, pxe::UniqueFd err)
    : m_pid(pid), m_out(std::move(out)), m_err(std::move(err)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_out(std::move(other.m_out)),
      m_err(std::move(other.m_err)) {}

ChildProcess::~ChildProcess() {
  if (m_pid > 0) {
    terminate_and_wait();
  }
}

std::expected<ChildProcess, std::string>
ChildProcess::start(const std::vector<std::string>& argv,
                    const std::vector<std::string>& environment) {
  if (argv.empty()) {
    return std::unexpected("no command to run");
  }
  auto out = make_pipe();
  auto err = make_pipe();
  if (!out || !err) {
    return std::unexpected(out ? err.error() : out.error());
  }
  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out->write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err->write.get(), STDERR_FILENO);

  // Our environment with `environment` laid over it.
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    merged[entry.substr(0, entry.find('='))] = entry;
  }
  for (const auto& entry : environment) {
    merged[entry.substr(0, entry.find('='))] = entry;
  }
  std::vector<char*> envp;
  for (auto& [name, entry] : merged) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);

  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), envp.data());
  if (rc != 0) {
    return std::unexpected(fmt::format("{}: cannot be started: {}", argv[0], std::strerror(rc)));
  }
  return ChildProcess(pid, std::move(out->read), std::move(err->read));
}

std::expected<int, std::string> ChildProcess::pump(const StdoutSink& on_stdout,
                                                   const StderrSink& on_stderr) {
  std::vector<char> buffer(1 << 20);
  while (m_out.valid() || m_err.valid()) {
    pollfd fds[2] = {{m_out.get(), POLLIN, 0}, {m_err.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      const std::string why = fmt::format("poll: {}", std::strerror(errno));
      terminate_and_wait();
      return std::unexpected(why);
    }
    for (int i = 0; i < 2; ++i) {
      pxe::UniqueFd& fd = i == 0 ? m_out : m_err;
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
      const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
      if (i == 1) {
        on_stderr(chunk);
      } else if (auto r = on_stdout(chunk); !r) {
        terminate_and_wait();
        return std::unexpected(r.error());
      }
    }
  }
  return wait_for_exit();
}

int ChildProcess::wait_for_exit() {
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ChildProcess::terminate_and_wait() {
  m_out.reset();
  m_err.reset();
  ::kill(m_pid, SIGTERM);
  return wait_for_exit();
}

} // namespace atelier::daemon
