// The value log through the public API: where values go, reading them back every way, damage,
// crashes, and value-log GC.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "sett/db.h"
#include "sett/env.h"
#include "sett/logger.h"
#include "support/read_counting_env.h"
#include "support/test_util.h"
#include "util/random.h"

namespace sett {
namespace {

namespace fs = std::filesystem;

class DBValueLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    options_.value_threshold = 100;
    // The log and its GC under test: every value of 100 bytes or more goes there, and GC
    // runs when a test calls it.
    options_.value_threshold_tuned = false;
    options_.value_log_gc_paced = false;
    options_.value_log_file_size = 64 << 10;
    options_.memtable_size = 256 << 10;
  }
  void TearDown() override { db_.reset(); }  // Before any directory goes.
  void Open() { ASSERT_OK(DB::Open(options_, &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    Open();
  }
  std::string Get(const std::string& key) {
    std::string value;
    Status s = db_->Get(ReadOptions(), key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  uint64_t ValueLogBytes() {
    uint64_t total = 0;
    for (const auto& f : db_->Info().value_log_files) total += f.size;
    return total;
  }
  static std::string Value(int i, size_t size) {
    std::string v(size, '\0');
    Random rnd(i);
    for (auto& c : v) c = static_cast<char>('a' + rnd.Uniform(26));
    return v;
  }

  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBValueLogTest, ValuesBelowAtAndAboveTheThresholdAndEmptyOnes) {
  Open();
  uint64_t empty_log = ValueLogBytes();
  ASSERT_OK(db_->Put(WriteOptions(), "below", Value(1, 99)));
  ASSERT_OK(db_->Put(WriteOptions(), "empty", ""));
  EXPECT_EQ(ValueLogBytes(), empty_log) << "small values must stay in the tree";
  ASSERT_OK(db_->Put(WriteOptions(), "at", Value(2, 100)));
  uint64_t after_at = ValueLogBytes();
  EXPECT_GT(after_at, empty_log + 100);
  ASSERT_OK(db_->Put(WriteOptions(), "above", Value(3, 101)));
  EXPECT_GT(ValueLogBytes(), after_at + 101);
  for (int round = 0; round < 3; round++) {
    EXPECT_EQ(Get("below"), Value(1, 99));
    EXPECT_EQ(Get("empty"), "");
    EXPECT_EQ(Get("at"), Value(2, 100));
    EXPECT_EQ(Get("above"), Value(3, 101));
    if (round == 0) ASSERT_OK(db_->Flush());
    if (round == 1) Reopen();
  }
  options_.value_threshold = 0;  // Now even empty values go to the log.
  Reopen();
  ASSERT_OK(db_->Put(WriteOptions(), "empty2", ""));
  EXPECT_EQ(Get("empty2"), "");
  Reopen();
  EXPECT_EQ(Get("empty2"), "");
  EXPECT_EQ(Get("above"), Value(3, 101));
}

TEST_F(DBValueLogTest, HugeValue) {
  options_.value_log_file_size = 1 << 20;  // Smaller than the value: a file may overshoot.
  Open();
  std::string huge = Value(7, 64 << 20);
  ASSERT_OK(db_->Put(WriteOptions(), "huge", huge));
  ASSERT_OK(db_->Put(WriteOptions(), "after", Value(8, 1000)));
  EXPECT_EQ(Get("huge"), huge);
  Reopen();
  EXPECT_EQ(Get("huge"), huge);
  EXPECT_EQ(Get("after"), Value(8, 1000));
  auto it = db_->NewIterator(ReadOptions());
  it->Seek("huge");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().size(), huge.size());
  EXPECT_EQ(it->value_size(), huge.size());
}

TEST_F(DBValueLogTest, KeyOnlyIterationNeverReadsTheLog) {
  test::ReadCountingEnv env(".vlog");
  options_.env = &env;
  options_.value_log_mmap = false;  // The env counts reads; a mapping would hide them.
  Open();
  for (int i = 0; i < 200; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(1000 + i), Value(i, 500)));
  ASSERT_OK(db_->Flush());
  env.reads = 0;
  ReadOptions ro;
  ro.key_only = true;
  auto it = db_->NewIterator(ro);
  int n = 0;
  for (it->Rewind(); it->Valid(); it->Next(), n++) {
    EXPECT_TRUE(it->value().empty());
    EXPECT_EQ(it->value_size(), 500u);
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(n, 200);
  EXPECT_EQ(env.reads.load(), 0);
  it = db_->NewIterator(ReadOptions());
  for (it->Rewind(); it->Valid(); it->Next()) {
  }
  EXPECT_GE(env.reads.load(), 200);
  it.reset();
  db_.reset();  // Before its Env goes.
}

TEST_F(DBValueLogTest, PrefetchingIteratorYieldsWhatTheOrdinaryOneDoes) {
  Open();
  std::map<std::string, std::string> model;
  for (int i = 0; i < 500; i++) {
    std::string key = "key" + std::to_string(10000 + i * 7 % 500);
    model[key] = Value(i, i % 3 == 0 ? 50 : 300 + i);
    ASSERT_OK(db_->Put(WriteOptions(), key, model[key]));
    if (i == 250) ASSERT_OK(db_->Flush());
  }
  for (bool reverse : {false, true}) {
    for (int window : {1, 7, 64}) {
      ReadOptions ro;
      ro.prefetch_values = true;
      ro.prefetch_size = window;
      ro.reverse = reverse;
      auto it = db_->NewIterator(ro);
      std::vector<std::pair<std::string, std::string>> got;
      for (it->Rewind(); it->Valid(); it->Next())
        got.emplace_back(std::string(it->key()), std::string(it->value()));
      ASSERT_OK(it->status());
      std::vector<std::pair<std::string, std::string>> expected(model.begin(), model.end());
      if (reverse) std::reverse(expected.begin(), expected.end());
      EXPECT_EQ(got, expected) << "reverse " << reverse << " window " << window;
      it->Seek("key10250");
      ASSERT_TRUE(it->Valid());
      EXPECT_EQ(it->key(), "key10250");
      EXPECT_EQ(it->value(), model["key10250"]);
    }
  }
}

TEST_F(DBValueLogTest, FlippedValueLogByteIsCorruptionNeverData) {
  Open();
  for (int i = 0; i < 50; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(100 + i), Value(i, 1000)));
  ASSERT_OK(db_->Close());
  auto logs = test::ListFiles(dir_.path(), ".vlog");
  ASSERT_FALSE(logs.empty());
  std::string path = dir_.Join(logs[0]);
  test::FlipByte(path, 24 + 1050 * 3 + 500);  // Inside the fourth entry's value.
  Open();
  int corrupt = 0;
  for (int i = 0; i < 50; i++) {
    std::string value;
    Status s = db_->Get(ReadOptions(), "k" + std::to_string(100 + i), &value);
    if (s.ok()) {
      EXPECT_EQ(value, Value(i, 1000));
    } else {
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
      EXPECT_NE(s.message().find("offset"), std::string::npos) << s.ToString();
      corrupt++;
    }
  }
  EXPECT_EQ(corrupt, 1);
  for (bool prefetch : {false, true}) {
    ReadOptions ro;
    ro.prefetch_values = prefetch;
    auto it = db_->NewIterator(ro);
    int n = 0;
    for (it->Rewind(); it->Valid(); it->Next()) n++;
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    EXPECT_EQ(n, 3);
  }
}

// A crash image of an open DB whose last batches' values never reached the value log.
class DBValueLogCrashTest : public DBValueLogTest {
 protected:
  // Writes 20 batches of 3 values of value_size bytes, then cuts the value log about 2 1/3
  // batches short (into batch 17).
  void WriteAndCutTheLog(bool sync, size_t value_size = 400) {
    value_size_ = value_size;
    options_.sync_writes = sync;
    options_.value_log_file_size = 1 << 30;
    Open();
    for (int b = 0; b < 20; b++) {
      WriteBatch batch;
      for (int j = 0; j < 3; j++)
        batch.Put("b" + std::to_string(b) + "/" + std::to_string(j), Value(b * 3 + j, value_size));
      ASSERT_OK(db_->Write(WriteOptions(), batch));
    }
    test::TempDir* image = &image_;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      fs::copy(entry.path(), image->path() + "/" + entry.path().filename().string());
    }
    ASSERT_OK(db_->Close());
    db_.reset();
    options_.dir = image->path();
    auto logs = test::ListFiles(image->path(), ".vlog");
    ASSERT_EQ(logs.size(), 1u);
    std::string vlog = image->Join(logs[0]);
    fs::resize_file(vlog, test::FileSize(vlog) - 7 * (value_size + 35));  // Into batch 17.
  }
  int BatchesPresent() {
    int whole = 0;
    for (int b = 0; b < 20; b++) {
      int present = 0;
      for (int j = 0; j < 3; j++)
        present +=
            Get("b" + std::to_string(b) + "/" + std::to_string(j)) == Value(b * 3 + j, value_size_);
      EXPECT_TRUE(present == 0 || present == 3) << "batch " << b << " in part";
      whole += present == 3;
    }
    return whole;
  }
  test::TempDir image_;
  size_t value_size_ = 400;
};

TEST_F(DBValueLogCrashTest, UnsyncedWritesWhoseValuesWereLostAreDroppedWhole) {
  WriteAndCutTheLog(/*sync=*/false);
  Open();
  EXPECT_EQ(BatchesPresent(), 17);
  ASSERT_OK(db_->Put(WriteOptions(), "after", Value(99, 500)));
  Reopen();
  EXPECT_EQ(BatchesPresent(), 17);
  EXPECT_EQ(Get("after"), Value(99, 500));
}

// Small synced batches keep copies of their values in the write-ahead log (one fsync each):
// the values the value log lost come back from there.
TEST_F(DBValueLogCrashTest, SyncedWritesWhoseValuesTheValueLogLostComeBackFromTheLog) {
  WriteAndCutTheLog(/*sync=*/true);
  Open();
  EXPECT_EQ(BatchesPresent(), 20);
  ASSERT_OK(db_->Flatten());  // The recovered values, inline now, go on into tables.
  Reopen();
  EXPECT_EQ(BatchesPresent(), 20);
  ASSERT_OK(db_->VerifyChecksums());
}

// After a crash the value log's tail may be cut back and written over by new values before
// the log that holds the old ones' copies is flushed: a pointer that now lands on another
// entry must not be taken for the value. The image: a database's log with the value log of
// another one whose entries (other keys, same sizes) lie at the very same offsets.
TEST_F(DBValueLogCrashTest, CopiesWinOverPointersIntoValuesWrittenSince) {
  auto write = [&](const std::string& dir, char prefix) {
    Options options = options_;
    options.dir = dir;
    options.sync_writes = true;
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options, &db));
    for (int i = 0; i < 20; i++) {
      ASSERT_OK(db->Put(WriteOptions(), std::string(1, prefix) + std::to_string(10 + i),
                        Value(prefix * 100 + i, 700)));
    }
    // A crash image: the files as they are, before any close.
    for (const auto& entry : fs::directory_iterator(dir)) {
      fs::copy(entry.path(),
               image_.Join(std::string(1, prefix) + "-" + entry.path().filename().string()));
    }
    db.reset();
  };
  test::TempDir a, b;
  write(a.path(), 'k');
  write(b.path(), 'x');
  test::TempDir crash;
  for (const auto& entry : fs::directory_iterator(image_.path())) {
    std::string name = entry.path().filename().string();
    bool from_a = name[0] == 'k', vlog = name.size() > 5 && name.substr(name.size() - 5) == ".vlog";
    if (from_a != vlog) fs::copy(entry.path(), crash.Join(name.substr(2)));  // a's log, b's values
  }
  options_.dir = crash.path();
  Open();
  for (int i = 0; i < 20; i++)
    EXPECT_EQ(Get("k" + std::to_string(10 + i)), Value('k' * 100 + i, 700));
  ASSERT_OK(db_->Flatten());
  Reopen();
  for (int i = 0; i < 20; i++)
    EXPECT_EQ(Get("k" + std::to_string(10 + i)), Value('k' * 100 + i, 700));
}

