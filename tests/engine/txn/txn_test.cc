// Transactions through the public API: the isolation anomalies SSI must prevent, what it must
// allow, read-your-own-writes, errors, TTL, user meta, versions, async commits, managed and
// in-memory modes.

#include "sett/txn.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/clock_env.h"
#include "support/test_util.h"

namespace sett {
namespace {

class TxnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.env = &clock_;
    options_.logger = StderrLogger(LogLevel::kError);
    Open();
  }
  void TearDown() override { db_.reset(); }
  void Open() { ASSERT_OK(DB::Open(options_, &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    Open();
  }

  std::string Read(Txn* txn, const std::string& key) {
    Item item;
    Status s = txn->Get(key, &item);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return item.ValueCopy();
  }
  std::string Read(const std::string& key) {
    auto txn = db_->NewTransaction(false);
    return Read(txn.get(), key);
  }
  void Write(const std::string& key, const std::string& value) {
    ASSERT_OK(db_->Update([&](Txn* txn) { return txn->Set(key, value); }));
  }

  test::ClockEnv clock_;
  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(TxnTest, LostUpdateIsRefused) {
  Write("counter", "0");
  auto t1 = db_->NewTransaction(true);
  auto t2 = db_->NewTransaction(true);
  int a = std::stoi(Read(t1.get(), "counter"));
  int b = std::stoi(Read(t2.get(), "counter"));
  ASSERT_OK(t1->Set("counter", std::to_string(a + 1)));
  ASSERT_OK(t2->Set("counter", std::to_string(b + 1)));
  ASSERT_OK(t1->Commit());
  Status s = t2->Commit();
  EXPECT_TRUE(s.IsConflict()) << s.ToString();
  EXPECT_EQ(Read("counter"), "1");
  EXPECT_GE(db_->GetMetrics().txn_conflicts, 1u);
}

TEST_F(TxnTest, WriteSkewIsRefused) {
  // Invariant: at least one of x, y stays "on-call". Each transaction checks the other and
  // takes itself off; run concurrently, one must fail.
  Write("x", "on");
  Write("y", "on");
  auto t1 = db_->NewTransaction(true);
  auto t2 = db_->NewTransaction(true);
  ASSERT_EQ(Read(t1.get(), "y"), "on");
  ASSERT_EQ(Read(t2.get(), "x"), "on");
  ASSERT_OK(t1->Set("x", "off"));
  ASSERT_OK(t2->Set("y", "off"));
  ASSERT_OK(t1->Commit());
  EXPECT_TRUE(t2->Commit().IsConflict());
  EXPECT_EQ(Read("x"), "off");
  EXPECT_EQ(Read("y"), "on");
}

TEST_F(TxnTest, WithoutConflictDetectionWriteSkewGoesThrough) {
  options_.detect_conflicts = false;
  Reopen();
  Write("x", "on");
  Write("y", "on");
  auto t1 = db_->NewTransaction(true);
  auto t2 = db_->NewTransaction(true);
  Read(t1.get(), "y");
  Read(t2.get(), "x");
  ASSERT_OK(t1->Set("x", "off"));
  ASSERT_OK(t2->Set("y", "off"));
  ASSERT_OK(t1->Commit());
  ASSERT_OK(t2->Commit());
  EXPECT_EQ(Read("x"), "off");
  EXPECT_EQ(Read("y"), "off");
}

TEST_F(TxnTest, ReadOnlySnapshotIsStableAndNeverConflicts) {
  Write("a", "1");
  Write("b", "1");
  auto reader = db_->NewTransaction(false);
  EXPECT_EQ(Read(reader.get(), "a"), "1");
  Write("a", "2");
  Write("c", "new");
  ASSERT_OK(db_->Flush());
  ASSERT_OK(db_->Compact());
  EXPECT_EQ(Read(reader.get(), "a"), "1");
  EXPECT_EQ(Read(reader.get(), "c"), "NOT_FOUND");
  auto it = reader->NewIterator(ReadOptions());
  std::vector<std::string> keys;
  for (it->Rewind(); it->Valid(); it->Next())
    keys.push_back(std::string(it->key()) + "=" + std::string(it->value()));
  EXPECT_EQ(keys, (std::vector<std::string>{"a=1", "b=1"}));
  it.reset();
  EXPECT_OK(reader->Commit());
  EXPECT_TRUE(reader->Set("a", "x").IsInvalidArgument());
}

TEST_F(TxnTest, ReadYourOwnWritesInGetsAndIterators) {
  Write("a", "1");
  Write("b", "1");
  Write("d", "1");
  auto txn = db_->NewTransaction(true);
  ASSERT_OK(txn->Set("c", "pending"));
  ASSERT_OK(txn->Set("a", "changed"));
  ASSERT_OK(txn->Delete("b"));
  EXPECT_EQ(Read(txn.get(), "c"), "pending");
  EXPECT_EQ(Read(txn.get(), "a"), "changed");
  EXPECT_EQ(Read(txn.get(), "b"), "NOT_FOUND");
  EXPECT_EQ(Read("c"), "NOT_FOUND");  // Not committed yet.
  for (bool reverse : {false, true}) {
    ReadOptions ro;
    ro.reverse = reverse;
    auto it = txn->NewIterator(ro);
    std::vector<std::string> seen;
    for (it->Rewind(); it->Valid(); it->Next())
      seen.push_back(std::string(it->key()) + "=" + std::string(it->value()));
    std::vector<std::string> expected{"a=changed", "c=pending", "d=1"};
    if (reverse) std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(seen, expected);
  }
  ASSERT_OK(txn->Commit());
  EXPECT_EQ(Read("a"), "changed");
  EXPECT_EQ(Read("b"), "NOT_FOUND");
  EXPECT_EQ(Read("c"), "pending");
}

TEST_F(TxnTest, ReadThenWriteRaceConflicts) {
  Write("k", "v1");
  auto t = db_->NewTransaction(true);
  EXPECT_EQ(Read(t.get(), "k"), "v1");
  Write("k", "v2");  // Commits after t's read timestamp.
  ASSERT_OK(t->Set("other", "x"));
  EXPECT_TRUE(t->Commit().IsConflict());
  EXPECT_EQ(Read("other"), "NOT_FOUND");
}

TEST_F(TxnTest, IteratedKeysAreInTheReadSet) {
  Write("p/1", "a");
  auto t = db_->NewTransaction(true);
  ReadOptions ro;
  ro.prefix = "p/";
  auto it = t->NewIterator(ro);
  for (it->Rewind(); it->Valid(); it->Next()) {
  }
  it.reset();
  Write("p/1", "b");
  ASSERT_OK(t->Set("q", "x"));
  EXPECT_TRUE(t->Commit().IsConflict());
}

TEST_F(TxnTest, BlindWritesDoNotConflict) {
  auto t1 = db_->NewTransaction(true);
  auto t2 = db_->NewTransaction(true);
  ASSERT_OK(t1->Set("k", "from t1"));
  ASSERT_OK(t2->Set("k", "from t2"));
  ASSERT_OK(t1->Commit());
  ASSERT_OK(t2->Commit());
  EXPECT_EQ(Read("k"), "from t2");
  // Nor do reads of other keys.
  Write("a", "1");
  auto t3 = db_->NewTransaction(true);
  Read(t3.get(), "a");
  Write("b", "2");
  ASSERT_OK(t3->Set("c", "3"));
  EXPECT_OK(t3->Commit());
}

TEST_F(TxnTest, ClearErrors) {
  auto txn = db_->NewTransaction(true);
  EXPECT_TRUE(txn->Set("", "v").IsInvalidArgument());
  EXPECT_TRUE(txn->Set(std::string(kMaxKeySize + 1, 'k'), "v").IsInvalidArgument());
  Item item;
  EXPECT_TRUE(txn->Get("", &item).IsInvalidArgument());
  ASSERT_OK(txn->Set("k", "v"));
  ASSERT_OK(txn->Commit());
  EXPECT_TRUE(txn->Set("k", "again").IsInvalidArgument());
  EXPECT_TRUE(txn->Get("k", &item).IsInvalidArgument());
  EXPECT_TRUE(txn->Commit().IsInvalidArgument());
  auto discarded = db_->NewTransaction(true);
  discarded->Discard();
  discarded->Discard();
  EXPECT_TRUE(discarded->Set("k", "v").IsInvalidArgument());
  auto reader = db_->NewTransaction(false);
  Status s = reader->Delete("k");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("read-only"), std::string::npos) << s.ToString();
}

TEST_F(TxnTest, TooBigTransactionIsRefusedAndTheRestStillCommits) {
  options_.max_txn_bytes = 64 << 10;
  Reopen();
  auto txn = db_->NewTransaction(true);
  Status s;
  int written = 0;
  for (; written < 10000; written++) {
    s = txn->Set("key" + std::to_string(written), std::string(500, 'v'));
    if (!s.ok()) break;
  }
  EXPECT_TRUE(s.IsTxnTooBig()) << s.ToString();
  EXPECT_GT(written, 50);
  // Large values count as pointers: many more fit.
  ASSERT_OK(txn->Commit());
  EXPECT_EQ(Read("key0"), std::string(500, 'v'));
  auto big = db_->NewTransaction(true);
  int large = 0;
  for (; large < 500; large++) {
    if (!big->Set("big" + std::to_string(large), std::string(8000, 'b')).ok()) break;
  }
  EXPECT_EQ(large, 500);
  ASSERT_OK(big->Commit());
}

TEST_F(TxnTest, TtlAndUserMeta) {
  ASSERT_OK(db_->Update([](Txn* txn) {
    Status s =
        txn->SetEntry(Entry("short", "lived").WithTTL(std::chrono::seconds(1)).WithUserMeta(7));
    if (s.ok()) s = txn->SetEntry(Entry("long", "lived").WithTTL(std::chrono::hours(1)));
    if (s.ok()) s = txn->SetEntry(Entry("meta", "x").WithUserMeta(42));
    return s;
  }));
  auto txn = db_->NewTransaction(false);
  Item item;
  ASSERT_OK(txn->Get("short", &item));
  EXPECT_EQ(item.user_meta(), 7);
  EXPECT_GT(item.expires_at(), 0u);
  ASSERT_OK(txn->Get("meta", &item));
  EXPECT_EQ(item.user_meta(), 42);
  EXPECT_EQ(item.expires_at(), 0u);
  txn.reset();
  clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(Read("short"), "NOT_FOUND");
  EXPECT_EQ(Read("long"), "lived");
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(Read("short"), "NOT_FOUND");
  auto it = db_->NewIterator(ReadOptions());
  std::vector<std::string> keys;
  for (it->Rewind(); it->Valid(); it->Next()) {
    keys.emplace_back(it->key());
    if (it->key() == "meta") {
      EXPECT_EQ(it->user_meta(), 42);
    }
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"long", "meta"}));
}

