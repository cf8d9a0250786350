// UniqueFd: the one owner of a file descriptor closes it exactly once, and never one it gave away.
#include "base/unique_fd.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

#include <gtest/gtest.h>

namespace atelier::base {
namespace {

int open_null() {
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return fd;
}

// Whether `fd` is an open descriptor of this process.
bool is_open(int fd) {
  errno = 0;
  const bool open = ::fcntl(fd, F_GETFD) != -1;
  EXPECT_TRUE(open || errno == EBADF) << "fcntl failed with errno " << errno;
  return open;
}

TEST(UniqueFdTest, ClosesOnDestroy) {
  const int raw = open_null();
  {
    UniqueFd fd(raw);
    EXPECT_EQ(fd.get(), raw);
    EXPECT_TRUE(fd.valid());
    EXPECT_TRUE(static_cast<bool>(fd));
    EXPECT_TRUE(is_open(raw));
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFdTest, EmptyByDefaultAndFromAFailedOpen) {
  UniqueFd none;
  EXPECT_FALSE(none.valid());
  EXPECT_FALSE(none);
  EXPECT_EQ(none.get(), -1);
  UniqueFd failed(::open("/nonexistent/atelier-unique-fd", O_RDONLY | O_CLOEXEC));
  EXPECT_FALSE(failed.valid());
  EXPECT_EQ(failed.get(), -1);
}

TEST(UniqueFdTest, MoveConstructionTransfersOwnership) {
  const int raw = open_null();
  UniqueFd first(raw);
  {
    UniqueFd second(std::move(first));
    EXPECT_FALSE(first.valid()); // NOLINT(bugprone-use-after-move): the moved-from state is part of
                                 // the contract
    EXPECT_EQ(second.get(), raw);
  }
  EXPECT_FALSE(is_open(raw)); // closed by the new owner, once
}

TEST(UniqueFdTest, MoveAssignmentClosesWhatTheTargetHeld) {
  const int a = open_null();
  const int b = open_null();
  UniqueFd target(a);
  UniqueFd source(b);
  target = std::move(source);
  EXPECT_FALSE(is_open(a));
  EXPECT_TRUE(is_open(b));
  EXPECT_EQ(target.get(), b);
  EXPECT_FALSE(source.valid()); // NOLINT(bugprone-use-after-move)
}

TEST(UniqueFdTest, SelfMoveAssignmentKeepsTheDescriptor) {
  const int raw = open_null();
  UniqueFd fd(raw);
  UniqueFd& alias = fd;
  fd = std::move(alias);
  EXPECT_EQ(fd.get(), raw);
  EXPECT_TRUE(is_open(raw));
}

TEST(UniqueFdTest, ReleaseGivesUpOwnershipWithoutClosing) {
  const int raw = open_null();
  int released = -1;
  {
    UniqueFd fd(raw);
    released = fd.release();
    EXPECT_FALSE(fd.valid());
  }
  EXPECT_EQ(released, raw);
  EXPECT_TRUE(is_open(raw));
  ::close(raw);
}

TEST(UniqueFdTest, ResetClosesAndTakesTheNewDescriptor) {
  const int a = open_null();
  const int b = open_null();
  UniqueFd fd(a);
  fd.reset(b);
  EXPECT_FALSE(is_open(a));
  EXPECT_EQ(fd.get(), b);
  fd.reset();
  EXPECT_FALSE(is_open(b));
  EXPECT_FALSE(fd.valid());
  fd.reset(); // resetting an empty owner does nothing
  EXPECT_FALSE(fd.valid());
}

} // namespace
} // namespace atelier::base