// Synced batches too large to copy (over 1 MiB of values) rely on the value log's fsync: their
// values missing means damage, never a quietly lost acknowledged write.
TEST_F(DBValueLogCrashTest, SyncedWritesWhoseValuesAreMissingAreCorruption) {
  WriteAndCutTheLog(/*sync=*/true, /*value_size=*/400 << 10);
  Status s = DB::Open(options_, &db_);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("value-log"), std::string::npos) << s.ToString();
}

// A crash image made by the code before write-ahead logs could carry value copies (format
// version 1, testdata/README.md) opens and reads as written; new writes go on in version 2.
TEST_F(DBValueLogTest, OpensACrashImageWhoseLogIsFormatVersion1) {
  for (const auto& entry : fs::directory_iterator(SETT_TESTDATA_DIR "/wal_v1")) {
    fs::copy(entry.path(), dir_.Join(entry.path().filename().string()));
  }
  options_.value_threshold = 256;
  Open();
  auto expected = [](int i) {
    return i % 2 ? std::string(600 + i, static_cast<char>('a' + i % 26))
                 : "small " + std::to_string(i);
  };
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < 40; i++) {
      std::string key = "key" + std::to_string(100 + i);
      std::string value;
      Status s = db_->Get(ReadOptions(), key, &value);
      if (i == 4) {
        EXPECT_TRUE(s.IsNotFound()) << key << ": " << s.ToString();
      } else {
        ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
        EXPECT_EQ(value, expected(i)) << key;
      }
    }
    WriteOptions synced;
    synced.sync = true;
    ASSERT_OK(db_->Put(synced, "key200", std::string(1000, 'n')));
    Reopen();
    EXPECT_EQ(Get("key200"), std::string(1000, 'n'));
  }
  ASSERT_OK(db_->VerifyChecksums());
}

