// Files rewritten and deleted through a real mount: the space comes back by itself (background
// GC on a quiet mount, no command), `df` says so, and a long run of random operations on one
// file (bench/fs/fsx, the whole file checked after each) matches its model.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kFileSize = 1024 * kMiB;

class SettfsRewriteTest : public MountedTest {
 protected:
  // GC every second, closely once the mount has been quiet for two.
  std::string MountOptions() const override { return "gc=1,gc_quiet=2"; }

  // Writes the whole file in 1 MiB pieces of data that differ per pass, then fsyncs it.
  void WriteFile(const std::string& path, int pass) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
    ASSERT_GE(fd, 0) << strerror(errno);
    std::mt19937_64 rng(pass);
    std::string chunk(kMiB, '\0');
    for (uint64_t offset = 0; offset < kFileSize; offset += kMiB) {
      for (size_t i = 0; i < chunk.size(); i += 8) {
        uint64_t bits = rng();
        std::memcpy(&chunk[i], &bits, 8);
      }
      ASSERT_EQ(::pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(offset)),
                static_cast<ssize_t>(chunk.size()))
          << strerror(errno);
    }
    ASSERT_EQ(::fsync(fd), 0);
    ASSERT_EQ(::close(fd), 0);
  }

  // Waits (at most three minutes) until the database is at most `bound` bytes; its size then.
  uint64_t WaitForDatabaseAtMost(uint64_t bound) {
    uint64_t size = sett::test::DirectoryBytes(dbdir());
    for (int waited = 0; waited < 1800 && size > bound; waited++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      size = sett::test::DirectoryBytes(dbdir());
    }
    return size;
  }
};

TEST_F(SettfsRewriteTest, RewrittenAndDeletedFilesGiveTheirSpaceBack) {
  WriteFile(P("big"), 1);
  WriteFile(P("big"), 2);
  uint64_t after_writes = sett::test::DirectoryBytes(dbdir());
  uint64_t rewritten = WaitForDatabaseAtMost(kFileSize * 3 / 2);
  std::printf("database %.0f MiB after writing 1 GiB twice, %.0f MiB later\n",
              after_writes / double(kMiB), rewritten / double(kMiB));
  EXPECT_LE(rewritten, kFileSize * 3 / 2);
  // Still the second pass's data.
  int fd = ::open(P("big").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::mt19937_64 rng(2);
  std::string got(kMiB, '\0');
  ASSERT_EQ(::pread(fd, got.data(), got.size(), 0), static_cast<ssize_t>(kMiB));
  uint64_t first;
  std::memcpy(&first, got.data(), 8);
  EXPECT_EQ(first, rng());
  ::close(fd);

  ASSERT_EQ(::unlink(P("big").c_str()), 0);
  uint64_t deleted = WaitForDatabaseAtMost(128 * kMiB);
  std::printf("%.1f MiB after removing it\n", deleted / double(kMiB));
  EXPECT_LE(deleted, 128 * kMiB);
  struct statvfs vfs;
  ASSERT_EQ(::statvfs(mountpoint().c_str(), &vfs), 0);
  uint64_t used = (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize;
  EXPECT_LE(used, 128 * kMiB) << "df shows " << used << " bytes used";
}

TEST_F(SettfsRewriteTest, RandomOperationsOnOneFileMatchTheirModel) {
  std::string output;
  int status = sett::test::Shell(std::string(sett::test::FsxBinary()) + " " + P("fsx") +
                                     " -N 20000 -S 42 --report-every 5000 2>&1",
                                 &output);
  EXPECT_EQ(status, 0) << output;
}

}  // namespace
}  // namespace settfs
