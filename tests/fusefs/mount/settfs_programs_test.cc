// Real programs on a real mount: cp -a of a tree of thousands of files (the system's headers
// and CMake's modules) compared with diff -r and find; tar out and back in; a git repository
// (init, add, commit, status, gc, fsck); du; rm -rf; and the whole tree again after a remount.

#include <sys/stat.h>

#include <sstream>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsProgramsTest = MountedTest;

// Runs a shell script (with set -e) and requires it to succeed; returns its output.
std::string Script(const std::string& script) {
  std::string output;
  int status = sett::test::Shell("set -e\n" + script, &output);
  EXPECT_EQ(status, 0) << script << "\n" << output;
  return output;
}

// The trees copied in: present on every machine that builds settfs.
const char kSources[] = "/usr/include /usr/share/cmake-*";

// One line per entry under dir (or under each of several, for a shell glob): path, type,
// mode, owner, mtime, and for all but directories (whose sizes differ between filesystems)
// size and symlink target.
std::string Listing(const std::string& dirs) {
  return Script("for d in " + dirs +
                "; do cd $(dirname $d) && "
                "find $(basename $d) -type d -printf '%p %y %m %U:%G %T@\\n' && "
                "find $(basename $d) ! -type d -printf '%p %y %m %U:%G %T@ %s %l\\n'; "
                "done | LC_ALL=C sort");
}

// Compares two listings, naming the first line that differs.
void ExpectSameListing(const std::string& actual, const std::string& expected) {
  std::istringstream a(actual), e(expected);
  std::string la, le;
  int line = 0;
  while (true) {
    bool more_a = static_cast<bool>(std::getline(a, la));
    bool more_e = static_cast<bool>(std::getline(e, le));
    line++;
    if (!more_a && !more_e) return;
    if (!more_a || !more_e || la != le) {
      ADD_FAILURE() << "listings differ at line " << line << ":\n  settfs:   " << la
                    << "\n  expected: " << le;
      return;
    }
  }
}

TEST_F(SettfsProgramsTest, CopyCompareTarGitFindDuAndRemove) {
  // cp -a, compared by diff -r and by find's view of every entry's metadata.
  std::string copy = P("copy");
  Script("mkdir " + copy + " && cp -a " + kSources + " " + copy + "/");
  int files = std::stoi(Script("find " + copy + " -type f | wc -l"));
  std::printf("copied %d files\n", files);
  ASSERT_GE(files, 5000) << "the source trees hold too few files for this test";
  Script("for src in " + std::string(kSources) + "; do diff -r --no-dereference $src " + copy +
         "/$(basename $src); done");
  ExpectSameListing(Listing(copy + "/*"), Listing(kSources));

  // du: what is stored is at least the bytes of the files.
  uint64_t apparent = std::stoull(Script("find " + copy +
                                         " -type f -printf '%s\\n' | "
                                         "awk '{s+=$1} END {printf \"%d\", s}'"));
  uint64_t du_kib = std::stoull(Script("du -sk " + copy + " | cut -f1"));
  EXPECT_GE(du_kib * 1024, apparent);
  EXPECT_LE(du_kib * 1024, apparent + uint64_t(files) * 4096 * 2);

  // tar out to the host and back into settfs.
  std::string tarball = dir_.Join("copy.tar");
  Script("tar --format=posix -C " + mountpoint() + " -cf " + tarball + " copy");  // ns times.
  Script("mkdir " + P("untarred") + " && tar -C " + P("untarred") + " -xpf " + tarball);
  Script("diff -r --no-dereference " + copy + " " + P("untarred/copy"));

  // git: a repository kept in settfs.
  std::string repo = P("repo");
  Script("git init -q " + repo + " && cp -a /usr/include/linux " + repo + "/ && cd " + repo +
         " && git add -A && git -c user.name=t -c user.email=t@t commit -q -m first && "
         "echo change >> linux/types.h && git -c user.name=t -c user.email=t@t commit -qam second");
  EXPECT_EQ(Script("cd " + repo + " && git status --porcelain"), "");
  Script("cd " + repo +
         " && git fsck --strict --no-progress && git gc -q && "
         "git fsck --strict --no-progress && git log --oneline | wc -l | grep -qx 2");

  // Everything again from the store rather than the kernel's caches.
  Remount();
  ExpectSameListing(Listing(P("untarred/copy")), Listing(copy));
  Script("for src in " + std::string(kSources) + "; do diff -r --no-dereference $src " + copy +
         "/$(basename $src); done");
  EXPECT_EQ(Script("cd " + repo + " && git status --porcelain"), "");
  Script("cd " + repo + " && git fsck --strict --no-progress");

  // rm -rf leaves nothing behind, and the filesystem checks clean.
  Script("rm -rf " + copy + " " + P("untarred") + " " + repo);
  EXPECT_EQ(Script("ls -A " + mountpoint()), "");
  ASSERT_EQ(mount_->Unmount(), 0);
  std::string fsck = Script(std::string(sett::test::SettfsBinary()) + " fsck " + dbdir());
  EXPECT_NE(fsck.find("clean"), std::string::npos) << fsck;
  EXPECT_NE(fsck.find(": 1 inodes"), std::string::npos) << fsck;  // Only the root is left.
  Mount();
}

}  // namespace
}  // namespace settfs
