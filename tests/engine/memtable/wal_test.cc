// Write-ahead logs: replay into a memtable, torn tails cut off, corruption reported.

#include "memtable/wal.h"

#include <gtest/gtest.h>

#include "sett/logger.h"
#include "support/test_util.h"
#include "util/record_file.h"

namespace sett {
namespace {

class WalTest : public ::testing::Test {
 protected:
  test::TempDir dir_;  // First: other members are built from it.
  std::string path_ = dir_.Join("000007.mem");
  Logger* logger_ = StderrLogger(LogLevel::kError);

  // Writes `batches` records of 3 entries each (version = batch number + 1).
  std::vector<uint64_t> WriteLog(int batches, bool sync) {
    std::unique_ptr<RecordWriter> w;
    EXPECT_OK(RecordWriter::Create(Env::Default(), path_, kWalFileMagic, kWalFormatVersion, &w));
    std::vector<uint64_t> offsets;
    for (int b = 0; b < batches; b++) {
      std::string record;
      for (int e = 0; e < 3; e++) {
        std::string value = "value-" + std::to_string(b) + "-" + std::to_string(e);
        ValueStruct vs;
        vs.value = value;  // a view: the string must outlive it
        AppendWalEntry(&record, InternalKey("key" + std::to_string(e), b + 1), vs);
      }
      offsets.push_back(w->Size());
      EXPECT_OK(w->AddRecord(record));
      EXPECT_OK(sync ? w->Sync() : w->Flush());
    }
    EXPECT_OK(w->Close());
    return offsets;
  }

  Status Replay(MemTable* mem, WalReplayStats* stats,
                WalRecovery recovery = WalRecovery::kFailOnCorruption, bool read_only = false) {
    return ReplayWal(Env::Default(), path_, recovery, read_only, logger_, nullptr, mem, stats);
  }
};

TEST_F(WalTest, ReplayRestoresEveryBatch) {
  WriteLog(10, false);
  MemTable mem(7);
  WalReplayStats stats;
  ASSERT_OK(Replay(&mem, &stats));
  EXPECT_EQ(stats.records, 10u);
  EXPECT_EQ(stats.entries, 30u);
  EXPECT_EQ(stats.max_version, 10u);
  EXPECT_FALSE(stats.torn_tail);
  uint64_t version;
  ValueStruct vs;
  ASSERT_TRUE(mem.GetAt(InternalKey("key1", 5), &version, &vs));
  EXPECT_EQ(version, 5u);
  EXPECT_EQ(vs.value, "value-4-1");
}

TEST_F(WalTest, TornTailIsTruncatedAndNeverApplied) {
  std::vector<uint64_t> offsets = WriteLog(5, true);
  uint64_t size = test::FileSize(path_);
  test::WriteFile(path_, test::ReadFile(path_).substr(0, size - 4));  // Tear the last record.
  MemTable mem(7);
  WalReplayStats stats;
  ASSERT_OK(Replay(&mem, &stats));
  EXPECT_EQ(stats.records, 4u);
  EXPECT_TRUE(stats.torn_tail);
  EXPECT_EQ(test::FileSize(path_), offsets[4]);
  uint64_t version;
  ValueStruct vs;
  ASSERT_TRUE(mem.GetAt(InternalKey("key0", 100), &version, &vs));
  EXPECT_EQ(version, 4u);  // Batch 5 is gone entirely, not in part.
}

TEST_F(WalTest, ReadOnlyReplayLeavesTheFileAlone) {
  WriteLog(5, true);
  uint64_t size = test::FileSize(path_);
  test::WriteFile(path_, test::ReadFile(path_).substr(0, size - 4));
  MemTable mem(7);
  WalReplayStats stats;
  ASSERT_OK(Replay(&mem, &stats, WalRecovery::kFailOnCorruption, /*read_only=*/true));
  EXPECT_EQ(stats.records, 4u);
  EXPECT_EQ(test::FileSize(path_), size - 4);
}

TEST_F(WalTest, CorruptionInTheMiddleFailsReplay) {
  std::vector<uint64_t> offsets = WriteLog(5, true);
  test::FlipByte(path_, offsets[2] + kRecordHeaderSize + 2);
  MemTable mem(7);
  WalReplayStats stats;
  Status s = Replay(&mem, &stats);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("offset " + std::to_string(offsets[2])), std::string::npos)
      << s.ToString();
}

TEST_F(WalTest, TruncateAtCorruptionKeepsThePrefix) {
  std::vector<uint64_t> offsets = WriteLog(5, true);
  test::FlipByte(path_, offsets[2] + kRecordHeaderSize + 2);
  MemTable mem(7);
  WalReplayStats stats;
  ASSERT_OK(Replay(&mem, &stats, WalRecovery::kTruncateAtCorruption));
  EXPECT_EQ(stats.records, 2u);
  EXPECT_EQ(test::FileSize(path_), offsets[2]);
}

TEST_F(WalTest, MalformedEntryInsideAValidRecordIsCorruption) {
  std::unique_ptr<RecordWriter> w;
  ASSERT_OK(RecordWriter::Create(Env::Default(), path_, kWalFileMagic, kWalFormatVersion, &w));
  ASSERT_OK(
      w->AddRecord(std::string("\x05"
                               "abc",
                               4)));  // Key length 5, only 3 bytes.
  ASSERT_OK(w->Close());
  MemTable mem(7);
  WalReplayStats stats;
  Status s = Replay(&mem, &stats);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(mem.empty());
}

// A synced value's log entry holds the pointer and a copy: the memtable gets the pointer, or
// the copy inline when the value log lost it; a damaged copy entry is refused.
TEST_F(WalTest, EntriesWithACopyGiveThePointerOrTheCopy) {
  const std::string key = InternalKey("big", 5), pointer = "\x01\x10\x40", copy(300, 'c');
  ValueStruct vs;
  vs.meta = kMetaValuePointer;
  vs.user_meta = 7;
  vs.value = pointer;
  std::string record;
  AppendWalEntryWithCopy(&record, key, vs, copy);
  std::string_view k, v;
  std::string_view in = record;
  ASSERT_TRUE(GetLengthPrefixed(&in, &k) && GetLengthPrefixed(&in, &v));
  EXPECT_TRUE(HasWalCopy(v));
  std::string scratch;
  ValueStruct got;
  ASSERT_TRUE(DecodeValueStruct(MemTableValue(v, /*pointer_intact=*/true, &scratch), &got));
  EXPECT_EQ(got.meta, kMetaValuePointer);
  EXPECT_EQ(got.user_meta, 7);
  EXPECT_EQ(got.value, pointer);
  ASSERT_TRUE(DecodeValueStruct(MemTableValue(v, /*pointer_intact=*/false, &scratch), &got));
  EXPECT_EQ(got.meta, 0);
  EXPECT_EQ(got.value, copy);
  int entries = 0;
  EXPECT_OK(
      ForEachWalEntry(record, "test", [&](std::string_view, std::string_view) { entries++; }));
  EXPECT_EQ(entries, 1);
  // The pointer's length running past the value: malformed.
  std::string bad;
  AppendWalEntryWithCopy(&bad, key, vs, "cc");
  bad[bad.size() - 2 - pointer.size() - 1] = '\x7f';
  EXPECT_TRUE(
      ForEachWalEntry(bad, "test", [](std::string_view, std::string_view) {}).IsCorruption());
}

}  // namespace
}  // namespace sett
