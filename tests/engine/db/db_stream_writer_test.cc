// StreamWriter through the public API: a bulk load equals its source, bad input is refused,
// nothing of an unfinished or crashed load stays, and later writes go on top of it.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/fault_injection_env.h"

namespace sett {
namespace {

std::string Key(uint64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "key%012llu", static_cast<unsigned long long>(i));
  return buf;
}

class DBStreamWriterTest : public ::testing::Test {
 protected:
  void Open(std::unique_ptr<DB>* db, const std::string& dir, Env* env = nullptr) {
    db->reset();
    Options options;
    options.dir = dir;
    options.env = env;
    options.logger = StderrLogger(LogLevel::kError);
    ASSERT_OK(DB::Open(options, db));
  }
  // Loads keys [0, n) with values derived from the key.
  Status Load(DB* db, uint64_t n, uint64_t finish_after = UINT64_MAX) {
    std::unique_ptr<StreamWriter> writer;
    Status s = db->NewStreamWriter(&writer);
    std::vector<KV> batch;
    for (uint64_t i = 0; s.ok() && i < n; i++) {
      KV kv;
      kv.key = Key(i);
      kv.value = "v" + std::to_string(i * 7);
      batch.push_back(std::move(kv));
      if (batch.size() == 1000 || i + 1 == n) {
        s = writer->Write(batch);
        batch.clear();
      }
      if (i + 1 == finish_after) return Status::OK();  // Abandoned: the writer goes.
    }
    return s.ok() ? writer->Finish() : s;
  }
  uint64_t Count(DB* db) {
    std::unique_ptr<Iterator> it = db->NewIterator(ReadOptions());
    uint64_t n = 0;
    for (it->Rewind(); it->Valid(); it->Next()) n++;
    EXPECT_OK(it->status());
    return n;
  }

  test::TempDir dir_;
};

TEST_F(DBStreamWriterTest, TenMillionKeysLoadedStreamBackAsWritten) {
  std::unique_ptr<DB> source, copy;
  Open(&copy, dir_.path() + "/copy");
  const uint64_t n = 10'000'000;
  ASSERT_OK(Load(copy.get(), n));
  // Stream it back: every key in order, with its value.
  uint64_t next = 0;
  bool in_order = true;
  StreamOptions options;
  ASSERT_OK(copy->Stream(options, [&](const std::vector<KV>& kvs) {
    for (const KV& kv : kvs) {
      in_order &= kv.key == Key(next) && kv.value == "v" + std::to_string(next * 7);
      next++;
    }
    return Status::OK();
  }));
  EXPECT_TRUE(in_order);
  EXPECT_EQ(next, n);
  DBInfo info = copy->Info();
  EXPECT_GT(info.levels.back().num_tables, 0) << "the load sits at the deepest level";
  ASSERT_OK(copy->VerifyChecksums());

  // Later writes go on top of the load, and it all survives reopening.
  ASSERT_OK(copy->Put(WriteOptions(), Key(5), "new"));
  ASSERT_OK(copy->Delete(WriteOptions(), Key(6)));
  Open(&copy, dir_.path() + "/copy");
  std::string value;
  ASSERT_OK(copy->Get(ReadOptions(), Key(5), &value));
  EXPECT_EQ(value, "new");
  EXPECT_TRUE(copy->Get(ReadOptions(), Key(6), &value).IsNotFound());
  ASSERT_OK(copy->Get(ReadOptions(), Key(n - 1), &value));
  EXPECT_EQ(value, "v" + std::to_string((n - 1) * 7));
}

TEST_F(DBStreamWriterTest, RefusesADatabaseWithDataAndKeysOutOfOrder) {
  std::unique_ptr<DB> db;
  Open(&db, dir_.path());
  std::unique_ptr<StreamWriter> writer;
  ASSERT_OK(db->NewStreamWriter(&writer));
  std::unique_ptr<StreamWriter> second;
  EXPECT_TRUE(db->NewStreamWriter(&second).IsInvalidArgument()) << "one load at a time";
  Status s = writer->Write({KV{"b", "1"}, KV{"a", "2"}});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("'a' does not follow 'b'"), std::string::npos) << s.ToString();
  EXPECT_FALSE(writer->Finish().ok()) << "a failed load cannot finish";
  ASSERT_OK(db->NewStreamWriter(&second));
  EXPECT_TRUE(db->Close().IsBusy()) << "not while a load holds the writes";
  second.reset();
  writer.reset();
  EXPECT_EQ(Count(db.get()), 0u);
  EXPECT_TRUE(test::ListFiles(dir_.path(), ".sst").empty()) << "its tables are deleted";

