// A damaged database: bytes flipped in the value log under one file's data, and in a table of
// the tree. Reading what is damaged fails with EIO and a log line naming what failed; nothing
// crashes, and everything else still reads.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsCorruptionTest = MountedTest;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Reads the whole file; the errno of a failure, or 0.
int ReadErrno(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return errno;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) {
  }
  int err = n < 0 ? errno : 0;
  ::close(fd);
  return err;
}

TEST_F(SettfsCorruptionTest, DamagedDataGivesEioAndALogLineNeverACrash) {
  std::string victim = RandomBytes(4 << 20, 1), other = RandomBytes(4 << 20, 2);
  sett::test::WriteFile(P("victim"), victim);
  sett::test::WriteFile(P("other"), other);
  ASSERT_EQ(mount_->Unmount(), 0);
  std::vector<std::string> logs = sett::test::ListFiles(dbdir(), ".vlog");
  ASSERT_FALSE(logs.empty());
  // The victim's data went first, so a quarter into the log is inside it.
  std::string vlog = dbdir() + "/" + logs.front();
  sett::test::FlipByte(vlog, sett::test::FileSize(vlog) / 4);

  // fsck finds it, names it, and says it cannot repair it.
  std::string out;
  EXPECT_EQ(sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck " + dbdir(), &out),
            4)
      << out;
  EXPECT_NE(out.find("problem: damaged data"), std::string::npos) << out;
  EXPECT_NE(out.find(logs.front()), std::string::npos) << out;

  Mount();
  EXPECT_EQ(ReadErrno(P("victim")), EIO);
  EXPECT_EQ(sett::test::ReadFile(P("other")), other);
  EXPECT_TRUE(sett::test::IsSettfsMounted(mountpoint()));
  std::string log = mount_->Log();
  EXPECT_NE(log.find("settfs: reading inode"), std::string::npos) << log;
  EXPECT_NE(log.find(logs.front()), std::string::npos) << "the log names the damaged file:\n"
                                                       << log;
  // The rest of the filesystem works on.
  sett::test::WriteFile(P("new"), "still writable");
  EXPECT_EQ(sett::test::ReadFile(P("new")), "still writable");
}

TEST_F(SettfsCorruptionTest, DamagedTableGivesEioOrARefusalNeverACrash) {
  for (int i = 0; i < 300; i++) sett::test::WriteFile(P("f" + std::to_string(i)), "small file");
  ASSERT_EQ(mount_->Unmount(), 0);  // Closing flushes the tree into a table.
  std::vector<std::string> tables = sett::test::ListFiles(dbdir(), ".sst");
  ASSERT_EQ(tables.size(), 1u);
  std::string sst = dbdir() + "/" + tables.front();

  // One data block damaged: the small files' blocks come first in key order.
  sett::test::FlipByte(sst, 100);
  Mount();
  int eio = 0, ok = 0, other = 0;
  for (int i = 0; i < 300; i++) {
    int err = ReadErrno(P("f" + std::to_string(i)));
    (err == EIO ? eio : err == 0 ? ok : other)++;
  }
  EXPECT_GT(eio, 0);
  EXPECT_GT(ok, 0);
  EXPECT_EQ(other, 0) << "damage must read as EIO, not as a missing file";
  EXPECT_NE(mount_->Log().find(tables.front()), std::string::npos) << mount_->Log();
  ASSERT_EQ(mount_->Unmount(), 0);

  // The table's footer damaged: the mount is refused, naming the table.
  uint64_t size = sett::test::FileSize(sst);
  for (uint64_t off = size - 40; off < size; off++) sett::test::FlipByte(sst, off);
  std::string refusal = sett::test::MountRefused(dbdir(), mountpoint());
  EXPECT_NE(refusal.find(tables.front()), std::string::npos) << refusal;
  EXPECT_FALSE(sett::test::IsSettfsMounted(mountpoint()));
}

}  // namespace
}  // namespace settfs
