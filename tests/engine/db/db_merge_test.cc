// Merge operands through the public API: reads, transactions, iterators, flushes, compactions,
// reopen, value-log GC, concurrency, and the GetMergeOperator handle.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

class DBMergeTest : public ::testing::Test {
 protected:
  void Open(MergeFunction fn = AppendMerge(",")) {
    db_.reset();
    Options options;
    options.dir = dir_.path();
    options.logger = StderrLogger(LogLevel::kError);
    options.memtable_size = 128 << 10;
    options.base_table_size = 64 << 10;
    options.value_threshold = 1024;
    options.value_threshold_tuned = false;
    options.merge_function = std::move(fn);
    ASSERT_OK(DB::Open(options, &db_));
  }
  Status Merge(const std::string& key, const std::string& operand) {
    WriteBatch batch;
    batch.Merge(key, operand);
    return db_->Write(WriteOptions(), batch);
  }
  std::string Get(const std::string& key, uint64_t read_ts = 0) {
    ReadOptions options;
    options.read_ts = read_ts;
    std::string value;
    Status s = db_->Get(options, key, &value);
    if (s.IsNotFound()) return "<none>";
    EXPECT_OK(s);
    return value;
  }
  // Versions of key that the DB still holds (all-versions iteration).
  int StoredVersions(const std::string& key) {
    ReadOptions options;
    options.all_versions = true;
    options.prefix = key;
    std::unique_ptr<Iterator> it = db_->NewIterator(options);
    int n = 0;
    for (it->Rewind(); it->Valid(); it->Next()) n += it->key() == key;
    EXPECT_OK(it->status());
    return n;
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBMergeTest, OperandsFoldOntoTheValueAtEveryReadPath) {
  Open();
  ASSERT_OK(Merge("list", "a"));
  EXPECT_EQ(Get("list"), "a") << "an operand onto nothing";
  ASSERT_OK(db_->Put(WriteOptions(), "list", "x"));
  ASSERT_OK(Merge("list", "b"));
  uint64_t after_b = db_->LatestVersion();
  ASSERT_OK(Merge("list", "c"));
  EXPECT_EQ(Get("list"), "x,b,c");
  EXPECT_EQ(Get("list", after_b), "x,b") << "a read at an older version folds what it saw";
  ASSERT_OK(db_->Delete(WriteOptions(), "list"));
  ASSERT_OK(Merge("list", "d"));
  EXPECT_EQ(Get("list"), "d") << "a deletion is a base of nothing";
  ASSERT_OK(db_->Put(WriteOptions(), "other", "o"));
  ASSERT_OK(Merge("z", "1"));

  for (bool reverse : {false, true}) {
    ReadOptions options;
    options.reverse = reverse;
    std::unique_ptr<Iterator> it = db_->NewIterator(options);
    std::map<std::string, std::string> seen;
    for (it->Rewind(); it->Valid(); it->Next()) {
      seen[std::string(it->key())] = std::string(it->value());
      EXPECT_EQ(it->value_size(), it->value().size());
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(seen, (std::map<std::string, std::string>{{"list", "d"}, {"other", "o"}, {"z", "1"}}))
        << "reverse " << reverse;
  }
}

TEST_F(DBMergeTest, TransactionsMergeBlindlyAndCombineTheirOwnWrites) {
  Open(AddUint64Merge());
  ASSERT_OK(db_->Put(WriteOptions(), "n", EncodeUint64Operand(10)));
  std::unique_ptr<Txn> a = db_->NewTransaction(true);
  std::unique_ptr<Txn> b = db_->NewTransaction(true);
  ASSERT_OK(a->Merge("n", EncodeUint64Operand(1)));
  ASSERT_OK(a->Merge("n", EncodeUint64Operand(2)));
  Item item;
  ASSERT_OK(a->Get("n", &item));
  EXPECT_EQ(DecodeUint64Value(item.value()), 13u) << "its own operands onto what it reads";
  ASSERT_OK(b->Merge("n", EncodeUint64Operand(100)));
  ASSERT_OK(b->Commit());
  // a read n, so b's commit conflicts with it; a blind merge would not.
  EXPECT_TRUE(a->Commit().IsConflict());
  std::unique_ptr<Txn> c = db_->NewTransaction(true);
  ASSERT_OK(c->Merge("n", EncodeUint64Operand(5)));
  ASSERT_OK(db_->Put(WriteOptions(), "n2", "x"));
  ASSERT_OK(Merge("n", EncodeUint64Operand(1000)));
  ASSERT_OK(c->Commit());  // Merges read nothing: no conflict.
  EXPECT_EQ(DecodeUint64Value(Get("n")), 1115u);

  std::unique_ptr<Txn> d = db_->NewTransaction(true);
  ASSERT_OK(d->Set("m", EncodeUint64Operand(7)));
  ASSERT_OK(d->Merge("m", EncodeUint64Operand(3)));
  ASSERT_OK(d->Merge("n", EncodeUint64Operand(1)));
  std::unique_ptr<Iterator> it = d->NewIterator(ReadOptions());
  std::map<std::string, uint64_t> seen;
  for (it->Rewind(); it->Valid(); it->Next()) {
    if (it->key() != "n2") seen[std::string(it->key())] = DecodeUint64Value(it->value());
  }
  ASSERT_OK(it->status());
  it.reset();
  EXPECT_EQ(seen, (std::map<std::string, uint64_t>{{"m", 10}, {"n", 1116}}));
  ASSERT_OK(d->Commit());
  EXPECT_EQ(DecodeUint64Value(Get("m")), 10u);
}

TEST_F(DBMergeTest, MergesWithoutAFunctionAreRefused) {
  Open(MergeFunction());
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Merge("b", "2");
  Status s = db_->Write(WriteOptions(), batch);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("'b'"), std::string::npos) << s.ToString();
  EXPECT_EQ(Get("a"), "<none>") << "nothing of the batch applied";
  std::unique_ptr<Txn> txn = db_->NewTransaction(true);
  EXPECT_TRUE(txn->Merge("b", "2").IsInvalidArgument());
}

TEST_F(DBMergeTest, AKeyMergedThousandsOfTimesFoldsToOneStoredVersion) {
  Open(AddUint64Merge());
  for (int i = 1; i <= 3000; i++) {
    ASSERT_OK(Merge("counter", EncodeUint64Operand(i)));
    if (i % 1000 == 0) ASSERT_OK(db_->Flush());  // Partial folds in L0: no value below yet.
  }
  EXPECT_EQ(DecodeUint64Value(Get("counter")), 3000u * 3001 / 2);
  EXPECT_LE(StoredVersions("counter"), 3) << "one operand per flushed memtable at most";
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(StoredVersions("counter"), 1);
  EXPECT_EQ(DecodeUint64Value(Get("counter")), 3000u * 3001 / 2);

  // A reader keeps what it reads: operands above its snapshot stay apart.
  std::unique_ptr<Snapshot> snap = db_->GetSnapshot();
  for (int i = 0; i < 100; i++) ASSERT_OK(Merge("counter", EncodeUint64Operand(1)));
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(DecodeUint64Value(Get("counter", snap->read_ts())), 3000u * 3001 / 2);
  EXPECT_EQ(DecodeUint64Value(Get("counter")), 3000u * 3001 / 2 + 100);
  snap.reset();
  ASSERT_OK(Merge("counter", EncodeUint64Operand(1)));
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(StoredVersions("counter"), 1);

  Open(AddUint64Merge());
  EXPECT_EQ(DecodeUint64Value(Get("counter")), 3000u * 3001 / 2 + 101);
}

TEST_F(DBMergeTest, ReadingAKeyMergedManyTimesInTheMemtableVisitsAFewEntries) {
  Open(AddUint64Merge());
  ASSERT_OK(db_->Put(WriteOptions(), "c", EncodeUint64Operand(1)));
  ASSERT_OK(db_->Flush());  // The value in a table, the operands in the memtable.
  auto visits_of_a_read = [&] {
    uint64_t before = db_->GetMetrics().read_entries_visited;
    EXPECT_EQ(DecodeUint64Value(Get("c")), 1 + 100000u);
    return db_->GetMetrics().read_entries_visited - before;
  };
  for (int i = 0; i < 100000; i++) ASSERT_OK(Merge("c", EncodeUint64Operand(1)));
  EXPECT_LE(visits_of_a_read(), 40u) << "a run of operands in the memtable is capped";
  ASSERT_OK(db_->Flush());
  EXPECT_LE(visits_of_a_read(), 40u);
}

TEST_F(DBMergeTest, AValueInTheValueLogUnderOperandsSurvivesGCAndFolds) {
  Open();
  const std::string big(8000, 'b');
  ASSERT_OK(db_->Put(WriteOptions(), "k", big));
  for (int i = 0; i < 5; i++) ASSERT_OK(Merge("k", std::to_string(i)));
  for (int i = 0; i < 2000; i++) {  // Garbage in the same value-log file.
    ASSERT_OK(db_->Put(WriteOptions(), "junk" + std::to_string(i % 10), std::string(4000, 'j')));
  }
  ASSERT_OK(db_->Flush());
  const std::string want = big + ",0,1,2,3,4";
  for (int round = 0; round < 4; round++) {
    Status s;
    do s = db_->RunValueLogGC(0.1);
    while (s.ok());
    EXPECT_TRUE(s.IsNothingToCollect() || s.IsBusy()) << s.ToString();
    EXPECT_EQ(Get("k"), want) << "round " << round;
    ASSERT_OK(db_->Flatten());
    EXPECT_EQ(Get("k"), want) << "round " << round;
  }
  EXPECT_EQ(StoredVersions("k"), 1);
  ASSERT_OK(db_->VerifyChecksums());
  Open();
  EXPECT_EQ(Get("k"), want);
}

TEST_F(DBMergeTest, BackupsAndStreamsCarryTheFoldedValues) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "base"));
  ASSERT_OK(Merge("a", "1"));
  ASSERT_OK(Merge("b", "2"));
  std::stringstream backup;
  uint64_t taken_at = 0;
  ASSERT_OK(db_->Backup(backup, 0, &taken_at));
  std::map<std::string, std::string> streamed;
  StreamOptions options;
  ASSERT_OK(db_->Stream(options, [&](const std::vector<KV>& kvs) {
    for (const KV& kv : kvs) streamed[kv.key] = kv.value;
    return Status::OK();
  }));
  EXPECT_EQ(streamed, (std::map<std::string, std::string>{{"a", "base,1"}, {"b", "2"}}));
  test::TempDir other;
  Options copy;
  copy.dir = other.path();
  copy.logger = StderrLogger(LogLevel::kError);
  std::unique_ptr<DB> loaded;
  ASSERT_OK(DB::Open(copy, &loaded));  // No merge function: the backup holds plain values.
  ASSERT_OK(loaded->Load(backup));
  std::string value;
  ASSERT_OK(loaded->Get(ReadOptions(), "a", &value));
  EXPECT_EQ(value, "base,1");
  ASSERT_OK(loaded->Get(ReadOptions(), "b", &value));
  EXPECT_EQ(value, "2");
}

