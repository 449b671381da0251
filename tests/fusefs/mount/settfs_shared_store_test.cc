// Several mounts of one PostgreSQL store (support/pg_server.h): what one mount does, the
// others see; threads on two mounts racing over shared directories lose nothing and leave a
// tree that fsck finds clean; a daemon killed mid-work loses nothing it acknowledged and the
// other mount goes on working.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "fusefs/mount/mounted_fixture.h"
#include "fusefs/mount/tree_walk.h"

namespace settfs {
namespace {

class SettfsSharedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the mounted tests run as root";
    if (sett::test::PgServer::FindBinaries().empty()) {
      GTEST_SKIP() << "PostgreSQL's server binaries are not installed";
    }
    std::string why;
    uri_ = sett::test::NewPgDatabase(&why);
    ASSERT_FALSE(uri_.empty()) << why;
    ASSERT_EQ(::mkdir(dir_.Join("a").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(dir_.Join("b").c_str(), 0755), 0);
  }
  // Mounts the store on dir/name.
  std::unique_ptr<sett::test::SettfsMount> MountOn(const std::string& name,
                                                   const std::string& options) {
    auto mount = std::make_unique<sett::test::SettfsMount>(uri_, dir_.Join(name), options);
    EXPECT_TRUE(mount->mounted());
    return mount;
  }
  // Unmounts both (cleanly, or the test fails) and checks the store.
  void UnmountAndCheck(sett::test::SettfsMount* a, sett::test::SettfsMount* b) {
    for (sett::test::SettfsMount* m : {a, b}) {
      if (m->mounted()) {
        EXPECT_EQ(m->Unmount(), 0) << m->Log();
      }
    }
    EXPECT_EQ(Fsck(), "");
  }
  std::string Fsck() {
    std::string out;
    int code =
        sett::test::Shell(std::string(sett::test::SettfsBinary()) + " fsck '" + uri_ + "'", &out);
    return code == 0 ? "" : "fsck exit " + std::to_string(code) + ":\n" + out;
  }

