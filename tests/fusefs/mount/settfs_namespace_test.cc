// Names through a real mount: creating, linking, renaming and removing, attributes, listings,
// and every errno a user can meet doing so.

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/filesystem.h"
#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsNamespaceTest = MountedTest;

// errno after a call that should fail (0 if it succeeded).
int Renameat2(const std::string& from, const std::string& to, unsigned flags) {
  return static_cast<int>(
      ::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

void Touch(const std::string& path, const std::string& contents = "") {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
  ASSERT_EQ(::write(fd, contents.data(), contents.size()), static_cast<ssize_t>(contents.size()));
  ASSERT_EQ(::close(fd), 0);
}

struct stat Lstat(const std::string& path) {
  struct stat st = {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path << ": " << strerror(errno);
  return st;
}

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  EXPECT_NE(d, nullptr) << dir;
  if (d == nullptr) return names;
  while (struct dirent* e = ::readdir(d)) names.insert(e->d_name);
  ::closedir(d);
  return names;
}

TEST_F(SettfsNamespaceTest, CreateOpenFlagsAndErrors) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0640);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "hello", 5), 5);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(ERRNO_OF(::open(P("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0640)), EEXIST);
  EXPECT_EQ(Lstat(P("f")).st_mode, S_IFREG | 0640u);
  EXPECT_EQ(Lstat(P("f")).st_size, 5);

  fd = ::open(P("f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, " world", 6), 6);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(sett::test::ReadFile(P("f")), "hello world");

  fd = ::open(P("f").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(Lstat(P("f")).st_size, 0);

  EXPECT_EQ(ERRNO_OF(::open(P("missing").c_str(), O_RDONLY)), ENOENT);
  EXPECT_EQ(ERRNO_OF(::open(P("f/x").c_str(), O_RDONLY | O_CREAT, 0644)), ENOTDIR);
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  EXPECT_EQ(ERRNO_OF(::open(P("d").c_str(), O_WRONLY)), EISDIR);
  EXPECT_EQ(ERRNO_OF(::mkdir(P("d").c_str(), 0755)), EEXIST);
  EXPECT_EQ(ERRNO_OF(::mkdir(P("missing/d").c_str(), 0755)), ENOENT);
  std::string long_name(256, 'n');
  EXPECT_EQ(ERRNO_OF(::open(P(long_name).c_str(), O_RDWR | O_CREAT, 0644)), ENAMETOOLONG);
  EXPECT_EQ(ERRNO_OF(::mkdir(P(long_name).c_str(), 0755)), ENAMETOOLONG);
  std::string max_name(255, 'm');  // The longest allowed.
  Touch(P(max_name), "ok");
  EXPECT_EQ(sett::test::ReadFile(P(max_name)), "ok");
}

TEST_F(SettfsNamespaceTest, SpecialFiles) {
  ASSERT_EQ(::mknod(P("fifo").c_str(), S_IFIFO | 0600, 0), 0);
  ASSERT_EQ(::mknod(P("sock").c_str(), S_IFSOCK | 0600, 0), 0);
  ASSERT_EQ(::mknod(P("chr").c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod(P("blk").c_str(), S_IFBLK | 0600, makedev(7, 1)), 0);
  ASSERT_EQ(::mknod(P("reg").c_str(), S_IFREG | 0600, 0), 0);
  EXPECT_TRUE(S_ISFIFO(Lstat(P("fifo")).st_mode));
  EXPECT_TRUE(S_ISSOCK(Lstat(P("sock")).st_mode));
  EXPECT_TRUE(S_ISCHR(Lstat(P("chr")).st_mode));
  EXPECT_EQ(Lstat(P("chr")).st_rdev, makedev(1, 3));
  EXPECT_TRUE(S_ISBLK(Lstat(P("blk")).st_mode));
  EXPECT_EQ(Lstat(P("blk")).st_rdev, makedev(7, 1));
  EXPECT_TRUE(S_ISREG(Lstat(P("reg")).st_mode));
  // A fifo works as one: the kernel passes data through it.
  pid_t child = ::fork();
  if (child == 0) {
    int w = ::open(P("fifo").c_str(), O_WRONLY);
    ::_exit(w >= 0 && ::write(w, "through", 7) == 7 ? 0 : 1);
  }
  int r = ::open(P("fifo").c_str(), O_RDONLY);
  ASSERT_GE(r, 0);
  char buf[16] = {};
  EXPECT_EQ(::read(r, buf, sizeof(buf)), 7);
  EXPECT_STREQ(buf, "through");
  ::close(r);
  int status;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(status, 0);
  // Mounted nodev (FUSE's default): the device node is there, but opening it is refused.
  EXPECT_EQ(ERRNO_OF(::open(P("chr").c_str(), O_WRONLY)), EACCES);
}

TEST_F(SettfsNamespaceTest, AttributesModesOwnersAndTimes) {
  Touch(P("f"), "data");
  ASSERT_EQ(::chmod(P("f").c_str(), 04751), 0);
  EXPECT_EQ(Lstat(P("f")).st_mode & 07777, 04751u);
  ASSERT_EQ(::chown(P("f").c_str(), 1234, 5678), 0);
  EXPECT_EQ(Lstat(P("f")).st_uid, 1234u);
  EXPECT_EQ(Lstat(P("f")).st_gid, 5678u);
  struct timespec times[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
  ASSERT_EQ(::utimensat(AT_FDCWD, P("f").c_str(), times, 0), 0);
  struct stat st = Lstat(P("f"));
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_atim.tv_nsec, 123456789);
  EXPECT_EQ(st.st_mtim.tv_sec, 1100000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 987654321);
  struct timespec now_times[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
  ASSERT_EQ(::utimensat(AT_FDCWD, P("f").c_str(), now_times, 0), 0);
  st = Lstat(P("f"));
  EXPECT_GT(st.st_atim.tv_sec, 1600000000);
  EXPECT_EQ(st.st_mtim.tv_sec, 1100000000);
  ASSERT_EQ(::utimensat(AT_FDCWD, P("f").c_str(), nullptr, 0), 0);  // Both now.
  EXPECT_GT(Lstat(P("f")).st_mtim.tv_sec, 1600000000);
  // Size up and down.
  ASSERT_EQ(::truncate(P("f").c_str(), 10000), 0);
  EXPECT_EQ(Lstat(P("f")).st_size, 10000);
  EXPECT_EQ(sett::test::ReadFile(P("f")), "data" + std::string(9996, '\0'));
  ASSERT_EQ(::truncate(P("f").c_str(), 2), 0);
  EXPECT_EQ(sett::test::ReadFile(P("f")), "da");
  EXPECT_EQ(ERRNO_OF(::truncate(P("missing").c_str(), 0)), ENOENT);
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  EXPECT_EQ(ERRNO_OF(::truncate(P("d").c_str(), 0)), EISDIR);
  EXPECT_EQ(ERRNO_OF(::truncate(P("f").c_str(), -1)), EINVAL);
  // A directory's mtime moves when its entries change.
  struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, P("d").c_str(), old_times, 0), 0);
  EXPECT_EQ(Lstat(P("d")).st_mtim.tv_sec, 1000000000);
  Touch(P("d/new"));
  EXPECT_GT(Lstat(P("d")).st_mtim.tv_sec, 1600000000);
}

TEST_F(SettfsNamespaceTest, HardLinksAndLinkCounts) {
  Touch(P("f"), "shared");
  ASSERT_EQ(::link(P("f").c_str(), P("g").c_str()), 0);
  EXPECT_EQ(Lstat(P("f")).st_nlink, 2u);
  EXPECT_EQ(Lstat(P("f")).st_ino, Lstat(P("g")).st_ino);
  Touch(P("g"), "changed");  // O_TRUNC through the other name.
  EXPECT_EQ(sett::test::ReadFile(P("f")), "changed");
  EXPECT_EQ(ERRNO_OF(::link(P("f").c_str(), P("g").c_str())), EEXIST);
  EXPECT_EQ(ERRNO_OF(::link(P("missing").c_str(), P("h").c_str())), ENOENT);
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  EXPECT_EQ(ERRNO_OF(::link(P("d").c_str(), P("dlink").c_str())), EPERM);
  ASSERT_EQ(::unlink(P("f").c_str()), 0);
  EXPECT_EQ(Lstat(P("g")).st_nlink, 1u);
  EXPECT_EQ(sett::test::ReadFile(P("g")), "changed");
  // Directories: 2 plus one per subdirectory.
  EXPECT_EQ(Lstat(P("d")).st_nlink, 2u);
  ASSERT_EQ(::mkdir(P("d/a").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("d/b").c_str(), 0755), 0);
  Touch(P("d/file"));
  EXPECT_EQ(Lstat(P("d")).st_nlink, 4u);
  ASSERT_EQ(::rmdir(P("d/a").c_str()), 0);
  EXPECT_EQ(Lstat(P("d")).st_nlink, 3u);
  ASSERT_EQ(::rename(P("d/b").c_str(), P("b").c_str()), 0);
  EXPECT_EQ(Lstat(P("d")).st_nlink, 2u);
  EXPECT_EQ(Lstat(mountpoint()).st_nlink, 4u);  // d, b, and the root's own two.
}

// A directory holds at most kLinkMax links: mkdir and rename both stop there with EMLINK.
TEST_F(SettfsNamespaceTest, LinkLimitStopsMkdirAndRename) {
  ASSERT_EQ(::mkdir(P("full").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("sub").c_str(), 0755), 0);
  for (uint32_t i = 2; i < Filesystem::kLinkMax; i++) {
    ASSERT_EQ(::mkdir(P("full/" + std::to_string(i)).c_str(), 0755), 0) << i;
  }
  EXPECT_EQ(Lstat(P("full")).st_nlink, Filesystem::kLinkMax);
  EXPECT_EQ(ERRNO_OF(::mkdir(P("full/more").c_str(), 0755)), EMLINK);
  EXPECT_EQ(ERRNO_OF(::rename(P("sub").c_str(), P("full/sub").c_str())), EMLINK);
  Touch(P("full/plain"));
  EXPECT_EQ(ERRNO_OF(Renameat2(P("sub"), P("full/plain"), RENAME_EXCHANGE)), EMLINK);
  EXPECT_EQ(Renameat2(P("sub"), P("full/2"), RENAME_EXCHANGE), 0);  // A directory for one.
  ASSERT_EQ(::rmdir(P("full/3").c_str()), 0);
  EXPECT_EQ(::rename(P("sub").c_str(), P("full/back").c_str()), 0);  // Room again.
  EXPECT_EQ(Lstat(P("full")).st_nlink, Filesystem::kLinkMax);
  EXPECT_EQ(Lstat(mountpoint()).st_nlink, 3u);
}

TEST_F(SettfsNamespaceTest, RemovingAndItsErrors) {
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  Touch(P("d/f"));
  EXPECT_EQ(ERRNO_OF(::rmdir(P("d").c_str())), ENOTEMPTY);
  EXPECT_EQ(ERRNO_OF(::unlink(P("d").c_str())), EISDIR);
  EXPECT_EQ(ERRNO_OF(::rmdir(P("d/f").c_str())), ENOTDIR);
  EXPECT_EQ(ERRNO_OF(::unlink(P("d/missing").c_str())), ENOENT);
  EXPECT_EQ(ERRNO_OF(::rmdir(P("missing").c_str())), ENOENT);
  EXPECT_EQ(ERRNO_OF(::rmdir(P("d/.").c_str())), EINVAL);
  ASSERT_EQ(::unlink(P("d/f").c_str()), 0);
  ASSERT_EQ(::rmdir(P("d").c_str()), 0);
  EXPECT_EQ(List(mountpoint()), (std::set<std::string>{".", ".."}));
}

TEST_F(SettfsNamespaceTest, RenameReplaceNoreplaceExchangeAndDirectories) {
  Touch(P("a"), "A");
  Touch(P("b"), "B");
  ASSERT_EQ(::rename(P("a").c_str(), P("b").c_str()), 0);  // Replaces b.
  EXPECT_EQ(sett::test::ReadFile(P("b")), "A");
  EXPECT_EQ(ERRNO_OF(::access(P("a").c_str(), F_OK)), ENOENT);
  Touch(P("c"), "C");
  EXPECT_EQ(ERRNO_OF(Renameat2(P("c"), P("b"), RENAME_NOREPLACE)), EEXIST);
  ASSERT_EQ(Renameat2(P("c"), P("new"), RENAME_NOREPLACE), 0);
  ASSERT_EQ(Renameat2(P("new"), P("b"), RENAME_EXCHANGE), 0);
  EXPECT_EQ(sett::test::ReadFile(P("b")), "C");
  EXPECT_EQ(sett::test::ReadFile(P("new")), "A");
  EXPECT_EQ(ERRNO_OF(Renameat2(P("new"), P("nothing"), RENAME_EXCHANGE)), ENOENT);

  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("d/sub").c_str(), 0755), 0);
  Touch(P("d/sub/f"), "deep");
  ASSERT_EQ(::mkdir(P("e").c_str(), 0755), 0);
  ASSERT_EQ(::rename(P("d/sub").c_str(), P("e/moved").c_str()), 0);  // A directory move.
  EXPECT_EQ(sett::test::ReadFile(P("e/moved/f")), "deep");
  EXPECT_EQ(Lstat(P("e/moved/..")).st_ino, Lstat(P("e")).st_ino);
  EXPECT_EQ(ERRNO_OF(::rename(P("e").c_str(), P("e/moved/inside").c_str())), EINVAL);
  EXPECT_EQ(ERRNO_OF(::rename(P("b").c_str(), P("d").c_str())), EISDIR);
  EXPECT_EQ(ERRNO_OF(::rename(P("d").c_str(), P("b").c_str())), ENOTDIR);
  EXPECT_EQ(ERRNO_OF(::rename(P("d").c_str(), P("e").c_str())), ENOTEMPTY);
  ASSERT_EQ(::rename(P("d").c_str(), P("e/moved").c_str()) < 0 ? errno : 0, ENOTEMPTY);
  ASSERT_EQ(::rename(P("e/moved/f").c_str(), P("f").c_str()), 0);
  ASSERT_EQ(::rename(P("d").c_str(), P("e/moved").c_str()), 0);  // Onto an empty directory.
  EXPECT_EQ(List(P("e")), (std::set<std::string>{".", "..", "moved"}));
  EXPECT_EQ(ERRNO_OF(::rename(P("missing").c_str(), P("x").c_str())), ENOENT);
  std::string long_name(256, 'r');
  EXPECT_EQ(ERRNO_OF(::rename(P("f").c_str(), P(long_name).c_str())), ENAMETOOLONG);
}

TEST_F(SettfsNamespaceTest, SymlinksAndLoops) {
  Touch(P("target"), "pointed at");
  ASSERT_EQ(::symlink("target", P("link").c_str()), 0);
  EXPECT_EQ(sett::test::ReadFile(P("link")), "pointed at");
  char buf[256] = {};
  ASSERT_EQ(::readlink(P("link").c_str(), buf, sizeof(buf)), 6);
  EXPECT_STREQ(buf, "target");
  EXPECT_TRUE(S_ISLNK(Lstat(P("link")).st_mode));
  EXPECT_EQ(Lstat(P("link")).st_size, 6);
  EXPECT_EQ(ERRNO_OF(::readlink(P("target").c_str(), buf, sizeof(buf))), EINVAL);
  EXPECT_EQ(ERRNO_OF(::symlink("x", P("link").c_str())), EEXIST);
  ASSERT_EQ(::symlink("loop2", P("loop1").c_str()), 0);
  ASSERT_EQ(::symlink("loop1", P("loop2").c_str()), 0);
  EXPECT_EQ(ERRNO_OF(::open(P("loop1").c_str(), O_RDONLY)), ELOOP);
  std::string long_target(4000, 'l');
  ASSERT_EQ(::symlink(long_target.c_str(), P("long").c_str()), 0);
  std::vector<char> big(5000);
  EXPECT_EQ(::readlink(P("long").c_str(), big.data(), big.size()), 4000);
  ASSERT_EQ(::symlink("/nonexistent/dangling", P("dangling").c_str()), 0);
  EXPECT_EQ(ERRNO_OF(::open(P("dangling").c_str(), O_RDONLY)), ENOENT);
}

TEST_F(SettfsNamespaceTest, ListingsAreCompleteWithTypesAndSeekable) {
  constexpr int kFiles = 1500;
  for (int i = 0; i < kFiles; i++) Touch(P("f" + std::to_string(i)));
  ASSERT_EQ(::mkdir(P("dir").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("f1", P("sym").c_str()), 0);
  DIR* d = ::opendir(mountpoint().c_str());
  ASSERT_NE(d, nullptr);
  std::set<std::string> names;
  long middle = -1;
  std::string after_middle;
  int count = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    names.insert(name);
    if (name == "dir") {
      EXPECT_EQ(e->d_type, DT_DIR);
    } else if (name == "sym") {
      EXPECT_EQ(e->d_type, DT_LNK);
    } else if (name == "f7") {
      EXPECT_EQ(e->d_type, DT_REG);
    }
    if (++count == kFiles / 2) middle = ::telldir(d);
    if (count == kFiles / 2 + 1) after_middle = name;
  }
  EXPECT_EQ(names.size(), kFiles + 4u);  // . .. dir sym
  ::seekdir(d, middle);
  struct dirent* e = ::readdir(d);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(std::string(e->d_name), after_middle);
  ::rewinddir(d);
  int again = 0;
  while (::readdir(d) != nullptr) again++;
  EXPECT_EQ(again, kFiles + 4);
  ::closedir(d);
}

TEST_F(SettfsNamespaceTest, EverythingSurvivesARemount) {
  ASSERT_EQ(::mkdir(P("d").c_str(), 0700), 0);
  Touch(P("d/f"), std::string(100000, 'x'));
  ASSERT_EQ(::link(P("d/f").c_str(), P("hard").c_str()), 0);
  ASSERT_EQ(::symlink("d/f", P("sym").c_str()), 0);
  ASSERT_EQ(::chown(P("d/f").c_str(), 42, 43), 0);
  struct stat before = Lstat(P("d/f"));
  Remount();
  struct stat after = Lstat(P("d/f"));
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_uid, 42u);
  EXPECT_EQ(after.st_nlink, 2u);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(sett::test::ReadFile(P("sym")), std::string(100000, 'x'));
  EXPECT_EQ(Lstat(P("d")).st_mode & 07777, 0700u);
  // Inode numbers are not reused after a remount.
  Touch(P("new"));
  EXPECT_GT(Lstat(P("new")).st_ino, after.st_ino);
}

}  // namespace
}  // namespace settfs
