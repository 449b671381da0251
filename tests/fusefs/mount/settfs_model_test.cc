// The random-operation check: the same long random sequence of operations (create, write at
// random offsets, truncate, rename, link, unlink, mkdir, rmdir, symlink, chmod, setxattr and
// removexattr) goes to settfs and to a plain directory on the host. Every call must give the
// same result (success or the same errno), and the whole trees (names, types, modes, sizes,
// link counts, contents, symlink targets and extended attributes) must be equal along the way
// and after remounts.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <random>
#include <sstream>

#include "fusefs/mount/mounted_fixture.h"
#include "fusefs/mount/tree_walk.h"

namespace settfs {
namespace {

constexpr int kOperations = 50000;
constexpr int kCompareEvery = 1000;
constexpr int kRemountAt = kOperations / 2;

class SettfsModelTest : public MountedTest {
 protected:
  std::string ModelRoot() const { return dir_.Join("model"); }

  // Runs op on both trees (it gets the root to work in) and requires the same outcome.
  void Both(const std::string& what, const std::function<int(const std::string& root)>& op) {
    errno = 0;
    int model = op(ModelRoot());
    errno = 0;
    int settfs = op(mountpoint());
    ASSERT_EQ(settfs, model) << "operation " << step_ << ": " << what << ": settfs gave "
                             << strerror(settfs) << ", the host " << strerror(model);
  }

  void CompareTrees() {
    std::map<std::string, TreeNode> model, settfs;
    Walk(ModelRoot(), "", &model);
    Walk(mountpoint(), "", &settfs);
    for (const auto& [path, node] : model) {
      auto it = settfs.find(path);
      ASSERT_NE(it, settfs.end()) << "after operation " << step_ << ": " << path
                                  << " is missing from settfs";
      ASSERT_TRUE(it->second == node)
          << "after operation " << step_ << ": " << path << " differs:\n  settfs "
          << it->second.Describe() << "\n  host   " << node.Describe();
    }
    ASSERT_EQ(settfs.size(), model.size())
        << "after operation " << step_ << ": settfs has entries the host does not";
  }

  int step_ = 0;
};

#define RESULT(call) ((call) < 0 ? errno : 0)

TEST_F(SettfsModelTest, RandomOperationsMatchAPlainDirectory) {
  ASSERT_EQ(::mkdir(ModelRoot().c_str(), 0755), 0);
  uint64_t seed = sett::test::TestSeed(20261122);
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed) + " (rerun with SETT_TEST_SEED)");
  const std::vector<std::string> parents = {"", "a/", "b/", "a/c/", "b/d/", "a/c/e/"};
  const std::vector<std::string> names = {"f0", "f1", "f2", "f3", "f4", "f5", "f6",
                                          "f7", "a",  "b",  "c",  "d",  "e",  "s"};
  auto random_path = [&] { return parents[rng() % parents.size()] + names[rng() % names.size()]; };
  auto join = [](const std::string& root, const std::string& rel) { return root + "/" + rel; };
  int counts[13] = {};