TEST_F(DBMergeTest, ConcurrentMergesFromManyThreadsLoseNoOperand) {
  Open(AddUint64Merge());
  const int kThreads = 8, kEach = 500;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; i++) {
        Status s = db_->Update([&](Txn* txn) {
          Status m = txn->Merge("hits", EncodeUint64Operand(1));
          return m.ok() ? txn->Merge("hits/" + std::to_string(t % 2), EncodeUint64Operand(1)) : m;
        });
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << "blind merges never conflict";
  EXPECT_EQ(DecodeUint64Value(Get("hits")), uint64_t{kThreads} * kEach);
  EXPECT_EQ(DecodeUint64Value(Get("hits/0")) + DecodeUint64Value(Get("hits/1")),
            uint64_t{kThreads} * kEach);
}

// Random puts, deletes and merges against a model, with flushes, compactions, snapshots and
// reopens between them.
TEST_F(DBMergeTest, ModelWithMergesPutsDeletesFlushesCompactionsAndReopens) {
  Open();
  const uint64_t seed = test::TestSeed(20261130);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::map<std::string, std::string> model;
  struct Kept {
    std::unique_ptr<Snapshot> snapshot;
    std::map<std::string, std::string> model;
  };
  std::vector<Kept> snapshots;
  auto check = [&](const std::map<std::string, std::string>& want, uint64_t read_ts) {
    ReadOptions options;
    options.read_ts = read_ts;
    std::unique_ptr<Iterator> it = db_->NewIterator(options);
    std::map<std::string, std::string> got;
    for (it->Rewind(); it->Valid(); it->Next()) got[std::string(it->key())] = it->value();
    ASSERT_OK(it->status());
    ASSERT_EQ(got, want) << "read_ts " << read_ts;
    for (const auto& [key, value] : want) ASSERT_EQ(Get(key, read_ts), value) << key;
  };
  for (int step = 0; step < 6000; step++) {
    std::string key = "k" + std::to_string(rng() % 40);
    int op = rng() % 100;
    if (op < 60) {
      std::string operand = std::to_string(step);
      if (rng() % 20 == 0) operand = std::string(2000 + rng() % 3000, 'a' + rng() % 26);
      ASSERT_OK(Merge(key, operand));
      auto it = model.find(key);
      model[key] = it == model.end() ? operand : it->second + "," + operand;
    } else if (op < 80) {
      std::string value = "v" + std::to_string(step) + std::string(rng() % 2 ? 3000 : 10, 'p');
      ASSERT_OK(db_->Put(WriteOptions(), key, value));
      model[key] = value;
    } else if (op < 90) {
      ASSERT_OK(db_->Delete(WriteOptions(), key));
      model.erase(key);
    } else if (op < 93) {
      ASSERT_OK(db_->Flush());
    } else if (op < 95) {
      ASSERT_OK(db_->Flatten());
    } else if (op < 97 && snapshots.size() < 3) {
      snapshots.push_back(Kept{db_->GetSnapshot(), model});
    } else if (op < 98 && !snapshots.empty()) {
      snapshots.erase(snapshots.begin());
    } else if (op < 99) {
      Status s = db_->RunValueLogGC(0.3);
      ASSERT_TRUE(s.ok() || s.IsNothingToCollect() || s.IsBusy()) << s.ToString();
    } else if (snapshots.empty()) {
      Open();
    }
    if (step % 500 == 499) {
      ASSERT_NO_FATAL_FAILURE(check(model, 0)) << "step " << step;
      for (const Kept& k : snapshots) {
        ASSERT_NO_FATAL_FAILURE(check(k.model, k.snapshot->read_ts())) << "step " << step;
      }
    }
  }
  snapshots.clear();
  ASSERT_OK(db_->Flatten());
  ASSERT_NO_FATAL_FAILURE(check(model, 0));
  for (const auto& [key, value] : model) EXPECT_EQ(StoredVersions(key), 1) << key;
  ASSERT_OK(db_->VerifyChecksums());
  Open();
  ASSERT_NO_FATAL_FAILURE(check(model, 0));
}