TEST_F(TxnTest, AllVersionsAndVersionsToKeep) {
  options_.num_versions_to_keep = 2;
  Reopen();
  for (int v = 1; v <= 4; v++) Write("k", "v" + std::to_string(v));
  ASSERT_OK(db_->Update([](Txn* txn) { return txn->Delete("k"); }));
  Write("other", "o");
  auto versions = [&] {
    ReadOptions ro;
    ro.all_versions = true;
    auto it = db_->NewIterator(ro);
    std::vector<std::string> seen;
    for (it->Rewind(); it->Valid(); it->Next()) {
      seen.push_back(std::string(it->key()) + ":" +
                     (it->deleted() ? "<deleted>" : std::string(it->value())));
    }
    return seen;
  };
  // Below the discard timestamp a tombstone hides everything older.
  EXPECT_EQ(versions(), (std::vector<std::string>{"k:<deleted>", "other:o"}));
  Write("k", "v5");
  Write("k", "v6");
  Write("k", "v7");
  EXPECT_EQ(versions(), (std::vector<std::string>{"k:v7", "k:v6", "other:o"}));
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(versions(), (std::vector<std::string>{"k:v7", "k:v6", "other:o"}));
  // A snapshot keeps what it reads: later versions pile up above it.
  auto snapshot = db_->GetSnapshot();
  Write("k", "v8");
  Write("k", "v9");
  ASSERT_OK(db_->Flatten());
  EXPECT_EQ(versions(), (std::vector<std::string>{"k:v9", "k:v8", "k:v7", "k:v6", "other:o"}));
  ReadOptions reverse;
  reverse.all_versions = true;
  reverse.reverse = true;
  auto it = db_->NewIterator(reverse);
  std::vector<uint64_t> order;
  for (it->Rewind(); it->Valid(); it->Next()) {
    if (it->key() == "k") {
      order.push_back(it->version());
    }
  }
  ASSERT_EQ(order.size(), 4u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
}

TEST_F(TxnTest, AsyncCommitsAllLand) {
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 500; i++) {
    auto txn = db_->NewTransaction(true);
    ASSERT_OK(txn->Set("async" + std::to_string(i), std::to_string(i)));
    txn->CommitAsync([&](const Status& s) { (s.ok() ? ok : failed)++; });
  }
  for (int waited = 0; waited < 500 && ok + failed < 500; waited++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(ok.load(), 500);
  EXPECT_EQ(failed.load(), 0);
  for (int i = 0; i < 500; i += 50) EXPECT_EQ(Read("async" + std::to_string(i)), std::to_string(i));
  // One that conflicts reports it.
  Write("c", "1");
  auto t = db_->NewTransaction(true);
  Read(t.get(), "c");
  Write("c", "2");
  ASSERT_OK(t->Set("c", "3"));
  std::atomic<bool> conflict{false}, called{false};
  t->CommitAsync([&](const Status& s) {
    conflict = s.IsConflict();
    called = true;
  });
  for (int waited = 0; waited < 500 && !called; waited++)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(conflict.load());
  EXPECT_EQ(db_->GetMetrics().txn_commits, 502u);  // 500 async, 2 Writes; the conflict is not.
}

TEST_F(TxnTest, ConcurrentIncrementsLoseNothing) {
  Write("n", "0");
  std::vector<std::thread> threads;
  std::atomic<int> conflicts{0};
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; i++) {
        while (true) {
          Status s = db_->Update([&](Txn* txn) {
            Item item;
            Status g = txn->Get("n", &item);
            if (!g.ok()) return g;
            return txn->Set("n", std::to_string(std::stoi(item.ValueCopy()) + 1));
          });
          if (s.ok()) break;
          ASSERT_TRUE(s.IsConflict()) << s.ToString();
          conflicts++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Read("n"), "800");
  std::printf("%d conflicts retried\n", conflicts.load());
}

TEST(TxnManagedModeTest, CallerSuppliesTimestamps) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.managed_txns = true;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  EXPECT_TRUE(db->NewTransaction(true)->Set("k", "v").IsInvalidArgument());
  auto t = db->NewTransactionAt(10, true);
  ASSERT_OK(t->Set("k", "at 20"));
  EXPECT_TRUE(t->Commit().IsInvalidArgument());
  ASSERT_OK(t->CommitAt(20));
  t = db->NewTransactionAt(30, true);
  ASSERT_OK(t->Set("k", "at 40"));
  ASSERT_OK(t->CommitAt(40));
  WriteBatch batch;
  batch.Put("w", "batch at 50");
  EXPECT_TRUE(db->Write(WriteOptions(), batch).IsInvalidArgument());
  batch.SetCommitTs(50);
  ASSERT_OK(db->Write(WriteOptions(), batch));
  for (auto [ts, expected] : std::vector<std::pair<uint64_t, std::string>>{
           {15, "NOT_FOUND"}, {20, "at 20"}, {39, "at 20"}, {40, "at 40"}, {100, "at 40"}}) {
    auto r = db->NewTransactionAt(ts, false);
    Item item;
    Status s = r->Get("k", &item);
    EXPECT_EQ(s.ok() ? item.ValueCopy() : "NOT_FOUND", expected) << "at " << ts;
  }
  // Versions stay until the caller lets compaction drop them.
  ASSERT_OK(db->Flatten());
  auto old = db->NewTransactionAt(25, false);
  Item item;
  ASSERT_OK(old->Get("k", &item));
  EXPECT_EQ(item.ValueCopy(), "at 20");
  db->SetDiscardTs(45);
  ASSERT_OK(db->Flatten());
  EXPECT_TRUE(db->NewTransactionAt(25, false)->Get("k", &item).IsNotFound());
  ASSERT_OK(db->NewTransactionAt(45, false)->Get("k", &item));
  EXPECT_EQ(item.ValueCopy(), "at 40");
}

TEST(TxnInMemoryTest, NoFilesAndNothingSurvives) {
  test::TempDir dir;
  std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  Options options;
  options.in_memory = true;
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = 64 << 10;  // Flushes and compactions happen, in memory.
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  for (int i = 0; i < 3000; i++) {
    ASSERT_OK(db->Update([&](Txn* txn) {
      return txn->Set("k" + std::to_string(i), std::string(100 + i % 2000, 'v'));
    }));
  }
  ASSERT_OK(db->Flatten());
  ASSERT_OK(db->View([](Txn* txn) {
    Item item;
    Status s = txn->Get("k2999", &item);
    if (s.ok() && item.value().size() != 100 + 2999 % 2000) s = Status::Corruption("size");
    return s;
  }));
  EXPECT_GT(db->Info().value_log_files.size(), 0u);
  ASSERT_OK(db->Close());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  ASSERT_OK(DB::Open(options, &db));
  std::string value;
  EXPECT_TRUE(db->Get(ReadOptions(), "k1", &value).IsNotFound());
  ASSERT_OK(db->Close());
  std::filesystem::current_path(cwd);
}

}  // namespace
}  // namespace sett
