// A file rewritten over and over: reading it, writing a block and truncating it cost the same
// work (entries the engine visits, sett::Metrics::read_entries_visited) after 100,000 rewrites
// as after 1,000, with every version still in one large memtable.

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "core/keys.h"
#include "fusefs/core/fs_test_fixture.h"

namespace settfs {
namespace {

constexpr uint64_t kBlock = 4096;
constexpr uint64_t kBlocks = 64;  // A 256 KiB file.

class FsHotRewriteTest : public FsTest {
 protected:
  size_t MemtableSize() const override { return 512 << 20; }  // Every version stays there.

  void SetUp() override {
    FsTest::SetUp();
    ino_ = Make(kRootIno, "f");
  }

  // Rewrites n random blocks of the file, with a truncate to a random size every 50.
  void Rewrite(int n) {
    std::string block(kBlock, 'x');
    for (int i = 0; i < n; i++) {
      block[0] = static_cast<char>('a' + rng_() % 26);
      ASSERT_EQ(fs_->Write(ino_, (rng_() % kBlocks) * kBlock, block), 0);
      if (i % 50 == 49) {
        AttrChange change;
        change.set_size = true;
        change.size = (rng_() % (kBlocks * kBlock));
        struct stat st;
        ASSERT_EQ(fs_->SetAttr(ino_, change, &st), 0);
      }
    }
    // End at full size, so that every measurement reads the same file shape.
    ASSERT_EQ(fs_->Write(ino_, 0, std::string(kBlocks * kBlock, 'y')), 0);
  }

  uint64_t Visited(const std::function<void()>& op) {
    uint64_t before = db_->GetMetrics().read_entries_visited;
    op();
    return db_->GetMetrics().read_entries_visited - before;
  }

  // The work of a whole-file read, a one-block write and a truncate to half and back.
  struct Costs {
    uint64_t read, write, truncate;
  };
  Costs Measure() {
    Costs c;
    std::string data;
    c.read = Visited([&] { EXPECT_EQ(fs_->Read(ino_, 0, kBlocks * kBlock, &data), 0); });
    EXPECT_EQ(data, std::string(kBlocks * kBlock, 'y'));
    c.write =
        Visited([&] { EXPECT_EQ(fs_->Write(ino_, 5 * kBlock, std::string(kBlock, 'y')), 0); });
    c.truncate = Visited([&] {
      AttrChange change;
      change.set_size = true;
      change.size = kBlocks * kBlock / 2;
      struct stat st;
      EXPECT_EQ(fs_->SetAttr(ino_, change, &st), 0);
    });
    EXPECT_EQ(fs_->Write(ino_, 0, std::string(kBlocks * kBlock, 'y')), 0);
    return c;
  }

  uint64_t ino_ = 0;
  std::mt19937_64 rng_{42};
};

TEST_F(FsHotRewriteTest, CostsStayFlatAsTheFileAges) {
  Rewrite(1000);
  Costs young = Measure();
  Rewrite(100000);
  Costs old = Measure();
  std::printf(
      "entries visited after 1,000 and 100,000 rewrites: read %llu -> %llu, write "
      "%llu -> %llu, truncate %llu -> %llu\n",
      (unsigned long long)young.read, (unsigned long long)old.read, (unsigned long long)young.write,
      (unsigned long long)old.write, (unsigned long long)young.truncate,
      (unsigned long long)old.truncate);
  // A little slack for how the versions fall; a cost that grows with history grows 100-fold.
  EXPECT_LE(old.read, young.read * 3 / 2 + 20);
  EXPECT_LE(old.write, young.write * 3 / 2 + 20);
  EXPECT_LE(old.truncate, young.truncate * 3 / 2 + 20);
}

TEST_F(FsHotRewriteTest, RemovingAndTruncatingALargeFileCostLinearWork) {
  // 40,000 blocks of one byte each: removing them takes ten transactions, each of which must
  // start after the tombstones of the ones before, not walk them again.
  constexpr uint64_t kLargeBlocks = 40000;
  std::string chunk(256 * kBlock, '\0');
  for (uint64_t b = 0; b < 256; b++) chunk[b * kBlock] = 'z';
  uint64_t large = Make(kRootIno, "large"), long_file = Make(kRootIno, "long");
  for (uint64_t ino : {large, long_file}) {
    for (uint64_t at = 0; at < kLargeBlocks * kBlock; at += chunk.size()) {
      ASSERT_EQ(fs_->Write(ino, at, chunk), 0);
    }
  }
  // The kernel's last FORGET of an unlinked inode reclaims its blocks.
  uint64_t removed = Visited([&] {
    ASSERT_EQ(fs_->Unlink(kRootIno, "large"), 0);
    fs_->Forget(large, 1);
  });
  struct stat st;
  EXPECT_NE(fs_->GetAttr(large, &st), 0);
  uint64_t truncated = Visited([&] {
    AttrChange change;
    change.set_size = true;
    ASSERT_EQ(fs_->SetAttr(long_file, change, &st), 0);
  });
  std::printf("entries visited removing %llu blocks: %llu; truncating as many to 0: %llu\n",
              (unsigned long long)kLargeBlocks, (unsigned long long)removed,
              (unsigned long long)truncated);
  EXPECT_LE(removed, kLargeBlocks * 3 / 2);
  EXPECT_LE(truncated, kLargeBlocks * 3 / 2);
}

}  // namespace
}  // namespace settfs
