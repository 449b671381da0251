// POSIX ACLs through a real mount, set and read with setfacl and getfacl and enforced by the
// kernel from what settfs keeps: an entry granting a user or a group access to a private file,
// the mask that chmod rewrites, default ACLs that new files inherit (without the umask), and
// ACLs that survive a remount and come along with cp -a.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using sett::test::Shell;
using SettfsAclTest = MountedTest;

// errno of open(path, flags) as nobody (0 if it opened).
int OpenAsNobody(const std::string& path, int flags) {
  return sett::test::RunAs(kNobody, kNogroup, [&] {
    int fd = ::open(path.c_str(), flags);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
  });
}

std::string Output(const std::string& command) {
  std::string out;
  int status = Shell(command, &out);
  EXPECT_EQ(status, 0) << command << ": " << out;
  return out;
}

TEST_F(SettfsAclTest, EntriesGrantAndTheMaskLimits) {
  sett::test::WriteFile(P("private"), "for root and nobody");
  ASSERT_EQ(::chmod(P("private").c_str(), 0600), 0);
  EXPECT_EQ(OpenAsNobody(P("private"), O_RDONLY), EACCES);
  Output("setfacl -m u:nobody:r " + P("private"));
  EXPECT_EQ(OpenAsNobody(P("private"), O_RDONLY), 0);
  EXPECT_EQ(OpenAsNobody(P("private"), O_WRONLY), EACCES);
  struct stat st;
  ASSERT_EQ(::stat(P("private").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // The group bits show the mask.
  // chmod sets the mask: nobody's entry no longer grants anything.
  ASSERT_EQ(::chmod(P("private").c_str(), 0600), 0);
  EXPECT_EQ(OpenAsNobody(P("private"), O_RDONLY), EACCES);
  EXPECT_NE(Output("getfacl -p " + P("private")).find("user:nobody:r--\t#effective:---"),
            std::string::npos);
  ASSERT_EQ(::chmod(P("private").c_str(), 0660), 0);
  EXPECT_EQ(OpenAsNobody(P("private"), O_RDONLY), 0);
  // A group entry; and removing the ACL takes every grant away.
  sett::test::WriteFile(P("team"), "x");
  ASSERT_EQ(::chmod(P("team").c_str(), 0600), 0);
  Output("setfacl -m g:nogroup:rw " + P("team"));
  EXPECT_EQ(OpenAsNobody(P("team"), O_RDWR), 0);
  Output("setfacl -b " + P("team"));
  EXPECT_EQ(OpenAsNobody(P("team"), O_RDONLY), EACCES);
  EXPECT_EQ(Output("getfacl -cp " + P("team")), "user::rw-\ngroup::---\nother::---\n\n");
}

TEST_F(SettfsAclTest, DefaultAclIsInheritedWithoutTheUmask) {
  ASSERT_EQ(::mkdir(P("shared").c_str(), 0755), 0);
  Output("setfacl -d -m u:nobody:rwx,g::rx,o::- " + P("shared"));
  mode_t old = ::umask(077);  // A default ACL replaces the umask.
  int fd = ::open(P("shared/file").c_str(), O_CREAT | O_WRONLY, 0666);
  ASSERT_EQ(::mkdir(P("shared/sub").c_str(), 0777), 0);
  ::umask(old);
  ASSERT_GE(fd, 0);
  ::close(fd);
  struct stat st;
  ASSERT_EQ(::stat(P("shared/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);  // Owner rw, mask rw (rwx limited by 0666), other none.
  EXPECT_EQ(OpenAsNobody(P("shared/file"), O_RDWR), 0);
  EXPECT_NE(Output("getfacl -p " + P("shared/sub")).find("default:user:nobody:rwx"),
            std::string::npos);
  EXPECT_EQ(OpenAsNobody(P("shared/sub/.."), O_RDONLY), 0);
  // Outside it, the umask applies as ever.
  old = ::umask(027);
  fd = ::open(P("plain").c_str(), O_CREAT | O_WRONLY, 0666);
  ::umask(old);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ASSERT_EQ(::stat(P("plain").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(SettfsAclTest, AclsSurviveARemountAndComeAlongWithCpA) {
  sett::test::WriteFile(P("f"), "x");
  Output("setfacl -m u:nobody:rw,g:nogroup:r " + P("f"));
  const std::string before = Output("getfacl -p " + P("f"));
  Remount();
  EXPECT_EQ(Output("getfacl -p " + P("f")), before);
  EXPECT_EQ(OpenAsNobody(P("f"), O_RDWR), 0);
  // From another filesystem that keeps ACLs (where the test's directory lies, if it does).
  std::string host = dir_.Join("host");
  sett::test::WriteFile(host, "h");
  if (Shell("setfacl -m u:nobody:r " + host, nullptr) == 0) {
    Output("cp -a " + host + " " + P("copied"));
    EXPECT_NE(Output("getfacl -p " + P("copied")).find("user:nobody:r--"), std::string::npos);
  }
}

}  // namespace
}  // namespace settfs
