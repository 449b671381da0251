#include "support/settfs_mount.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/pg_kv_store.h"

namespace sett::test {
namespace {

// Beside the database directory (on the same disk, which the space tests fill to the last
// byte), or beside the mount point for a database on a server.
std::string LogPathFor(const std::string& dbdir, const std::string& mountpoint) {
  return (settfs::PgKvStore::IsUri(dbdir) ? mountpoint : dbdir) + ".log";
}

using Clock = std::chrono::steady_clock;

// Waits up to `seconds` for pid to exit; its exit status, or -2 if it is still running.
int WaitExit(pid_t pid, int seconds) {
  auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0) return -1;
    if (Clock::now() >= deadline) return -2;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

const char* SettfsBinary() { return SETTFS_BIN; }
const char* FsxBinary() { return FSX_BIN; }

bool IsSettfsMounted(const std::string& mountpoint) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - TYPE SOURCE SUPER
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    if (point == mountpoint && line.find(" - fuse.settfs ") != std::string::npos) return true;
  }
  return false;
}

SettfsMount::SettfsMount(std::string dbdir, std::string mountpoint, std::string options)
    : dbdir_(std::move(dbdir)),
      mountpoint_(std::move(mountpoint)),
      log_path_(LogPathFor(dbdir_, mountpoint_)) {
  std::string opts = "allow_other";
  if (!options.empty()) opts += "," + options;
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    ::execl(SettfsBinary(), "settfs", "mount", "-f", "-o", opts.c_str(), dbdir_.c_str(),
            mountpoint_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  WaitForMount();
}

void SettfsMount::WaitForMount() {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!IsSettfsMounted(mountpoint_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "settfs exited before mounting " << mountpoint_ << ":\n" << Log();
      return;
    }
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      WaitExit(pid_, 10);
      pid_ = -1;
      ADD_FAILURE() << "settfs did not mount " << mountpoint_ << " within 30 s:\n" << Log();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

SettfsMount::~SettfsMount() {
  if (pid_ > 0) Unmount();
}

int SettfsMount::Unmount() {
  if (pid_ <= 0) return -1;
  // As users do; a process that just closed a file there may still hold it for a moment.
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Shell("fusermount3 -u -q " + mountpoint_) != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  int status = WaitExit(pid_, 60);
  if (status == -2) {
    ADD_FAILURE() << "settfs did not exit within 60 s of the unmount:\n" << Log();
    ::kill(pid_, SIGKILL);
    WaitExit(pid_, 10);
    ::umount2(mountpoint_.c_str(), MNT_DETACH);
  }
  pid_ = -1;
  return status;
}

void SettfsMount::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  WaitExit(pid_, 30);
  pid_ = -1;
  ::umount2(mountpoint_.c_str(), MNT_DETACH);  // The dead connection's mount.
}

std::string SettfsMount::Log() const {
  std::ifstream in(log_path_);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string MountRefused(const std::string& dbdir, const std::string& mountpoint) {
  std::string log_path = dbdir + ".refused.log";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execl(SettfsBinary(), "settfs", "mount", "-f", dbdir.c_str(), mountpoint.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto deadline = Clock::now() + std::chrono::seconds(30);
  int status = -2;
  while ((status = WaitExit(pid, 0)) == -2) {
    if (IsSettfsMounted(mountpoint) || Clock::now() >= deadline) {
      ADD_FAILURE() << "settfs mounted " << dbdir << " instead of refusing";
      ::umount2(mountpoint.c_str(), 0);
      status = WaitExit(pid, 30);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(status, 0) << "settfs exited with 0 without mounting";
  std::ifstream in(log_path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

int RunAs(uid_t uid, gid_t gid, const std::function<int()>& fn) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(gid, gid, gid) != 0 ||
        ::setresuid(uid, uid, uid) != 0) {
      ::_exit(255);
    }
    ::_exit(fn() & 0xff);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int Shell(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
    if (output != nullptr) output->append(buf, n);
  }
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace sett::test
