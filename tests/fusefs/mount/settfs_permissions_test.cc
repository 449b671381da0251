// Permissions through a real mount, enforced by the kernel from what settfs stores
// (default_permissions): a non-root user meets EACCES and EPERM where POSIX says so, sticky
// directories protect others' files, and set-group-ID directories hand their group down.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsPermissionsTest = MountedTest;

// errno of a call made as nobody (0 if it succeeded).
int AsNobody(const std::function<int()>& call) {
  return sett::test::RunAs(kNobody, kNogroup, [&] { return call() < 0 ? errno : 0; });
}

TEST_F(SettfsPermissionsTest, OwnerGroupAndOtherBitsAreEnforced) {
  sett::test::WriteFile(P("secret"), "root's");
  ASSERT_EQ(::chmod(P("secret").c_str(), 0600), 0);
  sett::test::WriteFile(P("public"), "everyone's");
  ASSERT_EQ(::chmod(P("public").c_str(), 0644), 0);
  ASSERT_EQ(::mkdir(P("closed").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(P("readonly").c_str(), 0755), 0);
  sett::test::WriteFile(P("closed/inner"), "x");

  EXPECT_EQ(AsNobody([&] { return ::open(P("secret").c_str(), O_RDONLY); }), EACCES);
  EXPECT_EQ(AsNobody([&] { return ::open(P("public").c_str(), O_RDONLY); }), 0);
  EXPECT_EQ(AsNobody([&] { return ::open(P("public").c_str(), O_WRONLY); }), EACCES);
  EXPECT_EQ(AsNobody([&] { return ::open(P("closed/inner").c_str(), O_RDONLY); }), EACCES);
  EXPECT_EQ(AsNobody([&] { return ::open(P("readonly/new").c_str(), O_CREAT | O_WRONLY, 0644); }),
            EACCES);
  EXPECT_EQ(AsNobody([&] { return ::mkdir(P("readonly/d").c_str(), 0755); }), EACCES);
  EXPECT_EQ(AsNobody([&] { return ::unlink(P("public").c_str()); }), EACCES);
  EXPECT_EQ(AsNobody([&] { return ::chmod(P("public").c_str(), 0777); }), EPERM);
  EXPECT_EQ(AsNobody([&] { return ::chown(P("public").c_str(), kNobody, kNogroup); }), EPERM);
  EXPECT_EQ(AsNobody([&] { return ::access(P("secret").c_str(), R_OK); }), EACCES);
  EXPECT_EQ(AsNobody([&] { return ::access(P("public").c_str(), R_OK); }), 0);

  // Given the directory, nobody may work in it, and owns what it makes.
  ASSERT_EQ(::chown(P("readonly").c_str(), kNobody, kNogroup), 0);
  EXPECT_EQ(AsNobody([&] { return ::open(P("readonly/mine").c_str(), O_CREAT | O_WRONLY, 0600); }),
            0);
  struct stat st;
  ASSERT_EQ(::stat(P("readonly/mine").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kNogroup);
  EXPECT_EQ(AsNobody([&] { return ::chmod(P("readonly/mine").c_str(), 0644); }), 0);
  // Root may still read what nobody made private.
  ASSERT_EQ(::chmod(P("readonly/mine").c_str(), 0000), 0);
  EXPECT_EQ(::access(P("readonly/mine").c_str(), R_OK), 0);
}

TEST_F(SettfsPermissionsTest, StickyDirectoryProtectsOthersFiles) {
  ASSERT_EQ(::mkdir(P("tmp").c_str(), 0777), 0);
  ASSERT_EQ(::chmod(P("tmp").c_str(), 01777), 0);
  sett::test::WriteFile(P("tmp/roots"), "x");
  ASSERT_EQ(::chmod(P("tmp/roots").c_str(), 0666), 0);
  EXPECT_EQ(AsNobody([&] { return ::unlink(P("tmp/roots").c_str()); }), EPERM);
  EXPECT_EQ(AsNobody([&] { return ::rename(P("tmp/roots").c_str(), P("tmp/stolen").c_str()); }),
            EPERM);
  EXPECT_EQ(AsNobody([&] { return ::open(P("tmp/roots").c_str(), O_WRONLY); }), 0);
  EXPECT_EQ(AsNobody([&] {
              int fd = ::open(P("tmp/own").c_str(), O_CREAT | O_WRONLY, 0644);
              if (fd < 0) return -1;
              ::close(fd);
              return ::unlink(P("tmp/own").c_str());
            }),
            0);
}

TEST_F(SettfsPermissionsTest, SetgidDirectoriesHandDownTheirGroup) {
  ASSERT_EQ(::mkdir(P("shared").c_str(), 0775), 0);
  ASSERT_EQ(::chown(P("shared").c_str(), 0, 1234), 0);
  ASSERT_EQ(::chmod(P("shared").c_str(), 02777), 0);
  EXPECT_EQ(AsNobody([&] { return ::open(P("shared/f").c_str(), O_CREAT | O_WRONLY, 0644); }), 0);
  EXPECT_EQ(AsNobody([&] { return ::mkdir(P("shared/sub").c_str(), 0755); }), 0);
  struct stat f, sub;
  ASSERT_EQ(::stat(P("shared/f").c_str(), &f), 0);
  ASSERT_EQ(::stat(P("shared/sub").c_str(), &sub), 0);
  EXPECT_EQ(f.st_uid, kNobody);
  EXPECT_EQ(f.st_gid, 1234u);
  EXPECT_EQ(sub.st_gid, 1234u);
  EXPECT_TRUE(sub.st_mode & S_ISGID);
  EXPECT_FALSE(f.st_mode & S_ISGID);
}

}  // namespace
}  // namespace settfs
