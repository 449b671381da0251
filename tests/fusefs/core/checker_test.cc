// settfs fsck over the filesystem core: each kind of damage is made by writing keys directly,
// found by a check, and repaired so that a second check is clean and no data is lost.

#include "core/checker.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include "core/keys.h"
#include "fusefs/core/fs_test_fixture.h"

namespace settfs {
namespace {

class CheckerTest : public FsTest {
 protected:
  CheckReport Run(bool repair) {
    CheckOptions options;
    options.repair = repair;
    CheckReport report;
    Status s = Check(store_.get(), options, &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return report;
  }
  // Checks, repairs, and checks again: the first check must find `expected` problems whose
  // text contains `what`, and the last must be clean.
  void ExpectRepaired(size_t expected, const std::string& what) {
    CheckReport found = Run(false);
    ASSERT_EQ(found.problems.size(), expected) << Joined(found.problems);
    EXPECT_NE(Joined(found.problems).find(what), std::string::npos) << Joined(found.problems);
    CheckReport repaired = Run(true);
    EXPECT_TRUE(repaired.remaining.empty()) << Joined(repaired.remaining);
    CheckReport after = Run(false);
    EXPECT_TRUE(after.problems.empty()) << Joined(after.problems);
    Remount();
  }
  static std::string Joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) out += line + "\n";
    return out;
  }
  void Remount() {
    fs_.reset();
    std::string error;
    ASSERT_EQ(
        Filesystem::Mount(store_.get(), sett::StderrLogger(sett::LogLevel::kError), &fs_, &error),
        0)
        << error;
  }
  Inode GetInode(uint64_t ino) {
    std::string value;
    EXPECT_OK(RawGet(InodeKey(ino), &value));
    Inode inode;
    EXPECT_TRUE(DecodeInode(value, &inode));
    inode.ino = ino;
    return inode;
  }
  void PutInode(const Inode& inode) { ASSERT_OK(RawPut(InodeKey(inode.ino), EncodeInode(inode))); }
  uint64_t LookupIno(uint64_t parent, const std::string& name) {
    struct stat st;
    EXPECT_EQ(fs_->Lookup(parent, name, &st), 0) << name;
    return st.st_ino;
  }
};

TEST_F(CheckerTest, AFilesystemInUseIsClean) {
  uint64_t dir = Make(kRootIno, "dir", S_IFDIR | 0755);
  uint64_t f = Make(dir, "f");
  ASSERT_EQ(fs_->Write(f, 0, std::string(10000, 'a')), 0);
  ASSERT_EQ(fs_->Write(f, 1 << 20, "sparse"), 0);
  struct stat st;
  ASSERT_EQ(fs_->Link(f, kRootIno, "hard", &st), 0);
  ASSERT_EQ(fs_->Symlink(caller_, dir, "link", "../hard", &st), 0);
  ASSERT_EQ(fs_->SetXattr(f, "user.a", "1", 0), 0);
  Make(Make(dir, "sub", S_IFDIR | 0755), "deeper", S_IFDIR | 0700);
  CheckReport report = Run(false);
  EXPECT_TRUE(report.problems.empty()) << Joined(report.problems);
  EXPECT_EQ(report.inodes, 6u);
  EXPECT_EQ(report.directories, 4u);
  EXPECT_EQ(report.entries, 6u);
  EXPECT_EQ(report.blocks, 4u);
}

TEST_F(CheckerTest, EntryToAMissingInodeIsDropped) {
  uint64_t f = Make(kRootIno, "gone");
  ASSERT_EQ(fs_->Write(f, 0, std::string(5000, 'x')), 0);
  ASSERT_OK(RawDelete(InodeKey(f)));
  ExpectRepaired(2, "names missing inode");  // The entry, and the blocks left behind.
  EXPECT_EQ(List(kRootIno).size(), 2u);
  std::string value;
  EXPECT_TRUE(RawGet(BlockKey(f, 0), &value).IsNotFound());
}

TEST_F(CheckerTest, WrongCountsAreSet) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Write(f, 0, std::string(9000, 'x')), 0);
  Inode inode = GetInode(f);
  inode.nlink = 5;
  inode.blocks = 7;
  PutInode(inode);
  Inode root = GetInode(kRootIno);
  root.nlink = 9;
  PutInode(root);
  ExpectRepaired(3, "link count 5, should be 1");
  EXPECT_EQ(Stat(f).st_nlink, 1u);
  EXPECT_EQ(Stat(f).st_blocks, 3 * 8);
  EXPECT_EQ(Stat(kRootIno).st_nlink, 2u);
}

TEST_F(CheckerTest, UnreachableFilesGoToLostAndFound) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Write(f, 0, "precious"), 0);
  ASSERT_OK(RawDelete(DirentKey(kRootIno, "f")));
  ExpectRepaired(1, "in no directory reachable");
  uint64_t lost = LookupIno(kRootIno, "lost+found");
  uint64_t back = LookupIno(lost, "#" + std::to_string(f));
  EXPECT_EQ(back, f);
  EXPECT_EQ(ReadAll(f), "precious");
  EXPECT_EQ(Stat(kRootIno).st_nlink, 3u);
}

