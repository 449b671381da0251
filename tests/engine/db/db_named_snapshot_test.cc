// Named snapshots through the public API: created in O(1), read through ReadOptions and
// transactions, kept by flushes, compactions, value-log GC, close, crash and reopen, and
// given back to compaction and GC when deleted.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/fault_injection_env.h"

namespace sett {
namespace {

class DBNamedSnapshotTest : public ::testing::Test {
 protected:
  Options SmallOptions() {
    Options options;
    options.dir = dir_.path();
    options.logger = StderrLogger(LogLevel::kError);
    options.memtable_size = 256 << 10;
    options.base_table_size = 64 << 10;
    options.value_log_file_size = 1 << 20;
    options.value_threshold = 256;
    options.value_log_gc_interval_seconds = 0;  // The tests call GC themselves.
    return options;
  }
  void Open() { ASSERT_OK(DB::Open(SmallOptions(), &db_)); }
  static std::string Key(int i) { return "key" + std::to_string(1000 + i); }
  static std::string Value(int round, int i) {
    std::string v = std::to_string(round) + "/" + std::to_string(i) + "/";
    v.resize(i % 2 ? 2000 : 40, static_cast<char>('a' + round % 26));  // Log and tree.
    return v;
  }
  void WriteRound(int round, int n) {
    for (int i = 0; i < n; i++) ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(round, i)));
  }
  // Every key at read_ts holds Value(round, i).
  void ExpectRound(uint64_t read_ts, int round, int n) {
    ReadOptions ro;
    ro.read_ts = read_ts;
    for (int i = 0; i < n; i++) {
      std::string value;
      Status s = db_->Get(ro, Key(i), &value);
      ASSERT_TRUE(s.ok()) << Key(i) << ": " << s.ToString();
      ASSERT_EQ(value, Value(round, i)) << Key(i) << " at " << read_ts;
    }
  }
  // Versions of all keys kept anywhere (memtables, tables).
  size_t KeptVersions() {
    ReadOptions ro;
    ro.all_versions = true;
    ro.key_only = true;
    auto it = db_->NewIterator(ro);
    size_t n = 0;
    for (it->Rewind(); it->Valid(); it->Next()) n++;
    EXPECT_OK(it->status());
    return n;
  }
  uint64_t ValueLogBytes() {
    uint64_t total = 0;
    for (const auto& f : db_->Info().value_log_files) total += f.size;
    return total;
  }

  test::TempDir dir_;
  FaultInjectionEnv fault_env_{Env::Default()};  // Outlives db_.
  std::unique_ptr<DB> db_;
};

TEST_F(DBNamedSnapshotTest, ReadsTheStateAtCreationThroughCompactionAndReopen) {
  Open();
  const int n = 300;
  WriteRound(0, n);
  SnapshotInfo first;
  ASSERT_OK(db_->CreateSnapshot("first", &first));
  EXPECT_EQ(first.name, "first");
  EXPECT_EQ(first.read_ts, db_->LatestVersion());
  EXPECT_GT(first.created, 1700000000);
  EXPECT_EQ(first.id.size(), 32u);
  WriteRound(1, n);
  ASSERT_OK(db_->Delete(WriteOptions(), Key(7)));
  ASSERT_OK(db_->Put(WriteOptions(), "later", "x"));
  ASSERT_OK(db_->Flatten());
  ASSERT_NO_FATAL_FAILURE(ExpectRound(first.read_ts, 0, n));

  // Through a transaction at the snapshot: gets and an iterator see the old state only.
  auto txn = db_->NewTransactionAtSnapshot("first");
  EXPECT_EQ(txn->read_ts(), first.read_ts);
  Item item;
  ASSERT_OK(txn->Get(Key(7), &item));
  EXPECT_EQ(item.value(), Value(0, 7));
  EXPECT_TRUE(txn->Get("later", &item).IsNotFound());
  auto it = txn->NewIterator(ReadOptions());
  int seen = 0;
  for (it->Rewind(); it->Valid(); it->Next()) {
    ASSERT_EQ(it->value(), Value(0, seen)) << it->key();
    seen++;
  }
  ASSERT_OK(it->status());
  EXPECT_EQ(seen, n);
  it.reset();
  txn.reset();

  ASSERT_OK(db_->Close());
  db_.reset();
  Open();
  auto list = db_->ListSnapshots();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "first");
  EXPECT_EQ(list[0].read_ts, first.read_ts);
  EXPECT_EQ(list[0].created, first.created);
  EXPECT_EQ(list[0].id, first.id);
  ASSERT_OK(db_->Flatten());
  ASSERT_NO_FATAL_FAILURE(ExpectRound(first.read_ts, 0, n));
  std::string value;
  ASSERT_OK(db_->Get(ReadOptions(), Key(8), &value));
  EXPECT_EQ(value, Value(1, 8));
  EXPECT_TRUE(db_->Get(ReadOptions(), Key(7), &value).IsNotFound());
}

