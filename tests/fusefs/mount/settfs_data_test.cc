// File contents through a real mount: large and unaligned I/O, holes, punching them, SEEK_DATA and
// SEEK_HOLE, copy_file_range, shared writable mmap, fsync, and files unlinked while open.

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsDataTest = MountedTest;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

struct stat Fstat(int fd) {
  struct stat st = {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return st;
}

std::string Pread(int fd, size_t n, off_t off) {
  std::string buf(n, '\0');
  ssize_t got = ::pread(fd, buf.data(), n, off);
  EXPECT_GE(got, 0) << strerror(errno);
  buf.resize(got < 0 ? 0 : static_cast<size_t>(got));
  return buf;
}

TEST_F(SettfsDataTest, LargeAndUnalignedWritesReadBack) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  std::string big = RandomBytes(9 << 20, 1);  // Several 1 MiB requests.
  Pwrite(fd, big, 0);
  std::string patch = RandomBytes(10007, 2);
  Pwrite(fd, patch, 4093);  // Straddles blocks on both ends.
  big.replace(4093, patch.size(), patch);
  ASSERT_EQ(::fsync(fd), 0);
  ASSERT_EQ(::fdatasync(fd), 0);
  EXPECT_EQ(Pread(fd, big.size() + 100, 0), big);
  EXPECT_EQ(Pread(fd, 100, 5 << 20), big.substr(5 << 20, 100));
  EXPECT_EQ(Pread(fd, 100, big.size()), "");  // At the end: nothing.
  ::close(fd);
  Remount();  // And from the store, not the kernel's cache.
  EXPECT_EQ(sett::test::ReadFile(P("f")), big);
}

TEST_F(SettfsDataTest, HolesTakeNoSpaceAndReadAsZeros) {
  int fd = ::open(P("sparse").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  Pwrite(fd, "start", 0);
  Pwrite(fd, "end", (1 << 30) - 3);  // A 1 GiB file with 8 KiB of data.
  ASSERT_EQ(::close(fd), 0);
  fd = ::open(P("sparse").c_str(), O_RDWR);
  struct stat st = Fstat(fd);
  EXPECT_EQ(st.st_blocks, 2 * 8);
  EXPECT_EQ(st.st_size, 1 << 30);
  EXPECT_LE(st.st_blocks, 2 * 8);
  EXPECT_EQ(Pread(fd, 10, 500 << 20), std::string(10, '\0'));
  ::close(fd);
  Remount();
  fd = ::open(P("sparse").c_str(), O_RDONLY);
  EXPECT_EQ(Pread(fd, 8, (1 << 30) - 8), std::string(5, '\0') + "end");
  EXPECT_LE(Fstat(fd).st_blocks, 2 * 8);
  ::close(fd);
}

TEST_F(SettfsDataTest, SeekDataAndHole) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  Pwrite(fd, std::string(4096, 'a'), 0);
  Pwrite(fd, std::string(4096, 'b'), 1 << 20);
  ASSERT_EQ(::ftruncate(fd, 2 << 20), 0);
  ASSERT_EQ(::fsync(fd), 0);
  EXPECT_EQ(::lseek(fd, 0, SEEK_DATA), 0);
  EXPECT_EQ(::lseek(fd, 0, SEEK_HOLE), 4096);
  EXPECT_EQ(::lseek(fd, 5000, SEEK_DATA), 1 << 20);
  EXPECT_EQ(::lseek(fd, (1 << 20) + 10, SEEK_HOLE), (1 << 20) + 4096);
  EXPECT_EQ(::lseek(fd, (1 << 20) + 4096, SEEK_DATA), -1);
  EXPECT_EQ(errno, ENXIO);
  EXPECT_EQ(::lseek(fd, 3 << 20, SEEK_HOLE), -1);  // Past the end.
  EXPECT_EQ(errno, ENXIO);
  ::close(fd);
}

TEST_F(SettfsDataTest, FallocatePunchesHoles) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 100000), 0);
  std::string data = RandomBytes(64 << 10, 3);
  Pwrite(fd, data, 0);
  // The kernel refreshes st_blocks once cached writes are flushed, at the latest on close.
  ASSERT_EQ(::close(fd), 0);
  fd = ::open(P("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  blkcnt_t before = Fstat(fd).st_blocks;
  EXPECT_EQ(before, 16 * 8);
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 40000), 0);
  EXPECT_LT(Fstat(fd).st_blocks, before);  // The whole blocks inside went.
  EXPECT_EQ(Fstat(fd).st_size, 100000);
  std::string expect = data;
  expect.replace(1000, 40000, std::string(40000, '\0'));
  EXPECT_EQ(Pread(fd, data.size(), 0), expect);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10)), EOPNOTSUPP);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 0)), EINVAL);
  ::close(fd);
}

