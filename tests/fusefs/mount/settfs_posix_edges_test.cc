// POSIX edges through a real mount, each one a case where settfs once differed from a local
// Linux filesystem: SEEK_DATA over data the kernel still caches, set-group-ID cleared on
// writes by outsiders, buffered reads after asynchronous direct writes, rewinddir, directories
// replaced while open, fallocate modes that cannot be honoured, and file handles that
// outlive the kernel's cache.

#include <dirent.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsPosixEdgesTest = MountedTest;

struct stat Stat(const std::string& path) {
  struct stat st = {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path << ": " << strerror(errno);
  return st;
}

TEST_F(SettfsPosixEdgesTest, SeekDataSeesWritesStillInTheKernelCache) {
  int fd = ::open(P("sparse").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  Pwrite(fd, std::string(4096, 'd'), 1 << 20);  // Cached by the kernel, not yet sent.
  EXPECT_EQ(::lseek(fd, 0, SEEK_DATA), 1 << 20);
  EXPECT_EQ(::lseek(fd, 0, SEEK_HOLE), 0);
  EXPECT_EQ(::lseek(fd, 1 << 20, SEEK_HOLE), (1 << 20) + 4096);
  // A second cached write, into the hole before the first.
  Pwrite(fd, std::string(100, 'e'), 8192);
  EXPECT_EQ(::lseek(fd, 0, SEEK_DATA), 8192);
  EXPECT_EQ(::lseek(fd, 8192, SEEK_HOLE), 12288);
  EXPECT_EQ(::lseek(fd, (1 << 20) + 4096, SEEK_DATA), -1);
  EXPECT_EQ(errno, ENXIO);
  ::close(fd);
}

// The mode a file of `mode` (owned by `owner` and `group`) is left with after `change` runs as
// nobody (in group nogroup).
uint32_t ModeAfterChangeByNobody(const std::string& path, uid_t owner, gid_t group, uint32_t mode,
                                 const std::function<int(int fd)>& change) {
  sett::test::WriteFile(path, std::string(8192, 'x'));
  EXPECT_EQ(::chown(path.c_str(), owner, group), 0);
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  int err = sett::test::RunAs(kNobody, kNogroup, [&] {
    int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) return errno;
    int e = change(fd) < 0 ? errno : 0;
    ::close(fd);
    return e;
  });
  EXPECT_EQ(err, 0) << strerror(err);
  return Stat(path).st_mode & 07777;
}

TEST_F(SettfsPosixEdgesTest, ChangesByOutsidersClearSetgidAsLinuxDoes) {
  auto write = [](int fd) { return static_cast<int>(::pwrite(fd, "y", 1, 10)); };
  auto punch = [](int fd) {
    return ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096);
  };
  auto truncate = [](int fd) { return ::ftruncate(fd, 100); };
  // Not in the file's group: both bits go.
  EXPECT_EQ(ModeAfterChangeByNobody(P("w"), 0, 0, 06666, write), 0666u);
  EXPECT_EQ(ModeAfterChangeByNobody(P("p"), 0, 0, 06666, punch), 0666u);
  EXPECT_EQ(ModeAfterChangeByNobody(P("t"), 0, 0, 06666, truncate), 0666u);
  // In the group: only set-user-ID goes (set-group-ID without group execute stays).
  EXPECT_EQ(ModeAfterChangeByNobody(P("gw"), 0, kNogroup, 06666, write), 02666u);
  EXPECT_EQ(ModeAfterChangeByNobody(P("gt"), 0, kNogroup, 06666, truncate), 02666u);
  // Set-group-ID alone (no set-user-ID, no group execute): the owner outside the group loses
  // it by writing, a member keeps it.
  EXPECT_EQ(ModeAfterChangeByNobody(P("ow"), kNobody, 0, 02666, write), 0666u);
  EXPECT_EQ(ModeAfterChangeByNobody(P("mw"), kNobody, kNogroup, 02666, write), 02666u);
  // Root (CAP_FSETID) keeps both.
  sett::test::WriteFile(P("r"), "x");
  ASSERT_EQ(::chmod(P("r").c_str(), 06666), 0);
  int fd = ::open(P("r").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  Pwrite(fd, "z", 0);
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
  EXPECT_EQ(Stat(P("r")).st_mode & 07777, 06666u);
  // A chmod by the owner outside the group cannot set set-group-ID either.
  sett::test::WriteFile(P("own"), "x");
  ASSERT_EQ(::chown(P("own").c_str(), kNobody, 0), 0);
  EXPECT_EQ(sett::test::RunAs(kNobody, kNogroup,
                              [&] { return ERRNO_OF(::chmod(P("own").c_str(), 02644)); }),
            0);
  EXPECT_EQ(Stat(P("own")).st_mode & 07777, 0644u);
}

// One asynchronous write through the kernel's AIO interface (no library needed).
int AsyncWrite(int fd, const void* buf, size_t size, off_t offset) {
  aio_context_t ctx = 0;
  if (::syscall(SYS_io_setup, 1, &ctx) != 0) return errno;
  iocb cb = {};
  cb.aio_fildes = static_cast<uint32_t>(fd);
  cb.aio_lio_opcode = IOCB_CMD_PWRITE;
  cb.aio_buf = reinterpret_cast<uint64_t>(buf);
  cb.aio_nbytes = size;
  cb.aio_offset = offset;
  iocb* list[1] = {&cb};
  int err = 0;
  if (::syscall(SYS_io_submit, ctx, 1, list) != 1) {
    err = errno;
  } else {
    io_event event = {};
    if (::syscall(SYS_io_getevents, ctx, 1, 1, &event, nullptr) != 1) {
      err = errno;
    } else if (event.res != static_cast<int64_t>(size)) {
      err = event.res < 0 ? static_cast<int>(-event.res) : EIO;
    }
  }
  ::syscall(SYS_io_destroy, ctx);
  return err;
}

TEST_F(SettfsPosixEdgesTest, BufferedReadAfterAsyncDirectWriteSeesTheNewData) {
  // Readers keep pulling the file into the page cache while direct writes replace it: once a
  // write completes, a buffered read must see it, not pages cached while it was under way.
  constexpr size_t kSize = 640 << 10;
  sett::test::WriteFile(P("f"), std::string(kSize, '\0'));
  void* block = nullptr;
  ASSERT_EQ(::posix_memalign(&block, 4096, kSize), 0);
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; i++) {
    readers.emplace_back([&] {
      int fd = ::open(P("f").c_str(), O_RDONLY);
      std::string buf(kSize, '\0');
      while (fd >= 0 && !stop) ::pread(fd, buf.data(), kSize, 0);
      if (fd >= 0) ::close(fd);
    });
  }
  int buffered = ::open(P("f").c_str(), O_RDONLY);
  int direct = ::open(P("f").c_str(), O_RDWR | O_DIRECT);
  EXPECT_GE(buffered, 0);
  EXPECT_GE(direct, 0);
  std::string seen(kSize, '\0');
  int stale_cycles = 0;
  for (int cycle = 1; cycle <= 30 && buffered >= 0 && direct >= 0; cycle++) {
    std::memset(block, cycle, kSize);
    int err = AsyncWrite(direct, block, kSize, 0);
    EXPECT_EQ(err, 0) << strerror(err);
    if (err != 0 || ::pread(buffered, seen.data(), kSize, 0) != static_cast<ssize_t>(kSize)) break;
    if (seen != std::string(kSize, static_cast<char>(cycle))) stale_cycles++;
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(stale_cycles, 0);
  std::free(block);
  ::close(direct);
  ::close(buffered);
}

std::set<std::string> ReadAll(DIR* dir) {
  std::set<std::string> names;
  while (dirent* e = ::readdir(dir)) names.insert(e->d_name);
  return names;
}

TEST_F(SettfsPosixEdgesTest, RewinddirShowsTheDirectoryAsItIsNow) {
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  sett::test::WriteFile(P("d/old"), "");
  DIR* dir = ::opendir(P("d").c_str());
  ASSERT_NE(dir, nullptr);
  EXPECT_EQ(ReadAll(dir), (std::set<std::string>{".", "..", "old"}));
  sett::test::WriteFile(P("d/new"), "");
  ASSERT_EQ(::unlink(P("d/old").c_str()), 0);
  ::rewinddir(dir);
  EXPECT_EQ(ReadAll(dir), (std::set<std::string>{".", "..", "new"}));
  ::closedir(dir);
}

TEST_F(SettfsPosixEdgesTest, DirectoryRemovedWhileOpenStaysUsable) {
  ASSERT_EQ(::mkdir(P("a").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("b").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(P("c").c_str(), 0750), 0);
  int replaced = ::open(P("b").c_str(), O_RDONLY | O_DIRECTORY);
  int removed = ::open(P("c").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(replaced, 0);
  ASSERT_GE(removed, 0);
  ASSERT_EQ(::rename(P("a").c_str(), P("b").c_str()), 0);
  ASSERT_EQ(::rmdir(P("c").c_str()), 0);
  for (int fd : {replaced, removed}) {
    struct stat st = {};
    EXPECT_EQ(::fstat(fd, &st), 0) << strerror(errno);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_nlink, 0u);
    EXPECT_EQ(ERRNO_OF(::openat(fd, "x", O_CREAT | O_WRONLY, 0644)), ENOENT);
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      ADD_FAILURE() << "fdopendir: " << strerror(errno);
      ::close(fd);
      continue;
    }
    EXPECT_EQ(ReadAll(dir), std::set<std::string>{});  // Linux lists nothing of a dead one.
    ::closedir(dir);
  }
  EXPECT_EQ(Stat(P("b")).st_mode & 07777, 0755u);  // a, now named b.
  // The parent counts its remaining subdirectory only.
  EXPECT_EQ(Stat(mountpoint()).st_nlink, 3u);
  Remount();
  EXPECT_EQ(Stat(P("b")).st_mode & 07777, 0755u);
}

TEST_F(SettfsPosixEdgesTest, FallocateRefusesWhatCopyOnWriteCannotReserve) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  Pwrite(fd, std::string(10000, 'a'), 0);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, 0, 0, 1 << 20)), EOPNOTSUPP);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20)), EOPNOTSUPP);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 100)), EOPNOTSUPP);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 100)),
            EOPNOTSUPP);
  struct stat st = {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 10000);
  // Punching a hole promises nothing about space: it works.
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), 0);
  char c = 'x';
  ASSERT_EQ(::pread(fd, &c, 1, 100), 1);
  EXPECT_EQ(c, '\0');
  // posix_fallocate falls back to writing, and the file is as long as asked.
  EXPECT_EQ(::posix_fallocate(fd, 0, 1 << 20), 0);
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 1 << 20);
  ::close(fd);
}