  ASSERT_OK(db->Put(WriteOptions(), "x", "y"));
  s = db->NewStreamWriter(&writer);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("empty"), std::string::npos) << s.ToString();
}

TEST_F(DBStreamWriterTest, KeysOfABannedNamespaceAreRefused) {
  std::unique_ptr<DB> db;
  Open(&db, dir_.path());
  ASSERT_OK(db->BanNamespace(7));
  std::unique_ptr<StreamWriter> writer;
  ASSERT_OK(db->NewStreamWriter(&writer));
  std::string banned("\0\0\0\0\0\0\0\x07key", 11);
  Status s = writer->Write({KV{"a", "1"}, KV{banned, "2"}});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("namespace 7"), std::string::npos) << s.ToString();
}

TEST_F(DBStreamWriterTest, WritesWaitForTheLoadAndLandOnTopOfIt) {
  std::unique_ptr<DB> db;
  Open(&db, dir_.path());
  std::unique_ptr<StreamWriter> writer;
  ASSERT_OK(db->NewStreamWriter(&writer));
  ASSERT_OK(writer->Write({KV{"a", "loaded"}, KV{"b", "loaded"}}));
  std::atomic<bool> written{false};
  std::thread concurrent([&] {
    EXPECT_OK(db->Put(WriteOptions(), "a", "after"));
    written = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(written.load()) << "the write waits for the load";
  ASSERT_OK(writer->Finish());
  concurrent.join();
  std::string value;
  ASSERT_OK(db->Get(ReadOptions(), "a", &value));
  EXPECT_EQ(value, "after");
  ASSERT_OK(db->Get(ReadOptions(), "b", &value));
  EXPECT_EQ(value, "loaded");
}

TEST_F(DBStreamWriterTest, ACrashBeforeFinishLeavesTheDatabaseAsBeforeTheLoad) {
  FaultInjectionEnv env(Env::Default());
  std::unique_ptr<DB> db;
  Open(&db, dir_.path(), &env);
  ASSERT_OK(Load(db.get(), 2'000'000, /*finish_after=*/1'500'000));  // Abandoned.
  EXPECT_EQ(Count(db.get()), 0u);
  EXPECT_TRUE(test::ListFiles(dir_.path(), ".sst").empty());

  std::unique_ptr<StreamWriter> writer;
  ASSERT_OK(db->NewStreamWriter(&writer));
  std::vector<KV> batch;
  for (uint64_t i = 0; i < 1'000'000; i++) batch.push_back(KV{Key(i), "x"});
  ASSERT_OK(writer->Write(batch));
  env.LosePower();
  EXPECT_FALSE(writer->Finish().ok());
  writer.reset();
  db.reset();
  ASSERT_OK(env.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  env.ClearFaults();
  Open(&db, dir_.path(), &env);
  EXPECT_EQ(Count(db.get()), 0u);
  EXPECT_TRUE(test::ListFiles(dir_.path(), ".sst").empty()) << "orphan tables are deleted";

  // A load that finished survives the power loss that follows.
  ASSERT_OK(Load(db.get(), 100'000));
  env.LosePower();
  db.reset();
  ASSERT_OK(env.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  env.ClearFaults();
  Open(&db, dir_.path(), &env);
  EXPECT_EQ(Count(db.get()), 100'000u);
}

}  // namespace
}  // namespace sett