TEST_F(SettfsDataTest, CopyFileRange) {
  std::string data = RandomBytes(3 << 20, 4);
  sett::test::WriteFile(P("src"), data);
  int in = ::open(P("src").c_str(), O_RDONLY);
  int out = ::open(P("dst").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  loff_t off_in = 1000, off_out = 50;
  size_t left = 2 << 20;
  while (left > 0) {
    ssize_t n = ::copy_file_range(in, &off_in, out, &off_out, left, 0);
    ASSERT_GT(n, 0) << strerror(errno);
    left -= static_cast<size_t>(n);
  }
  ::close(in);
  ::close(out);
  EXPECT_EQ(sett::test::ReadFile(P("dst")), std::string(50, '\0') + data.substr(1000, 2 << 20));
}

TEST_F(SettfsDataTest, SharedWritableMmap) {
  int fd = ::open(P("m").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  constexpr size_t kSize = 3 * 4096 + 100;
  ASSERT_EQ(::ftruncate(fd, kSize), 0);
  void* map = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ASSERT_NE(map, MAP_FAILED) << strerror(errno);
  char* bytes = static_cast<char*>(map);
  std::memcpy(bytes + 10, "mapped", 6);
  std::memcpy(bytes + kSize - 4, "tail", 4);
  ASSERT_EQ(::msync(map, kSize, MS_SYNC), 0);
  ASSERT_EQ(::munmap(map, kSize), 0);
  ASSERT_EQ(::close(fd), 0);
  std::string expect(kSize, '\0');
  expect.replace(10, 6, "mapped");
  expect.replace(kSize - 4, 4, "tail");
  EXPECT_EQ(sett::test::ReadFile(P("m")), expect);
  Remount();
  EXPECT_EQ(sett::test::ReadFile(P("m")), expect);
}

TEST_F(SettfsDataTest, UnlinkedWhileOpenStaysUsableUntilClosed) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  std::string data = RandomBytes(1 << 20, 5);
  Pwrite(fd, data, 0);
  ASSERT_EQ(::unlink(P("f").c_str()), 0);
  EXPECT_EQ(ERRNO_OF(::access(P("f").c_str(), F_OK)), ENOENT);
  Pwrite(fd, "more", data.size());
  ASSERT_EQ(::fsync(fd), 0);
  EXPECT_EQ(Fstat(fd).st_nlink, 0u);
  EXPECT_EQ(Pread(fd, data.size() + 4, 0), data + "more");
  struct statvfs before;
  ASSERT_EQ(::statvfs(mountpoint().c_str(), &before), 0);
  ASSERT_EQ(::close(fd), 0);
  Remount();
  // Reclaimed: the check finds no orphan and nothing else.
  ASSERT_EQ(mount_->Unmount(), 0);
  std::string out;
  EXPECT_EQ(sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck '" + dbdir() + "'", &out),
            0)
      << out;
  EXPECT_EQ(out.find("await reclaiming"), std::string::npos) << out;
  Mount();
}

TEST_F(SettfsDataTest, StatfsReportsRealUsageAndFreeSpace) {
  struct statvfs empty;
  ASSERT_EQ(::statvfs(mountpoint().c_str(), &empty), 0);
  EXPECT_EQ(empty.f_bsize, 4096u);
  EXPECT_EQ(empty.f_namemax, 255u);
  EXPECT_GT(empty.f_bfree, 0u);
  EXPECT_GT(empty.f_blocks, empty.f_bfree - 1);
  struct statvfs host;
  ASSERT_EQ(::statvfs(dbdir().c_str(), &host), 0);
  // Free space is the host's (both in bytes, within what other writers change meanwhile).
  double host_free = static_cast<double>(host.f_bavail) * host.f_frsize;
  double fs_free = static_cast<double>(empty.f_bavail) * empty.f_frsize;
  EXPECT_NEAR(fs_free / host_free, 1.0, 0.05);
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  Pwrite(fd, RandomBytes(32 << 20, 6), 0);
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
  struct statvfs full;
  ASSERT_EQ(::statvfs(mountpoint().c_str(), &full), 0);
  uint64_t used_before = (empty.f_blocks - empty.f_bfree) * empty.f_frsize;
  uint64_t used_after = (full.f_blocks - full.f_bfree) * full.f_frsize;
  EXPECT_GE(used_after - used_before, 30u << 20);
}

TEST_F(SettfsDataTest, FsyncOnDirectoriesAndFilesSucceeds) {
  int dir = ::open(mountpoint().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dir, 0);
  sett::test::WriteFile(P("f"), "x");
  EXPECT_EQ(::fsync(dir), 0);
  ::close(dir);
  ::sync();
}

}  // namespace
}  // namespace settfs