// A file handle as name_to_handle_at gives it.
struct Handle {
  file_handle header;
  unsigned char bytes[MAX_HANDLE_SZ];
};

int HandleOf(const std::string& path, Handle* h) {
  h->header.handle_bytes = MAX_HANDLE_SZ;
  int mount_id = 0;
  return ::name_to_handle_at(AT_FDCWD, path.c_str(), &h->header, &mount_id, 0) < 0 ? errno : 0;
}

TEST_F(SettfsPosixEdgesTest, FileHandlesOutliveTheKernelCacheAndARemount) {
  ASSERT_EQ(::mkdir(P("dir").c_str(), 0755), 0);
  sett::test::WriteFile(P("dir/file"), "by handle");
  sett::test::WriteFile(P("gone"), "x");
  Handle file, dir, gone;
  ASSERT_EQ(HandleOf(P("dir/file"), &file), 0);
  ASSERT_EQ(HandleOf(P("dir"), &dir), 0);
  ASSERT_EQ(HandleOf(P("gone"), &gone), 0);
  ASSERT_EQ(::unlink(P("gone").c_str()), 0);
  Remount();  // A new superblock: the kernel knows no inode of the old one.
  int mount_fd = ::open(mountpoint().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(mount_fd, 0);
  int fd = ::open_by_handle_at(mount_fd, &file.header, O_RDONLY);
  EXPECT_GE(fd, 0) << strerror(errno);
  if (fd >= 0) {
    char buf[32] = {};
    EXPECT_EQ(::read(fd, buf, sizeof(buf)), 9);
    EXPECT_STREQ(buf, "by handle");
    ::close(fd);
  }
  fd = ::open_by_handle_at(mount_fd, &dir.header, O_RDONLY | O_DIRECTORY);
  EXPECT_GE(fd, 0) << strerror(errno);
  if (fd >= 0) {
    EXPECT_EQ(::faccessat(fd, "file", R_OK, 0), 0);
    ::close(fd);
  }
  EXPECT_EQ(ERRNO_OF(::open_by_handle_at(mount_fd, &gone.header, O_RDONLY)), ESTALE);
  ::close(mount_fd);
}

TEST_F(SettfsPosixEdgesTest, RenameWhiteoutAndOverlayfsUpperLayer) {
  sett::test::WriteFile(P("f"), "data");
  ASSERT_EQ(::renameat2(AT_FDCWD, P("f").c_str(), AT_FDCWD, P("g").c_str(), RENAME_WHITEOUT), 0)
      << strerror(errno);
  struct stat st = Stat(P("f"));
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, 0u);
  EXPECT_EQ(sett::test::ReadFile(P("g")), "data");

  // settfs as the upper layer of an overlay: deleting and renaming lower files leaves
  // whiteouts in settfs, and the merged view hides them.
  sett::test::TempDir lower_dir;
  const std::string lower = lower_dir.path(), merged = dir_.Join("merged");
  sett::test::WriteFile(lower + "/a", "lower a");
  ASSERT_EQ(::mkdir((lower + "/dir").c_str(), 0755), 0);
  sett::test::WriteFile(lower + "/dir/b", "lower b");
  ASSERT_EQ(::mkdir(P("upper").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("work").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(merged.c_str(), 0755), 0);
  const std::string options =
      "lowerdir=" + lower + ",upperdir=" + P("upper") + ",workdir=" + P("work");
  ASSERT_EQ(::mount("overlay", merged.c_str(), "overlay", 0, options.c_str()), 0)
      << strerror(errno);
  EXPECT_EQ(::unlink((merged + "/a").c_str()), 0);
  EXPECT_EQ(::rename((merged + "/dir/b").c_str(), (merged + "/dir/c").c_str()), 0)
      << strerror(errno);
  EXPECT_EQ(sett::test::ReadFile(merged + "/dir/c"), "lower b");
  struct stat gone;
  EXPECT_NE(::stat((merged + "/a").c_str(), &gone), 0);
  EXPECT_NE(::stat((merged + "/dir/b").c_str(), &gone), 0);
  EXPECT_EQ(::umount(merged.c_str()), 0) << strerror(errno);
  for (const char* name : {"upper/a", "upper/dir/b"}) {
    st = Stat(P(name));
    EXPECT_TRUE(S_ISCHR(st.st_mode) && st.st_rdev == 0) << name << " is no whiteout";
  }
}

int GetFlags(const std::string& path, int* flags) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return errno;
  int err = ::ioctl(fd, FS_IOC_GETFLAGS, flags) < 0 ? errno : 0;
  ::close(fd);
  return err;
}

