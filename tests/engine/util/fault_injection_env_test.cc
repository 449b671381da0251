// The fault-injecting Env itself: injected errors reach the caller with their errno, and a
// power loss leaves exactly what was fsynced (data and directory entries).

#include "util/fault_injection_env.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_util.h"

namespace sett {
namespace {

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& data, bool sync) {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(env_.NewWritableFile(dir_.Join(name), &file));
    ASSERT_OK(file->Append(data));
    if (sync) ASSERT_OK(file->Sync());
    ASSERT_OK(file->Close());
  }
  bool Exists(const std::string& name) { return Env::Default()->FileExists(dir_.Join(name)); }
  std::string Contents(const std::string& name) { return test::ReadFile(dir_.Join(name)); }

  test::TempDir dir_;
  FaultInjectionEnv env_{Env::Default()};
};

TEST_F(FaultInjectionEnvTest, PowerLossKeepsOnlyWhatWasFsynced) {
  Write("old", "durable", true);
  ASSERT_OK(env_.SyncDir(dir_.path()));
  // Appended after the sync, never synced.
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_.NewAppendableFile(dir_.Join("old"), &file));
  ASSERT_OK(file->Append(" and more"));
  ASSERT_OK(file->Flush());
  Write("synced-but-entry-not", "x", true);  // its directory entry was never synced
  env_.LosePower();
  EXPECT_TRUE(file->Append("late").IsIOError());
  EXPECT_TRUE(env_.RenameFile(dir_.Join("old"), dir_.Join("new")).IsIOError());
  ASSERT_OK(file->Close());
  EXPECT_EQ(Contents("old"), "durable and more");  // still in the page cache

  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  EXPECT_EQ(Contents("old"), "durable");
  EXPECT_FALSE(Exists("synced-but-entry-not"));
  Write("after", "power is back", false);  // changes go through again
  EXPECT_EQ(Contents("after"), "power is back");
}

TEST_F(FaultInjectionEnvTest, UnsyncedRenamesAndRemovalsAreUndone) {
  Write("current", "version 1", true);
  Write("doomed", "keep me", true);
  ASSERT_OK(env_.SyncDir(dir_.path()));
  Write("tmp", "version 2", true);
  ASSERT_OK(env_.RenameFile(dir_.Join("tmp"), dir_.Join("current")));
  ASSERT_OK(env_.RemoveFile(dir_.Join("doomed")));
  EXPECT_EQ(Contents("current"), "version 2");
  EXPECT_FALSE(Exists("doomed"));
  env_.LosePower();
  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  EXPECT_EQ(Contents("current"), "version 1");
  EXPECT_EQ(Contents("doomed"), "keep me");
  EXPECT_FALSE(Exists("tmp"));

  // Once the directory is synced, they stay.
  Write("tmp", "version 3", true);
  ASSERT_OK(env_.RenameFile(dir_.Join("tmp"), dir_.Join("current")));
  ASSERT_OK(env_.SyncDir(dir_.path()));
  env_.LosePower();
  ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kAllUnsynced));
  EXPECT_EQ(Contents("current"), "version 3");
}

TEST_F(FaultInjectionEnvTest, RandomPrefixKeepsSyncedBytesAndSomeOfTheRest) {
  Write("base", "", true);
  ASSERT_OK(env_.SyncDir(dir_.path()));
  std::set<size_t> sizes;
  for (uint64_t seed = 0; seed < 20; seed++) {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(env_.NewAppendableFile(dir_.Join("base"), &file));
    ASSERT_OK(file->Append("0123456789"));
    ASSERT_OK(file->Sync());
    ASSERT_OK(file->Append("abcdefghij"));
    ASSERT_OK(file->Close());
    env_.LosePower();
    ASSERT_OK(env_.DropUnsyncedData(FaultInjectionEnv::Loss::kRandomPrefix, seed));
    std::string got = Contents("base");
    ASSERT_GE(got.size(), 10u);
    ASSERT_LE(got.size(), 20u);
    EXPECT_EQ(got, std::string("0123456789abcdefghij").substr(0, got.size()));
    sizes.insert(got.size());
    test::WriteFile(dir_.Join("base"), "");
  }
  EXPECT_GT(sizes.size(), 3u);  // the cut really varies
}

TEST_F(FaultInjectionEnvTest, InjectedErrorsCarryTheirErrnoAndPath) {
  env_.FailOps(FaultInjectionEnv::kSync, ENOSPC, "victim", /*skip=*/1, /*count=*/1);
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(env_.NewWritableFile(dir_.Join("victim"), &file));
  ASSERT_OK(file->Append("a"));
  ASSERT_OK(file->Sync());  // skipped
  Status s = file->Sync();
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.error_number(), ENOSPC);
  EXPECT_NE(s.ToString().find("victim"), std::string::npos) << s.ToString();
  ASSERT_OK(file->Sync());  // count was 1
  EXPECT_EQ(env_.injected(), 1u);

  env_.TearNextWrite("victim", EIO);
  s = file->Append("0123456789");
  EXPECT_EQ(s.error_number(), EIO);
  ASSERT_OK(file->Close());
  EXPECT_EQ(Contents("victim"), "a01234");

  env_.FailOps(FaultInjectionEnv::kRead, EIO, "", 0, /*count=*/0);
  std::unique_ptr<RandomAccessFile> reader;
  ASSERT_OK(env_.NewRandomAccessFile(dir_.Join("victim"), &reader));
  char scratch[4];
  std::string_view got;
  EXPECT_TRUE(reader->Read(0, 4, scratch, &got).IsIOError());
  EXPECT_TRUE(reader->Read(0, 4, scratch, &got).IsIOError());  // unlimited
  env_.ClearFaults();
  ASSERT_OK(reader->Read(0, 4, scratch, &got));
  EXPECT_EQ(got, "a012");
}

TEST_F(FaultInjectionEnvTest, FilesAreReadNeverMappedSoThatReadFaultsReachTheReader) {
  Write("f", "contents", /*sync=*/true);
  std::unique_ptr<MappedFile> map;
  EXPECT_TRUE(env_.MapFile(dir_.Join("f"), 4096, &map).IsNotSupported());
  ASSERT_OK(Env::Default()->MapFile(dir_.Join("f"), 4096, &map));
  EXPECT_EQ(std::string(map->data(), 8), "contents");
}

}  // namespace
}  // namespace sett