  sett::test::TempDir dir_;
  std::string uri_;
};

// Each path under root with its contents; directories end in "/".
std::map<std::string, std::string> Contents(const std::string& root) {
  std::map<std::string, TreeNode> tree;
  Walk(root, "", &tree);
  std::map<std::string, std::string> out;
  for (const auto& [path, node] : tree) {
    if (S_ISDIR(node.mode)) {
      out[path + "/"] = "";
    } else {
      out[path] = node.content;
    }
  }
  return out;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Whether done() holds within 10 s (asked every 20 ms).
bool WaitUntil(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// With no caching (timeout=0), every change through one mount is there at once through the
// other: names, data, renames, removals, attributes.
TEST_F(SettfsSharedStoreTest, ChangesThroughOneMountAreSeenThroughTheOther) {
  auto a = MountOn("a", "timeout=0");
  auto b = MountOn("b", "timeout=0");
  ASSERT_EQ(::mkdir(a->Join("d").c_str(), 0755), 0);
  sett::test::WriteFile(a->Join("d/f"), "first");
  EXPECT_EQ(sett::test::ReadFile(b->Join("d/f")), "first");
  sett::test::WriteFile(b->Join("d/f"), "second, longer");
  EXPECT_EQ(sett::test::ReadFile(a->Join("d/f")), "second, longer");
  ASSERT_EQ(::rename(a->Join("d/f").c_str(), a->Join("g").c_str()), 0);
  EXPECT_FALSE(Exists(b->Join("d/f")));
  EXPECT_EQ(sett::test::ReadFile(b->Join("g")), "second, longer");
  ASSERT_EQ(::chmod(b->Join("g").c_str(), 0600), 0);
  struct stat st;
  ASSERT_EQ(::stat(a->Join("g").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::unlink(b->Join("g").c_str()), 0);
  EXPECT_FALSE(Exists(a->Join("g")));
  ASSERT_EQ(::rmdir(a->Join("d").c_str()), 0);
  EXPECT_FALSE(Exists(b->Join("d")));
  UnmountAndCheck(a.get(), b.get());
}

// With the defaults of a shared store (names and attributes cached for 1 s), a change is seen
// once that time has passed, although the other mount had looked the name up before.
TEST_F(SettfsSharedStoreTest, CachedNamesExpireWithinTheTimeout) {
  auto a = MountOn("a", "");
  auto b = MountOn("b", "");
  sett::test::WriteFile(a->Join("f"), "x");
  ASSERT_TRUE(Exists(b->Join("f")));  // b caches the name now.
  ASSERT_EQ(::unlink(a->Join("f").c_str()), 0);
  EXPECT_TRUE(WaitUntil([&] { return !Exists(b->Join("f")); }))
      << "still there through the other mount after 10 s";
}

// With the kernel allowed to cache for an hour, a mount still sees at once what another
// changed: each mount is told of the others' commits and has its kernel forget the names and
// attributes they changed.
TEST_F(SettfsSharedStoreTest, OtherMountsAreToldAtOnce) {
  auto a = MountOn("a", "timeout=3600");
  auto b = MountOn("b", "timeout=3600");
  sett::test::WriteFile(a->Join("f"), "x");
  struct stat st;
  ASSERT_EQ(::stat(b->Join("f").c_str(), &st), 0);  // b's kernel caches name and attributes.
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  ASSERT_EQ(::chmod(a->Join("f").c_str(), 0600), 0);
  EXPECT_TRUE(WaitUntil([&] {
    struct stat now;
    return ::stat(b->Join("f").c_str(), &now) == 0 && (now.st_mode & 07777) == 0600;
  })) << "the mode change was not seen through the other mount";
  ASSERT_EQ(::unlink(a->Join("f").c_str()), 0);
  EXPECT_TRUE(WaitUntil([&] { return !Exists(b->Join("f")); }))
      << "the removal was not seen through the other mount";
  ASSERT_FALSE(Exists(b->Join("g")));  // A miss b's kernel remembers.
  sett::test::WriteFile(a->Join("g"), "new");
  EXPECT_TRUE(WaitUntil([&] { return Exists(b->Join("g")); }))
      << "the new name was not seen through the other mount";
}

// Four threads on each mount create, write and rename files across three shared directories.
// Every call succeeds (conflicts are retried), and the tree in the end is exactly what the
// calls did, through both mounts, and fsck finds it clean.
TEST_F(SettfsSharedStoreTest, ThreadsOnTwoMountsLoseNothing) {
  auto a = MountOn("a", "timeout=0");
  auto b = MountOn("b", "timeout=0");
  for (int i = 0; i < 3; i++) ASSERT_EQ(::mkdir(a->Join("s" + std::to_string(i)).c_str(), 0755), 0);
  std::mutex mu;
  std::map<std::string, std::string> expected = {{"s0/", ""}, {"s1/", ""}, {"s2/", ""}};
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([&, t] {
      sett::test::SettfsMount* m = t % 2 == 0 ? a.get() : b.get();
      std::map<std::string, std::string> mine;
      for (int i = 0; i < 40; i++) {
        std::string name = "t" + std::to_string(t) + "_" + std::to_string(i);
        std::string path = "s" + std::to_string(i % 3) + "/" + name;
        std::string data = name + std::string(i * 97 % 5000, 'a' + t);
        int fd = ::open(m->Join(path).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0 || ::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size()) ||
            ::close(fd) != 0) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back("create " + path + ": " + strerror(errno));
          continue;
        }
        mine[path] = data;
        if (i % 2 == 1) {  // Move it to the next directory.
          std::string to = "s" + std::to_string((i + 1) % 3) + "/" + name + ".moved";
          if (::rename(m->Join(path).c_str(), m->Join(to).c_str()) != 0) {
            std::lock_guard<std::mutex> lock(mu);
            errors.push_back("rename " + path + ": " + strerror(errno));
            continue;
          }
          mine[to] = data;
          mine.erase(path);
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      expected.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " failed calls, first: " << errors.front();
  EXPECT_EQ(Contents(a->path()), expected);
  EXPECT_EQ(Contents(b->path()), expected);
  UnmountAndCheck(a.get(), b.get());
}

// A daemon killed while it writes: every file it acknowledged (closed without error) is there
// through the other mount, whole, and the other mount goes on working.
TEST_F(SettfsSharedStoreTest, KillingOneDaemonLosesNothingAcknowledged) {
  auto a = MountOn("a", "timeout=0");
  auto b = MountOn("b", "timeout=0");
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::thread writer([&] {
    for (int i = 0; !stop; i++) {
      std::string name = "f" + std::to_string(i);
      std::string data = name + std::string(10000, 'k');
      int fd = ::open(a->Join(name).c_str(), O_WRONLY | O_CREAT, 0644);
      if (fd < 0) break;
      bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
      if (::close(fd) != 0 || !ok) break;
      acknowledged.push_back(name);
    }
  });
  while (acknowledged.size() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  a->Kill();
  stop = true;
  writer.join();
  ASSERT_GE(acknowledged.size(), 50u);
  for (const std::string& name : acknowledged) {
    EXPECT_EQ(sett::test::ReadFile(b->Join(name)), name + std::string(10000, 'k')) << name;
  }
  sett::test::WriteFile(b->Join("after"), "still working");
  EXPECT_EQ(sett::test::ReadFile(b->Join("after")), "still working");
  // A file the killed daemon was writing may be short, never damaged: fsck is clean.
  UnmountAndCheck(a.get(), b.get());
}

}  // namespace
}  // namespace settfs
