// The key layout: every key settfs writes classifies as its kind, and nothing else does.

#include "core/keys.h"

#include <gtest/gtest.h>

#include "fusefs/core/fs_test_fixture.h"

namespace settfs {
namespace {

TEST(KeysTest, EveryKindClassifiesAndMalformedKeysDoNot) {
  EXPECT_EQ(ClassifyKey(kSuperblockKey), KeyTag::kSuperblock);
  EXPECT_EQ(ClassifyKey(kSequenceKey), KeyTag::kSequence);
  EXPECT_EQ(ClassifyKey(InodeKey(7)), KeyTag::kInode);
  EXPECT_EQ(ClassifyKey(TimesKey(7)), KeyTag::kTimes);
  EXPECT_EQ(ClassifyKey(OrphanKey(7)), KeyTag::kOrphan);
  EXPECT_EQ(ClassifyKey(DirentKey(7, "name")), KeyTag::kDirent);
  EXPECT_EQ(ClassifyKey(XattrKey(7, "user.a")), KeyTag::kXattr);
  EXPECT_EQ(ClassifyKey(BlockKey(7, 3)), KeyTag::kBlock);
  // Wrong lengths, an unknown tag, nothing at all.
  EXPECT_EQ(ClassifyKey(""), KeyTag::kUnknown);
  EXPECT_EQ(ClassifyKey("SS"), KeyTag::kUnknown);
  EXPECT_EQ(ClassifyKey(InodeKey(7) + "x"), KeyTag::kUnknown);
  EXPECT_EQ(ClassifyKey(DirentPrefix(7)), KeyTag::kUnknown);  // An entry needs a name.
  EXPECT_EQ(ClassifyKey(BlockPrefix(7)), KeyTag::kUnknown);
  EXPECT_EQ(ClassifyKey(BlockKey(7, 3) + "x"), KeyTag::kUnknown);
  EXPECT_EQ(ClassifyKey(std::string("Z") + InodeKey(7).substr(1)), KeyTag::kUnknown);
  EXPECT_EQ(KeyIno(BlockKey(7, 3)), 7u);
  EXPECT_EQ(KeyBlockIndex(BlockKey(7, 3)), 3u);
  EXPECT_EQ(KeyName(DirentKey(7, "name")), "name");
  EXPECT_EQ(TagPrefix(KeyTag::kInode), InodeKey(7).substr(0, 1));
}

using KeysStoreTest = FsTest;

// Batches resume after the last block they deleted, and leave other files' blocks alone.
TEST_F(KeysStoreTest, DeleteBlockBatchGoesOnWhereItStopped) {
  {
    std::unique_ptr<KvTxn> txn = store_->Begin(true);
    for (uint64_t i = 0; i < 10; i++) ASSERT_OK(txn->Set(BlockKey(50, i * 2), "b"));
    ASSERT_OK(txn->Set(BlockKey(51, 0), "other"));
    ASSERT_OK(txn->Commit(false));
  }
  uint64_t next = 0;
  std::vector<size_t> batches;
  for (size_t deleted = 4; deleted == 4;) {
    std::unique_ptr<KvTxn> txn = store_->Begin(true);
    ASSERT_OK(DeleteBlockBatch(txn.get(), 50, 4, &next, &deleted));
    ASSERT_OK(txn->Commit(false));
    batches.push_back(deleted);
  }
  EXPECT_EQ(batches, (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(next, 19u);
  std::unique_ptr<KvTxn> txn = store_->Begin(false);
  size_t left = 0;
  ASSERT_OK(
      txn->Scan(TagPrefix(KeyTag::kBlock), "", true, [&](std::string_view key, std::string_view) {
        EXPECT_EQ(KeyIno(key), 51u);
        left++;
        return true;
      }));
  EXPECT_EQ(left, 1u);
  EXPECT_GT(BlockDeleteBatch(store_->MaxTxnBytes()), 0u);
  EXPECT_LE(BlockDeleteBatch(size_t{1} << 40), 4096u);
}

}  // namespace
}  // namespace settfs
