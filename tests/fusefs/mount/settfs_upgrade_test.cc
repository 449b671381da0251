// A filesystem made by an earlier settfs (fusefs/testdata/README.md) mounts with this one,
// reads exactly as it was written, takes new (now compressed) data beside the old, and passes
// fsck before and after.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

namespace fs = std::filesystem;

std::string Fsck(const std::string& dbdir, int* status) {
  std::string out;
  *status = sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck " + dbdir, &out);
  return out;
}

class SettfsUpgradeTest : public MountedTest {
 protected:
  void SetUp() override {
    fs::copy(SETTFS_TESTDATA_DIR "/settfs_v1", dbdir(), fs::copy_options::recursive);
    int status;
    std::string out = Fsck(dbdir(), &status);
    ASSERT_EQ(status, 0) << out;
    MountedTest::SetUp();
  }

  // What the fixture's files hold (testdata/README.md).
  static std::string Lines() {
    std::string s;
    for (int i = 0; i < 2000; i++) {
      s += "line " + std::to_string(i) + " of a settfs made before value compression\n";
    }
    return s;
  }
  static std::string Bytes() {
    std::string s(100000, '\0');
    for (size_t i = 0; i < s.size(); i++) s[i] = static_cast<char>((i * 131 + 7) % 251);
    return s;
  }
  static std::string Sparse() {
    std::string s(2 << 20, '\0');
    s.replace(1 << 20, 4096, std::string(4096, 's'));
    return s;
  }

  void CheckOldFiles() {
    using sett::test::ReadFile;
    EXPECT_EQ(ReadFile(P("hello.txt")), "hello from settfs v1\n");
    EXPECT_EQ(ReadFile(P("lines.txt")), Lines());
    EXPECT_EQ(ReadFile(P("lines.hard")), Lines());
    EXPECT_EQ(ReadFile(P("bytes.bin")), Bytes());
    EXPECT_EQ(ReadFile(P("sparse")), Sparse());
    EXPECT_EQ(ReadFile(P("dir/sub/deep.txt")), "deep\n");
    EXPECT_EQ(ReadFile(P("link")), "deep\n");
    char target[64] = {};
    EXPECT_EQ(::readlink(P("link").c_str(), target, sizeof(target) - 1), 16);
    EXPECT_STREQ(target, "dir/sub/deep.txt");
    char note[16] = {};
    EXPECT_EQ(::getxattr(P("hello.txt").c_str(), "user.note", note, sizeof(note)), 4);
    EXPECT_STREQ(note, "kept");
    struct stat st;
    ASSERT_EQ(::stat(P("bytes.bin").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    ASSERT_EQ(::stat(P("lines.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2u);
    ASSERT_EQ(::stat(P("sparse").c_str(), &st), 0);
    EXPECT_EQ(st.st_blocks, 8);  // One 4 KiB block stored: the hole stayed a hole.
  }
};

TEST_F(SettfsUpgradeTest, AnOldFilesystemMountsReadsAndTakesNewData) {
  CheckOldFiles();
  // New data goes in compressed, beside the old uncompressed blocks; old files are rewritten
  // in part.
  const std::string more = Lines() + Lines();
  sett::test::WriteFile(P("new.txt"), more);
  int fd = ::open(P("bytes.bin").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  Pwrite(fd, std::string(5000, 'w'), 20000);
  ASSERT_EQ(::close(fd), 0);
  std::string bytes = Bytes();
  bytes.replace(20000, 5000, std::string(5000, 'w'));

  Remount();
  EXPECT_EQ(sett::test::ReadFile(P("new.txt")), more);
  EXPECT_EQ(sett::test::ReadFile(P("bytes.bin")), bytes);
  EXPECT_EQ(sett::test::ReadFile(P("lines.txt")), Lines());
  ASSERT_EQ(mount_->Unmount(), 0) << mount_->Log();
  int status;
  std::string out = Fsck(dbdir(), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("clean"), std::string::npos) << out;
  Mount();
}

}  // namespace
}  // namespace settfs
