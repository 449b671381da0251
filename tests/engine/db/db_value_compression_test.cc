// Compression of value-log values (Options::value_compression) through the public API: values
// read back as written with either codec, compressible ones take a fraction of their size on
// disk and incompressible ones no more than as is; a DB reads its compressed values whatever
// it is reopened with; GC moves them as stored; damage to a compressed value is Corruption.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/random.h"

namespace sett {
namespace {

namespace fs = std::filesystem;

// Text-like bytes: words from a small vocabulary, compressible about 3x by either codec.
std::string TextValue(uint64_t seed, size_t size) {
  static const char* kWords[] = {"block ", "inode ", "extent ", "version ", "table ",
                                 "level ", "value ", "key ",    "log ",     "sett "};
  Random rnd(seed);
  std::string v;
  while (v.size() < size) v += kWords[rnd.Uniform(10)];
  v.resize(size);
  return v;
}

std::string RandomValue(uint64_t seed, size_t size) {
  Random rnd(seed);
  std::string v(size, '\0');
  for (char& c : v) c = static_cast<char>(rnd.Next());
  return v;
}

uint64_t ValueLogBytesOnDisk(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".vlog") total += fs::file_size(e.path());
  }
  return total;
}

class DBValueCompressionTest : public ::testing::TestWithParam<Compression> {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    options_.value_compression = GetParam();
    options_.value_threshold_tuned = false;  // Every value of 1 KiB or more in the log.
    options_.value_log_gc_interval_seconds = 0;
    options_.value_log_file_size = 1 << 20;
    Open();
  }
  void Open() { ASSERT_OK(DB::Open(options_, &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    db_.reset();
    Open();
  }
  void Put(const std::string& key, const std::string& value) {
    ASSERT_OK(db_->Put(WriteOptions(), key, value));
    model_[key] = value;
  }
  void CheckAll() {
    for (const auto& [key, value] : model_) {
      std::string got;
      ASSERT_OK(db_->Get(ReadOptions(), key, &got));
      ASSERT_EQ(got, value) << key;
    }
    ReadOptions key_only;
    key_only.key_only = true;
    auto it = db_->NewIterator(key_only);
    auto m = model_.begin();
    for (it->Rewind(); it->Valid(); it->Next(), ++m) {
      ASSERT_NE(m, model_.end());
      ASSERT_EQ(it->key(), m->first);
      EXPECT_EQ(it->value_size(), m->second.size()) << m->first << ": size before compression";
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(m, model_.end());
    ASSERT_OK(db_->VerifyChecksums());
  }

  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
  std::map<std::string, std::string> model_;
};

TEST_P(DBValueCompressionTest, CompressibleValuesShrinkAndIncompressibleOnesDoNotGrow) {
  constexpr int kValues = 200;
  constexpr size_t kSize = 16 << 10;
  for (int i = 0; i < kValues; i++) Put("text" + std::to_string(i), TextValue(i, kSize));
  Metrics m = db_->GetMetrics();
  EXPECT_EQ(m.vlog_value_bytes, kValues * kSize);
  const uint64_t text_on_disk = ValueLogBytesOnDisk(dir_.path());
  std::printf("%s: %d x 16 KiB of text take %llu bytes of value log\n", CompressionName(GetParam()),
              kValues, (unsigned long long)text_on_disk);
  if (GetParam() == Compression::kNone) {
    EXPECT_GT(text_on_disk, kValues * kSize);
  } else {
    EXPECT_LT(text_on_disk, kValues * kSize / 2);
  }

  for (int i = 0; i < kValues; i++) Put("random" + std::to_string(i), RandomValue(i, kSize));
  const uint64_t random_on_disk = ValueLogBytesOnDisk(dir_.path()) - text_on_disk;
  // Stored as is: the size plus the entry's header, key and checksum, no more.
  EXPECT_LE(random_on_disk, kValues * (kSize + 64));
  CheckAll();
  Reopen();
  CheckAll();
}

// A DB reopened without compression, or with the other codec, reads what it holds and goes on
// writing in the new setting.
TEST_P(DBValueCompressionTest, ReadsBackWhateverItIsReopenedWith) {
  for (int i = 0; i < 50; i++) Put("a" + std::to_string(i), TextValue(i, 4000 + i));
  for (Compression next : {Compression::kNone, Compression::kSnappy, Compression::kZstd}) {
    options_.value_compression = next;
    Reopen();
    CheckAll();
    for (int i = 0; i < 20; i++) {
      Put("b" + std::to_string(i), TextValue(100 + i + static_cast<int>(next) * 1000, 3000));
    }
    CheckAll();
  }
}

// GC moves live compressed values as they are stored: the log stays compressed and the values
// read back.
TEST_P(DBValueCompressionTest, GcMovesValuesAsStored) {
  // The first round's even keys stay live among the odd ones that later rounds overwrite.
  for (int round = 0; round < 4; round++) {
    for (int i = round == 0 ? 0 : 1; i < 300; i += round == 0 ? 1 : 2) {
      Put("k" + std::to_string(i), TextValue(round * 1000 + i, (i % 4 < 2 ? 6 : 12) << 10));
    }
  }
  ASSERT_OK(db_->Flatten());
  const uint64_t before = ValueLogBytesOnDisk(dir_.path());
  int collected = 0;
  Status s;
  while ((s = db_->RunValueLogGC(0.3)).ok()) collected++;
  ASSERT_TRUE(s.IsNothingToCollect()) << s.ToString();
  EXPECT_GT(collected, 0);
  const uint64_t after = ValueLogBytesOnDisk(dir_.path());
  EXPECT_LT(after, before);
  Metrics m = db_->GetMetrics();
  EXPECT_GT(m.gc_bytes_rewritten, 0u);
  if (GetParam() != Compression::kNone) {
    // What GC moved went in as stored: the live values still take a fraction of their size.
    uint64_t live = 0;
    for (const auto& [key, value] : model_) live += value.size();
    EXPECT_LT(after, live * 3 / 4) << "live " << live;
  }
  CheckAll();
  Reopen();
  CheckAll();
}

// A byte of a compressed value damaged on disk is a Corruption naming the file, never a wrong
// value and never a crash.
TEST_P(DBValueCompressionTest, DamageIsCorruptionNamingTheFile) {
  options_.value_log_mmap = false;
  Reopen();
  Put("victim", TextValue(7, 20000));
  ASSERT_OK(db_->Close());
  db_.reset();
  std::string vlog;
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    if (e.path().extension() == ".vlog" && fs::file_size(e.path()) > 1000) vlog = e.path();
  }
  ASSERT_FALSE(vlog.empty());
  test::FlipByte(vlog, fs::file_size(vlog) / 2);
  Open();
  std::string got;
  Status s = db_->Get(ReadOptions(), "victim", &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(fs::path(vlog).filename().string()), std::string::npos)
      << s.ToString();
}

// Writers compress in their own threads before they join the queue: many at once, with
// batches and transactions, every value reads back as written.
TEST_P(DBValueCompressionTest, ConcurrentWritersCompressInTheirOwnThreads) {
  constexpr int kThreads = 4, kWrites = 300;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; i++) {
        std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
        if (i % 3 == 0) {
          auto txn = db_->NewTransaction(true);
          EXPECT_OK(txn->Set(key, TextValue(t * 10000 + i, 2000 + i)));
          EXPECT_OK(txn->Commit());
        } else {
          WriteBatch batch;
          batch.Put(key, TextValue(t * 10000 + i, 2000 + i));
          batch.Put(key + "/random", RandomValue(t * 10000 + i, 3000));
          EXPECT_OK(db_->Write(WriteOptions(), batch));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; t++) {
    for (int i = 0; i < kWrites; i++) {
      std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
      model_[key] = TextValue(t * 10000 + i, 2000 + i);
      if (i % 3 != 0) model_[key + "/random"] = RandomValue(t * 10000 + i, 3000);
    }
  }
  CheckAll();
}

TEST(DBValueCompressionOptionsTest, BadLevelIsRefused) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.value_compression = Compression::kZstd;
  options.value_zstd_level = 40;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, &db);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("value_zstd_level"), std::string::npos) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Codecs, DBValueCompressionTest,
                         ::testing::Values(Compression::kNone, Compression::kSnappy,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

}  // namespace
}  // namespace sett