TEST_F(DBValueLogTest, GcReclaimsOverwrittenValuesAndKeepsLiveOnes) {
  Open();
  std::string value;
  EXPECT_TRUE(db_->RunValueLogGC(0.5).IsNothingToCollect());
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 300; i++)
      ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(round * 1000 + i, 700)));
  }
  uint64_t before = ValueLogBytes();
  ASSERT_OK(db_->Flatten());
  int collected = 0;
  Status s;
  ValueLogGCStats stats;
  while ((s = db_->RunValueLogGC(0.3, &stats)).ok()) {
    collected++;
    EXPECT_GT(stats.file_size, 0u);
  }
  EXPECT_TRUE(s.IsNothingToCollect()) << s.ToString();
  EXPECT_GT(collected, 5);
  EXPECT_LT(ValueLogBytes(), before / 2);
  for (int i = 0; i < 300; i++) EXPECT_EQ(Get("k" + std::to_string(i)), Value(2000 + i, 700));
  Reopen();
  for (int i = 0; i < 300; i++) EXPECT_EQ(Get("k" + std::to_string(i)), Value(2000 + i, 700));
  EXPECT_TRUE(db_->RunValueLogGC(0).IsInvalidArgument());
}

// GC must move only the newest version of a key: an older one moved above a tombstone would
// come back to life once compaction drops that tombstone at the bottom level.
TEST_F(DBValueLogTest, GcMovesNoValueOfADeletedKey) {
  Open();
  // Each file holds values of k (some to be deleted) and of x (to be overwritten: garbage).
  for (int i = 0; i < 200; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i, 700)));
    ASSERT_OK(db_->Put(WriteOptions(), "x" + std::to_string(i), Value(1000 + i, 700)));
  }
  ASSERT_OK(db_->Flatten());
  for (int i = 0; i < 200; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "x" + std::to_string(i), Value(2000 + i, 700)));
  ASSERT_OK(db_->Flatten());  // The old x values are now counted as garbage.
  for (int i = 0; i < 200; i += 2) ASSERT_OK(db_->Delete(WriteOptions(), "k" + std::to_string(i)));
  ASSERT_OK(db_->Flush());  // The tombstones sit in L0, not yet merged with the old values.

  uint64_t moved = 0;
  int collected = 0;
  ValueLogGCStats stats;
  Status s;
  while ((s = db_->RunValueLogGC(0.3, &stats)).ok()) {
    collected++;
    moved += stats.entries_rewritten;
  }
  ASSERT_TRUE(s.IsNothingToCollect()) << s.ToString();
  EXPECT_GT(collected, 3);
  // The collected files hold most of the 200 old k values; only the 100 that survive are live
  // (a file still being written is not collected, so a few may stay behind).
  EXPECT_LE(moved, 100u) << "values of deleted keys were moved";
  EXPECT_GT(moved, 50u);

  ASSERT_OK(db_->Flatten());
  while (db_->RunValueLogGC(0.01).ok()) {
  }
  Reopen();
  for (int i = 0; i < 200; i++) {
    EXPECT_EQ(Get("k" + std::to_string(i)), i % 2 == 0 ? "NOT_FOUND" : Value(i, 700)) << i;
    EXPECT_EQ(Get("x" + std::to_string(i)), Value(2000 + i, 700)) << i;
  }
}

