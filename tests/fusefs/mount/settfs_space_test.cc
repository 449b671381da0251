// A full disk: settfs keeps its database on a small tmpfs and is written to until the disk
// is full. Writers get ENOSPC (never EIO), files already there stay intact, removing files
// still works; once space is freed on the disk, writes pass again; and the filesystem unmounts
// cleanly, checks clean and mounts again.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "support/settfs_mount.h"
#include "support/test_util.h"

namespace settfs {
namespace {

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Writes a file and fsyncs it; the errno of the first failure, or 0.
int WriteDurably(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return errno;
  int err = 0;
  if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

TEST(SettfsSpaceTest, AFullDiskGivesEnospcAndLeavesEverythingIntact) {
  ASSERT_EQ(::geteuid(), 0u) << "the mounted tests run as root";
  sett::test::TempDir dir;
  std::string disk = dir.Join("disk"), db = dir.Join("disk/db"), mnt = dir.Join("mnt");
  ASSERT_EQ(::mkdir(disk.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(mnt.c_str(), 0755), 0);
  ASSERT_EQ(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=256m"), 0) << strerror(errno);
  struct Unmounter {  // However the test ends, the small disk goes before the temp dir.
    std::string path;
    ~Unmounter() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmounter{disk};
  // Something else on the same disk, removed later to give space back.
  std::string ballast = disk + "/ballast";
  sett::test::WriteFile(ballast, std::string(24 << 20, 'b'));
  {
    sett::test::SettfsMount mount(db, mnt);  // The default reserve: 64 MiB.
    ASSERT_TRUE(mount.mounted());
    std::string keep = RandomBytes(20 << 20, 1);
    ASSERT_EQ(WriteDurably(mount.Join("keep"), keep), 0);

    int err = 0;
    int files = 0;
    std::string chunk = RandomBytes(8 << 20, 2);
    for (; files < 100 && err == 0; files++) {
      err = WriteDurably(mount.Join("fill" + std::to_string(files)), chunk);
    }
    EXPECT_EQ(err, ENOSPC) << "after " << files << " files of 8 MiB: " << strerror(err);
    // What is left below the reserve may still take smaller files: fill it to the last byte.
    for (size_t size : {1u << 20, 64u << 10, 4u << 10, 256u, 1u}) {
      for (int n = 0; n < 100000; n++) {
        std::string name = "small" + std::to_string(size) + "-" + std::to_string(n);
        if (WriteDurably(mount.Join(name), RandomBytes(size, n)) != 0) break;
      }
    }
    EXPECT_EQ(sett::test::ReadFile(mount.Join("keep")), keep);
    int fd = ::open(mount.Join("one-more").c_str(), O_WRONLY | O_CREAT, 0644);
    EXPECT_EQ(fd < 0 ? errno : 0, ENOSPC);
    if (fd >= 0) ::close(fd);  // an open file would keep the mount busy
    EXPECT_EQ(::mkdir(mount.Join("dir").c_str(), 0755) < 0 ? errno : 0, ENOSPC);
    EXPECT_EQ(::unlink(mount.Join("fill0").c_str()), 0);
    EXPECT_EQ(::rename(mount.Join("fill1").c_str(), mount.Join("renamed").c_str()), 0);

    // Space comes back on the disk: the same mount takes new data again.
    ASSERT_EQ(::unlink(ballast.c_str()), 0);
    std::string after = RandomBytes(4 << 20, 3);
    EXPECT_EQ(WriteDurably(mount.Join("after"), after), 0);
    EXPECT_EQ(::mkdir(mount.Join("dir").c_str(), 0755), 0);
    EXPECT_EQ(sett::test::ReadFile(mount.Join("after")), after);
    EXPECT_EQ(mount.Unmount(), 0) << mount.Log();
  }
  std::string out;
  EXPECT_EQ(sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck " + db, &out), 0)
      << out;
  {
    sett::test::SettfsMount mount(db, mnt);
    ASSERT_TRUE(mount.mounted());
    EXPECT_EQ(sett::test::ReadFile(mount.Join("keep")), RandomBytes(20 << 20, 1));
    EXPECT_EQ(sett::test::ReadFile(mount.Join("renamed")), RandomBytes(8 << 20, 2));
    EXPECT_EQ(sett::test::ReadFile(mount.Join("after")), RandomBytes(4 << 20, 3));
    EXPECT_EQ(mount.Unmount(), 0) << mount.Log();
  }
}

}  // namespace
}  // namespace settfs
