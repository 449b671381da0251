// DB through its public API: puts, gets, deletes, versions, iterators, reopen, limits.

#include "sett/db.h"

#include <gtest/gtest.h>

#include <map>

#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

class DBTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = dir_.path();
    options_.logger = StderrLogger(LogLevel::kError);
    Open();
  }

  void Open() { ASSERT_OK(DB::Open(options_, &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    db_.reset();
    Open();
  }
  std::string Get(std::string_view key, uint64_t read_ts = 0) {
    ReadOptions ro;
    ro.read_ts = read_ts;
    std::string value;
    Status s = db_->Get(ro, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  std::vector<std::pair<std::string, std::string>> Scan(const ReadOptions& ro) {
    std::vector<std::pair<std::string, std::string>> out;
    auto it = db_->NewIterator(ro);
    for (it->Rewind(); it->Valid(); it->Next()) {
      out.emplace_back(std::string(it->key()), std::string(it->value()));
    }
    EXPECT_OK(it->status());
    return out;
  }

  test::TempDir dir_;
  Options options_;
  std::unique_ptr<DB> db_;
};

// VerifyChecksums reports its phases in order and ends each at what the DB holds.
TEST_F(DBTest, VerifyChecksumsReportsProgressThroughEachPhase) {
  for (int i = 0; i < 3000; i++) {
    ASSERT_OK(
        db_->Put(WriteOptions(), "k" + std::to_string(i), std::string(i % 2 ? 2000 : 10, 'v')));
  }
  ASSERT_OK(db_->Flatten());
  struct Report {
    std::string phase;
    uint64_t done, total;
  };
  std::vector<Report> reports;
  ASSERT_OK(db_->VerifyChecksums([&](std::string_view phase, uint64_t done, uint64_t total) {
    reports.push_back({std::string(phase), done, total});
  }));
  DBInfo info = db_->Info();
  uint64_t table_bytes = 0, log_bytes = 0;
  for (const TableInfo& t : info.tables) table_bytes += t.file_size;
  for (const ValueLogFileInfo& f : info.value_log_files) log_bytes += f.size;
  ASSERT_GT(table_bytes, 0u);
  ASSERT_GT(log_bytes, 3000u * 1000);
  std::vector<std::string> phases;
  std::map<std::string, Report> last;
  for (const Report& r : reports) {
    if (phases.empty() || phases.back() != r.phase) phases.push_back(r.phase);
    if (last.count(r.phase)) {
      EXPECT_GE(r.done, last[r.phase].done) << r.phase;
    }
    if (r.total != 0) {
      EXPECT_LE(r.done, r.total) << r.phase;
    }
    last[r.phase] = r;
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"tables", "value log", "live values"}));
  EXPECT_EQ(last["tables"].done, table_bytes);
  EXPECT_EQ(last["tables"].total, table_bytes);
  EXPECT_EQ(last["value log"].done, log_bytes);
  EXPECT_EQ(last["value log"].total, log_bytes);
  EXPECT_EQ(last["live values"].done, 3000u);
}

TEST_F(DBTest, PutGetDelete) {
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("b"), "2");
  EXPECT_EQ(Get("c"), "NOT_FOUND");
  ASSERT_OK(db_->Delete(WriteOptions(), "a"));
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  ASSERT_OK(db_->Put(WriteOptions(), "a", "3"));
  EXPECT_EQ(Get("a"), "3");
}

TEST_F(DBTest, VersionsAndReadTimestamps) {
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v1"));
  uint64_t v1 = db_->LatestVersion();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v2"));
  uint64_t v2 = db_->LatestVersion();
  ASSERT_OK(db_->Delete(WriteOptions(), "k"));
  EXPECT_GT(v2, v1);
  EXPECT_EQ(Get("k", v1), "v1");
  EXPECT_EQ(Get("k", v2), "v2");
  EXPECT_EQ(Get("k"), "NOT_FOUND");
  std::string value;
  uint64_t version = 0;
  ReadOptions at_v2;
  at_v2.read_ts = v2;
  ASSERT_OK(db_->Get(at_v2, "k", &value, &version));
  EXPECT_EQ(version, v2);
}

// A snapshot taken before the first write sees an empty DB, not whatever comes later.
TEST_F(DBTest, ASnapshotOfAnEmptyDbStaysEmpty) {
  auto snapshot = db_->GetSnapshot();
  ASSERT_NE(snapshot->read_ts(), 0u);
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v"));
  EXPECT_EQ(Get("k", snapshot->read_ts()), "NOT_FOUND");
  ReadOptions at_snapshot;
  at_snapshot.read_ts = snapshot->read_ts();
  EXPECT_TRUE(Scan(at_snapshot).empty());
  EXPECT_EQ(Get("k"), "v");
}

