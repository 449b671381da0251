// Options::index_cache_size through the public API: table indexes and filters held within a
// budget, every read still right.

#include <gtest/gtest.h>

#include <cstdio>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "k%08d", i);
  return buf;
}

TEST(DBIndexCacheTest, IndexesTenTimesTheBudgetStayWithinItAndEveryReadIsRight) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = 256 << 10;
  options.base_table_size = 64 << 10;
  options.block_size = 512;             // Many blocks: big indexes.
  options.index_cache_size = 32 << 10;  // About a fourteenth of the indexes and filters.
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  const int n = 200000;
  WriteBatch batch;
  for (int i = 0; i < n; i++) {
    batch.Put(Key(i), "value" + std::to_string(i));
    if (batch.Count() == 1000) {
      ASSERT_OK(db->Write(WriteOptions(), batch));
      batch.Clear();
    }
  }
  ASSERT_OK(db->Flatten());
  db.reset();
  ASSERT_OK(DB::Open(options, &db));  // Every table opened anew, under the budget.
  DBInfo info = db->Info();
  ASSERT_GE(info.tables.size(), 20u);
  for (int i = 0; i < n; i += 7) {
    std::string value;
    ASSERT_OK(db->Get(ReadOptions(), Key(i), &value));
    ASSERT_EQ(value, "value" + std::to_string(i));
  }
  std::string value;
  EXPECT_TRUE(db->Get(ReadOptions(), "absent", &value).IsNotFound());
  std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
  int count = 0;
  for (it->Rewind(); it->Valid(); it->Next()) count++;
  ASSERT_OK(it->status());
  EXPECT_EQ(count, n);
  it.reset();
  Metrics m = db->GetMetrics();
  EXPECT_LE(m.index_cache_bytes, options.index_cache_size);
  EXPECT_GT(m.index_cache_misses, 0u) << "indexes were evicted and read again";
  ASSERT_OK(db->VerifyChecksums());
}

}  // namespace
}  // namespace sett
