// The value log's files: appending and reading, rotation, and recovery of the head's tail.

#include "vlog/value_log.h"

#include <gtest/gtest.h>

#include "format/key_format.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/file_header.h"

namespace sett {
namespace {

class ValueLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<ValueLog> Open(VlogCheckpoint checkpoint = {}, bool read_only = false,
                                 uint64_t limit = 1 << 20) {
    auto vlog = std::make_unique<ValueLog>(Env::Default(), dir_.path(), limit,
                                           StderrLogger(LogLevel::kError));
    EXPECT_OK(vlog->Open(read_only, checkpoint));
    return vlog;
  }

  // Appends a batch of n entries (the last flagged as its end), committed.
  std::vector<ValuePointer> AppendBatch(ValueLog* vlog, int batch, int n, size_t size = 300) {
    std::vector<ValuePointer> ptrs;
    for (int i = 0; i < n; i++) {
      std::string key = InternalKey("b" + std::to_string(batch) + "/" + std::to_string(i), 1);
      std::string value = Value(batch, i, size);
      VlogEntry e;
      e.key = key;
      e.value = value;
      e.flags = i == n - 1 ? kVlogBatchEnd : 0;
      ValuePointer p;
      EXPECT_OK(vlog->Append(e, &p));
      ptrs.push_back(p);
    }
    EXPECT_OK(vlog->Commit());
    return ptrs;
  }

  static std::string Value(int batch, int i, size_t size) {
    return std::string(size, static_cast<char>('a' + (batch * 3 + i) % 26));
  }

  Status Read(const ValueLog& vlog, const ValuePointer& p, int batch, int i, std::string* value) {
    auto files = vlog.files();
    auto it = files->find(p.file_id);
    if (it == files->end()) return Status::NotFound("file");
    return it->second->Read(
        p, InternalKey("b" + std::to_string(batch) + "/" + std::to_string(i), 1), value);
  }

  test::TempDir dir_;
};

TEST_F(ValueLogTest, AppendReadAndReopen) {
  auto vlog = Open();
  EXPECT_EQ(vlog->head_id(), 1u);
  auto ptrs = AppendBatch(vlog.get(), 0, 10);
  std::string value;
  for (int i = 0; i < 10; i++) {
    ASSERT_OK(Read(*vlog, ptrs[i], 0, i, &value));
    EXPECT_EQ(value, Value(0, i, 300));
    EXPECT_TRUE(vlog->Contains(ptrs[i]));
  }
  // Another key's pointer must not hand out this entry.
  EXPECT_TRUE(Read(*vlog, ptrs[0], 0, 1, &value).IsCorruption());
  VlogCheckpoint cp;
  ASSERT_OK(vlog->Close(&cp));
  EXPECT_EQ(cp.file_id, 1u);
  vlog = Open(cp);
  ASSERT_OK(Read(*vlog, ptrs[9], 0, 9, &value));
  auto more = AppendBatch(vlog.get(), 1, 2);
  EXPECT_EQ(more[0].offset, ptrs[9].offset + ptrs[9].length);  // Appends after what was there.
}

TEST_F(ValueLogTest, RotatesAtTheSizeLimit) {
  auto vlog = Open({}, false, /*limit=*/4096);
  std::vector<std::vector<ValuePointer>> batches;
  for (int b = 0; b < 20; b++) {
    if (vlog->NeedsRotation()) ASSERT_OK(vlog->Rotate());
    batches.push_back(AppendBatch(vlog.get(), b, 3));
  }
  EXPECT_GT(vlog->FileIds().size(), 3u);
  std::string value;
  for (int b = 0; b < 20; b++) {
    for (int i = 0; i < 3; i++) {
      ASSERT_OK(Read(*vlog, batches[b][i], b, i, &value));
      EXPECT_EQ(value, Value(b, i, 300));
    }
  }
}

TEST_F(ValueLogTest, TornTailIsCutBackToTheLastWholeBatch) {
  auto vlog = Open();
  auto b0 = AppendBatch(vlog.get(), 0, 3);
  auto b1 = AppendBatch(vlog.get(), 1, 3);
  auto b2 = AppendBatch(vlog.get(), 2, 3);
  VlogCheckpoint ignored;
  ASSERT_OK(vlog->Close(&ignored));
  std::string path = VlogFileName(dir_.path(), 1);
  // Tear batch 2 inside its second entry: the whole batch goes, batch 1 stays.
  test::WriteFile(path, test::ReadFile(path).substr(0, b2[1].offset + 10));
  vlog = Open();  // No checkpoint: scans from the start.
  EXPECT_EQ(test::FileSize(path), b2[0].offset);
  EXPECT_TRUE(vlog->Contains(b1[2]));
  EXPECT_FALSE(vlog->Contains(b2[0]));
  auto again = AppendBatch(vlog.get(), 3, 1);
  EXPECT_EQ(again[0].offset, b2[0].offset);
  (void)b0;
}

TEST_F(ValueLogTest, ReadOnlyOpenLeavesATornTailInPlace) {
  auto vlog = Open();
  AppendBatch(vlog.get(), 0, 2);
  auto b1 = AppendBatch(vlog.get(), 1, 2);
  VlogCheckpoint ignored;
  ASSERT_OK(vlog->Close(&ignored));
  std::string path = VlogFileName(dir_.path(), 1);
  uint64_t torn = b1[1].offset + 5;
  test::WriteFile(path, test::ReadFile(path).substr(0, torn));
  vlog = Open({}, /*read_only=*/true);
  EXPECT_EQ(test::FileSize(path), torn);
  EXPECT_FALSE(vlog->Contains(b1[0]));
}

TEST_F(ValueLogTest, CheckpointLimitsTheScan) {
  auto vlog = Open();
  auto b0 = AppendBatch(vlog.get(), 0, 3);
  VlogCheckpoint cp;
  ASSERT_OK(vlog->Close(&cp));
  std::string path = VlogFileName(dir_.path(), 1);
  EXPECT_EQ(cp.size, test::FileSize(path));
  // Damage before the checkpoint is not rescanned at open (it was whole and synced); a read
  // still finds it.
  test::FlipByte(path, b0[1].offset + 30);
  vlog = Open(cp);
  EXPECT_EQ(test::FileSize(path), cp.size);
  std::string value;
  EXPECT_TRUE(Read(*vlog, b0[1], 0, 1, &value).IsCorruption());
  ASSERT_OK(Read(*vlog, b0[2], 0, 2, &value));
}

TEST_F(ValueLogTest, RetiredFileIsDeletedWhenTheLastReaderLetsGo) {
  auto vlog = Open({}, false, 1024);
  auto b0 = AppendBatch(vlog.get(), 0, 4);
  ASSERT_OK(vlog->Rotate());
  std::shared_ptr<const VlogSet> reader = vlog->files();
  vlog->Retire(1);
  EXPECT_EQ(vlog->files()->count(1), 0u);
  std::string value;
  ASSERT_OK(reader->at(1)->Read(b0[0], InternalKey("b0/0", 1), &value));
  EXPECT_TRUE(Env::Default()->FileExists(VlogFileName(dir_.path(), 1)));
  reader.reset();
  EXPECT_FALSE(Env::Default()->FileExists(VlogFileName(dir_.path(), 1)));
}

}  // namespace
}  // namespace sett
