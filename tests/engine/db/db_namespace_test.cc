// Key splits, size estimates and banned namespaces through the public API.

#include <gtest/gtest.h>

#include <fstream>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

class DBNamespaceTest : public ::testing::Test {
 protected:
  void Open() {
    Options options;
    options.dir = dir_.path();
    options.logger = StderrLogger(LogLevel::kError);
    options.memtable_size = 256 << 10;
    options.base_table_size = 64 << 10;
    ASSERT_OK(DB::Open(options, &db_));
  }
  // A key in namespace ns: its first 8 bytes, big-endian.
  static std::string InNamespace(uint64_t ns, const std::string& rest) {
    std::string key;
    for (int i = 7; i >= 0; i--) key.push_back(static_cast<char>(ns >> (8 * i)));
    return key + rest;
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBNamespaceTest, KeySplitsCutThePrefixInOrderAndEstimateSizeCountsIt) {
  Open();
  for (int i = 0; i < 20000; i++) {
    char key[32];
    std::snprintf(key, sizeof key, "p/%06d", i);
    ASSERT_OK(db_->Put(WriteOptions(), key, std::string(100, 'v')));
  }
  for (int i = 0; i < 100; i++) {
    ASSERT_OK(db_->Put(WriteOptions(), "q/" + std::to_string(i), std::string(2000, 'w')));
  }
  ASSERT_OK(db_->Flatten());
  std::vector<std::string> splits = db_->KeySplits("p/");
  ASSERT_GE(splits.size(), 3u) << "several tables hold p/";
  for (size_t i = 0; i < splits.size(); i++) {
    EXPECT_EQ(splits[i].rfind("p/", 0), 0u) << splits[i];
    if (i > 0) {
      EXPECT_LT(splits[i - 1], splits[i]) << "in order, without repeats";
    }
  }
  EXPECT_TRUE(db_->KeySplits("none/").empty());

  uint64_t p = 0, q = 0, none = 0;
  ASSERT_OK(db_->EstimateSize("p/", &p));
  ASSERT_OK(db_->EstimateSize("q/", &q));
  ASSERT_OK(db_->EstimateSize("none/", &none));
  EXPECT_EQ(p, 20000u * (8 + 100));
  EXPECT_GE(q, 100u * 2000);
  EXPECT_LT(q, 100u * 2010);
  EXPECT_EQ(none, 0u);
}

TEST_F(DBNamespaceTest, ABannedNamespaceTakesNoWritesAndStaysBanned) {
  Open();
  const std::string before = InNamespace(7, "before");
  ASSERT_OK(db_->Put(WriteOptions(), before, "v"));
  ASSERT_OK(db_->BanNamespace(7));
  ASSERT_OK(db_->BanNamespace(7));  // Again: no change.
  Status s = db_->Put(WriteOptions(), InNamespace(7, "k"), "v");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("namespace 7"), std::string::npos) << s.ToString();
  EXPECT_TRUE(db_->Delete(WriteOptions(), before).IsInvalidArgument());
  WriteBatch batch;  // A batch with one banned key is refused whole.
  batch.Put(InNamespace(8, "fine"), "v");
  batch.Put(InNamespace(7, "k"), "v");
  EXPECT_TRUE(db_->Write(WriteOptions(), batch).IsInvalidArgument());
  auto txn = db_->NewTransaction(true);
  ASSERT_OK(txn->Set(InNamespace(7, "t"), "v"));
  EXPECT_TRUE(txn->Commit().IsInvalidArgument());
  // Other namespaces and short keys go on; what was there stays readable.
  ASSERT_OK(db_->Put(WriteOptions(), InNamespace(8, "k"), "v"));
  ASSERT_OK(db_->Put(WriteOptions(), "short", "v"));
  std::string value;
  ASSERT_OK(db_->Get(ReadOptions(), before, &value));
  EXPECT_TRUE(db_->Get(ReadOptions(), InNamespace(8, "fine"), &value).IsNotFound());

  ASSERT_OK(db_->Close());
  db_.reset();
  Open();
  EXPECT_EQ(db_->BannedNamespaces(), std::vector<uint64_t>{7});
  EXPECT_TRUE(db_->Put(WriteOptions(), InNamespace(7, "k"), "v").IsInvalidArgument());
  ASSERT_OK(db_->BanNamespace(uint64_t{1} << 63));
  EXPECT_TRUE(
      db_->Put(WriteOptions(), InNamespace(uint64_t{1} << 63, ""), "v").IsInvalidArgument());
  EXPECT_EQ(db_->BannedNamespaces().size(), 2u);

  // A damaged BANNED file fails the open (read as empty, it would let banned writes in).
  ASSERT_OK(db_->Close());
  db_.reset();
  const std::string path = dir_.path() + "/BANNED";
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(25);
    f.put('\x55');
  }
  Options options;
  options.dir = dir_.path();
  options.logger = NullLogger();
  Status opened = DB::Open(options, &db_);
  EXPECT_TRUE(opened.IsCorruption()) << opened.ToString();
  EXPECT_NE(opened.ToString().find(path), std::string::npos) << opened.ToString();
}

}  // namespace
}  // namespace sett
