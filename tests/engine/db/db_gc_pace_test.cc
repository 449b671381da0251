// Paced value-log GC through the public API: garbage that makes a file collectable wakes the
// background GC at once, long before its interval; with value_log_gc_paced = false only the
// interval does. Counts collected files, never times GC.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

Options PaceOptions(const std::string& dir, bool paced) {
  Options options;
  options.dir = dir;
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = 1 << 20;
  options.value_log_file_size = 1 << 20;
  options.value_log_gc_interval_seconds = 3600;  // Never within the test on its own.
  options.value_log_gc_quiet_seconds = 0;
  options.value_log_gc_paced = paced;
  return options;
}

// 100 keys written 10 times each, one key at a time, so that nine versions in ten die in
// their memtable: 16 MiB of log whose older files are about 90% garbage after the flush.
void WriteGarbage(DB* db) {
  std::string value(16 << 10, 'v');  // Above the tuned threshold's range: always in the log.
  for (int key = 0; key < 100; key++) {
    for (int version = 0; version < 10; version++) {
      value[0] = static_cast<char>('0' + version);
      ASSERT_OK(db->Put(WriteOptions(), "key" + std::to_string(key), value));
    }
  }
  ASSERT_OK(db->Flush());
}

// Waits up to `limit` for background GC to collect a file; returns the files collected.
uint64_t CollectedWithin(DB* db, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (db->GetMetrics().gc_files_collected == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return db->GetMetrics().gc_files_collected;
}

TEST(DBGcPaceTest, GarbageWakesPacedGcLongBeforeItsInterval) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(PaceOptions(dir.path(), true), &db));
  WriteGarbage(db.get());
  // A liveness bound, not a speed check: the interval is an hour.
  EXPECT_GT(CollectedWithin(db.get(), std::chrono::seconds(60)), 0u);
  std::string value;
  for (int key = 0; key < 100; key++) {
    ASSERT_OK(db->Get(ReadOptions(), "key" + std::to_string(key), &value));
    EXPECT_EQ(value[0], '9');
  }
  ASSERT_OK(db->Close());
}

TEST(DBGcPaceTest, PinnedGcWaitsForItsInterval) {
  test::TempDir dir;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(PaceOptions(dir.path(), false), &db));
  WriteGarbage(db.get());
  EXPECT_EQ(CollectedWithin(db.get(), std::chrono::seconds(1)), 0u);
  // The garbage is there to collect: on demand, GC takes it.
  ASSERT_OK(db->RunValueLogGC(0.5, nullptr));
  EXPECT_GT(db->GetMetrics().gc_files_collected, 0u);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
