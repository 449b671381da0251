// Encryption at rest through the public API: nothing of a key or value on the disk in clear,
// tampering detected, keys rotating, the master key checked and changed.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/clock_env.h"
#include "support/test_util.h"
#include "util/key_registry.h"

namespace sett {
namespace {

const std::string kKey(32, 'K');

class DBEncryptionTest : public ::testing::Test {
 protected:
  Status Open(const std::string& key, Env* env = nullptr) {
    db_.reset();
    Options options;
    options.dir = path_;
    options.env = env;
    options.logger = StderrLogger(LogLevel::kError);
    options.encryption_key = key;
    options.encryption_key_rotation_seconds = 100;
    options.memtable_size = 256 << 10;
    options.value_threshold = 512;
    options.value_threshold_tuned = false;
    return DB::Open(options, &db_);
  }
  static std::string Key(int i) { return "PLAINKEY-" + std::to_string(i); }
  static std::string Value(int i) {
    return "PLAINVALUE-" + std::to_string(i) + std::string(i % 3 == 0 ? 2000 : 20, 'v');
  }
  // Keys in tables (flushed and compacted), in the value log, and in a live WAL.
  void WriteMarkers(int n, bool sync = false) {
    WriteOptions options;
    options.sync = sync;
    for (int i = 0; i < n; i++) {
      ASSERT_OK(db_->Put(options, Key(i), Value(i)));
      if (i == n / 2) ASSERT_OK(db_->Flatten());
    }
  }
  // Files under the DB directory holding a marker.
  std::vector<std::string> FilesWithPlaintext() {
    std::vector<std::string> found;
    for (const std::string& name : test::ListFiles(path_, "")) {
      std::string path = path_ + "/" + name;
      std::string bytes = test::ReadFile(path);
      if (bytes.find("PLAINKEY") != std::string::npos ||
          bytes.find("PLAINVALUE") != std::string::npos) {
        found.push_back(path);
      }
    }
    return found;
  }
  void CheckAll(int n) {
    for (int i = 0; i < n; i++) {
      std::string value;
      ASSERT_OK(db_->Get(ReadOptions(), Key(i), &value));
      ASSERT_EQ(value, Value(i));
    }
  }

  test::TempDir dir_;
  std::string path_ = dir_.path();  // The DB's directory.
  std::unique_ptr<DB> db_;
};

TEST_F(DBEncryptionTest, NoKeyOrValueReachesTheDiskInClear) {
  ASSERT_OK(Open(kKey));
  WriteMarkers(3000);
  std::vector<std::string> while_open = FilesWithPlaintext();
  EXPECT_TRUE(while_open.empty()) << while_open.front();  // WAL, tables and value log.
  ASSERT_OK(db_->Close());
  EXPECT_TRUE(FilesWithPlaintext().empty());
  ASSERT_OK(Open(kKey));
  CheckAll(3000);
  ASSERT_OK(db_->VerifyChecksums());
  Status gc;
  for (int i = 0; i < 3000; i += 3) ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(i)));
  ASSERT_OK(db_->Flatten());
  while ((gc = db_->RunValueLogGC(0.1)).ok()) {
  }
  EXPECT_TRUE(gc.IsNothingToCollect() || gc.IsBusy()) << gc.ToString();
  CheckAll(3000);
  EXPECT_TRUE(FilesWithPlaintext().empty()) << "GC's rewrites too";

  // The same writes without a key leave the markers everywhere: the scan finds what is there.
  db_.reset();
  test::TempDir plain;
  Options options;
  options.dir = plain.path();
  options.logger = StderrLogger(LogLevel::kError);
  std::unique_ptr<DB> clear;
  ASSERT_OK(DB::Open(options, &clear));
  ASSERT_OK(clear->Put(WriteOptions(), Key(1), Value(3)));
  ASSERT_OK(clear->Close());
  bool found = false;
  for (const std::string& name : test::ListFiles(plain.path(), "")) {
    found |= test::ReadFile(plain.Join(name)).find("PLAINVALUE") != std::string::npos;
  }
  EXPECT_TRUE(found);
}

