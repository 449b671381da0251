// DropAll and DropPrefix: gone when the call returns, even with writers running, and the space
// comes back.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

class DBDropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    options_.memtable_size = 128 << 10;
    options_.value_log_file_size = 256 << 10;
    ASSERT_OK(DB::Open(options_, &db_));
  }
  void TearDown() override { db_.reset(); }
  int Count(const std::string& prefix) {
    ReadOptions ro;
    ro.prefix = prefix;
    ro.key_only = true;
    auto it = db_->NewIterator(ro);
    int n = 0;
    for (it->Rewind(); it->Valid(); it->Next()) n++;
    EXPECT_OK(it->status());
    return n;
  }
  void Fill(const std::string& prefix, int n, size_t size) {
    for (int i = 0; i < n; i += 10) {
      WriteBatch batch;
      for (int j = i; j < i + 10; j++)
        batch.Put(prefix + std::to_string(j), std::string(size, 'v'));
      ASSERT_OK(db_->Write(WriteOptions(), batch));
    }
  }
  uint64_t VlogBytes() {
    uint64_t total = 0;
    for (const auto& f : db_->Info().value_log_files) total += f.size;
    return total;
  }

  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBDropTest, DropPrefixRemovesOnlyThePrefix) {
  Fill("a/", 2000, 50);
  Fill("b/", 2000, 2000);
  Fill("bb/", 500, 50);
  Fill("c/", 2000, 50);
  ASSERT_OK(db_->Flatten());
  Fill("b/", 100, 50);  // Some in memtables too.
  ASSERT_OK(db_->DropPrefix({"b/", "c/"}));
  EXPECT_EQ(Count("a/"), 2000);
  EXPECT_EQ(Count("b/"), 0);
  EXPECT_EQ(Count("bb/"), 500);
  EXPECT_EQ(Count("c/"), 0);
  ASSERT_OK(db_->Close());
  ASSERT_OK(DB::Open(options_, &db_));
  EXPECT_EQ(Count("b/"), 0);
  EXPECT_EQ(Count("a/"), 2000);
  // The dropped values are garbage for GC.
  uint64_t before = VlogBytes();
  while (db_->RunValueLogGC(0.5).ok()) {
  }
  EXPECT_LT(VlogBytes(), before / 2);
  EXPECT_TRUE(db_->DropPrefix({""}).IsInvalidArgument());
}

TEST_F(DBDropTest, DropAllRemovesEverythingAndFreesTheLog) {
  Fill("k", 3000, 1500);
  ASSERT_OK(db_->Flush());
  Fill("m", 100, 10);
  ASSERT_OK(db_->DropAll());
  EXPECT_EQ(Count(""), 0);
  DBInfo info = db_->Info();
  for (const auto& l : info.levels) EXPECT_EQ(l.num_tables, 0);
  EXPECT_EQ(info.value_log_files.size(), 1u);
  ASSERT_OK(db_->Put(WriteOptions(), "after", "drop"));
  ASSERT_OK(db_->Close());
  ASSERT_OK(DB::Open(options_, &db_));
  EXPECT_EQ(Count(""), 1);
  EXPECT_LT(test::DirectoryBytes(dir_.path()), 100u << 10);
}

// Writers keep writing; every key acknowledged before the drop started is gone afterwards,
// every key written after it returned is there.
TEST_F(DBDropTest, DropsUnderConcurrentWrites) {
  for (bool all : {false, true}) {
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> gen{0};
    std::atomic<bool> writer_failed{false};
    std::thread writer([&] {
      while (!stop) {
        uint64_t g = ++gen;
        WriteBatch batch;
        batch.Put("p/" + std::to_string(g), std::string(600, 'x'));
        batch.Put("q/" + std::to_string(g), "y");
        Status s = db_->Write(WriteOptions(), batch);
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          writer_failed = true;
          return;
        }
      }
    });
    // Enough acknowledged writes on both sides of the drop for the checks to mean something.
    auto wait_for = [&](uint64_t n) {
      while (gen.load() < n && !writer_failed) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    };
    wait_for(500);
    uint64_t before = gen.load();
    ASSERT_OK(all ? db_->DropAll() : db_->DropPrefix({"p/"}));
    uint64_t after = gen.load() + 1;
    wait_for(after + 500);
    stop = true;
    writer.join();
    std::string value;
    for (uint64_t g = 1; g < before; g++) {
      EXPECT_TRUE(db_->Get(ReadOptions(), "p/" + std::to_string(g), &value).IsNotFound()) << g;
      Status q = db_->Get(ReadOptions(), "q/" + std::to_string(g), &value);
      EXPECT_TRUE(all ? q.IsNotFound() : q.ok()) << g;
    }
    for (uint64_t g = after; g <= gen.load(); g++) {
      EXPECT_OK(db_->Get(ReadOptions(), "p/" + std::to_string(g), &value));
    }
    ASSERT_OK(db_->DropAll());
  }
}

}  // namespace
}  // namespace sett
