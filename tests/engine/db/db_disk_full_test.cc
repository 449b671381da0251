// A real full disk: the DB lives on a small tmpfs that the test mounts (so it runs as root, as
// the mounted settfs tests do). Synced writes go on until the disk is full; the failing write
// says ENOSPC and names its file; everything acknowledged stays readable; once space is freed
// the same DB takes writes again; and after reopening, nothing acknowledged is missing.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

std::string Value(int i) {
  std::string v = "value " + std::to_string(i) + " ";
  // Incompressible enough that tables do not shrink it to nothing.
  uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull + 1;
  while (v.size() < (i % 4 == 0 ? 200u : 3000u)) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v.push_back(static_cast<char>(x));
  }
  return v;
}

TEST(DBDiskFullTest, ENOSPCNamesTheFileKeepsAcknowledgedWritesAndPassesOnceSpaceIsFreed) {
  ASSERT_EQ(::geteuid(), 0u) << "this test mounts a tmpfs, so it runs as root";
  test::TempDir dir;
  std::string disk = dir.Join("disk");
  ASSERT_EQ(::mkdir(disk.c_str(), 0755), 0);
  ASSERT_EQ(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=40m"), 0) << strerror(errno);
  struct Unmounter {
    std::string path;
    ~Unmounter() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmounter{disk};
  std::string ballast = disk + "/ballast";
  test::WriteFile(ballast, std::string(8 << 20, 'b'));

  Options options;
  options.dir = disk + "/db";
  options.logger = NullLogger();
  options.memtable_size = 1 << 20;
  options.value_log_file_size = 4 << 20;
  WriteOptions synced;
  synced.sync = true;
  std::map<std::string, std::string> acked;
  auto key = [](int i) { return "key" + std::to_string(1000000 + i); };

  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));
  Status full;
  int i = 0;
  for (; i < 100000 && full.ok(); i++) {
    full = db->Put(synced, key(i), Value(i));
    if (full.ok()) acked[key(i)] = Value(i);
  }
  ASSERT_FALSE(full.ok()) << "40 MiB never filled up";
  EXPECT_TRUE(full.IsIOError()) << full.ToString();
  EXPECT_EQ(full.error_number(), ENOSPC) << full.ToString();
  EXPECT_NE(full.ToString().find(options.dir), std::string::npos) << full.ToString();
  std::printf("full after %zu acknowledged writes: %s\n", acked.size(), full.ToString().c_str());

  for (const auto& [k, v] : acked) {
    std::string got;
    ASSERT_OK(db->Get(ReadOptions(), k, &got));
    ASSERT_EQ(got, v) << k;
  }

  // Space comes back: the same DB takes writes again (background work may retry first).
  ASSERT_EQ(::unlink(ballast.c_str()), 0);
  Status s;
  for (int attempt = 0; attempt < 100; attempt++, i++) {
    s = db->Put(synced, key(i), Value(i));
    if (s.ok()) {
      acked[key(i)] = Value(i);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_OK(s);
  for (int n = 0; n < 200; n++, i++) {
    ASSERT_OK(db->Put(synced, key(i), Value(i)));
    acked[key(i)] = Value(i);
  }
  ASSERT_OK(db->Close());

  ASSERT_OK(DB::Open(options, &db));
  for (const auto& [k, v] : acked) {
    std::string got;
    ASSERT_OK(db->Get(ReadOptions(), k, &got));
    ASSERT_EQ(got, v) << k;
  }
  ASSERT_OK(db->VerifyChecksums());
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