// Versions never go back, even when compaction has dropped every key that carried them:
// Backup's since_ts and readers of old timestamps depend on it.
TEST_F(DBTest, VersionsKeepGrowingAfterEveryKeyIsGone) {
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v"));
  ASSERT_OK(db_->Delete(WriteOptions(), "k"));
  const uint64_t last = db_->LatestVersion();
  ASSERT_OK(db_->Flatten());
  Reopen();
  EXPECT_GE(db_->LatestVersion(), last);
  ASSERT_OK(db_->Put(WriteOptions(), "k", "again"));
  EXPECT_GT(db_->LatestVersion(), last);
}

TEST_F(DBTest, SurvivesReopenFromTablesAndLogs) {
  for (int i = 0; i < 1000; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), "key" + std::to_string(i), "value" + std::to_string(i)));
  }
  ASSERT_OK(db_->Flush());
  for (int i = 0; i < 1000; i += 2)
    ASSERT_OK(db_->Delete(WriteOptions(), "key" + std::to_string(i)));
  Reopen();
  for (int i = 0; i < 1000; i++) {
    EXPECT_EQ(Get("key" + std::to_string(i)),
              i % 2 == 0 ? "NOT_FOUND" : "value" + std::to_string(i));
  }
}

TEST_F(DBTest, IteratorForwardReverseAndPrefix) {
  std::map<std::string, std::string> model;
  for (int i = 0; i < 300; i++) {
    std::string key = (i % 3 == 0 ? "a/" : i % 3 == 1 ? "b/" : "c/") + std::to_string(i);
    model[key] = std::to_string(i * 7);
    ASSERT_OK(db_->Put(WriteOptions(), key, model[key]));
    if (i == 150) ASSERT_OK(db_->Flush());
  }
  ASSERT_OK(db_->Delete(WriteOptions(), "b/4"));
  model.erase("b/4");

  ReadOptions ro;
  auto all = Scan(ro);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(all, Pairs(model.begin(), model.end()));

  ro.reverse = true;
  auto backwards = Scan(ro);
  EXPECT_EQ(backwards, Pairs(model.rbegin(), model.rend()));

  for (bool reverse : {false, true}) {
    ReadOptions p;
    p.prefix = "b/";
    p.reverse = reverse;
    std::vector<std::pair<std::string, std::string>> expected;
    for (const auto& kv : model) {
      if (kv.first.rfind("b/", 0) == 0) expected.push_back(kv);
    }
    if (reverse) std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(Scan(p), expected) << "reverse=" << reverse;
  }
}

TEST_F(DBTest, IteratorSeek) {
  for (const char* k : {"b", "d", "f"}) ASSERT_OK(db_->Put(WriteOptions(), k, k));
  auto it = db_->NewIterator(ReadOptions());
  it->Seek("c");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");
  it->Seek("d");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "d");
  it->Seek("g");
  EXPECT_FALSE(it->Valid());

  ReadOptions ro;
  ro.reverse = true;
  auto rit = db_->NewIterator(ro);
  rit->Seek("e");
  ASSERT_TRUE(rit->Valid());
  EXPECT_EQ(rit->key(), "d");
  rit->Next();
  ASSERT_TRUE(rit->Valid());
  EXPECT_EQ(rit->key(), "b");
  rit->Next();
  EXPECT_FALSE(rit->Valid());
  rit->Seek("a");
  EXPECT_FALSE(rit->Valid());
}

TEST_F(DBTest, IteratorIgnoresLaterWrites) {
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  auto it = db_->NewIterator(ReadOptions());
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  ASSERT_OK(db_->Put(WriteOptions(), "a", "changed"));
  it->Rewind();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  EXPECT_EQ(it->value(), "1");
  it->Next();
  EXPECT_FALSE(it->Valid());
}

TEST_F(DBTest, RejectsBadKeysAndValues) {
  EXPECT_TRUE(db_->Put(WriteOptions(), "", "x").IsInvalidArgument());
  EXPECT_TRUE(db_->Put(WriteOptions(), std::string(kMaxKeySize + 1, 'k'), "x").IsInvalidArgument());
  EXPECT_OK(db_->Put(WriteOptions(), std::string(kMaxKeySize, 'k'), "x"));
  EXPECT_EQ(Get(std::string(kMaxKeySize, 'k')), "x");
}

TEST_F(DBTest, SecondOpenIsRefused) {
  std::unique_ptr<DB> second;
  Status s = DB::Open(options_, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_NE(s.message().find("LOCK"), std::string::npos) << s.ToString();
}

TEST_F(DBTest, BatchIsAtomicAndLastEntryWins) {
  WriteBatch batch;
  batch.Put("x", "1");
  batch.Put("y", "2");
  batch.Put("x", "3");
  batch.Delete("y");
  ASSERT_OK(db_->Write(WriteOptions(), batch));
  EXPECT_EQ(Get("x"), "3");
  EXPECT_EQ(Get("y"), "NOT_FOUND");
  Reopen();
  EXPECT_EQ(Get("x"), "3");
  EXPECT_EQ(Get("y"), "NOT_FOUND");
}

}  // namespace
}  // namespace sett
