// The settfs command as users run it: help, mkfs, stat, fsck, mounting in the background and
// stopping on signals with nothing lost, refusals with clear messages, and mounting through
// mount(8) (-t fuse.settfs and /etc/fstab-style entries).

#include <gtest/gtest.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/settfs_mount.h"
#include "support/test_util.h"

namespace settfs {
namespace {

using sett::test::Shell;

std::string Settfs(const std::string& args, int* status) {
  std::string out;
  *status = Shell(std::string(sett::test::SettfsBinary()) + " " + args, &out);
  return out;
}

class SettfsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the mounted tests run as root";
    ASSERT_EQ(::mkdir(mnt_.c_str(), 0755), 0);
  }
  // The pid of the background settfs serving db_, or 0.
  pid_t DaemonPid() {
    std::string out;
    Shell("pgrep -f '[s]ettfs mount .*" + db_ + " '", &out);  // [s]: not this shell.
    return out.empty() ? 0 : static_cast<pid_t>(std::stol(out));
  }
  // Waits for the background daemon to exit; false if it does not within 30 s.
  bool WaitDaemonGone() {
    for (int i = 0; i < 3000; i++) {
      if (DaemonPid() == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // Runs the shell commands (set -e) in a private mount namespace where mount.fuse3 finds this
  // build's settfs (in /usr/local/bin); returns the exit status and sets *out to the output.
  int RunWithThisSettfs(const std::string& commands, std::string* out) {
    std::string bin_dir = sett::test::SettfsBinary();
    bin_dir = ::dirname(bin_dir.data());
    sett::test::WriteFile(dir_.Join("script.sh"),
                          "set -e\n"
                          "mount --make-rprivate /\n"
                          "mount --bind " +
                              bin_dir + " /usr/local/bin\n" + commands);
    return Shell("unshare --mount sh " + dir_.Join("script.sh"), out);
  }

  sett::test::TempDir dir_;
  std::string db_ = dir_.Join("db"), mnt_ = dir_.Join("mnt");
};

TEST_F(SettfsCliTest, HelpOnEveryCommand) {
  int status;
  EXPECT_NE(Settfs("--help", &status).find("mount"), std::string::npos);
  EXPECT_EQ(status, 0);
  EXPECT_NE(Settfs("mount --help", &status).find("reserve=MIB"), std::string::npos);
  EXPECT_EQ(status, 0);
  EXPECT_NE(Settfs("mkfs --help", &status).find("--block-size"), std::string::npos);
  EXPECT_NE(Settfs("fsck --help", &status).find("--repair"), std::string::npos);
  EXPECT_NE(Settfs("stat --help", &status).find("DBDIR"), std::string::npos);
  Settfs("frobnicate", &status);
  EXPECT_EQ(status, 2);
  Settfs("mount", &status);
  EXPECT_EQ(status, 2);
}

TEST_F(SettfsCliTest, MkfsStatAndFsck) {
  int status;
  std::string out = Settfs("mkfs " + db_ + " --block-size 8192 --compression zstd", &status);
  ASSERT_EQ(status, 0) << out;
  out = Settfs("mkfs " + db_, &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("already holds a filesystem"), std::string::npos) << out;
  out = Settfs("mkfs " + dir_.Join("other") + " --block-size 1000", &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("power of two"), std::string::npos) << out;
  out = Settfs("mkfs " + dir_.Join("other2") + " --compression lz4", &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(out.find("none, snappy or zstd"), std::string::npos) << out;

  {
    sett::test::SettfsMount mount(db_, mnt_);
    ASSERT_TRUE(mount.mounted());
    sett::test::WriteFile(mount.Join("f"), std::string(100000, 'z'));
    ASSERT_EQ(::mkdir(mount.Join("d").c_str(), 0755), 0);
    struct stat st;
    ASSERT_EQ(::stat(mount.Join("f").c_str(), &st), 0);
    EXPECT_EQ(st.st_blksize, 8192);
    out = Settfs("fsck " + db_, &status);
    EXPECT_EQ(status, 8) << out;
    EXPECT_NE(out.find("is it mounted?"), std::string::npos) << out;
    EXPECT_EQ(mount.Unmount(), 0);
  }
  out = Settfs("stat " + db_, &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("block size      8192"), std::string::npos) << out;
  EXPECT_NE(out.find("compression     zstd"), std::string::npos) << out;
  EXPECT_NE(out.find("files           1"), std::string::npos) << out;
  EXPECT_NE(out.find("directories     2"), std::string::npos) << out;
  EXPECT_NE(out.find("file bytes      97.7 KiB (100000)"), std::string::npos) << out;
  EXPECT_NE(out.find("value log"), std::string::npos) << out;
  // 100,000 bytes of one letter, compressed with zstd: a small fraction of that on disk.
  auto at = out.find("stored bytes    ");
  ASSERT_NE(at, std::string::npos) << out;
  auto ratio_at = out.find("x the file bytes", at);
  ASSERT_NE(ratio_at, std::string::npos) << out;
  double ratio = std::stod(out.substr(out.rfind(' ', ratio_at) + 1));
  EXPECT_LT(ratio, 0.5) << out;
  out = Settfs("fsck " + db_, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("clean"), std::string::npos) << out;
  out = Settfs("fsck --repair " + db_, &status);
  EXPECT_EQ(status, 0) << out;
  out = Settfs("fsck " + dir_.Join("nothing"), &status);
  EXPECT_EQ(status, 8) << out;
  EXPECT_NE(out.find("holds no settfs filesystem"), std::string::npos) << out;
}

TEST_F(SettfsCliTest, MountRefusesWhatIsNotItsOwn) {
  std::string plain = dir_.Join("plain");
  ASSERT_EQ(::mkdir(plain.c_str(), 0755), 0);
  sett::test::WriteFile(plain + "/precious", "mine");
  int status;
  std::string out = Settfs("mount " + plain + " " + mnt_, &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("holds files but no sett database"), std::string::npos) << out;
  EXPECT_EQ(sett::test::ListFiles(plain, ""), std::vector<std::string>{"precious"});
  out = Settfs("mount " + db_ + " " + dir_.Join("no-such-dir"), &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("is not a directory"), std::string::npos) << out;
  out = Settfs("mount -o threads=0 " + db_ + " " + mnt_, &status);
  EXPECT_EQ(status, 2);
  EXPECT_NE(out.find("bad value in -o threads=0"), std::string::npos) << out;
  out = Settfs("mount -o no_such_option " + db_ + " " + mnt_, &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("invalid mount options"), std::string::npos) << out;
  EXPECT_FALSE(sett::test::IsSettfsMounted(mnt_));
}

TEST_F(SettfsCliTest, BackgroundMountStopsOnSignalsWithNothingLost) {
  for (int sig : {SIGTERM, SIGINT}) {
    int status;
    std::string log = dir_.Join("log");
    std::string out = Settfs("mount -o log=" + log + " " + db_ + " " + mnt_, &status);
    ASSERT_EQ(status, 0) << out;
    ASSERT_TRUE(sett::test::IsSettfsMounted(mnt_)) << "mount returned before mounting";
    // Written without fsync: it sits in the kernel's cache until settfs flushes it on exit.
    std::string name = "written-before-" + std::to_string(sig);
    sett::test::WriteFile(mnt_ + "/" + name, std::string(3 << 20, 'w'));
    pid_t pid = DaemonPid();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, sig), 0);
    ASSERT_TRUE(WaitDaemonGone()) << sett::test::ReadFile(log);
    EXPECT_FALSE(sett::test::IsSettfsMounted(mnt_));
    EXPECT_NE(sett::test::ReadFile(log).find("closed"), std::string::npos)
        << sett::test::ReadFile(log);
    sett::test::SettfsMount again(db_, mnt_);
    ASSERT_TRUE(again.mounted());
    EXPECT_EQ(sett::test::ReadFile(again.Join(name)), std::string(3 << 20, 'w'));
    EXPECT_EQ(again.Unmount(), 0);
  }
}

// mount -o remount changes the running mount (one daemon throughout): read-only refuses
// writes with EROFS and keeps what is there readable; read-write again takes writes.
TEST_F(SettfsCliTest, RemountThroughTheHelperChangesTheRunningMount) {
  std::string script = "mount -t fuse.settfs " + db_ + " " + mnt_ +
                       " -o allow_other\n"
                       "echo before > " +
                       mnt_ +
                       "/f\n"
                       "mount -o remount,ro " +
                       mnt_ +
                       "\n"
                       "grep ' " +
                       mnt_ +
                       " ' /proc/self/mountinfo | grep -q ' ro,'\n"
                       "if touch " +
                       mnt_ +
                       "/g 2>/dev/null; then echo wrote-while-ro; fi\n"
                       "touch " +
                       mnt_ +
                       "/g 2>&1 | grep -q 'Read-only file system'\n"
                       "cat " +
                       mnt_ +
                       "/f\n"
                       "mount -o remount,rw " +
                       mnt_ +
                       "\n"
                       "echo after > " +
                       mnt_ +
                       "/g\n"
                       "echo daemons $(pgrep -c -f '[s]ettfs .*" +
                       db_ +
                       " ')\n"
                       "umount " +
                       mnt_ +
                       "\n"
                       "while pgrep -f '[s]ettfs .*" +
                       db_ + " ' >/dev/null; do sleep 0.05; done\n";
  std::string out;
  int status = RunWithThisSettfs(script, &out);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("before"), std::string::npos) << out;
  EXPECT_NE(out.find("daemons 1"), std::string::npos) << out;
  EXPECT_EQ(out.find("wrote-while-ro"), std::string::npos) << out;
  sett::test::SettfsMount again(db_, mnt_);
  ASSERT_TRUE(again.mounted());
  EXPECT_EQ(sett::test::ReadFile(again.Join("g")), "after\n");
  EXPECT_EQ(again.Unmount(), 0);
  // A remount where nothing is mounted says so.
  int code = 0;
  std::string refusal = Settfs(db_ + " " + mnt_ + " -o remount,ro", &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(refusal.find("no settfs filesystem is mounted there"), std::string::npos) << refusal;
}

TEST_F(SettfsCliTest, MountThroughMountHelperAndFstab) {
  std::string fstab = dir_.Join("fstab");
  sett::test::WriteFile(
      fstab, db_ + " " + mnt_ + " fuse.settfs defaults,allow_other,nofail,_netdev,x-test 0 0\n");
  std::string script = "mount -t fuse.settfs " + db_ + " " + mnt_ +
                       " -o allow_other,noatime\n"
                       "grep -q ' " +
                       mnt_ +
                       " fuse.settfs ' /proc/self/mounts\n"
                       "echo through-helper > " +
                       mnt_ +
                       "/f\n"
                       "umount " +
                       mnt_ +
                       "\n"
                       "mount -T " +
                       fstab + " " + mnt_ +
                       "\n"
                       "cat " +
                       mnt_ +
                       "/f\n"
                       "umount " +
                       mnt_ +
                       "\n"
                       "while pgrep -f 'settfs " +
                       db_ + " ' >/dev/null; do sleep 0.05; done\n";
  std::string out;
  int status = RunWithThisSettfs(script, &out);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("through-helper"), std::string::npos) << out;
}

}  // namespace
}  // namespace settfs
