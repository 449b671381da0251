// Named snapshots of a mounted settfs (settfs snapshot create|list|delete through the daemon's
// control channel, or on the unmounted database) read back through `settfs mount
// -o snapshot=NAME`: the view equals the tree as it was, after any kind of change, a remount
// and a SIGKILL of the daemon; it refuses every change with EROFS; snapshots taken under
// concurrent writers hold their invariant; and deleting snapshots gives their space back.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "core/keys.h"
#include "fusefs/mount/mounted_fixture.h"
#include "fusefs/mount/tree_walk.h"
#include "sett/db.h"

namespace settfs {
namespace {

namespace fs = std::filesystem;
using sett::test::Shell;

class SettfsSnapshotTest : public MountedTest {
 protected:
  std::string View() const { return dir_.Join("view"); }

  // Runs a shell command; its exit status, and what it printed (stderr too) in *output.
  int Run(const std::string& command, std::string* output) {
    output->clear();
    return Shell(command + " 2>&1", output);
  }

  // `settfs snapshot ARGS`; its exit status, output in *output.
  int Snapshot(const std::string& args, std::string* output = nullptr) {
    std::string out;
    int code = Run(std::string(sett::test::SettfsBinary()) + " snapshot " + args, &out);
    if (output != nullptr) *output = out;
    return code;
  }

  std::map<std::string, TreeNode> Tree(const std::string& root) {
    std::map<std::string, TreeNode> tree;
    Walk(root, "", &tree);
    return tree;
  }

  // Mounts snapshot `name` read-only on View().
  std::unique_ptr<sett::test::SettfsMount> MountSnapshot(const std::string& name) {
    ::mkdir(View().c_str(), 0755);
    return std::make_unique<sett::test::SettfsMount>(dbdir(), View(), "snapshot=" + name);
  }

  void ExpectSameTree(const std::map<std::string, TreeNode>& want, const std::string& root) {
    auto got = Tree(root);
    for (const auto& [path, node] : want) {
      auto it = got.find(path);
      ASSERT_NE(it, got.end()) << path << " is missing from the snapshot";
      EXPECT_TRUE(it->second == node) << path << ":\n  snapshot " << it->second.Describe()
                                      << "\n  then     " << node.Describe();
    }
    EXPECT_EQ(got.size(), want.size()) << "the snapshot holds paths the tree did not";
  }

