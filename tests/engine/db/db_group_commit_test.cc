// Group commit: concurrent synced writers share fsyncs instead of paying one each. DB::Sync:
// unsynced writes made durable later, and a failed fsync reported.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "sett/db.h"
#include "sett/env.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

// Counts Sync calls on files whose name ends in ".mem", and fails them on demand; fails the
// creation of tables on demand too, which holds memtables (and their logs) unflushed.
class SyncCountingEnv : public EnvWrapper {
 public:
  SyncCountingEnv() : EnvWrapper(Env::Default()) {}

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    if (fail_tables && path.size() > 4 && path.compare(path.size() - 4, 4, ".sst") == 0) {
      return Status::IOError(path + ": create", ENOSPC);
    }
    Status s = target()->NewWritableFile(path, result);
    if (s.ok() && path.size() > 4 && path.compare(path.size() - 4, 4, ".mem") == 0) {
      *result = std::make_unique<CountingFile>(std::move(*result), this);
    }
    return s;
  }

  std::atomic<int> wal_syncs{0};
  std::atomic<bool> fail_wal_syncs{false};
  std::atomic<bool> fail_tables{false};

 private:
  class CountingFile : public WritableFile {
   public:
    CountingFile(std::unique_ptr<WritableFile> base, SyncCountingEnv* env)
        : base_(std::move(base)), env_(env) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Flush() override { return base_->Flush(); }
    Status Sync() override {
      env_->wal_syncs++;
      if (env_->fail_wal_syncs) return Status::IOError(path() + ": fsync", EIO);
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }
    uint64_t Size() const override { return base_->Size(); }
    const std::string& path() const override { return base_->path(); }

   private:
    std::unique_ptr<WritableFile> base_;
    SyncCountingEnv* env_;
  };
};

Status OpenCounting(const test::TempDir& dir, SyncCountingEnv* env, std::unique_ptr<DB>* db) {
  Options options;
  options.dir = dir.path();
  options.env = env;
  options.logger = StderrLogger(LogLevel::kError);
  return DB::Open(options, db);
}

TEST(DBGroupCommitTest, ConcurrentSyncedWritersShareFsyncs) {
  test::TempDir dir;
  SyncCountingEnv env;
  std::unique_ptr<DB> db;
  ASSERT_OK(OpenCounting(dir, &env, &db));

  constexpr int kThreads = 8, kWrites = 200;
  const uint64_t first_version = db->LatestVersion();
  WriteOptions sync;
  sync.sync = true;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; i++) {
        EXPECT_OK(db->Put(sync, "t" + std::to_string(t) + "/" + std::to_string(i), "v"));
      }
    });
  }
  for (auto& t : threads) t.join();
  int syncs = env.wal_syncs.load();
  std::printf("%d synced writes took %d log fsyncs\n", kThreads * kWrites, syncs);
  EXPECT_GT(syncs, 0);
  EXPECT_LT(syncs, kThreads * kWrites * 3 / 4) << "writers did not share fsyncs";
  for (int t = 0; t < kThreads; t++) {
    std::string value;
    EXPECT_OK(db->Get(ReadOptions(), "t" + std::to_string(t) + "/" + std::to_string(kWrites - 1),
                      &value));
  }
  EXPECT_EQ(db->LatestVersion() - first_version, static_cast<uint64_t>(kThreads * kWrites));
  ASSERT_OK(db->Close());
}

TEST(DBSyncTest, SyncFsyncsTheLogAfterUnsyncedWrites) {
  test::TempDir dir;
  SyncCountingEnv env;
  std::unique_ptr<DB> db;
  ASSERT_OK(OpenCounting(dir, &env, &db));
  for (int i = 0; i < 100; i++) ASSERT_OK(db->Put(WriteOptions(), "k" + std::to_string(i), "v"));
  int before = env.wal_syncs.load();
  ASSERT_OK(db->Sync());
  EXPECT_EQ(env.wal_syncs.load(), before + 1);
  ASSERT_OK(db->Close());
  EXPECT_FALSE(db->Sync().ok()) << "Sync on a closed DB";
}

// A memtable switch costs no fsync of the log it retires: a flush that follows makes that
// log needless, and the next synced write fsyncs only its own.
TEST(DBSyncTest, ASwitchLeavesItsLogUnsynced) {
  test::TempDir dir;
  SyncCountingEnv env;
  std::unique_ptr<DB> db;
  ASSERT_OK(OpenCounting(dir, &env, &db));
  ASSERT_OK(db->Put(WriteOptions(), "a", "1"));
  int before = env.wal_syncs.load();
  ASSERT_OK(db->Flush());
  EXPECT_EQ(env.wal_syncs.load(), before);
  WriteOptions sync;
  sync.sync = true;
  ASSERT_OK(db->Put(sync, "b", "2"));
  EXPECT_EQ(env.wal_syncs.load(), before + 1);
  ASSERT_OK(db->Close());
}

// While its memtable waits to be flushed, a retired log is fsynced by the next synced write,
// before that write's own log: a synced write is durable only with every write before it. If
// that fsync fails, synced writes fail until the flush makes the retired log's records durable.
TEST(DBSyncTest, ARetiredLogIsSyncedFirstAndItsFailureHoldsUntilTheFlush) {
  test::TempDir dir;
  SyncCountingEnv env;
  std::unique_ptr<DB> db;
  ASSERT_OK(OpenCounting(dir, &env, &db));
  WriteOptions sync;
  sync.sync = true;
  env.fail_tables = true;
  ASSERT_OK(db->Put(WriteOptions(), "a", "1"));
  EXPECT_FALSE(db->Flush().ok());  // Retired, not flushed.
  int before = env.wal_syncs.load();
  ASSERT_OK(db->Put(sync, "b", "2"));
  EXPECT_EQ(env.wal_syncs.load(), before + 2) << "the retired log, then the current one";

  ASSERT_OK(db->Put(WriteOptions(), "c", "3"));
  EXPECT_FALSE(db->Flush().ok());
  env.fail_wal_syncs = true;
  Status s = db->Put(sync, "d", "4");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env.fail_wal_syncs = false;
  s = db->Put(sync, "e", "5");
  EXPECT_TRUE(s.IsIOError()) << "a second fsync proves nothing after a failed one: "
                             << s.ToString();
  env.fail_tables = false;
  Status flushed = db->Flush();
  for (int i = 0; i < 400 && !flushed.ok(); i++) {  // Until the flusher's next attempt.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    flushed = db->Flush();
  }
  ASSERT_OK(flushed);
  ASSERT_OK(db->Put(sync, "f", "6"));
  ASSERT_OK(db->Close());
  ASSERT_OK(OpenCounting(dir, &env, &db));
  for (const char* key : {"a", "b", "c", "f"}) {
    std::string value;
    EXPECT_OK(db->Get(ReadOptions(), key, &value));
  }
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
