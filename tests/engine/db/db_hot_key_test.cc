// Keys rewritten very many times: reads and iterations in either direction cost a bounded
// number of visited entries (Metrics::read_entries_visited), whatever the number of versions
// written since the last compaction, and a snapshot still reads the version it was taken at.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

constexpr int kOverwrites = 1000000;
// What one read of a few keys may visit: a handful of steps and seeks per key and source.
constexpr uint64_t kVisitBound = 200;

class DBHotKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    options_.memtable_size = 8 << 20;  // Several flushes and tables along the way.
    // Hot values go to the log even when rewritten: the garbage accounting is under test.
    options_.value_threshold_tuned = false;
    options_.value_log_gc_paced = false;  // GC runs when the test calls it.
    ASSERT_OK(DB::Open(options_, &db_));
    ASSERT_OK(db_->Put(WriteOptions(), "a", "first"));
    ASSERT_OK(db_->Put(WriteOptions(), "c", "last"));
  }

  // Writes "b" n times, value "b<i>" for i in [from, from + n).
  void Overwrite(int from, int n) {
    for (int i = from; i < from + n; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), "b", "b" + std::to_string(i)));
    }
  }

  uint64_t Visited(const std::function<void()>& read) {
    uint64_t before = db_->GetMetrics().read_entries_visited;
    read();
    return db_->GetMetrics().read_entries_visited - before;
  }

  // Every key and value an iterator with these options yields.
  std::string Scan(ReadOptions ro) {
    std::string out;
    auto it = db_->NewIterator(ro);
    for (it->Rewind(); it->Valid(); it->Next()) {
      out += std::string(it->key()) + "=" + std::string(it->value()) + " ";
    }
    EXPECT_OK(it->status());
    return out;
  }

  std::string Get(std::string_view key, uint64_t read_ts = 0) {
    ReadOptions ro;
    ro.read_ts = read_ts;
    std::string value;
    Status s = db_->Get(ro, key, &value);
    return s.ok() ? value : s.ToString();
  }

  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBHotKeyTest, ReadsVisitABoundedNumberOfEntries) {
  Overwrite(0, kOverwrites);
  const std::string newest = "b" + std::to_string(kOverwrites - 1);
  const std::string all = "a=first b=" + newest + " c=last ";
  ReadOptions forward, reverse, prefix, reverse_prefix;
  reverse.reverse = true;
  prefix.prefix = "b";
  reverse_prefix.prefix = "b";
  reverse_prefix.reverse = true;

  EXPECT_LE(Visited([&] { EXPECT_EQ(Get("b"), newest); }), kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(forward), all); }), kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(reverse), "c=last b=" + newest + " a=first "); }),
            kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(prefix), "b=" + newest + " "); }), kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(reverse_prefix), "b=" + newest + " "); }), kVisitBound);
  // Seeking onto the hot key from either side.
  EXPECT_LE(Visited([&] {
              auto it = db_->NewIterator(forward);
              it->Seek("b");
              ASSERT_TRUE(it->Valid());
              EXPECT_EQ(it->value(), newest);
              it->Next();
              ASSERT_TRUE(it->Valid());
              EXPECT_EQ(it->key(), "c");
            }),
            kVisitBound);
  EXPECT_LE(Visited([&] {
              auto it = db_->NewIterator(reverse);
              it->Seek("b");
              ASSERT_TRUE(it->Valid());
              EXPECT_EQ(it->value(), newest);
              it->Next();
              ASSERT_TRUE(it->Valid());
              EXPECT_EQ(it->key(), "a");
            }),
            kVisitBound);
}

TEST_F(DBHotKeyTest, ASnapshotInTheMiddleStillReadsItsVersion) {
  Overwrite(0, kOverwrites / 2);
  std::unique_ptr<Snapshot> snapshot = db_->GetSnapshot();
  Overwrite(kOverwrites / 2, kOverwrites / 2);
  const std::string old = "b" + std::to_string(kOverwrites / 2 - 1);
  const std::string newest = "b" + std::to_string(kOverwrites - 1);
  ReadOptions at_snapshot, reverse_at_snapshot, reverse;
  at_snapshot.read_ts = snapshot->read_ts();
  reverse_at_snapshot.read_ts = snapshot->read_ts();
  reverse_at_snapshot.reverse = true;
  reverse.reverse = true;

  EXPECT_LE(Visited([&] { EXPECT_EQ(Get("b", snapshot->read_ts()), old); }), kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Get("b"), newest); }), kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(at_snapshot), "a=first b=" + old + " c=last "); }),
            kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(reverse_at_snapshot), "c=last b=" + old + " a=first "); }),
            kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(ReadOptions()), "a=first b=" + newest + " c=last "); }),
            kVisitBound);
  EXPECT_LE(Visited([&] { EXPECT_EQ(Scan(reverse), "c=last b=" + newest + " a=first "); }),
            kVisitBound);
}