TEST_F(DBEncryptionTest, AWrongOrMissingKeyIsRefusedBeforeAnythingIsRead) {
  ASSERT_OK(Open(kKey));
  WriteMarkers(100);
  ASSERT_OK(db_->Close());
  Status s = Open(std::string(32, 'W'));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("does not open with this encryption key"), std::string::npos);
  s = Open("");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("is encrypted"), std::string::npos) << s.ToString();
  s = Open("too short");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();

  test::TempDir plain;
  Options options;
  options.dir = plain.path();
  std::unique_ptr<DB> clear;
  ASSERT_OK(DB::Open(options, &clear));
  ASSERT_OK(clear->Close());
  options.encryption_key = kKey;
  s = DB::Open(options, &clear);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("is not encrypted"), std::string::npos) << s.ToString();
}

TEST_F(DBEncryptionTest, ATamperedTableLogOrValueLogByteIsCorruptionNeverAWrongValue) {
  for (const char* suffix : {".sst", ".vlog", ".mem"}) {
    SCOPED_TRACE(suffix);
    db_.reset();
    test::TempDir fresh;
    path_ = fresh.path();
    ASSERT_OK(Open(kKey));
    // Synced: damage followed by durable data is not a torn tail that a crash could leave.
    WriteMarkers(400, /*sync=*/true);  // The second half stays in the WAL.
    // A copy taken while the DB is open, as a crash would leave it: the WAL replays.
    test::TempDir copy;
    std::filesystem::copy(path_, copy.path(), std::filesystem::copy_options::recursive);
    db_.reset();
    path_ = copy.path();
    std::vector<std::string> files = test::ListFiles(path_, suffix);
    ASSERT_FALSE(files.empty());
    std::string victim = path_ + "/" + files.front();
    // In the value log, among the values that only the tables point at (the later ones have
    // copies in the synced WAL records, which replay takes instead).
    uint64_t size = test::FileSize(victim);
    test::FlipByte(victim, std::string(suffix) == ".vlog" ? size / 4 : size / 2);
    Status s = Open(kKey);
    if (s.ok()) {
      bool wrong = false;
      for (int i = 0; i < 400 && s.ok(); i++) {
        std::string value;
        Status r = db_->Get(ReadOptions(), Key(i), &value);
        if (r.ok()) {
          wrong |= value != Value(i);
        } else if (!r.IsNotFound()) {
          s = r;
        }
      }
      EXPECT_FALSE(wrong) << "a changed byte never reads as another value";
      if (s.ok()) s = db_->VerifyChecksums();
    }
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    db_.reset();
  }
}

TEST_F(DBEncryptionTest, DataKeysRotateByPeriodAndOldOnesStillRead) {
  test::ClockEnv env(Env::Default());
  ASSERT_OK(Open(kKey, &env));
  for (int period = 0; period < 6; period++) {
    for (int i = period * 100; i < (period + 1) * 100; i++) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), Value(i)));
    }
    ASSERT_OK(db_->Flush());
    env.Advance(std::chrono::seconds(100));
  }
  ASSERT_OK(db_->Close());
  std::unique_ptr<KeyRegistry> registry;
  ASSERT_OK(KeyRegistry::Open(&env, dir_.path(), kKey, 0, false, &registry));
  EXPECT_GE(registry->num_keys(), 6u) << "a data key per period";
  ASSERT_OK(Open(kKey, &env));
  CheckAll(600);
  ASSERT_OK(db_->Flatten());  // Everything rewritten under the newest key.
  CheckAll(600);
  db_.reset();  // Before env, which it uses.
}

TEST_F(DBEncryptionTest, TheMasterKeyChangesWithoutRewritingData) {
  ASSERT_OK(Open(kKey));
  WriteMarkers(500);
  ASSERT_OK(db_->Close());
  const std::string next(16, 'N');
  EXPECT_TRUE(DB::RotateEncryptionKey(dir_.path(), next, kKey).IsInvalidArgument());
  ASSERT_OK(Open(kKey));
  EXPECT_FALSE(DB::RotateEncryptionKey(dir_.path(), kKey, next).ok()) << "not while open";
  db_.reset();
  uint64_t tables_before = test::ListFiles(dir_.path(), ".sst").size();
  ASSERT_OK(DB::RotateEncryptionKey(dir_.path(), kKey, next));
  EXPECT_EQ(test::ListFiles(dir_.path(), ".sst").size(), tables_before);
  EXPECT_TRUE(Open(kKey).IsInvalidArgument());
  ASSERT_OK(Open(next));
  CheckAll(500);
}

}  // namespace
}  // namespace sett
