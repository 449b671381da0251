// A fixture for tests through a real settfs mount: a fresh database and mount point in a
// temporary directory, mounted before each test and unmounted (cleanly, or the test fails)
// after it. With SETTFS_TEST_STORE=postgresql the database is a fresh one on a private
// PostgreSQL server instead (support/pg_server.h), mounted by its URI.

#ifndef SETT_TESTS_FUSEFS_MOUNT_MOUNTED_FIXTURE_H_
#define SETT_TESTS_FUSEFS_MOUNT_MOUNTED_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "support/pg_server.h"
#include "support/settfs_mount.h"
#include "support/test_util.h"

// errno of a call that returns -1 on failure (0 if it succeeded).
#define ERRNO_OF(call) ((call) < 0 ? errno : 0)

namespace settfs {

// The user and group the tests act as when they must not be root.
constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

// Writes all of data at off, or fails the test.
inline void Pwrite(int fd, const std::string& data, off_t off) {
  ASSERT_EQ(::pwrite(fd, data.data(), data.size(), off), static_cast<ssize_t>(data.size()))
      << strerror(errno);
}

class MountedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the mounted tests run as root (they mount, and act as nobody)";
    // Other users (tests act as nobody) must reach the mount point.
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(mountpoint().c_str(), 0755), 0);
    if (sett::test::TestsOnPostgres()) {
      if (sett::test::PgServer::FindBinaries().empty()) {
        GTEST_SKIP() << "PostgreSQL's server binaries are not installed";
      }
      std::string why;
      dbdir_ = sett::test::NewPgDatabase(&why);
      ASSERT_FALSE(dbdir_.empty()) << why;
    }
    Mount();
  }
  void TearDown() override {
    if (mount_ != nullptr && mount_->mounted()) {
      EXPECT_EQ(mount_->Unmount(), 0) << mount_->Log();
    }
    mount_.reset();
  }

  // Mount options for the test's mounts (beside allow_other).
  virtual std::string MountOptions() const { return ""; }

  void Mount() {
    mount_ = std::make_unique<sett::test::SettfsMount>(dbdir(), mountpoint(), MountOptions());
    ASSERT_TRUE(mount_->mounted());
  }
  void Remount() {
    ASSERT_EQ(mount_->Unmount(), 0) << mount_->Log();
    Mount();
  }

  // The database directory, or the PostgreSQL database's URI.
  std::string dbdir() const { return dbdir_; }
  std::string mountpoint() const { return dir_.Join("mnt"); }
  // A path inside the mount.
  std::string P(const std::string& name) const { return mountpoint() + "/" + name; }

  sett::test::TempDir dir_;
  // Set before SetUp (fixtures make their filesystem there before the base mounts it); on
  // PostgreSQL, SetUp points it at a fresh database.
  std::string dbdir_ = dir_.Join("db");
  std::unique_ptr<sett::test::SettfsMount> mount_;
};

}  // namespace settfs

#endif  // SETT_TESTS_FUSEFS_MOUNT_MOUNTED_FIXTURE_H_
