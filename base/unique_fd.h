// The one owner of a POSIX file descriptor in Atelier: move-only, closes what it holds when it is
// destroyed or reset. Every fd that must not leak on an error path (files, block devices, pipes,
// directory handles) lives in one of these; nothing else calls ::close in a destructor.
#pragma once

#include <unistd.h>
#include <utility>

namespace atelier::base {

class UniqueFd {
public:
  UniqueFd() = default;
  // Takes ownership of `fd`; a negative value (a failed open) makes an empty owner.
  explicit UniqueFd(int fd) : m_fd(fd < 0 ? -1 : fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.m_fd, -1));
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  // The descriptor, still owned by this object; -1 when empty.
  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership without closing: the caller closes the returned descriptor.
  [[nodiscard]] int release() { return std::exchange(m_fd, -1); }

  // Closes what is held (its close error is ignored: there is nothing left to do with the fd) and
  // takes `fd` instead.
  void reset(int fd = -1) {
    const int old = std::exchange(m_fd, fd < 0 ? -1 : fd);
    if (old >= 0) {
      ::close(old);
    }
  }

private:
  int m_fd = -1;
};

} // namespace atelier::base