TEST_F(DBMergeTest, AMergeOperatorHandleAddsReadsAndFoldsInTheBackground) {
  Open(MergeFunction());  // The handle's function alone.
  std::unique_ptr<MergeOperator> op;
  ASSERT_OK(db_->GetMergeOperator("log", AppendMerge("|"), std::chrono::milliseconds(5), &op));
  std::unique_ptr<MergeOperator> second;
  EXPECT_TRUE(db_->GetMergeOperator("log", AppendMerge(), std::chrono::milliseconds(0), &second)
                  .IsAlreadyExists());
  std::string value;
  EXPECT_TRUE(op->Get(&value).IsNotFound());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; i++) ASSERT_OK(op->Add(std::to_string(t)));
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK(op->Get(&value));
  EXPECT_EQ(value.size(), 800u * 2 - 1);
  for (char c : {'0', '1', '2', '3'}) EXPECT_EQ(std::count(value.begin(), value.end(), c), 200);
  // Stop folds the operands into a plain value: the key reads without the handle.
  ASSERT_OK(op->Add("end"));
  op->Stop();
  op->Stop();
  std::string folded;
  ASSERT_OK(db_->Get(ReadOptions(), "log", &folded));
  EXPECT_EQ(folded, value + "|end");
  ASSERT_OK(db_->GetMergeOperator("log", AppendMerge("|"), std::chrono::milliseconds(0), &op));
  op.reset();
  std::unique_ptr<Txn> txn = db_->NewTransaction(true);
  EXPECT_TRUE(txn->Merge("log", "x").IsInvalidArgument()) << "the handle's function has gone";
}

}  // namespace
}  // namespace sett