  // A tree with every kind of thing in it.
  void MakeTree() {
    ASSERT_EQ(::mkdir(P("dir").c_str(), 0750), 0);
    ASSERT_EQ(::mkdir(P("dir/sub").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir(P("empty").c_str(), 0755), 0);
    sett::test::WriteFile(P("small"), "hello\n");
    std::string big(3 << 20, '\0');
    for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i * 7 + i / 4096);
    sett::test::WriteFile(P("dir/big"), big);
    sett::test::WriteFile(P("dir/sub/deep"), "deep");
    ASSERT_EQ(::link(P("small").c_str(), P("dir/hardlink").c_str()), 0);
    ASSERT_EQ(::symlink("dir/big", P("link").c_str()), 0);
    ASSERT_EQ(::setxattr(P("small").c_str(), "user.colour", "blue", 4, 0), 0);
    int fd = ::open(P("sparse").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    Pwrite(fd, "end", 10 << 20);
    ::close(fd);
  }

  // Changes every kind of thing in MakeTree's tree.
  void ChangeTree() {
    int fd = ::open(P("dir/big").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    Pwrite(fd, std::string(100000, 'X'), 12345);
    ::close(fd);
    ASSERT_EQ(::truncate(P("sparse").c_str(), 5), 0);
    ASSERT_EQ(::rename(P("dir/sub").c_str(), P("moved").c_str()), 0);
    ASSERT_EQ(::unlink(P("dir/hardlink").c_str()), 0);
    ASSERT_EQ(::setxattr(P("small").c_str(), "user.colour", "red", 3, 0), 0);
    ASSERT_EQ(::setxattr(P("small").c_str(), "user.new", "1", 1, 0), 0);
    ASSERT_EQ(::link(P("moved/deep").c_str(), P("deep2").c_str()), 0);
    ASSERT_EQ(::rmdir(P("empty").c_str()), 0);
    ASSERT_EQ(::chmod(P("small").c_str(), 0600), 0);
    sett::test::WriteFile(P("newfile"), "new");
    ASSERT_EQ(::unlink(P("link").c_str()), 0);
  }
};

TEST_F(SettfsSnapshotTest, TheViewIsTheTreeAsItWasThroughChangesRemountAndKill) {
  ASSERT_NO_FATAL_FAILURE(MakeTree());
  auto before = Tree(mountpoint());
  std::string out;
  ASSERT_EQ(Snapshot("create " + mountpoint() + " before", &out), 0) << out;
  EXPECT_NE(out.find("created snapshot before"), std::string::npos) << out;
  ASSERT_NO_FATAL_FAILURE(ChangeTree());
  auto after = Tree(mountpoint());
  ASSERT_EQ(Snapshot("create " + dbdir() + " after", &out), 0) << out;  // By DBDIR, mounted.
  ASSERT_NO_FATAL_FAILURE(Remount());
  sett::test::WriteFile(P("later"), "later");
  ASSERT_EQ(Snapshot("create " + mountpoint() + " killed", &out), 0) << out;
  auto killed = Tree(mountpoint());
  mount_->Kill();

  ASSERT_EQ(Snapshot("list " + dbdir(), &out), 0) << out;
  EXPECT_LT(out.find("before"), out.find("after")) << out;
  EXPECT_NE(out.find("killed"), std::string::npos) << out;
  for (const auto& [name, tree] :
       {std::pair{"before", &before}, std::pair{"after", &after}, std::pair{"killed", &killed}}) {
    SCOPED_TRACE(name);
    auto view = MountSnapshot(name);
    ASSERT_TRUE(view->mounted());
    ASSERT_NO_FATAL_FAILURE(ExpectSameTree(*tree, View()));
    EXPECT_EQ(view->Unmount(), 0) << view->Log();
  }
  Mount();  // The live tree went on unchanged.
  ASSERT_NO_FATAL_FAILURE(ExpectSameTree(killed, mountpoint()));
}

TEST_F(SettfsSnapshotTest, TheViewRefusesEveryChange) {
  ASSERT_NO_FATAL_FAILURE(MakeTree());
  ASSERT_EQ(Snapshot("create " + mountpoint() + " s"), 0);
  ASSERT_EQ(mount_->Unmount(), 0);
  auto view = MountSnapshot("s");
  const std::string v = View();
  EXPECT_EQ(ERRNO_OF(::open((v + "/new").c_str(), O_CREAT | O_WRONLY, 0644)), EROFS);
  EXPECT_EQ(ERRNO_OF(::open((v + "/small").c_str(), O_WRONLY)), EROFS);
  EXPECT_EQ(ERRNO_OF(::truncate((v + "/small").c_str(), 0)), EROFS);
  EXPECT_EQ(ERRNO_OF(::mkdir((v + "/d").c_str(), 0755)), EROFS);
  EXPECT_EQ(ERRNO_OF(::unlink((v + "/small").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::rmdir((v + "/empty").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::rename((v + "/small").c_str(), (v + "/x").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::link((v + "/small").c_str(), (v + "/x").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::symlink("t", (v + "/x").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::chmod((v + "/small").c_str(), 0777)), EROFS);
  EXPECT_EQ(ERRNO_OF(::setxattr((v + "/small").c_str(), "user.a", "b", 1, 0)), EROFS);
  EXPECT_EQ(ERRNO_OF(::removexattr((v + "/small").c_str(), "user.colour")), EROFS);
  EXPECT_EQ(sett::test::ReadFile(v + "/small"), "hello\n");
  EXPECT_EQ(Snapshot("create " + dbdir() + " another"), 1) << "the database is in use";
  EXPECT_EQ(view->Unmount(), 0) << view->Log();
  std::string log = view->Log();
  EXPECT_EQ(log.find("error"), std::string::npos) << log;
}

TEST_F(SettfsSnapshotTest, NamesAndErrorsAreClear) {
  std::string out;
  ASSERT_EQ(Snapshot("create " + mountpoint() + " one", &out), 0) << out;
  EXPECT_EQ(Snapshot("create " + mountpoint() + " one", &out), 3) << out;
  EXPECT_NE(out.find("exists"), std::string::npos) << out;
  EXPECT_EQ(Snapshot("create " + mountpoint() + " a/b", &out), 3) << out;
  EXPECT_EQ(Snapshot("delete " + mountpoint() + " missing", &out), 3) << out;
  EXPECT_NE(out.find("no snapshot named \"missing\""), std::string::npos) << out;
  EXPECT_EQ(Snapshot("list " + dir_.Join("nowhere"), &out), 1) << out;
  EXPECT_NE(out.find("cannot open"), std::string::npos) << out;
  ASSERT_EQ(Snapshot("delete " + mountpoint() + " one", &out), 0) << out;
  ASSERT_EQ(Snapshot("list " + mountpoint(), &out), 0) << out;
  EXPECT_EQ(out, "");
  ASSERT_EQ(mount_->Unmount(), 0);
  ::mkdir(View().c_str(), 0755);
  out.clear();
  EXPECT_EQ(Shell(std::string(sett::test::SettfsBinary()) + " mount -o snapshot=one " + dbdir() +
                      " " + View() + " 2>&1",
                  &out),
            1);
  EXPECT_NE(out.find("no snapshot named \"one\""), std::string::npos) << out;
  EXPECT_FALSE(sett::test::IsSettfsMounted(View()));
}

// A file moves between two directories by rename (one transaction each) while snapshots are
// taken: every snapshot holds it exactly once.
TEST_F(SettfsSnapshotTest, SnapshotsUnderConcurrentWritersAreConsistent) {
  ASSERT_EQ(::mkdir(P("a").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(P("b").c_str(), 0755), 0);
  sett::test::WriteFile(P("a/token"), "token");
  std::atomic<bool> stop{false};
  std::atomic<int> moves{0};
  std::thread mover([&] {
    bool in_a = true;
    while (!stop) {
      std::string from = P(in_a ? "a/token" : "b/token"), to = P(in_a ? "b/token" : "a/token");
      if (::rename(from.c_str(), to.c_str()) != 0) break;
      in_a = !in_a;
      moves++;
    }
  });
  const int kSnapshots = 6;
  for (int i = 0; i < kSnapshots; i++) {
    ASSERT_EQ(Snapshot("create " + mountpoint() + " s" + std::to_string(i)), 0);
  }
  stop = true;
  mover.join();
  EXPECT_GT(moves.load(), kSnapshots);
  ASSERT_EQ(mount_->Unmount(), 0);
  for (int i = 0; i < kSnapshots; i++) {
    auto view = MountSnapshot("s" + std::to_string(i));
    bool in_a = ::access((View() + "/a/token").c_str(), F_OK) == 0;
    bool in_b = ::access((View() + "/b/token").c_str(), F_OK) == 0;
    EXPECT_NE(in_a, in_b) << "snapshot s" << i << ": in a " << in_a << ", in b " << in_b;
    EXPECT_EQ(view->Unmount(), 0);
  }
}

// A file written, snapshotted, rewritten, snapshotted and rewritten again: the database holds
// its three versions, no more; once both snapshots are deleted, compaction and GC leave one.
TEST_F(SettfsSnapshotTest, DeletingSnapshotsGivesTheirSpaceBack) {
  constexpr size_t kSize = 24 << 20;
  auto rewrite = [&](char seed) {
    std::string data(kSize, '\0');
    uint32_t x = static_cast<uint32_t>(seed);
    for (char& c : data) c = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
    sett::test::WriteFile(P("file"), data);
  };
  auto value_log_bytes = [&] {
    uint64_t total = 0;
    for (const auto& e : fs::directory_iterator(dbdir())) {
      if (e.path().extension() == ".vlog") total += fs::file_size(e.path());
    }
    return total;
  };
  auto collect = [&] {  // What the mount's background GC does, run to the end.
    sett::Options options;
    options.dir = dbdir();
    options.create_if_missing = false;
    std::unique_ptr<sett::DB> db;
    ASSERT_OK(sett::DB::Open(options, &db));
    ASSERT_OK(db->Flatten());
    while (db->RunValueLogGC(0.3).ok()) {
    }
    ASSERT_OK(db->Close());
  };
  rewrite(1);
  ASSERT_EQ(Snapshot("create " + mountpoint() + " one"), 0);
  rewrite(2);
  ASSERT_EQ(Snapshot("create " + mountpoint() + " two"), 0);
  rewrite(3);
  ASSERT_EQ(mount_->Unmount(), 0);
  ASSERT_NO_FATAL_FAILURE(collect());
  const uint64_t three = value_log_bytes();
  std::printf("three versions of %zu bytes: %llu bytes of value log\n", kSize,
              static_cast<unsigned long long>(three));
  EXPECT_GE(three, 3 * kSize);
  EXPECT_LE(three, 3 * kSize + kSize / 2);
  // Each snapshot alone holds one version of the file: what deleting it would free.
  std::string out;
  ASSERT_EQ(Snapshot("list --space " + dbdir(), &out), 0) << out;
  for (const char* name : {"one ", "two "}) {
    size_t line = out.find(std::string("\n") + name);
    ASSERT_NE(line, std::string::npos) << out;
    size_t unit = out.find(" MiB", line);
    ASSERT_NE(unit, std::string::npos) << out;
    double mib = std::stod(out.substr(out.rfind(' ', unit - 1) + 1));
    EXPECT_GT(mib, 23.9) << out;
    EXPECT_LT(mib, 24.5) << out;
  }
  ASSERT_EQ(Snapshot("delete " + dbdir() + " one"), 0);
  ASSERT_EQ(Snapshot("delete " + dbdir() + " two"), 0);
  ASSERT_NO_FATAL_FAILURE(collect());
  const uint64_t one = value_log_bytes();
  std::printf("after deleting both snapshots: %llu bytes of value log\n",
              static_cast<unsigned long long>(one));
  EXPECT_LE(one, kSize + kSize / 2);
  Mount();
  std::string data = sett::test::ReadFile(P("file"));
  EXPECT_EQ(data.size(), kSize);
}

// fsck checks the tree of every snapshot as well as the live one, and names the snapshot a
// problem is in. The damage here is made through the engine: a file's inode record is taken
// out, a snapshot taken, and the record put back, so that only the snapshot lacks it.
TEST_F(SettfsSnapshotTest, FsckChecksEverySnapshotsTree) {
  sett::test::WriteFile(P("f"), "data");
  struct stat st;
  ASSERT_EQ(::stat(P("f").c_str(), &st), 0);
  ASSERT_EQ(Snapshot("create " + mountpoint() + " healthy"), 0);
  ASSERT_EQ(mount_->Unmount(), 0);
  {
    sett::Options options;
    options.dir = dbdir();
    options.create_if_missing = false;
    std::unique_ptr<sett::DB> db;
    ASSERT_OK(sett::DB::Open(options, &db));
    const std::string key = InodeKey(st.st_ino);
    std::string inode;
    ASSERT_OK(db->Get(sett::ReadOptions(), key, &inode));
    ASSERT_OK(db->Delete(sett::WriteOptions(), key));
    ASSERT_OK(db->CreateSnapshot("broken"));
    ASSERT_OK(db->Put(sett::WriteOptions(), key, inode));
    ASSERT_OK(db->Close());
  }
  std::string out;
  const std::string fsck = std::string(sett::test::SettfsBinary()) + " fsck ";
  EXPECT_EQ(Run(fsck + dbdir(), &out), 4) << out;
  EXPECT_NE(out.find("problem: snapshot broken: "), std::string::npos) << out;
  EXPECT_EQ(out.find("problem: snapshot healthy"), std::string::npos) << out;
  EXPECT_NE(out.find("snapshot healthy: "), std::string::npos) << out;
  EXPECT_EQ(Run(fsck + "--repair " + dbdir(), &out), 4) << out;
  EXPECT_NE(out.find("snapshots, which are read-only"), std::string::npos) << out;
  ASSERT_EQ(Snapshot("delete " + dbdir() + " broken"), 0);
  EXPECT_EQ(Run(fsck + dbdir(), &out), 0) << out;
}

TEST_F(SettfsSnapshotTest, RollbackMakesTheLiveTreeTheSnapshotsAndKeepsEverySnapshot) {
  ASSERT_NO_FATAL_FAILURE(MakeTree());
  auto base = Tree(mountpoint());
  ASSERT_EQ(Snapshot("create " + mountpoint() + " base"), 0);
  ASSERT_NO_FATAL_FAILURE(ChangeTree());
  auto changed = Tree(mountpoint());
  ASSERT_EQ(Snapshot("create " + mountpoint() + " changed"), 0);
  const std::string settfs = sett::test::SettfsBinary();
  std::string out;
  EXPECT_EQ(Run(settfs + " rollback " + dbdir() + " base", &out), 1) << out;
  EXPECT_NE(out.find("unmount it first"), std::string::npos) << out;
  ASSERT_EQ(mount_->Unmount(), 0);

  EXPECT_EQ(Run(settfs + " rollback " + dbdir() + " nosuch", &out), 3) << out;
  EXPECT_NE(out.find("no snapshot named \"nosuch\""), std::string::npos) << out;
  ASSERT_EQ(Run(settfs + " rollback " + dbdir() + " base", &out), 0) << out;
  EXPECT_NE(out.find("rolled back to base"), std::string::npos) << out;
  EXPECT_EQ(Run(settfs + " fsck " + dbdir(), &out), 0) << out;
  Mount();
  ASSERT_NO_FATAL_FAILURE(ExpectSameTree(base, mountpoint()));
  sett::test::WriteFile(P("after-rollback"), "x");  // New inodes after the rollback.
  ASSERT_EQ(mount_->Unmount(), 0);
  {
    auto view = MountSnapshot("changed");  // Later snapshots stay as they were.
    ASSERT_NO_FATAL_FAILURE(ExpectSameTree(changed, View()));
    EXPECT_EQ(view->Unmount(), 0);
  }

  // Forward again, to the later snapshot; then a rollback cut short (its mark left behind as
  // a crash would) keeps the filesystem from mounting until it is run again.
  ASSERT_EQ(Run(settfs + " rollback " + dbdir() + " changed", &out), 0) << out;
  {
    sett::Options options;
    options.dir = dbdir();
    options.create_if_missing = false;
    std::unique_ptr<sett::DB> db;
    ASSERT_OK(sett::DB::Open(options, &db));
    ASSERT_OK(db->Put(sett::WriteOptions(), kPendingKey, "rollback base"));
    ASSERT_OK(db->Close());
  }
  ::mkdir(View().c_str(), 0755);
  EXPECT_EQ(Run(settfs + " mount " + dbdir() + " " + View(), &out), 1) << out;
  EXPECT_NE(out.find("interrupted `settfs rollback base`"), std::string::npos) << out;
  EXPECT_EQ(Run(settfs + " fsck " + dbdir(), &out), 4) << out;
  EXPECT_NE(out.find("run the same command again"), std::string::npos) << out;
  ASSERT_EQ(Run(settfs + " rollback " + dbdir() + " base", &out), 0) << out;
  Mount();
  ASSERT_NO_FATAL_FAILURE(ExpectSameTree(base, mountpoint()));
}

// A second filesystem kept in step with a first by a full stream and three incremental ones:
// each received snapshot equals the sender's; damaged, cut and out-of-order streams, and a
// target changed since the base, are refused and leave the target as it was.
TEST_F(SettfsSnapshotTest, SendAndReceiveKeepASecondFilesystemInStep) {
  const std::string settfs = sett::test::SettfsBinary();
  const std::string copy = dir_.Join("copy");
  auto stream = [&](int i) { return dir_.Join("stream" + std::to_string(i)); };
  auto change_round = [&](int round) {
    const std::string r = std::to_string(round);
    sett::test::WriteFile(P("round" + r),
                          std::string(5000 * round, static_cast<char>('a' + round)));
    int fd = ::open(P("dir/big").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    Pwrite(fd, "round " + r, 4096 * round);
    ::close(fd);
    if (round == 1) {
      ASSERT_EQ(::rename(P("dir/sub").c_str(), P("sub-moved").c_str()), 0);
    } else if (round == 2) {
      ASSERT_EQ(::unlink(P("small").c_str()), 0);
    } else if (round == 3) {
      ASSERT_EQ(::setxattr(P("dir").c_str(), "user.r", "3", 1, 0), 0);
    }
  };
  std::string out;
  ASSERT_NO_FATAL_FAILURE(MakeTree());
  std::vector<std::map<std::string, TreeNode>> trees;
  for (int round = 0; round <= 3; round++) {
    if (round > 0) {
      ASSERT_NO_FATAL_FAILURE(change_round(round));
    }
    trees.push_back(Tree(mountpoint()));
    const std::string name = "s" + std::to_string(round);
    ASSERT_EQ(Snapshot("create " + mountpoint() + " " + name), 0);
    std::string from = round == 0 ? "" : " --from s" + std::to_string(round - 1);
    ASSERT_EQ(Shell("(" + settfs + " send " + mountpoint() + " " + name + from + " >" +
                    stream(round) + " 2>" + stream(round) + ".err)"),
              0)
        << sett::test::ReadFile(stream(round) + ".err");
  }
  ASSERT_EQ(mount_->Unmount(), 0);
  // From the unmounted database the same stream comes out.
  // (Shell adds 2>&1: the command's own redirection goes in a subshell.)
  ASSERT_EQ(
      Shell("(" + settfs + " send " + dbdir() + " s3 --from s2 >" + stream(9) + " 2>/dev/null)"),
      0);
  EXPECT_TRUE(sett::test::ReadFile(stream(9)) == sett::test::ReadFile(stream(3)));

  auto receive = [&](const std::string& file, std::string* output) {
    return Run(settfs + " receive " + copy + " <" + file, output);
  };
  auto expect_copy_holds = [&](int round) {
    SCOPED_TRACE("s" + std::to_string(round));
    ::mkdir(View().c_str(), 0755);
    sett::test::SettfsMount view(copy, View(), "snapshot=s" + std::to_string(round));
    ASSERT_TRUE(view.mounted());
    ExpectSameTree(trees[round], View());
    EXPECT_EQ(view.Unmount(), 0);
  };
  EXPECT_EQ(receive(stream(1), &out), 3) << out;  // Incremental before its base.
  EXPECT_NE(out.find("base snapshot"), std::string::npos) << out;
  ASSERT_EQ(receive(stream(0), &out), 0) << out;
  EXPECT_NE(out.find("received snapshot s0"), std::string::npos) << out;
  ASSERT_NO_FATAL_FAILURE(expect_copy_holds(0));
  EXPECT_EQ(receive(stream(0), &out), 3) << out;  // Already here.

  // A damaged stream, and one cut short: refused, nothing changed.
  std::string damaged = sett::test::ReadFile(stream(1));
  damaged[damaged.size() / 2] ^= 0x20;
  sett::test::WriteFile(dir_.Join("damaged"), damaged);
  EXPECT_EQ(receive(dir_.Join("damaged"), &out), 3) << out;
  EXPECT_NE(out.find("nothing was changed"), std::string::npos) << out;
  // Any byte of a stream changed, anywhere: refused, never a crash.
  std::mt19937 rng(7);
  for (int i = 0; i < 20; i++) {
    std::string bytes = sett::test::ReadFile(stream(1));
    bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    sett::test::WriteFile(dir_.Join("flipped"), bytes);
    EXPECT_EQ(receive(dir_.Join("flipped"), &out), 3) << out;
  }
  std::string cut = sett::test::ReadFile(stream(1));
  sett::test::WriteFile(dir_.Join("cut"), cut.substr(0, cut.size() - 5));
  EXPECT_EQ(receive(dir_.Join("cut"), &out), 3) << out;
  ASSERT_EQ(Snapshot("list " + copy, &out), 0);
  EXPECT_EQ(out.find("s1"), std::string::npos) << out;

  for (int round = 1; round <= 3; round++) {
    ASSERT_EQ(receive(stream(round), &out), 0) << out;
    ASSERT_NO_FATAL_FAILURE(expect_copy_holds(round));
  }
  // The copy mounts as the last snapshot, and new files there get inode numbers of their own.
  {
    sett::test::SettfsMount live(copy, View());
    ASSERT_TRUE(live.mounted());
    ExpectSameTree(trees[3], View());
    sett::test::WriteFile(View() + "/new-on-copy", "x");
    struct stat fresh, other;
    ASSERT_EQ(::stat((View() + "/new-on-copy").c_str(), &fresh), 0);
    for (const auto& [path, node] : trees[3]) {
      ASSERT_EQ(::lstat((View() + "/" + path).c_str(), &other), 0) << path;
      EXPECT_NE(other.st_ino, fresh.st_ino) << path;
    }
    EXPECT_EQ(live.Unmount(), 0);
  }
  // The copy changed since s3: the next stream is refused until it is rolled back.
  Mount();
  ASSERT_NO_FATAL_FAILURE(change_round(4));
  ASSERT_EQ(Snapshot("create " + mountpoint() + " s4"), 0);
  ASSERT_EQ(Shell("(" + settfs + " send " + mountpoint() + " s4 --from s3 >" + stream(4) + ")"), 0);
  {
    sett::test::SettfsMount live(copy, View());
    sett::test::WriteFile(View() + "/local-change", "x");
    EXPECT_EQ(live.Unmount(), 0);
  }
  EXPECT_EQ(receive(stream(4), &out), 3) << out;
  EXPECT_NE(out.find("rollback"), std::string::npos) << out;
  ASSERT_EQ(Run(settfs + " rollback " + copy + " s3", &out), 0) << out;
  EXPECT_EQ(receive(stream(4), &out), 0) << out;
}

// Every snapshot is readable in the live mount at .snapshots/NAME: the tree as it was, every
// change refused with EROFS, inode numbers of its own on the same device, and .snapshots
// itself reached by name only (listed with -o snapdir=visible), so that a walk of the live
// tree never goes into it.
TEST_F(SettfsSnapshotTest, SnapshotsDirectoryInTheLiveMount) {
  ASSERT_NO_FATAL_FAILURE(MakeTree());
  auto before = Tree(mountpoint());
  const std::string snapdir = P(".snapshots");
  struct stat st;
  EXPECT_EQ(ERRNO_OF(::stat((snapdir + "/s1").c_str(), &st)), ENOENT);  // Remembered as missing.
  ASSERT_EQ(Snapshot("create " + mountpoint() + " s1"), 0);
  ASSERT_NO_FATAL_FAILURE(ChangeTree());
  auto after = Tree(mountpoint());
  EXPECT_EQ(after.count(".snapshots"), 0u) << "a walk of the root does not see it";
  ASSERT_NO_FATAL_FAILURE(ExpectSameTree(before, snapdir + "/s1"));
  EXPECT_EQ(sett::test::ReadFile(snapdir + "/s1/small"), "hello\n");

  // Inode numbers: no file of the snapshot shares one with a live file; one device.
  struct stat root, snap_root;
  ASSERT_EQ(::stat(mountpoint().c_str(), &root), 0);
  ASSERT_EQ(::stat((snapdir + "/s1").c_str(), &snap_root), 0);
  EXPECT_EQ(root.st_dev, snap_root.st_dev);
  std::set<ino_t> live_inos;
  for (const auto& [path, node] : after) {
    ASSERT_EQ(::lstat(P(path).c_str(), &st), 0);
    live_inos.insert(st.st_ino);
  }
  for (const auto& [path, node] : before) {
    ASSERT_EQ(::lstat((snapdir + "/s1/" + path).c_str(), &st), 0);
    EXPECT_EQ(live_inos.count(st.st_ino), 0u) << path;
  }
  EXPECT_EQ(::stat((snapdir + "/s1/small").c_str(), &st), 0);
  struct stat link;
  ASSERT_EQ(::stat((snapdir + "/s1/dir/hardlink").c_str(), &link), 0);
  EXPECT_EQ(link.st_ino, st.st_ino) << "hard links within a snapshot stay one inode";

  // Read-only, and no way out of it into the live tree.
  const std::string s1 = snapdir + "/s1";
  EXPECT_EQ(ERRNO_OF(::open((s1 + "/new").c_str(), O_CREAT | O_WRONLY, 0644)), EROFS);
  EXPECT_EQ(ERRNO_OF(::open((s1 + "/small").c_str(), O_WRONLY)), EROFS);
  EXPECT_EQ(ERRNO_OF(::unlink((s1 + "/small").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::mkdir((s1 + "/d").c_str(), 0755)), EROFS);
  EXPECT_EQ(ERRNO_OF(::chmod((s1 + "/small").c_str(), 0600)), EROFS);
  EXPECT_EQ(ERRNO_OF(::setxattr((s1 + "/small").c_str(), "user.x", "1", 1, 0)), EROFS);
  EXPECT_EQ(ERRNO_OF(::rename((s1 + "/small").c_str(), P("stolen").c_str())), EROFS);
  EXPECT_EQ(ERRNO_OF(::link((s1 + "/small").c_str(), P("linked").c_str())), EXDEV);
  EXPECT_EQ(ERRNO_OF(::mkdir((snapdir + "/x").c_str(), 0755)), EROFS);
  EXPECT_EQ(ERRNO_OF(::mkdir(snapdir.c_str(), 0755)), EEXIST);
  EXPECT_EQ(ERRNO_OF(::rmdir(snapdir.c_str())), EROFS);
  // Copying out of it works (cp falls back from copy_file_range across views).
  std::string out;
  ASSERT_EQ(Run("cp " + s1 + "/dir/big " + P("restored"), &out), 0) << out;
  EXPECT_EQ(sett::test::ReadFile(P("restored")), sett::test::ReadFile(s1 + "/dir/big"));

  // Deleted: gone from the directory at once.
  ASSERT_EQ(Snapshot("create " + mountpoint() + " s2"), 0);
  EXPECT_EQ(::stat((snapdir + "/s2").c_str(), &st), 0);
  ASSERT_EQ(Snapshot("delete " + mountpoint() + " s2"), 0);
  EXPECT_EQ(ERRNO_OF(::stat((snapdir + "/s2").c_str(), &st)), ENOENT);
  ASSERT_EQ(Run("ls -a " + snapdir, &out), 0);
  EXPECT_EQ(out, ".\n..\ns1\n");
  ASSERT_EQ(Run("ls -a " + mountpoint(), &out), 0);
  EXPECT_EQ(out.find(".snapshots"), std::string::npos) << out;
  ASSERT_EQ(Run("du -s " + mountpoint() + " && find " + mountpoint() + " -name small", &out), 0);
  EXPECT_EQ(out.find(".snapshots"), std::string::npos) << out;
}

class SettfsVisibleSnapdirTest : public SettfsSnapshotTest {
 protected:
  std::string MountOptions() const override { return "snapdir=visible"; }
};

TEST_F(SettfsVisibleSnapdirTest, TheRootListsSnapshots) {
  sett::test::WriteFile(P("f"), "x");
  ASSERT_EQ(Snapshot("create " + mountpoint() + " s"), 0);
  std::string out;
  ASSERT_EQ(Run("ls -a " + mountpoint(), &out), 0);
  EXPECT_EQ(out, ".\n..\n.snapshots\nf\n");
  ASSERT_EQ(Run("ls " + P(".snapshots/s"), &out), 0);
  EXPECT_EQ(out, "f\n");
}

// Another user who takes the control socket's name first gets no hearing: the command
// talks only to a daemon run by root or by the database's owner.
TEST_F(SettfsSnapshotTest, ACommandIgnoresAControlSocketHeldBySomeoneElse) {
  ASSERT_EQ(mount_->Unmount(), 0);  // The name is free.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t squatter = ::fork();
  if (squatter == 0) {
    if (::setgid(kNogroup) != 0 || ::setuid(kNobody) != 0) ::_exit(1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string dir = dbdir();
    int n = std::snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "settfs-%016llx",
                          static_cast<unsigned long long>(XXH64(dir.data(), dir.size(), 0)));
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0 || ::listen(fd, 4) != 0) {
      ::_exit(1);
    }
    if (::write(ready[1], "r", 1) != 1) ::_exit(1);
    while (true) {
      int client = ::accept(fd, nullptr, nullptr);
      if (client >= 0) {
        static const char kLie[] = "ok\nfake\t1\t1\t-\n";
        (void)!::write(client, kLie, sizeof kLie - 1);
        ::close(client);
      }
    }
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  std::string out;
  EXPECT_EQ(Snapshot("list " + dbdir(), &out), 1) << out;
  EXPECT_NE(out.find("held by user 65534"), std::string::npos) << out;
  EXPECT_EQ(out.find("fake"), std::string::npos) << out;
  ::kill(squatter, SIGKILL);
  ::waitpid(squatter, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
}

}  // namespace
}  // namespace settfs
