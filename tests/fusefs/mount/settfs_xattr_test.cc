// Extended attributes through a real mount: flags, sizes, ENODATA and ERANGE, and listing.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fusefs/mount/mounted_fixture.h"

namespace settfs {
namespace {

using SettfsXattrTest = MountedTest;

TEST_F(SettfsXattrTest, SetGetListRemoveWithFlagsAndErrors) {
  std::string f = P("f");
  sett::test::WriteFile(f, "x");
  ASSERT_EQ(::setxattr(f.c_str(), "user.color", "blue", 4, XATTR_CREATE), 0);
  EXPECT_EQ(ERRNO_OF(::setxattr(f.c_str(), "user.color", "red", 3, XATTR_CREATE)), EEXIST);
  EXPECT_EQ(ERRNO_OF(::setxattr(f.c_str(), "user.size", "1", 1, XATTR_REPLACE)), ENODATA);
  ASSERT_EQ(::setxattr(f.c_str(), "user.color", "green", 5, XATTR_REPLACE), 0);
  ASSERT_EQ(::setxattr(f.c_str(), "user.empty", "", 0, 0), 0);
  ASSERT_EQ(::setxattr(f.c_str(), "trusted.admin", "root only", 9, 0), 0);

  EXPECT_EQ(::getxattr(f.c_str(), "user.color", nullptr, 0), 5);  // The size it needs.
  char buf[64] = {};
  EXPECT_EQ(ERRNO_OF(::getxattr(f.c_str(), "user.color", buf, 3)), ERANGE);
  ASSERT_EQ(::getxattr(f.c_str(), "user.color", buf, sizeof(buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "green");
  EXPECT_EQ(::getxattr(f.c_str(), "user.empty", buf, sizeof(buf)), 0);
  EXPECT_EQ(ERRNO_OF(::getxattr(f.c_str(), "user.none", buf, sizeof(buf))), ENODATA);
  EXPECT_EQ(ERRNO_OF(::getxattr(P("missing").c_str(), "user.color", buf, sizeof(buf))), ENOENT);

  ssize_t need = ::listxattr(f.c_str(), nullptr, 0);
  std::string names(static_cast<size_t>(need), '\0');
  EXPECT_EQ(ERRNO_OF(::listxattr(f.c_str(), names.data(), 4)), ERANGE);
  ASSERT_EQ(::listxattr(f.c_str(), names.data(), names.size()), need);
  EXPECT_EQ(names, std::string("trusted.admin\0user.color\0user.empty\0", need));

  ASSERT_EQ(::removexattr(f.c_str(), "user.color"), 0);
  EXPECT_EQ(ERRNO_OF(::removexattr(f.c_str(), "user.color")), ENODATA);
  EXPECT_EQ(ERRNO_OF(::getxattr(f.c_str(), "user.color", buf, sizeof(buf))), ENODATA);

  // Large values, on directories too, and they persist.
  std::string big(60000, 'v');
  ASSERT_EQ(::mkdir(P("d").c_str(), 0755), 0);
  ASSERT_EQ(::setxattr(P("d").c_str(), "user.big", big.data(), big.size(), 0), 0);
  EXPECT_EQ(ERRNO_OF(::setxattr(f.c_str(), std::string("user." + std::string(300, 'n')).c_str(),
                                "v", 1, 0)),
            ERANGE);
  Remount();
  std::string back(70000, '\0');
  ASSERT_EQ(::getxattr(P("d").c_str(), "user.big", back.data(), back.size()), 60000);
  back.resize(60000);
  EXPECT_EQ(back, big);
  EXPECT_EQ(::getxattr(f.c_str(), "user.empty", buf, sizeof(buf)), 0);
}

// Mounted with noacl, the kernel would take ACLs for plain attributes: settfs refuses them, so
// that programs fall back to modes.
class SettfsNoAclTest : public MountedTest {
 protected:
  std::string MountOptions() const override { return "noacl"; }
};

TEST_F(SettfsNoAclTest, AclsAreRefusedSoThatModesAreSet) {
  std::string f = P("f");
  sett::test::WriteFile(f, "x");
  // A minimal access ACL (user::rw- group::r-- other::r--), as cp -a copies it.
  const char acl[] =
      "\2\0\0\0\1\0\6\0\377\377\377\377\4\0\4\0\377\377\377\377 \0\4\0\377\377\377\377";
  EXPECT_EQ(ERRNO_OF(::setxattr(f.c_str(), "system.posix_acl_access", acl, sizeof(acl) - 1, 0)),
            EOPNOTSUPP);
  char buf[64];
  EXPECT_EQ(ERRNO_OF(::getxattr(f.c_str(), "system.posix_acl_access", buf, sizeof(buf))), ENODATA);
  // And so cp -a falls back to setting the mode.
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  sett::test::WriteFile(dir_.Join("host"), "h");
  ASSERT_EQ(::chmod(dir_.Join("host").c_str(), 0751), 0);
  ASSERT_EQ(sett::test::Shell("cp -a " + dir_.Join("host") + " " + P("copied")), 0);
  struct stat st;
  ASSERT_EQ(::stat(P("copied").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
}

// Mounted with noxattr, every attribute call fails with EOPNOTSUPP (as on a filesystem without
// them), files work as ever, and cp -a still copies (it does without attributes).
class SettfsNoXattrTest : public MountedTest {
 protected:
  std::string MountOptions() const override { return "noxattr"; }
};

TEST_F(SettfsNoXattrTest, AttributesAreRefusedAndFilesWork) {
  std::string f = P("f");
  sett::test::WriteFile(f, "data");
  char buf[64];
  for (int round = 0; round < 2; round++) {  // The second time the kernel answers by itself.
    EXPECT_EQ(ERRNO_OF(::setxattr(f.c_str(), "user.k", "v", 1, 0)), EOPNOTSUPP);
    EXPECT_EQ(ERRNO_OF(::getxattr(f.c_str(), "user.k", buf, sizeof(buf))), EOPNOTSUPP);
    EXPECT_EQ(ERRNO_OF(::listxattr(f.c_str(), buf, sizeof(buf))), EOPNOTSUPP);
    EXPECT_EQ(ERRNO_OF(::removexattr(f.c_str(), "user.k")), EOPNOTSUPP);
  }
  int fd = ::open(f.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 100; i++) ASSERT_EQ(::write(fd, "+", 1), 1);
  ASSERT_EQ(::close(fd), 0);
  EXPECT_EQ(sett::test::ReadFile(f), "data" + std::string(100, '+'));
  ASSERT_EQ(sett::test::Shell("cp -a " + f + " " + P("copied")), 0);
  EXPECT_EQ(sett::test::ReadFile(P("copied")), sett::test::ReadFile(f));
}

TEST_F(SettfsXattrTest, RemovedWithTheFile) {
  sett::test::WriteFile(P("f"), "x");
  ASSERT_EQ(::setxattr(P("f").c_str(), "user.a", "1", 1, 0), 0);
  ASSERT_EQ(::unlink(P("f").c_str()), 0);
  sett::test::WriteFile(P("f"), "y");  // A new file of the same name has none.
  EXPECT_EQ(::listxattr(P("f").c_str(), nullptr, 0), 0);
}

}  // namespace
}  // namespace settfs
