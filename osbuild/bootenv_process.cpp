#include "osbuild/bootenv_process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

extern char** environ;

namespace atelier::osbuild {
namespace {

// Owns a pipe's two ends; closes what is still open.
class Pipe {
public:
  Pipe() {
    if (pipe2(m_fds, O_CLOEXEC) != 0) {
      m_fds[0] = m_fds[1] = -1;
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_read();
    close_write();
  }
  bool ok() const { return m_fds[0] >= 0; }
  int read_end() const { return m_fds[0]; }
  int write_end() const { return m_fds[1]; }
  void close_read() { close_fd(m_fds[0]); }
  void close_write() { close_fd(m_fds[1]); }

private:
  static void close_fd(int& fd) {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
  int m_fds[2] = {-1, -1};
};

// posix_spawn attributes are C objects with init/destroy pairs.
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

std::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                      const std::string& cwd) {
  if (argv.empty()) {
    return std::unexpected("no command to run");
  }
  Pipe out;
  if (!out.ok()) {
    return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  }
  FileActions actions;
  posix_spawn_file_actions_adddup2(actions.get(), out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), out.write_end(), STDERR_FILENO);
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!cwd.empty()) {
    // glibc 2.29+: change directory in the child only.
    posix_spawn_file_actions_addchdir_np(actions.get(), cwd.c_str());
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], actions.get(), nullptr, args.data(), environ);
  out.close_write();
  if (rc != 0) {
    return std::unexpected(fmt::format("{}: cannot be started: {}", argv[0], std::strerror(rc)));
  }
  ProcessResult result;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(out.read_end(), buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::expected<std::string, std::string> run_checked(const std::vector<std::string>& argv,
                                                    const std::string& cwd) {
  auto result = run_process(argv, cwd);
  if (!result) {
    return std::unexpected(result.error());
  }
  if (result->exit_code != 0) {
    std::string command;
    for (const auto& a : argv) {
      command += (command.empty() ? "" : " ") + a;
    }
    std::string tail = result->output.size() > 600
                           ? result->output.substr(result->output.size() - 600)
                           : result->output;
    while (!tail.empty() && tail.back() == '\n') {
      tail.pop_back();
    }
    return std::unexpected(
        fmt::format("`{}` failed (exit status {}): {}", command, result->exit_code, tail));
  }
  return std::move(result->output);
}

} // namespace atelier::osbuild
