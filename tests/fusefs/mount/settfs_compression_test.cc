// File data on a filesystem made with zstd, through a real mount: text takes a fraction of its
// size in the value log and random bytes no more than their size plus a small overhead; holes,
// SEEK_DATA/SEEK_HOLE and punch-hole stay exact over compressed blocks, and allocating
// fallocate is refused as on any settfs. (The other mounted tests run on the default mkfs,
// which compresses with snappy.)

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

namespace fs = std::filesystem;

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Words from a small vocabulary: compressible about 3x or more.
std::string Text(size_t n, uint32_t seed) {
  static const char* kWords[] = {"struct ", "inode ", "return ", "const ", "static ",
                                 "int ",    "void ",  "size_t ", "{\n",    "}\n"};
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) s += kWords[rng() % 10];
  s.resize(n);
  return s;
}

class SettfsCompressionTest : public MountedTest {
 protected:
  void SetUp() override {
    std::string mkfs = std::string(sett::test::SettfsBinary()) + " mkfs --compression zstd " +
                       dbdir() + " >/dev/null";
    ASSERT_EQ(std::system(mkfs.c_str()), 0) << mkfs;
    MountedTest::SetUp();
  }

  // Bytes of value-log files in the database (read while unmounted, so that all is written).
  uint64_t ValueLogBytes() {
    uint64_t total = 0;
    for (const auto& e : fs::directory_iterator(dbdir())) {
      if (e.path().extension() == ".vlog") total += fs::file_size(e.path());
    }
    return total;
  }

  uint64_t ValueLogBytesAfterUnmount() {
    EXPECT_EQ(mount_->Unmount(), 0) << mount_->Log();
    uint64_t bytes = ValueLogBytes();
    Mount();
    return bytes;
  }
};

TEST_F(SettfsCompressionTest, TextShrinksAndRandomBytesDoNotGrow) {
  constexpr size_t kSize = 8 << 20;
  const uint64_t empty = ValueLogBytesAfterUnmount();
  const std::string text = Text(kSize, 1);
  sett::test::WriteFile(P("text"), text);
  const uint64_t with_text = ValueLogBytesAfterUnmount();
  std::printf("8 MiB of text: %llu bytes of value log\n",
              static_cast<unsigned long long>(with_text - empty));
  EXPECT_LT(with_text - empty, kSize * 2 / 5);

  const std::string random = RandomBytes(kSize, 2);
  sett::test::WriteFile(P("random"), random);
  const uint64_t with_random = ValueLogBytesAfterUnmount();
  std::printf("8 MiB of random bytes: %llu bytes of value log\n",
              static_cast<unsigned long long>(with_random - with_text));
  // Stored as is: the blocks plus each entry's header, key and checksum (about 1%).
  EXPECT_LE(with_random - with_text, kSize + kSize / 50);
  EXPECT_EQ(sett::test::ReadFile(P("text")), text);
  EXPECT_EQ(sett::test::ReadFile(P("random")), random);
}

TEST_F(SettfsCompressionTest, HolesSeekAndPunchOverCompressedBlocks) {
  int fd = ::open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  std::string model(4 << 20, '\0');
  const std::string a = Text(256 << 10, 3), b = Text(100000, 4);
  Pwrite(fd, a, 0);
  model.replace(0, a.size(), a);
  Pwrite(fd, b, 3 << 20);
  model.replace(3 << 20, b.size(), b);
  ASSERT_EQ(::ftruncate(fd, 4 << 20), 0);
  ASSERT_EQ(::fsync(fd), 0);
  EXPECT_EQ(::lseek(fd, 0, SEEK_HOLE), 256 << 10);
  EXPECT_EQ(::lseek(fd, 300 << 10, SEEK_DATA), 3 << 20);
  // b ends inside a block; the hole starts where that block does.
  EXPECT_EQ(::lseek(fd, 3 << 20, SEEK_HOLE), (3 << 20) + 102400);

  // Punch whole blocks and parts of blocks out of compressed data.
  ASSERT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 5000, 70000), 0);
  model.replace(5000, 70000, std::string(70000, '\0'));
  EXPECT_EQ(::lseek(fd, 8192, SEEK_HOLE), 8192);  // Blocks 2 to 17 went entirely.
  EXPECT_EQ(::lseek(fd, 8192, SEEK_DATA), 73728);
  // Allocation is refused as before (copy-on-write: space set aside now would not keep a
  // later write from ENOSPC), and changes nothing.
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 64 << 10)), EOPNOTSUPP);
  EXPECT_EQ(ERRNO_OF(::fallocate(fd, 0, 0, 8 << 20)), EOPNOTSUPP);
  struct stat st;
  EXPECT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 4 << 20);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(sett::test::ReadFile(P("f")), model);
  Remount();
  EXPECT_EQ(sett::test::ReadFile(P("f")), model);
}

}  // namespace
}  // namespace settfs