TEST_F(DBNamedSnapshotTest, CompactionKeepsOneVersionPerSnapshotAndDropsThemOnDelete) {
  Open();
  const int n = 200;
  for (int round = 0; round < 10; round++) {
    WriteRound(round, n);
    if (round == 2) ASSERT_OK(db_->CreateSnapshot("two"));
    if (round == 5) ASSERT_OK(db_->CreateSnapshot("five"));
  }
  ASSERT_OK(db_->Flatten());
  // Each key: the live version and one for each snapshot, not the ten written.
  EXPECT_EQ(KeptVersions(), static_cast<size_t>(3 * n));
  SnapshotInfo two, five;
  ASSERT_OK(db_->FindSnapshot("two", &two));
  ASSERT_OK(db_->FindSnapshot("five", &five));
  ASSERT_NO_FATAL_FAILURE(ExpectRound(two.read_ts, 2, n));
  ASSERT_NO_FATAL_FAILURE(ExpectRound(five.read_ts, 5, n));

  ASSERT_OK(db_->DeleteSnapshot("two"));
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(KeptVersions(), static_cast<size_t>(2 * n));
  ASSERT_NO_FATAL_FAILURE(ExpectRound(five.read_ts, 5, n));
  ASSERT_OK(db_->DeleteSnapshot("five"));
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(KeptVersions(), static_cast<size_t>(n));
  EXPECT_TRUE(db_->ListSnapshots().empty());
}

TEST_F(DBNamedSnapshotTest, ValueLogGcKeepsWhatASnapshotReadsAndFreesItAfterDelete) {
  Options options = SmallOptions();
  options.value_log_file_size = 256 << 10;  // The head, never collected while small, stays so.
  ASSERT_OK(DB::Open(options, &db_));
  const int n = 400;  // Half the values, 2000 bytes each, go to the log: about 400 KB a round.
  WriteRound(0, n);
  SnapshotInfo snap;
  ASSERT_OK(db_->CreateSnapshot("keep", &snap));
  for (int round = 1; round <= 4; round++) WriteRound(round, n);
  ASSERT_OK(db_->Flatten());
  while (db_->RunValueLogGC(0.1).ok()) {
  }
  ASSERT_NO_FATAL_FAILURE(ExpectRound(snap.read_ts, 0, n));
  ASSERT_NO_FATAL_FAILURE(ExpectRound(0, 4, n));
  const uint64_t with_snapshot = ValueLogBytes();
  const uint64_t one_round = (n / 2) * 2000;
  EXPECT_GE(with_snapshot, 2 * one_round) << "the snapshot's values and the live ones";

  ASSERT_OK(db_->DeleteSnapshot("keep"));
  ASSERT_OK(db_->Flatten());
  while (db_->RunValueLogGC(0.1).ok()) {
  }
  ASSERT_NO_FATAL_FAILURE(ExpectRound(0, 4, n));
  const uint64_t after = ValueLogBytes();
  EXPECT_LT(after, with_snapshot);
  EXPECT_LE(after, one_round * 11 / 10 + options.value_log_file_size)
      << "one round of values is left, and at most a head file of garbage";
}

TEST_F(DBNamedSnapshotTest, NamesAreCheckedAndErrorsSaySo) {
  Open();
  ASSERT_OK(db_->CreateSnapshot("a"));
  EXPECT_TRUE(db_->CreateSnapshot("a").IsAlreadyExists());
  for (std::string bad :
       {std::string(), std::string("."), std::string(".."), std::string("a/b"),
        std::string("tab\there"), std::string(256, 'x'), std::string("nul\0x", 5)}) {
    Status s = db_->CreateSnapshot(bad);
    EXPECT_TRUE(s.IsInvalidArgument()) << "\"" << bad << "\": " << s.ToString();
  }
  EXPECT_OK(db_->CreateSnapshot(std::string(255, 'x')));
  EXPECT_OK(db_->CreateSnapshot("with space and ünïcode"));
  // A copy says what it is a copy of; ids are checked; new ones differ.
  SnapshotInfo copy, other;
  ASSERT_OK(db_->CreateSnapshot("copy", &copy, "0123456789abcdef0123456789abcdef"));
  EXPECT_EQ(copy.id, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(db_->CreateSnapshot("bad id", nullptr, "xyz").IsInvalidArgument());
  ASSERT_OK(db_->CreateSnapshot("other", &other));
  EXPECT_NE(other.id, copy.id);
  EXPECT_TRUE(db_->DeleteSnapshot("missing").IsNotFound());
  SnapshotInfo info;
  EXPECT_TRUE(db_->FindSnapshot("missing", &info).IsNotFound());
  Item item;
  Status s = db_->NewTransactionAtSnapshot("missing")->Get("k", &item);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.ToString().find("missing"), std::string::npos) << s.ToString();
  EXPECT_EQ(db_->ListSnapshots().size(), 5u);

  ASSERT_OK(db_->Close());
  db_.reset();
  Options ro = SmallOptions();
  ro.read_only = true;
  ASSERT_OK(DB::Open(ro, &db_));
  EXPECT_EQ(db_->ListSnapshots().size(), 5u);
  SnapshotInfo found;
  ASSERT_OK(db_->FindSnapshot("copy", &found));
  EXPECT_EQ(found.id, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(db_->CreateSnapshot("b").IsNotSupported());
  EXPECT_TRUE(db_->DeleteSnapshot("a").IsNotSupported());
}

TEST_F(DBNamedSnapshotTest, ADamagedSnapshotsFileFailsTheOpenAndNamesIt) {
  Open();
  ASSERT_OK(db_->CreateSnapshot("a"));
  ASSERT_OK(db_->Close());
  db_.reset();
  const std::string path = dir_.path() + "/SNAPSHOTS";
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(26);
    f.put('\x7f');
  }
  Status s = DB::Open(SmallOptions(), &db_);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(path), std::string::npos) << s.ToString();
}

