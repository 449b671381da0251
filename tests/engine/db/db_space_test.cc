// Space is really reclaimed: about 1 GiB of 16 KiB values, every key overwritten twice, a third
// deleted, then compaction and value-log GC to the end. The directory must come within 1.5x of
// the live data, and every live value must read back as the model says. And a DB whose keys
// were overwritten fifty times and then left alone gets there by itself, through background GC.

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace sett {
namespace {

constexpr int kKeys = 65536;
constexpr size_t kValueSize = 16 << 10;

std::string Key(int i) { return "key/" + std::to_string(100000 + i); }

// A value that names its key and round, so that a misplaced or stale one is caught.
std::string Value(int i, int round) {
  std::string v(kValueSize, '\0');
  Random rnd(static_cast<uint64_t>(i) * 7919 + round);
  char block[64];
  for (auto& c : block) c = static_cast<char>(rnd.Next());
  for (size_t p = 0; p < kValueSize; p += sizeof(block)) std::memcpy(&v[p], block, sizeof(block));
  EncodeFixed32(&v[0], static_cast<uint32_t>(i));
  EncodeFixed32(&v[4], static_cast<uint32_t>(round));
  return v;
}

TEST(DBSpaceTest, GcReclaimsOverwrittenAndDeletedValues) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.value_log_file_size = 64 << 20;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));

  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < kKeys; i += 16) {
      WriteBatch batch;
      for (int j = i; j < i + 16; j++) batch.Put(Key(j), Value(j, round));
      ASSERT_OK(db->Write(WriteOptions(), batch));
    }
  }
  std::vector<bool> deleted(kKeys, false);
  Random rnd(test::TestSeed(42));
  int deletions = 0;
  while (deletions < kKeys / 3) {
    int i = static_cast<int>(rnd.Uniform(kKeys));
    if (deleted[i]) continue;
    deleted[i] = true;
    deletions++;
    ASSERT_OK(db->Delete(WriteOptions(), Key(i)));
  }
  uint64_t written = test::DirectoryBytes(dir.path());

  ASSERT_OK(db->Flatten());
  int collected = 0;
  Status s;
  while ((s = db->RunValueLogGC(0.2)).ok()) collected++;
  ASSERT_TRUE(s.IsNothingToCollect()) << s.ToString();
  ASSERT_OK(db->Close());  // Retired files go once nothing holds them.

  uint64_t live = static_cast<uint64_t>(kKeys - deletions) * (kValueSize + Key(0).size());
  uint64_t size = test::DirectoryBytes(dir.path());
  std::printf(
      "wrote %.0f MiB (directory after the writes %.0f MiB); collected %d value-log files; "
      "directory now %.0f MiB for %.0f MiB of live keys and values: %.2fx\n",
      3.0 * kKeys * kValueSize / (1 << 20), written / 1048576.0, collected, size / 1048576.0,
      live / 1048576.0, static_cast<double>(size) / live);
  EXPECT_LE(size, live * 3 / 2);

  ASSERT_OK(DB::Open(options, &db));
  std::string value;
  for (int i = 0; i < kKeys; i++) {
    Status g = db->Get(ReadOptions(), Key(i), &value);
    if (deleted[i]) {
      ASSERT_TRUE(g.IsNotFound()) << Key(i) << ": " << g.ToString();
    } else {
      ASSERT_OK(g);
      ASSERT_TRUE(value == Value(i, 2)) << Key(i) << " has a wrong value";
    }
  }
  ASSERT_OK(db->Close());
}

// Background GC every second, closely once the DB has been quiet for two; small log files.
Options QuietOptions(const std::string& dir) {
  Options options;
  options.dir = dir;
  options.logger = StderrLogger(LogLevel::kError);
  options.value_log_file_size = 8 << 20;
  options.value_log_gc_interval_seconds = 1;
  options.value_log_gc_quiet_seconds = 2;
  return options;
}

// Waits (at most a minute) until the directory holds at most `bound` bytes; its size then.
uint64_t WaitForDirectoryAtMost(const std::string& dir, uint64_t bound) {
  uint64_t size = test::DirectoryBytes(dir);
  for (int waited = 0; waited < 600 && size > bound; waited++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    size = test::DirectoryBytes(dir);
  }
  return size;
}

TEST(DBSpaceTest, AQuietDbGivesSpaceBackByItself) {
  constexpr int kQuietKeys = 1000, kRounds = 50;
  constexpr size_t kQuietValueSize = 2 << 10;
  test::TempDir dir;
  Options options = QuietOptions(dir.path());
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  auto value = [&](int i, int round) { return Value(i, round).substr(0, kQuietValueSize); };
  for (int round = 0; round < kRounds; round++) {
    for (int i = 0; i < kQuietKeys; i += 10) {
      WriteBatch batch;
      for (int j = i; j < i + 10; j++) batch.Put(Key(j), value(j, round));
      ASSERT_OK(db->Write(WriteOptions(), batch));
    }
  }
  uint64_t written = test::DirectoryBytes(dir.path());
  uint64_t live = kQuietKeys * (kQuietValueSize + Key(0).size());
  // Nothing but waiting: no Flush, Flatten or RunValueLogGC.
  uint64_t size = WaitForDirectoryAtMost(dir.path(), live * 3 / 2);
  std::printf("directory %.1f MiB after the writes, %.2f MiB later, for %.2f MiB live: %.2fx\n",
              written / 1048576.0, size / 1048576.0, live / 1048576.0,
              static_cast<double>(size) / live);
  EXPECT_LE(size, live * 3 / 2);
  std::string got;
  for (int i = 0; i < kQuietKeys; i++) {
    ASSERT_OK(db->Get(ReadOptions(), Key(i), &got));
    ASSERT_TRUE(got == value(i, kRounds - 1)) << Key(i) << " has a wrong value";
  }
  ASSERT_OK(db->Close());
}

TEST(DBSpaceTest, AQuietDbGivesDeletedValuesBack) {
  // The values sit in the last level when they are deleted: the tombstones must travel down
  // to them before their garbage is known.
  constexpr int kDeletedKeys = 2000;
  test::TempDir dir;
  Options options = QuietOptions(dir.path());
  options.base_level_size = 64 << 10;  // Several levels of tables.
  options.base_table_size = 16 << 10;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  for (int i = 0; i < kDeletedKeys; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i, 0)));
  ASSERT_OK(db->Put(WriteOptions(), "kept", "small"));
  ASSERT_OK(db->Flatten());
  for (int i = 0; i < kDeletedKeys; i++) ASSERT_OK(db->Delete(WriteOptions(), Key(i)));
  uint64_t written = test::DirectoryBytes(dir.path());
  const uint64_t bound = 1 << 20;  // Tables, logs, MANIFEST: all but the values.
  uint64_t size = WaitForDirectoryAtMost(dir.path(), bound);
  std::printf("directory %.1f MiB after the deletions, %llu bytes later\n", written / 1048576.0,
              static_cast<unsigned long long>(size));
  EXPECT_LE(size, bound);
  std::string got;
  EXPECT_TRUE(db->Get(ReadOptions(), Key(7), &got).IsNotFound());
  ASSERT_OK(db->Get(ReadOptions(), "kept", &got));
  EXPECT_EQ(got, "small");
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
