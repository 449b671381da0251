// A fixture for the filesystem core's tests: a freshly formatted filesystem over an
// in-memory sett database, and shorthands for making and reading things in it.

#ifndef SETT_TESTS_FUSEFS_CORE_FS_TEST_FIXTURE_H_
#define SETT_TESTS_FUSEFS_CORE_FS_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/checker.h"
#include "core/filesystem.h"
#include "core/sett_kv_store.h"
#include "sett/db.h"
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
    ASSERT_OK(sett::DB::Open(options, &db_));
    store_ = std::make_unique<SettKvStore>(db_.get());
    Superblock sb;
    sb.block_size = 4096;
    sb.uuid = std::string(16, 'u');
    sb.created = Now();
    ASSERT_EQ(Filesystem::Format(store_.get(), sb, Caller{0, 0}, options.logger), 0);
    std::string error;
    ASSERT_EQ(Filesystem::Mount(store_.get(), options.logger, &fs_, &error), 0) << error;
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

  std::unique_ptr<sett::DB> db_;
  std::unique_ptr<SettKvStore> store_;
  std::unique_ptr<Filesystem> fs_;
  Caller caller_{1000, 1000};
};

}  // namespace settfs

#endif  // SETT_TESTS_FUSEFS_CORE_FS_TEST_FIXTURE_H_
