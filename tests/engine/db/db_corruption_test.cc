// Damaged files: opening or reading reports Corruption naming the file and the offset; never a
// crash, never a wrong value.

#include <gtest/gtest.h>

#include <filesystem>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/random.h"

namespace sett {
namespace {

namespace fs = std::filesystem;

class DBCorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    options_.num_compactors = 0;
  }

  static std::string Key(int i) { return "key" + std::to_string(100000 + i); }
  static std::string Value(int i) {
    return "value-" + std::to_string(i) + std::string(i % 50, 'x');
  }

  void Fill(int n) {
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, &db));
    for (int i = 0; i < n; i++) ASSERT_OK(db->Put(WriteOptions(), Key(i), Value(i)));
    ASSERT_OK(db->Close());
  }

  std::string OnlyFile(const std::string& suffix) {
    auto files = test::ListFiles(dir_.path(), suffix);
    EXPECT_EQ(files.size(), 1u) << suffix;
    return files.empty() ? "" : dir_.Join(files[0]);
  }

  test::TempDir dir_;
  Options options_;
};

TEST_F(DBCorruptionTest, FlippedTableByteIsReportedNeverReturned) {
  const int n = 3000;
  Fill(n);
  std::string table = OnlyFile(".sst");
  std::string good = test::ReadFile(table);
  Random rnd(5);
  for (int trial = 0; trial < 12; trial++) {
    test::WriteFile(table, good);
    uint64_t offset = rnd.Uniform(good.size() * 8 / 10);  // Somewhere in the data blocks.
    test::FlipByte(table, offset);
    std::unique_ptr<DB> db;
    ASSERT_OK(DB::Open(options_, &db));
    int corrupt = 0;
    for (int i = 0; i < n; i++) {
      std::string value;
      Status s = db->Get(ReadOptions(), Key(i), &value);
      if (s.ok()) {
        ASSERT_EQ(value, Value(i))
            << "a wrong value for " << Key(i) << " after flipping offset " << offset;
      } else {
        ASSERT_TRUE(s.IsCorruption()) << s.ToString();
        EXPECT_NE(s.message().find(table), std::string::npos) << s.ToString();
        EXPECT_NE(s.message().find("offset"), std::string::npos) << s.ToString();
        corrupt++;
      }
    }
    EXPECT_GT(corrupt, 0) << "flipping offset " << offset << " went unnoticed";
    auto it = db->NewIterator(ReadOptions());
    int seen = 0;
    for (it->Rewind(); it->Valid(); it->Next()) seen++;
    EXPECT_TRUE(it->status().IsCorruption()) << "a scan must not end silently at the damage";
    EXPECT_LT(seen, n);
    Status verify = db->VerifyChecksums();
    EXPECT_TRUE(verify.IsCorruption());
    EXPECT_NE(verify.message().find(table), std::string::npos);
    it.reset();
    ASSERT_OK(db->Close());
  }
}

TEST_F(DBCorruptionTest, DamagedTableFooterFailsOpen) {
  Fill(500);
  std::string table = OnlyFile(".sst");
  test::FlipByte(table, test::FileSize(table) - 3);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(table), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s.ToString();
}

TEST_F(DBCorruptionTest, DamagedManifestFailsOpen) {
  Fill(100);
  options_.memtable_size = 64 << 10;
  Fill(0);  // Another open and close: one more edit.
  std::string manifest = dir_.Join("MANIFEST");
  test::FlipByte(manifest, 30);  // Inside the first record.
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("MANIFEST"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s.ToString();
}

TEST_F(DBCorruptionTest, MissingTableOrManifestFailsOpen) {
  Fill(100);
  std::string table = OnlyFile(".sst");
  fs::rename(table, table + ".away");
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(table), std::string::npos) << s.ToString();
  fs::rename(table + ".away", table);
  fs::remove(dir_.Join("MANIFEST"));
  s = DB::Open(options_, &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(fs::exists(table)) << "a table must never be deleted for lack of a MANIFEST";
}

// Write-ahead logs exist on disk only while the DB is open (a clean close flushes them), so
// these tests copy the directory of a DB that is still open, as a crash would leave it.
class DBWalCorruptionTest : public DBCorruptionTest {
 protected:
  // Writes `batches` synced batches and returns a copy of the directory, taken while open.
  std::string CrashImage(int batches, test::TempDir* image) {
    options_.sync_writes = true;
    std::unique_ptr<DB> db;
    EXPECT_OK(DB::Open(options_, &db));
    for (int b = 0; b < batches; b++) {
      WriteBatch batch;
      for (int j = 0; j < 5; j++) batch.Put(Key(b * 5 + j), Value(b * 5 + j));
      EXPECT_OK(db->Write(WriteOptions(), batch));
    }
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      fs::copy(entry.path(), image->path() + "/" + entry.path().filename().string());
    }
    EXPECT_OK(db->Close());
    options_.dir = image->path();
    auto wals = test::ListFiles(image->path(), ".mem");
    EXPECT_EQ(wals.size(), 1u);
    return wals.empty() ? "" : image->Join(wals[0]);
  }

  int CountKeys(DB* db, int n) {
    int found = 0;
    for (int i = 0; i < n; i++) {
      std::string value;
      Status s = db->Get(ReadOptions(), Key(i), &value);
      if (s.ok()) {
        EXPECT_EQ(value, Value(i));
        found++;
      }
    }
    return found;
  }
};

TEST_F(DBWalCorruptionTest, FlippedByteInTheMiddleFailsOpenNamingFileAndOffset) {
  test::TempDir image;
  std::string wal = CrashImage(40, &image);
  test::FlipByte(wal, test::FileSize(wal) / 2);
  std::unique_ptr<DB> db;
  Status s = DB::Open(options_, &db);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(wal), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s.ToString();

  // Asked to, recovery keeps what precedes the damage, whole batches only.
  options_.wal_recovery = WalRecovery::kTruncateAtCorruption;
  ASSERT_OK(DB::Open(options_, &db));
  int found = CountKeys(db.get(), 200);
  EXPECT_GT(found, 0);
  EXPECT_LT(found, 200);
  EXPECT_EQ(found % 5, 0) << "a batch was applied in part";
  ASSERT_OK(db->Close());
}

TEST_F(DBWalCorruptionTest, TornTailIsCutOffAndTheRestKept) {
  test::TempDir image;
  std::string wal = CrashImage(40, &image);
  uint64_t size = test::FileSize(wal);
  fs::resize_file(wal, size - 7);
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options_, &db));
  EXPECT_EQ(CountKeys(db.get(), 200), 195);  // The last batch is gone, whole.
  ASSERT_OK(db->Close());
  ASSERT_OK(DB::Open(options_, &db));
  EXPECT_EQ(CountKeys(db.get(), 200), 195);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