TEST_F(DBHotKeyTest, ATransactionsOwnWritesOverAHotKey) {
  Overwrite(0, 100000);
  auto txn = db_->NewTransaction(true);
  ASSERT_OK(txn->Set("b", "mine"));
  ASSERT_OK(txn->Delete("a"));
  ReadOptions reverse;
  reverse.reverse = true;
  EXPECT_LE(Visited([&] {
              std::string out;
              auto it = txn->NewIterator(reverse);
              for (it->Rewind(); it->Valid(); it->Next()) {
                out += std::string(it->key()) + "=" + std::string(it->value()) + " ";
              }
              EXPECT_EQ(out, "c=last b=mine ");
            }),
            kVisitBound);
}

TEST_F(DBHotKeyTest, AFlushKeepsWhatReadersReadAndCountsTheRestAsGarbage) {
  // Values for the value log: each dropped version is garbage of its file from the flush on.
  const std::string big(4000, 'x');
  for (int i = 0; i < 5000; i++) ASSERT_OK(db_->Put(WriteOptions(), "b", big + std::to_string(i)));
  std::unique_ptr<Snapshot> snapshot = db_->GetSnapshot();
  for (int i = 5000; i < 10000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), "b", big + std::to_string(i)));
  }
  ASSERT_OK(db_->Flush());

  DBInfo info = db_->Info();
  uint64_t entries = 0, garbage = 0, log_bytes = 0;
  for (const TableInfo& t : info.tables) entries += t.num_entries;
  for (const ValueLogFileInfo& f : info.value_log_files) {
    garbage += f.discard_bytes;
    log_bytes += f.size;
  }
  // a, c, the newest b and the one the snapshot reads.
  EXPECT_EQ(entries, 4u);
  // 9,998 of the 10,000 values are garbage: nearly the whole log.
  EXPECT_GT(garbage, log_bytes * 99 / 100) << garbage << " of " << log_bytes;
  EXPECT_LE(garbage, log_bytes);
  EXPECT_EQ(Get("b", snapshot->read_ts()), big + "4999");
  EXPECT_EQ(Get("b"), big + "9999");

  // Once the snapshot goes, compaction drops its version too, and GC gives the log back.
  snapshot.reset();
  ASSERT_OK(db_->Flatten());
  ValueLogGCStats stats;
  ASSERT_OK(db_->RunValueLogGC(0.5, &stats));
  EXPECT_EQ(stats.entries_rewritten, 1u);  // Only the newest b.
  EXPECT_EQ(Get("b"), big + "9999");
}

TEST(DBHotKeyGarbageTest, RewritesFlushEarlySoTheirGarbageIsCounted) {
  // A memtable far from full that holds thousands of replaced values flushes by itself, so
  // their value-log bytes are counted as garbage without anyone asking.
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = 256 << 20;
  options.value_log_file_size = 8 << 20;  // Flush once 1 MiB of replaced values is there.
  options.value_log_gc_interval_seconds = 0;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  const std::string big(4000, 'x');
  for (int i = 0; i < 4000; i++) ASSERT_OK(db->Put(WriteOptions(), "hot", big + std::to_string(i)));
  // Flushes run in the background: wait for the first one's count.
  uint64_t garbage = 0;
  for (int waited = 0; waited < 500 && garbage == 0; waited++) {
    garbage = 0;
    for (const ValueLogFileInfo& f : db->Info().value_log_files) garbage += f.discard_bytes;
    if (garbage == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(db->GetMetrics().flushes, 1u);
  EXPECT_GE(garbage, 1u << 20);
  std::string value;
  ASSERT_OK(db->Get(ReadOptions(), "hot", &value));
  EXPECT_EQ(value, big + "3999");
}

}  // namespace
}  // namespace sett