// As chattr(1) does it: read the flags, change them, write them back.
int ChangeFlags(const std::string& path, int add, int remove) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) return errno;
  int flags = 0;
  int err = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0 ? errno : 0;
  flags = (flags | add) & ~remove;
  if (err == 0) err = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0 ? errno : 0;
  ::close(fd);
  return err;
}

TEST_F(SettfsPosixEdgesTest, ImmutableAndAppendOnlyHoldForRootToo) {
  sett::test::WriteFile(P("f"), "kept");
  ASSERT_EQ(::mkdir(P("d").c_str(), 0777), 0);
  sett::test::WriteFile(P("d/inner"), "x");
  ASSERT_EQ(ChangeFlags(P("f"), FS_IMMUTABLE_FL, 0), 0);
  ASSERT_EQ(ChangeFlags(P("d"), FS_IMMUTABLE_FL, 0), 0);
  int flags = 0;
  ASSERT_EQ(GetFlags(P("f"), &flags), 0);
  EXPECT_EQ(flags, FS_IMMUTABLE_FL);
  // Root may neither change nor remove an immutable file, nor anything in an immutable
  // directory.
  EXPECT_EQ(ERRNO_OF(::open(P("f").c_str(), O_WRONLY)), EPERM);
  EXPECT_EQ(ERRNO_OF(::open(P("f").c_str(), O_WRONLY | O_APPEND)), EPERM);
  EXPECT_EQ(ERRNO_OF(::truncate(P("f").c_str(), 0)), EPERM);
  EXPECT_EQ(ERRNO_OF(::unlink(P("f").c_str())), EPERM);
  EXPECT_EQ(ERRNO_OF(::rename(P("f").c_str(), P("g").c_str())), EPERM);
  EXPECT_EQ(ERRNO_OF(::link(P("f").c_str(), P("g").c_str())), EPERM);
  EXPECT_EQ(ERRNO_OF(::chmod(P("f").c_str(), 0600)), EPERM);
  EXPECT_EQ(ERRNO_OF(::chown(P("f").c_str(), 1, 1)), EPERM);
  EXPECT_EQ(ERRNO_OF(::setxattr(P("f").c_str(), "user.k", "v", 1, 0)), EPERM);
  EXPECT_EQ(ERRNO_OF(::unlink(P("d/inner").c_str())), EPERM);
  EXPECT_EQ(ERRNO_OF(::open(P("d/new").c_str(), O_CREAT | O_WRONLY, 0644)), EPERM);
  EXPECT_EQ(ERRNO_OF(::mkdir(P("d/sub").c_str(), 0755)), EPERM);
  EXPECT_EQ(sett::test::ReadFile(P("f")), "kept");
  // Only a privileged user may set or clear the flags (the kernel checks CAP_LINUX_IMMUTABLE).
  EXPECT_EQ(
      sett::test::RunAs(kNobody, kNogroup, [&] { return ChangeFlags(P("f"), 0, FS_IMMUTABLE_FL); }),
      EPERM);

  // Append-only: writes only at the end, no truncation, no removal; new entries in a directory.
  ASSERT_EQ(ChangeFlags(P("f"), FS_APPEND_FL, FS_IMMUTABLE_FL), 0);
  ASSERT_EQ(ChangeFlags(P("d"), FS_APPEND_FL, FS_IMMUTABLE_FL), 0);
  EXPECT_EQ(ERRNO_OF(::open(P("f").c_str(), O_WRONLY)), EPERM);
  EXPECT_EQ(ERRNO_OF(::open(P("f").c_str(), O_WRONLY | O_APPEND | O_TRUNC)), EPERM);
  int fd = ::open(P("f").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0) << strerror(errno);
  EXPECT_EQ(::write(fd, "+more", 5), 5);
  ::close(fd);
  EXPECT_EQ(sett::test::ReadFile(P("f")), "kept+more");
  EXPECT_EQ(ERRNO_OF(::unlink(P("f").c_str())), EPERM);
  EXPECT_EQ(ERRNO_OF(::unlink(P("d/inner").c_str())), EPERM);
  sett::test::WriteFile(P("d/new"), "appended entry");
  EXPECT_EQ(ERRNO_OF(::rename(P("d/new").c_str(), P("d/renamed").c_str())), EPERM);

  // Cleared, everything goes again; other flags settfs does not keep are refused.
  ASSERT_EQ(ChangeFlags(P("f"), 0, FS_APPEND_FL), 0);
  ASSERT_EQ(ChangeFlags(P("d"), 0, FS_APPEND_FL), 0);
  EXPECT_EQ(ChangeFlags(P("f"), FS_COMPR_FL, 0), EOPNOTSUPP);
  EXPECT_EQ(::unlink(P("f").c_str()), 0);
  EXPECT_EQ(::unlink(P("d/inner").c_str()), 0);
  EXPECT_EQ(::unlink(P("d/new").c_str()), 0);
  EXPECT_EQ(::rmdir(P("d").c_str()), 0);
}

}  // namespace
}  // namespace settfs