TEST_F(DBValueLogTest, SnapshotPinsTheVersionsItReads) {
  Open();
  for (int i = 0; i < 100; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i, 700)));
  std::unique_ptr<Snapshot> snapshot = db_->GetSnapshot();
  for (int i = 0; i < 100; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(500 + i, 700)));
  for (int i = 0; i < 100; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "pad" + std::to_string(i), Value(900 + i, 700)));
  ASSERT_OK(db_->Flatten());
  Status s;
  while ((s = db_->RunValueLogGC(0.01)).ok()) {
  }
  ASSERT_TRUE(s.IsNothingToCollect()) << s.ToString();
  ReadOptions at_snapshot;
  at_snapshot.read_ts = snapshot->read_ts();
  for (int i = 0; i < 100; i++) {
    std::string value;
    ASSERT_OK(db_->Get(at_snapshot, "k" + std::to_string(i), &value));
    EXPECT_EQ(value, Value(i, 700));
  }
  uint64_t pinned = ValueLogBytes();
  snapshot.reset();
  ASSERT_OK(db_->Flatten());
  int collected = 0;
  while (db_->RunValueLogGC(0.3).ok()) collected++;
  EXPECT_GT(collected, 0);
  EXPECT_LT(ValueLogBytes(), pinned);
  for (int i = 0; i < 100; i++) EXPECT_EQ(Get("k" + std::to_string(i)), Value(500 + i, 700));
}

