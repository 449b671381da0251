// Subscribe (commit order, prefixes, cancellation) and Stream (every key once, in order).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

class DBStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    options_.memtable_size = 128 << 10;
    ASSERT_OK(DB::Open(options_, &db_));
  }
  void TearDown() override { db_.reset(); }
  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBStreamTest, SubscribersSeeCommitsInOrder) {
  std::mutex mu;
  std::vector<KV> all, only_b;
  auto sub_all = db_->Subscribe({}, [&](const std::vector<KV>& writes) {
    std::lock_guard<std::mutex> lock(mu);
    all.insert(all.end(), writes.begin(), writes.end());
    return Status::OK();
  });
  auto sub_b = db_->Subscribe({"b/"}, [&](const std::vector<KV>& writes) {
    std::lock_guard<std::mutex> lock(mu);
    only_b.insert(only_b.end(), writes.begin(), writes.end());
    return Status::OK();
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; t++) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 200; i++) {
        std::string prefix = t == 0 ? "b/" : "a/";
        ASSERT_OK(db_->Update([&](Txn* txn) {
          return txn->SetEntry(
              Entry(prefix + std::to_string(t) + "/" + std::to_string(i), std::to_string(i))
                  .WithUserMeta(3));
        }));
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_OK(db_->Delete(WriteOptions(), "b/gone"));
  // Sleep without the lock: the callbacks need it to deliver.
  for (int waited = 0; waited < 1000; waited++) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (all.size() == 601 && only_b.size() == 201) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(all.size(), 601u);
  ASSERT_EQ(only_b.size(), 201u);
  for (size_t i = 1; i < all.size(); i++) EXPECT_LT(all[i - 1].version, all[i].version);
  for (const KV& kv : only_b) EXPECT_EQ(kv.key.substr(0, 2), "b/");
  EXPECT_EQ(all[0].user_meta, 3);
  EXPECT_TRUE(all.back().deleted);
  EXPECT_EQ(all.back().key, "b/gone");
}

// Waits (up to 10 s) until done() holds; delivery is asynchronous.
bool Eventually(const std::function<bool()>& done) {
  for (int waited = 0; waited < 1000; waited++) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST_F(DBStreamTest, CancelAndErrorsEndSubscriptions) {
  // The callback fails once it has seen two writes, however delivery groups them.
  std::atomic<int> seen{0};
  auto sub = db_->Subscribe({}, [&](const std::vector<KV>& writes) {
    seen += static_cast<int>(writes.size());
    return seen >= 2 ? Status::Aborted("enough") : Status::OK();
  });
  ASSERT_OK(db_->Put(WriteOptions(), "k0", "v"));
  ASSERT_TRUE(Eventually([&] { return seen == 1; }));
  EXPECT_TRUE(sub->status().ok());
  ASSERT_OK(db_->Put(WriteOptions(), "k1", "v"));
  ASSERT_TRUE(Eventually([&] { return !sub->status().ok(); }));
  EXPECT_TRUE(sub->status().IsAborted());
  // Ended: later writes reach the callback no more. Cancel returns after its last call.
  for (int i = 2; i < 5; i++) ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), "v"));
  sub->Cancel();
  EXPECT_EQ(seen.load(), 2);

  std::atomic<int> second_seen{0};
  auto second = db_->Subscribe({}, [&](const std::vector<KV>& w) {
    second_seen += static_cast<int>(w.size());
    return Status::OK();
  });
  ASSERT_OK(db_->Put(WriteOptions(), "x", "1"));
  ASSERT_TRUE(Eventually([&] { return second_seen == 1; }));
  second->Cancel();
  ASSERT_OK(db_->Put(WriteOptions(), "y", "1"));
  EXPECT_EQ(second_seen.load(), 1);  // Cancel has returned: no call comes after it.
  EXPECT_TRUE(second->status().ok());
}

TEST_F(DBStreamTest, StreamCoversEveryKeyOnceInOrder) {
  const int n = 20000;
  for (int i = 0; i < n; i += 100) {
    WriteBatch batch;
    for (int j = i; j < i + 100; j++) {
      batch.Put((j % 2 ? "odd/" : "even/") + std::to_string(100000 + j),
                std::string(j % 3 == 0 ? 2000 : 20, 'v'));
    }
    ASSERT_OK(db_->Write(WriteOptions(), batch));
    if (i == n / 2) ASSERT_OK(db_->Flatten());
  }
  ASSERT_OK(db_->Delete(WriteOptions(), "odd/100001"));
  for (int workers : {1, 4}) {
    StreamOptions so;
    so.num_workers = workers;
    so.batch_bytes = 64 << 10;
    std::vector<std::string> keys;
    int batches = 0;
    ASSERT_OK(db_->Stream(so, [&](const std::vector<KV>& batch) {
      batches++;
      for (const KV& kv : batch) {
        keys.push_back(kv.key);
        size_t j = std::stoul(kv.key.substr(kv.key.find('/') + 1)) - 100000;
        if (kv.value.size() != (j % 3 == 0 ? 2000u : 20u))
          return Status::Corruption("value of " + kv.key);
      }
      return Status::OK();
    }));
    EXPECT_EQ(keys.size(), static_cast<size_t>(n - 1));
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
    EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end()) << "a key twice";
    EXPECT_GT(batches, 10);
    so.prefix = "odd/";
    size_t odd = 0;
    ASSERT_OK(db_->Stream(so, [&](const std::vector<KV>& batch) {
      odd += batch.size();
      return Status::OK();
    }));
    EXPECT_EQ(odd, static_cast<size_t>(n / 2 - 1));
  }
  // The callback's error stops the stream and comes back.
  Status s =
      db_->Stream(StreamOptions(), [](const std::vector<KV>&) { return Status::Aborted("stop"); });
  EXPECT_TRUE(s.IsAborted());
}

}  // namespace
}  // namespace sett