// A snapshot that CreateSnapshot returned survives a power loss, with every write it reads,
// even unsynced ones, and no later write ever lands inside it.
TEST_F(DBNamedSnapshotTest, ASnapshotAndWhatItReadsSurvivePowerLoss) {
  FaultInjectionEnv& env = fault_env_;
  Options options = SmallOptions();
  options.env = &env;
  options.logger = NullLogger();
  ASSERT_OK(DB::Open(options, &db_));
  const int n = 100;
  WriteRound(0, n);  // Not synced.
  SnapshotInfo snap;
  ASSERT_OK(db_->CreateSnapshot("s", &snap));
  WriteRound(1, n);  // Not synced: lost below.
  env.LosePower();
  db_.reset();
  ASSERT_OK(env.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  ASSERT_OK(DB::Open(options, &db_));
  ASSERT_EQ(db_->ListSnapshots().size(), 1u);
  ASSERT_NO_FATAL_FAILURE(ExpectRound(snap.read_ts, 0, n));
  EXPECT_GE(db_->LatestVersion(), snap.read_ts);
  WriteRound(2, n);
  ASSERT_NO_FATAL_FAILURE(ExpectRound(snap.read_ts, 0, n));
  ASSERT_NO_FATAL_FAILURE(ExpectRound(0, 2, n));
}

// Snapshots created and deleted while writers commit batches and compaction runs: each one
// reads a whole batch or none of it, and keeps reading the same through the churn.
TEST_F(DBNamedSnapshotTest, ConcurrentWritersCompactionAndSnapshots) {
  Open();
  std::atomic<bool> stop{false};
  std::atomic<int> batches[2] = {0, 0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; w++) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; i++) {
        WriteBatch batch;  // Both keys of a writer always hold the same number.
        std::string v = std::to_string(i) + std::string(i % 3 == 0 ? 600 : 10, 'x');
        batch.Put("a" + std::to_string(w), v);
        batch.Put("b" + std::to_string(w), v);
        if (!db_->Write(WriteOptions(), batch).ok()) break;
        batches[w]++;
      }
    });
  }
  std::thread compactor([&] {
    while (!stop) db_->Flatten().IgnoreError();  // Only to race with the snapshots.
  });
  // Each writer under way, so that every snapshot below must hold a batch of writer 0 (on a
  // busy machine one writer alone can make the first hundred versions).
  while (batches[0] < 50 || batches[1] < 50) std::this_thread::yield();
  std::vector<std::pair<std::string, std::string>> seen;  // Snapshot name, what a0 held.
  for (int n = 0; n < 40; n++) {
    std::string name = "s" + std::to_string(n);
    SnapshotInfo info;
    ASSERT_OK(db_->CreateSnapshot(name, &info));
    auto txn = db_->NewTransactionAtSnapshot(name);
    Item a, b;
    Status sa = txn->Get("a0", &a), sb = txn->Get("b0", &b);
    ASSERT_EQ(sa.ok(), sb.ok());
    EXPECT_TRUE(sa.ok()) << name << " at version " << info.read_ts << ": " << sa.ToString();
    if (sa.ok()) {
      ASSERT_EQ(a.value(), b.value()) << name;
      seen.emplace_back(name, std::string(a.value()));
    }
    if (n % 3 == 2) ASSERT_OK(db_->DeleteSnapshot("s" + std::to_string(n - 1)));
  }
  stop = true;
  for (auto& t : writers) t.join();
  compactor.join();
  EXPECT_EQ(seen.size(), 40u);
  ASSERT_OK(db_->Flatten());
  for (const auto& [name, value] : seen) {
    SnapshotInfo info;
    if (!db_->FindSnapshot(name, &info).ok()) continue;  // Deleted above.
    ReadOptions ro;
    ro.read_ts = info.read_ts;
    std::string a, b;
    ASSERT_OK(db_->Get(ro, "a0", &a));
    ASSERT_OK(db_->Get(ro, "b0", &b));
    EXPECT_EQ(a, value) << name;
    EXPECT_EQ(b, value) << name;
  }
}

}  // namespace
}  // namespace sett
