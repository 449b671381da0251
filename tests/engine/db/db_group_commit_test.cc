// Group commit: concurrent synced writers share fsyncs instead of paying one each. DB::Sync:
// unsynced writes made durable later, and a failed fsync reported.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "sett/db.h"
#include "sett/env.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

// Counts Sync calls on files whose name ends in ".mem", and fails them on demand.
class SyncCountingEnv : public EnvWrapper {
 public:
  SyncCountingEnv() : EnvWrapper(Env::Default()) {}

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    Status s = target()->NewWritableFile(path, result);
    if (s.ok() && path.size() > 4 && path.compare(path.size() - 4, 4, ".mem") == 0) {
      *result = std::make_unique<CountingFile>(std::move(*result), this);
    }
    return s;
  }

  std::atomic<int> wal_syncs{0};
  std::atomic<bool> fail_wal_syncs{false};

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

// The log is fsynced when its memtable is retired; when that fails the log stays current and
// the error goes to the call that asked, here Flush.
TEST(DBSyncTest, ALogThatFailsItsFsyncIsNotRetired) {
  test::TempDir dir;
  SyncCountingEnv env;
  std::unique_ptr<DB> db;
  ASSERT_OK(OpenCounting(dir, &env, &db));
  ASSERT_OK(db->Put(WriteOptions(), "a", "1"));
  env.fail_wal_syncs = true;
  Status s = db->Flush();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  env.fail_wal_syncs = false;
  ASSERT_OK(db->Flush());
  ASSERT_OK(db->Sync());
  std::string value;
  EXPECT_OK(db->Get(ReadOptions(), "a", &value));
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
