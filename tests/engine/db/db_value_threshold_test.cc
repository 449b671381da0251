// The tuned value threshold through the public API: where values of the middle sizes go
// (counted as bytes written to the value log), that every value reads back whichever way it
// went, across a reopen, and that value_threshold_tuned = false pins the threshold.

#include <gtest/gtest.h>

#include <string>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

constexpr size_t kValueSize = 2000;  // Between value_threshold and its tuned maximum.
constexpr size_t kMemtable = 1 << 20;

Options TestOptions(const std::string& dir, bool tuned) {
  Options options;
  options.dir = dir;
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = kMemtable;
  options.value_threshold_tuned = tuned;
  return options;
}

std::string Value(uint64_t key, uint64_t round) {
  std::string v = "k" + std::to_string(key) + "r" + std::to_string(round) + ":";
  v.resize(kValueSize, static_cast<char>('a' + (key + round) % 26));
  return v;
}

// Writes `rounds` values to each of `keys` keys, round robin; returns the value-log bytes
// written meanwhile.
uint64_t Rewrite(DB* db, uint64_t keys, uint64_t rounds, uint64_t first_key = 0) {
  uint64_t before = db->GetMetrics().vlog_bytes;
  for (uint64_t r = 0; r < rounds; r++) {
    for (uint64_t k = first_key; k < first_key + keys; k++) {
      EXPECT_OK(db->Put(WriteOptions(), "key" + std::to_string(k), Value(k, r)));
    }
  }
  return db->GetMetrics().vlog_bytes - before;
}

void ExpectLatest(DB* db, uint64_t keys, uint64_t round, uint64_t first_key = 0) {
  for (uint64_t k = first_key; k < first_key + keys; k++) {
    std::string value;
    ASSERT_OK(db->Get(ReadOptions(), "key" + std::to_string(k), &value));
    EXPECT_EQ(value, Value(k, round)) << k;
  }
}

TEST(DBValueThresholdTest, HotKeysKeepMiddleSizedValuesInTheTree) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(TestOptions(dir.path(), true), &db));
  // About 500 values of this size make a memtable; 10 keys are rewritten 50 times in each.
  uint64_t warm_up = Rewrite(db.get(), 10, 100);
  EXPECT_GT(warm_up, 0u);  // The first memtable's worth went to the log, as a fill would.
  uint64_t hot = Rewrite(db.get(), 10, 1000);
  EXPECT_EQ(hot, 0u) << "10,000 rewrites of 10 keys went to the value log";
  ExpectLatest(db.get(), 10, 999);
  ASSERT_OK(db->Close());
  ASSERT_OK(DB::Open(TestOptions(dir.path(), true), &db));  // Inline values replay from the WAL.
  ExpectLatest(db.get(), 10, 999);
  ASSERT_OK(db->Close());
}

TEST(DBValueThresholdTest, AFillSendsThemBackToTheLog) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(TestOptions(dir.path(), true), &db));
  Rewrite(db.get(), 10, 100);
  ASSERT_EQ(Rewrite(db.get(), 10, 1000), 0u);  // Hot keys: in the tree.
  // 5,000 new keys written once: about ten memtables' worth. The tuner sees the first of them
  // rewrite nothing and sends the rest to the log.
  uint64_t fill = Rewrite(db.get(), 5000, 1, /*first_key=*/100);
  EXPECT_GE(fill, 4000u * kValueSize);
  ExpectLatest(db.get(), 10, 999);
  ExpectLatest(db.get(), 5000, 0, 100);
  ASSERT_OK(db->Close());
}

TEST(DBValueThresholdTest, PinnedTheyAllGoToTheLog) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(TestOptions(dir.path(), false), &db));
  uint64_t bytes = Rewrite(db.get(), 10, 1000);
  EXPECT_GE(bytes, 10u * 1000 * kValueSize);
  ExpectLatest(db.get(), 10, 999);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
