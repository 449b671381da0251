// File locks through a real mount: flock and POSIX record locks between processes. settfs
// leaves them to the kernel (one mount owns a database), so these check that they work.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsLocksTest = MountedTest;

// Runs fn in a child process and returns its exit code.
int InChild(const std::function<int()>& fn) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(fn());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(SettfsLocksTest, FlockExcludesOtherProcesses) {
  sett::test::WriteFile(P("f"), "x");
  int fd = ::open(P("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto try_lock = [&](int how) {
    return InChild([&] {
      int other = ::open(P("f").c_str(), O_RDWR);
      return ::flock(other, how | LOCK_NB) == 0 ? 0 : errno;
    });
  };
  EXPECT_EQ(try_lock(LOCK_EX), EWOULDBLOCK);
  EXPECT_EQ(try_lock(LOCK_SH), EWOULDBLOCK);
  ASSERT_EQ(::flock(fd, LOCK_SH), 0);
  EXPECT_EQ(try_lock(LOCK_SH), 0);
  ASSERT_EQ(::flock(fd, LOCK_UN), 0);
  EXPECT_EQ(try_lock(LOCK_EX), 0);
  ::close(fd);
}

TEST_F(SettfsLocksTest, PosixRecordLocksConflictByRange) {
  sett::test::WriteFile(P("f"), std::string(1000, 'x'));
  int fd = ::open(P("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 100;
  lock.l_len = 100;
  ASSERT_EQ(::fcntl(fd, F_SETLK, &lock), 0);
  pid_t me = ::getpid();
  int result = InChild([&] {
    int other = ::open(P("f").c_str(), O_RDWR);
    struct flock want = {};
    want.l_type = F_WRLCK;
    want.l_whence = SEEK_SET;
    want.l_start = 150;
    want.l_len = 10;
    if (::fcntl(other, F_SETLK, &want) == 0) return 1;  // Should have conflicted.
    if (errno != EAGAIN && errno != EACCES) return 2;
    if (::fcntl(other, F_GETLK, &want) != 0 || want.l_type != F_WRLCK || want.l_pid != me) {
      return 3;
    }
    want.l_start = 300;  // Outside the held range: free.
    want.l_type = F_WRLCK;
    return ::fcntl(other, F_SETLK, &want) == 0 ? 0 : 4;
  });
  EXPECT_EQ(result, 0);
  ::close(fd);
}

}  // namespace
}  // namespace settfs
