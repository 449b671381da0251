// Concurrency through a real mount: 8 threads create, write, rename, link and delete files and
// directories at once, in one shared directory and across four others. No call may fail (the
// filesystem retries its transactions' conflicts), and the final tree must be exactly what
// the threads did.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsConcurrencyTest = MountedTest;

constexpr int kThreads = 8;
constexpr int kRounds = 1000;

void ListTree(const std::string& root, const std::string& rel,
              std::map<std::string, std::string>* out) {
  std::string path = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(path.c_str());
  ASSERT_NE(d, nullptr) << path;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string child = rel.empty() ? name : rel + "/" + name;
    if (e->d_type == DT_DIR) {
      (*out)[child + "/"] = "";
      ListTree(root, child, out);
    } else {
      (*out)[child] = sett::test::ReadFile(root + "/" + child);
    }
  }
  ::closedir(d);
}

TEST_F(SettfsConcurrencyTest, ThreadsRacingOverDirectoriesLoseNothing) {
  ASSERT_EQ(::mkdir(P("shared").c_str(), 0755), 0);
  for (int i = 0; i < 4; i++) ASSERT_EQ(::mkdir(P("x" + std::to_string(i)).c_str(), 0755), 0);
  std::mutex mu;
  std::map<std::string, std::string> expected = {
      {"shared/", ""}, {"x0/", ""}, {"x1/", ""}, {"x2/", ""}, {"x3/", ""}};
  std::vector<std::string> errors;
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    errors.push_back(what + ": " + strerror(errno));
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      std::map<std::string, std::string> mine;
      for (int k = 0; k < kRounds; k++) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(k);
        std::string content = name + " content " + std::string(k % 97, 'c');
        std::string created = "shared/" + name;
        int fd = ::open(P(created).c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
          fail("create " + created);
          continue;
        }
        if (::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
          fail("write " + created);
        }
        ::close(fd);
        std::string where = created;
        if (k % 2 == 0) {  // Across directories.
          where = "x" + std::to_string(k % 4) + "/" + name;
          if (::rename(P(created).c_str(), P(where).c_str()) != 0) fail("rename " + created);
        }
        if (k % 7 == 0) {
          std::string second = "x" + std::to_string((k + 1) % 4) + "/" + name + ".link";
          if (::link(P(where).c_str(), P(second).c_str()) != 0) fail("link " + where);
          mine[second] = content;
        }
        if (k % 3 == 0) {
          if (::unlink(P(where).c_str()) != 0) fail("unlink " + where);
        } else {
          mine[where] = content;
        }
        if (k % 5 == 0) {
          std::string dir = "shared/" + name + ".d";
          if (::mkdir(P(dir).c_str(), 0755) != 0) fail("mkdir " + dir);
          std::string moved = "x" + std::to_string(k % 4) + "/" + name + ".d";
          if (::rename(P(dir).c_str(), P(moved).c_str()) != 0) fail("rename " + dir);
          if (k % 10 == 0) {
            if (::rmdir(P(moved).c_str()) != 0) fail("rmdir " + moved);
          } else {
            mine[moved + "/"] = "";
          }
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      expected.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& e : errors) ADD_FAILURE() << e;
  ASSERT_TRUE(errors.empty());

  auto check = [&] {
    std::map<std::string, std::string> actual;
    ListTree(mountpoint(), "", &actual);
    ASSERT_EQ(actual.size(), expected.size());
    for (const auto& [path, content] : expected) {
      auto it = actual.find(path);
      ASSERT_NE(it, actual.end()) << path << " is missing";
      EXPECT_EQ(it->second, content) << path;
    }
    // Link counts: each x directory holds its moved subdirectories.
    for (int i = 0; i < 4; i++) {
      std::string x = "x" + std::to_string(i) + "/";
      nlink_t subdirs = 0;
      for (const auto& [path, content] : expected) {
        if (path.size() > x.size() && path.compare(0, x.size(), x) == 0 && path.back() == '/') {
          subdirs++;
        }
      }
      struct stat st;
      ASSERT_EQ(::stat(P(x).c_str(), &st), 0);
      EXPECT_EQ(st.st_nlink, 2 + subdirs) << x;
    }
  };
  check();
  Remount();
  check();
}

// Threads writing interleaved 4 KiB blocks of one file at once, which the kernel writes back
// to settfs in parallel requests: every block must hold what its writer put there, and the
// size and block count must be right, before and after a remount.
TEST_F(SettfsConcurrencyTest, WritersOfOneFileLoseNoBlock) {
  constexpr int kWriters = 4;
  constexpr int kBlocksEach = 512;
  constexpr size_t kBlock = 4096;
  int fd = ::open(P("shared-file").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  auto block_of = [](int index) {
    std::string b(kBlock, static_cast<char>('a' + index % 26));
    std::memcpy(b.data(), &index, sizeof(index));
    return b;
  };
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kWriters; t++) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kBlocksEach; k++) {
        int index = k * kWriters + t;  // Writers interleave block by block.
        std::string b = block_of(index);
        if (::pwrite(fd, b.data(), b.size(), static_cast<off_t>(index) * kBlock) !=
            static_cast<ssize_t>(b.size())) {
          failures++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(::fsync(fd), 0) << strerror(errno);
  ASSERT_EQ(::close(fd), 0);
  auto check = [&] {
    std::string data = sett::test::ReadFile(P("shared-file"));
    ASSERT_EQ(data.size(), kWriters * kBlocksEach * kBlock);
    for (int index = 0; index < kWriters * kBlocksEach; index++) {
      ASSERT_EQ(data.compare(index * kBlock, kBlock, block_of(index)), 0) << "block " << index;
    }
    struct stat st;
    ASSERT_EQ(::stat(P("shared-file").c_str(), &st), 0);
    EXPECT_EQ(static_cast<size_t>(st.st_blocks) * 512, data.size());
  };
  check();
  Remount();
  check();
}

}  // namespace
}  // namespace settfs