  for (step_ = 1; step_ <= kOperations; step_++) {
    int kind = static_cast<int>(rng() % 100);
    std::string path = random_path();
    if (kind < 15) {
      counts[0]++;
      int flags =
          O_WRONLY | O_CREAT | (rng() % 4 == 0 ? O_EXCL : 0) | (rng() % 4 == 0 ? O_TRUNC : 0);
      Both("create " + path, [&](const std::string& root) {
        int fd = ::open(join(root, path).c_str(), flags, 0644);
        if (fd < 0) return errno;
        ::close(fd);
        return 0;
      });
    } else if (kind < 40) {
      counts[1]++;
      off_t offset = static_cast<off_t>(rng() % (1 << 20));
      size_t len = rng() % 8 == 0 ? rng() % (256 << 10) : rng() % 8192;
      std::string data(len, '\0');
      uint64_t fill = rng();
      for (size_t i = 0; i < len; i++) data[i] = static_cast<char>((fill >> (i % 57)) + i / 7);
      if (rng() % 5 == 0) std::fill(data.begin(), data.end(), '\0');  // Zeros make holes.
      Both("write " + std::to_string(len) + " at " + std::to_string(offset) + " in " + path,
           [&](const std::string& root) {
             int fd = ::open(join(root, path).c_str(), O_WRONLY);
             if (fd < 0) return errno;
             int err =
                 ::pwrite(fd, data.data(), len, offset) == static_cast<ssize_t>(len) ? 0 : errno;
             ::close(fd);
             return err;
           });
    } else if (kind < 47) {
      counts[2]++;
      off_t size = static_cast<off_t>(rng() % (3 << 19));
      Both("truncate " + path + " to " + std::to_string(size), [&](const std::string& root) {
        return RESULT(::truncate(join(root, path).c_str(), size));
      });
    } else if (kind < 57) {
      counts[3]++;
      std::string to = random_path();
      unsigned flags = rng() % 6 == 0 ? RENAME_NOREPLACE : 0;
      Both("rename " + path + " to " + to, [&](const std::string& root) {
        return RESULT(::syscall(SYS_renameat2, AT_FDCWD, join(root, path).c_str(), AT_FDCWD,
                                join(root, to).c_str(), flags));
      });
    } else if (kind < 63) {
      counts[4]++;
      std::string to = random_path();
      Both("link " + path + " to " + to, [&](const std::string& root) {
        return RESULT(::link(join(root, path).c_str(), join(root, to).c_str()));
      });
    } else if (kind < 72) {
      counts[5]++;
      Both("unlink " + path,
           [&](const std::string& root) { return RESULT(::unlink(join(root, path).c_str())); });
    } else if (kind < 80) {
      counts[6]++;
      Both("mkdir " + path, [&](const std::string& root) {
        return RESULT(::mkdir(join(root, path).c_str(), 0755));
      });
    } else if (kind < 85) {
      counts[7]++;
      Both("rmdir " + path,
           [&](const std::string& root) { return RESULT(::rmdir(join(root, path).c_str())); });
    } else if (kind < 88) {
      counts[8]++;
      std::string target = names[rng() % names.size()];
      Both("symlink " + path + " -> " + target, [&](const std::string& root) {
        return RESULT(::symlink(target.c_str(), join(root, path).c_str()));
      });
    } else if (kind < 91) {
      counts[9]++;
      mode_t mode = std::vector<mode_t>{0600, 0644, 0755, 0700, 0640}[rng() % 5];
      Both("chmod " + path, [&](const std::string& root) {
        return RESULT(::chmod(join(root, path).c_str(), mode));
      });
    } else if (kind < 97) {
      counts[10]++;
      std::string key = "user.k" + std::to_string(rng() % 4);
      std::string value(rng() % 200, static_cast<char>('a' + rng() % 26));
      int flags = std::vector<int>{0, 0, XATTR_CREATE, XATTR_REPLACE}[rng() % 4];
      Both("setxattr " + key + " on " + path, [&](const std::string& root) {
        return RESULT(
            ::lsetxattr(join(root, path).c_str(), key.c_str(), value.data(), value.size(), flags));
      });
    } else {
      counts[11]++;
      std::string key = "user.k" + std::to_string(rng() % 4);
      Both("removexattr " + key + " on " + path, [&](const std::string& root) {
        return RESULT(::lremovexattr(join(root, path).c_str(), key.c_str()));
      });
    }
    if (HasFatalFailure()) return;
    if (step_ % kCompareEvery == 0) {
      CompareTrees();
      if (HasFatalFailure()) return;
    }
    if (step_ == kRemountAt) {
      Remount();
      CompareTrees();
      if (HasFatalFailure()) return;
    }
  }
  Remount();
  CompareTrees();
  std::printf(
      "%d operations: %d creates, %d writes, %d truncates, %d renames, %d links, "
      "%d unlinks, %d mkdirs, %d rmdirs, %d symlinks, %d chmods, %d setxattrs, "
      "%d removexattrs\n",
      kOperations, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6],
      counts[7], counts[8], counts[9], counts[10], counts[11]);
}

}  // namespace
}  // namespace settfs
