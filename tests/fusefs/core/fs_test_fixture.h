// A fixture for the filesystem core's tests: a freshly formatted filesystem over an
// in-memory sett database, and shorthands for making and reading things in it.
//
// With SETTFS_TEST_STORE=postgresql in the environment the filesystem is kept in a fresh
// database of a private PostgreSQL server instead (PgKvStore; tests/CMakeLists.txt registers
// the core's tests a second time so), and the tests run unchanged: they reach the store only
// through KvStore, and the Raw* shorthands below.

#ifndef SETT_TESTS_FUSEFS_CORE_FS_TEST_FIXTURE_H_
#define SETT_TESTS_FUSEFS_CORE_FS_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/checker.h"
#include "core/filesystem.h"
#include "core/pg_kv_store.h"
#include "core/sett_kv_store.h"
#include "sett/db.h"
#include "support/pg_server.h"
#include "support/test_util.h"

namespace settfs {

class FsTest : public ::testing::Test {
 protected:
  // The engine's memtable: small, so that the tests cross flushes and compactions.
  virtual size_t MemtableSize() const { return 256 << 10; }

  void SetUp() override {
    sett::Options options;
    options.in_memory = true;
    options.logger = sett::StderrLogger(sett::LogLevel::kError);
    options.memtable_size = MemtableSize();
    options.value_log_gc_interval_seconds = 0;
    if (sett::test::TestsOnPostgres()) {
      ASSERT_NO_FATAL_FAILURE(OpenPostgres());
    } else {
      ASSERT_OK(sett::DB::Open(options, &db_));
      store_ = std::make_unique<SettKvStore>(db_.get());
    }
    Superblock sb;
    sb.block_size = 4096;
    sb.uuid = std::string(16, 'u');
    sb.created = Now();
    ASSERT_EQ(Filesystem::Format(store_.get(), sb, Caller{0, 0}, options.logger), 0);
    std::string error;
    ASSERT_EQ(Filesystem::Mount(store_.get(), options.logger, &fs_, &error), 0) << error;
  }
  // A fresh database on the process's server for each test.
  void OpenPostgres() {
    if (sett::test::PgServer::FindBinaries().empty()) {
      GTEST_SKIP() << "PostgreSQL's server binaries are not installed";
    }
    std::string why;
    std::string uri = sett::test::NewPgDatabase(&why);
    ASSERT_FALSE(uri.empty()) << why;
    std::unique_ptr<PgKvStore> pg;
    ASSERT_OK(PgKvStore::Open(uri, &pg));
    store_ = std::move(pg);
  }

  // The store's keys, read and written outside the filesystem (one transaction each).
  Status RawGet(std::string_view key, std::string* value) {
    return store_->Begin(false)->Get(key, value);
  }
  Status RawPut(std::string_view key, std::string_view value) {
    std::unique_ptr<KvTxn> txn = store_->Begin(true);
    Status s = txn->Set(key, value);
    return s.ok() ? txn->Commit(false) : s;
  }
  Status RawDelete(std::string_view key) {
    std::unique_ptr<KvTxn> txn = store_->Begin(true);
    Status s = txn->Delete(key);
    return s.ok() ? txn->Commit(false) : s;
  }

  void TearDown() override {
    fs_.reset();
    store_.reset();
    db_.reset();
  }

  uint64_t Make(uint64_t parent, const std::string& name, uint32_t mode = S_IFREG | 0644) {
    struct stat st;
    int err = S_ISDIR(mode) ? fs_->Mkdir(caller_, parent, name, mode, &st)
                            : fs_->Mknod(caller_, parent, name, mode, 0, &st);
    EXPECT_EQ(err, 0) << name;
    return st.st_ino;
  }
  struct stat Stat(uint64_t ino) {
    struct stat st;
    EXPECT_EQ(fs_->GetAttr(ino, &st), 0);
    return st;
  }
  std::string ReadAll(uint64_t ino) {
    std::string data;
    EXPECT_EQ(fs_->Read(ino, 0, 1 << 24, &data), 0);
    return data;
  }
  // Fails the test unless fsck finds the store clean.
  void ExpectFsckClean() {
    CheckReport report;
    ASSERT_TRUE(Check(store_.get(), CheckOptions(), &report).ok());
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
  }
  std::vector<std::string> List(uint64_t dir) {
    uint64_t h;
    EXPECT_EQ(fs_->OpenDir(dir, &h), 0);
    std::vector<std::string> names;
    fs_->ReadDir(h, 0, false, [&](std::string_view name, const struct stat&, uint64_t) {
      names.emplace_back(name);
      return true;
    });
    fs_->ReleaseDir(h);
    return names;
  }

  std::unique_ptr<sett::DB> db_;  // nullptr on PostgreSQL.
  std::unique_ptr<KvStore> store_;
  std::unique_ptr<Filesystem> fs_;
  Caller caller_{1000, 1000};
};

}  // namespace settfs

#endif  // SETT_TESTS_FUSEFS_CORE_FS_TEST_FIXTURE_H_