TEST_F(DBValueLogTest, BackgroundGcCollectsOnItsOwn) {
  options_.value_log_gc_interval_seconds = 1;
  options_.value_log_gc_discard_ratio = 0.3;
  Open();
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 200; i++)
      ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(round * 1000 + i, 800)));
  }
  ASSERT_OK(db_->Flatten());  // Compaction credits the garbage; the GC thread does the rest.
  uint64_t before = ValueLogBytes();
  for (int waited = 0; waited < 100 && ValueLogBytes() > before / 2; waited++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_LT(ValueLogBytes(), before / 2);
  for (int i = 0; i < 200; i++) EXPECT_EQ(Get("k" + std::to_string(i)), Value(2000 + i, 800));
}

TEST_F(DBValueLogTest, InfoListsValueLogFiles) {
  Open();
  for (int i = 0; i < 300; i++)
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i % 50), Value(i, 900)));
  ASSERT_OK(db_->Flatten());
  DBInfo info = db_->Info();
  ASSERT_GT(info.value_log_files.size(), 2u);
  int heads = 0;
  double most = 0;
  for (const auto& f : info.value_log_files) {
    heads += f.is_head;
    EXPECT_GT(f.size, 0u);
    most = std::max(most, f.discard_ratio);
  }
  EXPECT_EQ(heads, 1);
  EXPECT_GT(most, 0.5);
}

}  // namespace
}  // namespace sett
