// SettfsMount runs the real settfs binary in the foreground as a child process, mounted on a
// directory, for tests that drive the filesystem with system calls and programs. It mounts in
// the constructor (the test fails if that does not happen), and unmounts and reaps the daemon
// in Unmount or on destruction.

#ifndef SETT_TESTS_SUPPORT_SETTFS_MOUNT_H_
#define SETT_TESTS_SUPPORT_SETTFS_MOUNT_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace sett::test {

// The settfs binary under test, and bench/fs/fsx (set by the build).
const char* SettfsBinary();
const char* FsxBinary();

class SettfsMount {
 public:
  // Mounts dbdir on mountpoint with `settfs mount -f` and the given -o options (allow_other is
  // always added, so that tests can act as other users).
  SettfsMount(std::string dbdir, std::string mountpoint, std::string options = "");
  ~SettfsMount();
  SettfsMount(const SettfsMount&) = delete;
  SettfsMount& operator=(const SettfsMount&) = delete;

  bool mounted() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& path() const { return mountpoint_; }
  std::string Join(const std::string& name) const { return mountpoint_ + "/" + name; }

  // Unmounts as a user would (fusermount3 -u), and returns the daemon's exit status (-1 if it did
  // not exit normally).
  int Unmount();
  // SIGKILLs the daemon and clears the dead mount.
  void Kill();
  // Everything the daemon wrote to stderr so far (kept in DBDIR.log, or MOUNTPOINT.log for a
  // database on a server).
  std::string Log() const;

 private:
  void WaitForMount();

  const std::string dbdir_, mountpoint_, log_path_;
  pid_t pid_ = -1;
};

// Runs `settfs mount -f` expecting it to refuse; returns what it printed. The test fails if
// it mounts instead.
std::string MountRefused(const std::string& dbdir, const std::string& mountpoint);

// Whether mountpoint has a settfs filesystem mounted on it now.
bool IsSettfsMounted(const std::string& mountpoint);

// Runs fn in a child process with the given uid and gid (and no supplementary groups) and
// returns what fn returned (0..255), e.g. an errno value.
int RunAs(uid_t uid, gid_t gid, const std::function<int()>& fn);

// Runs a shell command line; returns its exit status (-1 if it did not exit normally).
// Its output is appended to *output when that is given.
int Shell(const std::string& command, std::string* output = nullptr);

}  // namespace sett::test

#endif  // SETT_TESTS_SUPPORT_SETTFS_MOUNT_H_