TEST_F(CheckerTest, ACycleOfDirectoriesIsCutAndBroughtBack) {
  uint64_t a = Make(kRootIno, "a", S_IFDIR | 0755);
  uint64_t b = Make(a, "b", S_IFDIR | 0755);
  uint64_t f = Make(b, "f");
  ASSERT_EQ(fs_->Write(f, 0, "inside"), 0);
  // a leaves the root and is named from b instead: a -> b -> a, reachable from nowhere.
  ASSERT_OK(RawDelete(DirentKey(kRootIno, "a")));
  ASSERT_OK(RawPut(DirentKey(b, "a"), EncodeDirent(Dirent{a, DT_DIR})));
  CheckReport found = Run(false);
  EXPECT_FALSE(found.problems.empty());
  CheckReport repaired = Run(true);
  EXPECT_TRUE(repaired.remaining.empty()) << Joined(repaired.remaining);
  EXPECT_TRUE(Run(false).problems.empty());
  Remount();
  uint64_t lost = LookupIno(kRootIno, "lost+found");
  uint64_t top = LookupIno(lost, "#" + std::to_string(std::min(a, b)));
  // Whichever of the two came back holds the other, which holds the file.
  uint64_t other = LookupIno(top, top == a ? "b" : "a");
  EXPECT_EQ(other, top == a ? b : a);
  uint64_t holder = top == b ? top : other;
  EXPECT_EQ(ReadAll(LookupIno(holder, "f")), "inside");
}

TEST_F(CheckerTest, BlocksBeyondTheSizeAreDropped) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Write(f, 0, std::string(20000, 'x')), 0);
  Inode inode = GetInode(f);
  inode.size = 5000;  // Blocks 2..4 now lie beyond it.
  PutInode(inode);
  ExpectRepaired(1, "beyond its size");  // Then, in a second round, block 1's tail is cut.
  EXPECT_EQ(Stat(f).st_blocks, 2 * 8);
  AttrChange grow;  // Growing the file again must not bring the dropped bytes back.
  grow.set_size = true;
  grow.size = 20000;
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(f, grow, &st), 0);
  std::string data = ReadAll(f);
  EXPECT_EQ(data.substr(0, 5000), std::string(5000, 'x'));
  EXPECT_EQ(data.substr(5000), std::string(15000, '\0'));
}

TEST_F(CheckerTest, SecondNameOfADirectoryIsDropped) {
  uint64_t a = Make(kRootIno, "a", S_IFDIR | 0755);
  ASSERT_OK(RawPut(DirentKey(kRootIno, "alias"), EncodeDirent(Dirent{a, DT_DIR})));
  ExpectRepaired(2, "a second name");  // The name, and the root's link count it implies.
  EXPECT_EQ(List(kRootIno).size(), 3u);
}

TEST_F(CheckerTest, KeysOfMissingInodesAreDroppedAndUnknownKeysReported) {
  ASSERT_OK(RawPut(XattrKey(4242, "user.x"), "v"));
  ASSERT_OK(RawPut(TimesKey(4243), "t"));
  ASSERT_OK(RawPut("Zfoo", "?"));
  CheckReport found = Run(false);
  ASSERT_EQ(found.problems.size(), 3u) << Joined(found.problems);
  CheckReport repaired = Run(true);
  ASSERT_EQ(repaired.remaining.size(), 1u);
  EXPECT_NE(repaired.remaining[0].find("Zfoo"), std::string::npos);
  std::string value;
  EXPECT_TRUE(RawGet(XattrKey(4242, "user.x"), &value).IsNotFound());
  EXPECT_OK(RawGet("Zfoo", &value));
}

TEST_F(CheckerTest, OrphansAreNoProblemAndRepairReclaimsThem) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Write(f, 0, std::string(8192, 'o')), 0);
  ASSERT_EQ(fs_->Unlink(kRootIno, "f"), 0);  // Still looked up: an orphan, as after a crash.
  fs_.reset();
  CheckReport found = Run(false);
  EXPECT_TRUE(found.problems.empty()) << Joined(found.problems);
  EXPECT_EQ(found.orphans, 1u);
  CheckReport repaired = Run(true);
  EXPECT_EQ(repaired.orphans_reclaimed, 1u);
  std::string value;
  EXPECT_TRUE(RawGet(InodeKey(f), &value).IsNotFound());
  EXPECT_TRUE(RawGet(BlockKey(f, 1), &value).IsNotFound());
  EXPECT_EQ(Run(false).orphans, 0u);
}

TEST_F(CheckerTest, NoSuperblockIsAnError) {
  ASSERT_OK(RawDelete(kSuperblockKey));
  CheckReport report;
  Status s = Check(store_.get(), CheckOptions(), &report);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

}  // namespace
}  // namespace settfs
