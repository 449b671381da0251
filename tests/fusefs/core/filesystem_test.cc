// The filesystem core without a mount, over an in-memory sett database (and, registered a
// second time, over PostgreSQL: fs_test_fixture.h).

#include "core/filesystem.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <tuple>

#include "core/acl.h"
#include "core/codec.h"
#include "core/keys.h"
#include "fusefs/core/fs_test_fixture.h"

namespace settfs {
namespace {

using FilesystemTest = FsTest;

TEST_F(FilesystemTest, EntriesAndLinkCounts) {
  uint64_t dir = Make(kRootIno, "dir", S_IFDIR | 0755);
  uint64_t file = Make(dir, "file");
  struct stat st;
  EXPECT_EQ(fs_->Lookup(dir, "file", &st), 0);
  EXPECT_EQ(st.st_ino, file);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(Stat(kRootIno).st_nlink, 3u);
  EXPECT_EQ(Stat(dir).st_nlink, 2u);
  EXPECT_EQ(fs_->Mknod(caller_, dir, "file", S_IFREG | 0644, 0, &st), EEXIST);
  EXPECT_EQ(fs_->Lookup(dir, "nope", &st), ENOENT);
  EXPECT_EQ(fs_->Lookup(file, "x", &st), ENOTDIR);
  EXPECT_EQ(fs_->Mknod(caller_, dir, std::string(256, 'n'), S_IFREG | 0644, 0, &st), ENAMETOOLONG);
  EXPECT_EQ(fs_->Link(file, kRootIno, "hard", &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(fs_->Link(dir, kRootIno, "dirlink", &st), EPERM);
  EXPECT_EQ(fs_->Rmdir(kRootIno, "dir"), ENOTEMPTY);
  EXPECT_EQ(fs_->Unlink(kRootIno, "dir"), EISDIR);
  EXPECT_EQ(fs_->Rmdir(kRootIno, "hard"), ENOTDIR);
  EXPECT_EQ(fs_->Unlink(dir, "file"), 0);
  EXPECT_EQ(Stat(file).st_nlink, 1u);
  EXPECT_EQ(fs_->Rmdir(kRootIno, "dir"), 0);
  EXPECT_EQ(Stat(kRootIno).st_nlink, 2u);
  EXPECT_EQ(List(kRootIno), (std::vector<std::string>{".", "..", "hard"}));
}

TEST_F(FilesystemTest, DataHolesAndTruncation) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Write(f, 0, "hello"), 0);
  ASSERT_EQ(fs_->Write(f, 10000, "world"), 0);  // A hole between.
  std::string data = ReadAll(f);
  ASSERT_EQ(data.size(), 10005u);
  EXPECT_EQ(data.substr(0, 5), "hello");
  EXPECT_EQ(data.substr(5, 9995), std::string(9995, '\0'));
  EXPECT_EQ(data.substr(10000), "world");
  EXPECT_EQ(Stat(f).st_blocks, 2 * 8);  // Two 4 KiB blocks stored, the middle one a hole.
  uint64_t where;
  EXPECT_EQ(fs_->Lseek(f, 100, SEEK_HOLE, &where), 0);
  EXPECT_EQ(where, 4096u);
  EXPECT_EQ(fs_->Lseek(f, 5000, SEEK_DATA, &where), 0);
  EXPECT_EQ(where, 8192u);
  EXPECT_EQ(fs_->Lseek(f, 9000, SEEK_HOLE, &where), 0);
  EXPECT_EQ(where, 10005u);
  EXPECT_EQ(fs_->Lseek(f, 20000, SEEK_DATA, &where), ENXIO);
  // Overwriting with zeros gives the space back.
  ASSERT_EQ(fs_->Write(f, 8192, std::string(4096, '\0')), 0);
  EXPECT_EQ(Stat(f).st_blocks, 8);
  AttrChange shrink;
  shrink.set_size = true;
  shrink.size = 3;
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(f, shrink, &st), 0);
  EXPECT_EQ(ReadAll(f), "hel");
  shrink.size = 100;  // Growing again shows zeros, not the old bytes.
  ASSERT_EQ(fs_->SetAttr(f, shrink, &st), 0);
  EXPECT_EQ(ReadAll(f), std::string("hel") + std::string(97, '\0'));
}

TEST_F(FilesystemTest, LargeTruncateAndPunch) {
  uint64_t f = Make(kRootIno, "big");
  std::string mb(1 << 20, 'x');
  for (int i = 0; i < 20; i++) ASSERT_EQ(fs_->Write(f, uint64_t(i) << 20, mb), 0);
  EXPECT_EQ(Stat(f).st_blocks, 20 * 256 * 8);
  ASSERT_EQ(fs_->Fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 3 << 20), 0);
  std::string data;
  ASSERT_EQ(fs_->Read(f, 0, 4 << 20, &data), 0);
  EXPECT_EQ(data.substr(0, 100), std::string(100, 'x'));
  EXPECT_EQ(data.substr(100, 3 << 20), std::string(3 << 20, '\0'));
  EXPECT_EQ(data.substr(100 + (3 << 20)), std::string((1 << 20) - 100, 'x'));
  EXPECT_EQ(Stat(f).st_size, 20 << 20);
  AttrChange shrink;
  shrink.set_size = true;
  shrink.size = 5000;  // More blocks than one step deletes.
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(f, shrink, &st), 0);
  EXPECT_EQ(st.st_size, 5000);
  EXPECT_EQ(st.st_blocks, 8);  // Block 1 lies in the hole: only block 0 is left.
  EXPECT_EQ(ReadAll(f), std::string(100, 'x') + std::string(4900, '\0'));
  // Only punching holes: allocating and zeroing promise space that copy-on-write cannot keep.
  EXPECT_EQ(fs_->Fallocate(f, 0, 0, 1 << 20), EOPNOTSUPP);
  EXPECT_EQ(fs_->Fallocate(f, FALLOC_FL_KEEP_SIZE, 0, 1 << 20), EOPNOTSUPP);
  EXPECT_EQ(fs_->Fallocate(f, FALLOC_FL_ZERO_RANGE, 0, 100), EOPNOTSUPP);
  EXPECT_EQ(fs_->Fallocate(f, FALLOC_FL_PUNCH_HOLE, 0, 100), EOPNOTSUPP);
  EXPECT_EQ(Stat(f).st_size, 5000);
  EXPECT_EQ(Stat(f).st_blocks, 8);
}

TEST_F(FilesystemTest, RenameRules) {
  uint64_t a = Make(kRootIno, "a", S_IFDIR | 0755);
  uint64_t b = Make(a, "b", S_IFDIR | 0755);
  Make(kRootIno, "f");
  Make(kRootIno, "g");
  EXPECT_EQ(fs_->Rename(kRootIno, "a", b, "inside", 0), EINVAL);  // Into itself.
  EXPECT_EQ(fs_->Rename(kRootIno, "a", a, "x", 0), EINVAL);
  EXPECT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "g", RENAME_NOREPLACE), EEXIST);
  EXPECT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "a", 0), EISDIR);
  EXPECT_EQ(fs_->Rename(kRootIno, "a", kRootIno, "f", 0), ENOTDIR);
  EXPECT_EQ(fs_->Rename(kRootIno, "nope", kRootIno, "x", 0), ENOENT);
  EXPECT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "nope", RENAME_EXCHANGE), ENOENT);
  // Two names of one file: nothing to do, whatever the flags ask of the target.
  struct stat link_st;
  ASSERT_EQ(fs_->Lookup(kRootIno, "f", &link_st), 0);
  ASSERT_EQ(fs_->Link(link_st.st_ino, kRootIno, "f2", &link_st), 0);
  EXPECT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "f2", RENAME_NOREPLACE), 0);
  EXPECT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "f2", 0), 0);
  ASSERT_EQ(fs_->Unlink(kRootIno, "f2"), 0);
  ASSERT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "g", 0), 0);  // Replaces g.
  EXPECT_EQ(List(kRootIno), (std::vector<std::string>{".", "..", "a", "g"}));
  // A directory moves: link counts follow.
  ASSERT_EQ(fs_->Rename(a, "b", kRootIno, "b", 0), 0);
  EXPECT_EQ(Stat(a).st_nlink, 2u);
  EXPECT_EQ(Stat(kRootIno).st_nlink, 4u);
  // Exchange a file and a directory across directories.
  ASSERT_EQ(fs_->Rename(kRootIno, "g", b, "", 0), EINVAL);
  Make(a, "inner");
  ASSERT_EQ(fs_->Rename(kRootIno, "b", a, "inner", RENAME_EXCHANGE), 0);
  struct stat st;
  ASSERT_EQ(fs_->Lookup(a, "inner", &st), 0);
  EXPECT_EQ(st.st_ino, b);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_EQ(fs_->Lookup(kRootIno, "b", &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(Stat(a).st_nlink, 3u);
  EXPECT_EQ(Stat(kRootIno).st_nlink, 3u);
  // An empty directory may be replaced by a directory.
  uint64_t c = Make(kRootIno, "c", S_IFDIR | 0755);
  ASSERT_EQ(fs_->Rename(a, "inner", kRootIno, "c", 0), 0);
  EXPECT_EQ(Stat(a).st_nlink, 2u);
  // The replaced directory lasts, unlinked, until the kernel forgets it.
  ASSERT_EQ(fs_->GetAttr(c, &st), 0);
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(fs_->Mknod(caller_, c, "x", S_IFREG | 0644, 0, &st), ENOENT);
  fs_->Forget(c, 1);
  EXPECT_EQ(fs_->GetAttr(c, &st), ENOENT);
}

TEST_F(FilesystemTest, RenameWhiteoutLeavesACharacterDeviceZeroZero) {
  uint64_t f = Make(kRootIno, "f");
  Make(kRootIno, "d", S_IFDIR | 0755);
  ASSERT_EQ(fs_->Rename(kRootIno, "f", kRootIno, "g", RENAME_WHITEOUT, Caller(7, 8)), 0);
  struct stat st;
  ASSERT_EQ(fs_->Lookup(kRootIno, "g", &st), 0);
  EXPECT_EQ(st.st_ino, f);
  ASSERT_EQ(fs_->Lookup(kRootIno, "f", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, 0u);
  EXPECT_EQ(st.st_uid, 7u);
  EXPECT_EQ(st.st_gid, 8u);
  // With NOREPLACE too; never with EXCHANGE.
  EXPECT_EQ(fs_->Rename(kRootIno, "g", kRootIno, "d", RENAME_WHITEOUT | RENAME_NOREPLACE), EEXIST);
  EXPECT_EQ(fs_->Rename(kRootIno, "g", kRootIno, "d", RENAME_WHITEOUT | RENAME_EXCHANGE), EINVAL);
  ASSERT_EQ(fs_->Rename(kRootIno, "d", kRootIno, "e", RENAME_WHITEOUT | RENAME_NOREPLACE), 0);
  EXPECT_EQ(List(kRootIno), (std::vector<std::string>{".", "..", "d", "e", "f", "g"}));
  EXPECT_EQ(Stat(kRootIno).st_nlink, 3u);  // e only: d is now a device.
  ExpectFsckClean();
}

// An access ACL of owner rw, user 1234 r, group r, mask r, other none.
std::string SomeAcl() {
  std::string v;
  PutU32(&v, 2);
  for (auto [tag, perm, id] :
       std::vector<std::tuple<uint16_t, uint16_t, uint32_t>>{{PosixAcl::kUserObj, 6, UINT32_MAX},
                                                             {PosixAcl::kUser, 4, 1234},
                                                             {PosixAcl::kGroupObj, 4, UINT32_MAX},
                                                             {PosixAcl::kMask, 4, UINT32_MAX},
                                                             {PosixAcl::kOther, 0, UINT32_MAX}}) {
    PutU16(&v, tag);
    PutU16(&v, perm);
    PutU32(&v, id);
  }
  return v;
}

TEST_F(FilesystemTest, AclsSetTheModeFollowChmodAndAreInherited) {
  const std::string access(PosixAcl::kAccessName), defaults(PosixAcl::kDefaultName);
  uint64_t f = Make(kRootIno, "f", S_IFREG | 0666);
  // Off (as before the kernel agreed to enforce them): refused.
  EXPECT_EQ(fs_->SetXattr(f, access, SomeAcl(), 0), EOPNOTSUPP);
  fs_->set_posix_acls(true);
  ASSERT_EQ(fs_->SetXattr(f, access, SomeAcl(), 0), 0);
  EXPECT_EQ(Stat(f).st_mode & 0777, 0640u);
  std::string value;
  ASSERT_EQ(fs_->GetXattr(f, access, &value), 0);
  EXPECT_EQ(value, SomeAcl());
  EXPECT_EQ(fs_->SetXattr(f, access, "junk", 0), EINVAL);
  EXPECT_EQ(fs_->SetXattr(f, defaults, SomeAcl(), 0), EACCES);  // Not a directory.

  AttrChange chmod;
  chmod.set_mode = true;
  chmod.mode = 0604;
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(f, chmod, &st), 0);
  ASSERT_EQ(fs_->GetXattr(f, access, &value), 0);
  PosixAcl acl;
  ASSERT_TRUE(PosixAcl::Parse(value, &acl));
  EXPECT_EQ(acl.ModeBits(), 0604u);

  // A directory's default ACL: new files take it masked by their mode, without the umask;
  // subdirectories take it as their default too. Elsewhere the umask applies.
  uint64_t d = Make(kRootIno, "d", S_IFDIR | 0755);
  ASSERT_EQ(fs_->SetXattr(d, defaults, SomeAcl(), 0), 0);
  Caller masked = caller_;
  masked.umask = 077;
  ASSERT_EQ(fs_->Mknod(masked, d, "new", S_IFREG | 0666, 0, &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(fs_->GetXattr(st.st_ino, access, &value), 0);
  EXPECT_EQ(fs_->GetXattr(st.st_ino, defaults, &value), ENODATA);
  ASSERT_EQ(fs_->Mkdir(masked, d, "sub", S_IFDIR | 0777, &st), 0);
  ASSERT_EQ(fs_->GetXattr(st.st_ino, defaults, &value), 0);
  EXPECT_EQ(value, SomeAcl());
  ASSERT_EQ(fs_->Mknod(masked, kRootIno, "plain", S_IFREG | 0666, 0, &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(fs_->GetXattr(st.st_ino, access, &value), ENODATA);

  // An ACL the mode says all of is not kept.
  std::string minimal;
  PutU32(&minimal, 2);
  for (auto [tag, perm] : {std::pair<uint16_t, uint16_t>{PosixAcl::kUserObj, 7},
                           {PosixAcl::kGroupObj, 5},
                           {PosixAcl::kOther, 1}}) {
    PutU16(&minimal, tag);
    PutU16(&minimal, perm);
    PutU32(&minimal, UINT32_MAX);
  }
  ASSERT_EQ(fs_->SetXattr(f, access, minimal, 0), 0);
  EXPECT_EQ(Stat(f).st_mode & 0777, 0751u);
  EXPECT_EQ(fs_->GetXattr(f, access, &value), ENODATA);
}

TEST_F(FilesystemTest, RemovedDirectoryLastsUntilForgotten) {
  uint64_t d = Make(kRootIno, "d", S_IFDIR | 0750);
  ASSERT_EQ(fs_->Rmdir(kRootIno, "d"), 0);
  struct stat st;
  ASSERT_EQ(fs_->GetAttr(d, &st), 0);
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(fs_->Mkdir(caller_, d, "sub", S_IFDIR | 0755, &st), ENOENT);
  EXPECT_EQ(fs_->Link(Make(kRootIno, "f"), d, "l", &st), ENOENT);
  EXPECT_EQ(fs_->Rename(kRootIno, "f", d, "f", 0), ENOENT);
  EXPECT_EQ(Stat(kRootIno).st_nlink, 2u);
  fs_->Forget(d, 1);
  EXPECT_EQ(fs_->GetAttr(d, &st), ENOENT);
  ExpectFsckClean();
}

// The kernel turns a file handle into an inode by looking up "." (and a directory's parent by
// "..") once it no longer caches it.
TEST_F(FilesystemTest, LookupByNumberForFileHandles) {
  uint64_t d = Make(kRootIno, "d", S_IFDIR | 0755);
  uint64_t f = Make(d, "f");
  struct stat st;
  ASSERT_EQ(fs_->Lookup(f, ".", &st), 0);
  EXPECT_EQ(st.st_ino, f);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  ASSERT_EQ(fs_->Lookup(d, "..", &st), 0);
  EXPECT_EQ(st.st_ino, kRootIno);
  ASSERT_EQ(fs_->Lookup(kRootIno, "..", &st), 0);
  EXPECT_EQ(st.st_ino, kRootIno);
  EXPECT_EQ(fs_->Lookup(f, "..", &st), ENOTDIR);
  ASSERT_EQ(fs_->Unlink(d, "f"), 0);
  fs_->Forget(f, 3);
  EXPECT_EQ(fs_->Lookup(f, ".", &st), ENOENT);
}

// As on Linux: a new mode keeps set-group-ID only for someone in the file's group or
// privileged (the kernel sends such a mode change when an outsider writes a set-ID file).
TEST_F(FilesystemTest, ModeChangeByAnOutsiderDropsSetgid) {
  uint64_t f = Make(kRootIno, "f");
  AttrChange change;
  change.set_mode = true;
  change.mode = 02666;
  change.caller = Caller(2000, 2000);  // Not in the file's group (caller_'s).
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(f, change, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  change.caller.groups = {caller_.gid};
  ASSERT_EQ(fs_->SetAttr(f, change, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 02666u);
  change.caller = Caller(2000, 2000);
  change.caller.cap_fsetid = true;
  ASSERT_EQ(fs_->SetAttr(f, change, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 02666u);
  change.caller = Caller();  // Root.
  ASSERT_EQ(fs_->SetAttr(f, change, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 02666u);
  // The kernel's empty request before a write: set-user-ID goes for anyone unprivileged,
  // set-group-ID for those outside the group.
  change.mode = 06666;
  ASSERT_EQ(fs_->SetAttr(f, change, &st), 0);
  AttrChange before_write;
  before_write.drop_set_ids = true;
  before_write.caller = Caller(2000, 2000, {caller_.gid});
  ASSERT_EQ(fs_->SetAttr(f, before_write, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 02666u);
  before_write.caller = Caller(2000, 2000);
  ASSERT_EQ(fs_->SetAttr(f, before_write, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
}

// Every operation that takes a name refuses the same names: a '/' would make an entry that no
// path can reach.
TEST_F(FilesystemTest, EveryOperationRefusesTheSameNames) {
  uint64_t dir = Make(kRootIno, "dir", S_IFDIR | 0755);
  Make(kRootIno, "f");
  struct stat st;
  const std::string long_name(Filesystem::kNameMax + 1, 'n');
  for (const std::string& bad :
       {std::string(), std::string("."), std::string(".."), std::string("x/y"), long_name}) {
    const int want = bad.size() > Filesystem::kNameMax ? ENAMETOOLONG : EINVAL;
    SCOPED_TRACE("name '" + bad + "'");
    EXPECT_EQ(fs_->Mkdir(caller_, kRootIno, bad, S_IFDIR | 0755, &st), want);
    EXPECT_EQ(fs_->Link(Make(dir, "l" + std::to_string(bad.size())), kRootIno, bad, &st), want);
    EXPECT_EQ(fs_->Rename(kRootIno, "f", kRootIno, bad, 0), want);
    EXPECT_EQ(fs_->Rename(kRootIno, bad, kRootIno, "g", 0), want);
    EXPECT_EQ(fs_->Unlink(kRootIno, bad), bad == ".." || bad == "." ? EINVAL : want);
    if (bad != "." && bad != "..") {
      EXPECT_EQ(fs_->Rmdir(kRootIno, bad), want);
    }
    if (bad == "." || bad == "..") {
      EXPECT_EQ(fs_->Lookup(kRootIno, bad, &st), 0);  // By number, for file handles.
      EXPECT_EQ(st.st_ino, kRootIno);
    } else {
      EXPECT_EQ(fs_->Lookup(kRootIno, bad, &st), want);
    }
  }
  EXPECT_EQ(fs_->Rmdir(kRootIno, "."), EINVAL);
  EXPECT_EQ(fs_->Rmdir(kRootIno, ".."), ENOTEMPTY);
  EXPECT_EQ(List(kRootIno), (std::vector<std::string>{".", "..", "dir", "f"}));
}

// A directory at the link limit takes no more subdirectories, whether made or moved there.
TEST_F(FilesystemTest, LinkLimitHoldsForMkdirAndRename) {
  uint64_t full = Make(kRootIno, "full", S_IFDIR | 0755);
  Make(kRootIno, "sub", S_IFDIR | 0755);
  Make(kRootIno, "file");
  // Setting the count stands in for 64,998 subdirectories.
  {
    std::unique_ptr<KvTxn> txn = store_->Begin(true);
    std::string value;
    ASSERT_OK(txn->Get(InodeKey(full), &value));
    Inode inode;
    ASSERT_TRUE(DecodeInode(value, &inode));
    inode.nlink = Filesystem::kLinkMax;
    ASSERT_OK(txn->Set(InodeKey(full), EncodeInode(inode)));
    ASSERT_OK(txn->Commit(false));
  }
  struct stat st;
  EXPECT_EQ(fs_->Mkdir(caller_, full, "d", S_IFDIR | 0755, &st), EMLINK);
  EXPECT_EQ(fs_->Rename(kRootIno, "sub", full, "d", 0), EMLINK);
  Make(full, "plain");
  EXPECT_EQ(fs_->Rename(kRootIno, "sub", full, "plain", RENAME_EXCHANGE), EMLINK);
  EXPECT_EQ(List(full), (std::vector<std::string>{".", "..", "plain"}));
  EXPECT_EQ(Stat(full).st_nlink, Filesystem::kLinkMax);
  EXPECT_EQ(fs_->Rename(kRootIno, "file", full, "file", 0), 0);  // Files still move in.
}

TEST_F(FilesystemTest, UnlinkedWhileOpenStaysUntilLastClose) {
  uint64_t f = Make(kRootIno, "f");  // Make counted a lookup, as the kernel would hold.
  ASSERT_EQ(fs_->Open(f, O_RDWR), 0);
  ASSERT_EQ(fs_->Write(f, 0, "still here"), 0);
  ASSERT_EQ(fs_->Unlink(kRootIno, "f"), 0);
  EXPECT_EQ(ReadAll(f), "still here");
  ASSERT_EQ(fs_->Write(f, 10, "!"), 0);
  EXPECT_EQ(Stat(f).st_nlink, 0u);
  std::string value;
  ASSERT_OK(RawGet(OrphanKey(f), &value));
  fs_->Release(f);
  EXPECT_EQ(Stat(f).st_size, 11);  // The kernel still holds a lookup.
  fs_->Forget(f, 1);
  struct stat st;
  EXPECT_EQ(fs_->GetAttr(f, &st), ENOENT);
  EXPECT_TRUE(RawGet(OrphanKey(f), &value).IsNotFound());
  EXPECT_TRUE(RawGet(BlockKey(f, 0), &value).IsNotFound());
}

TEST_F(FilesystemTest, OrphansLeftByACrashAreReclaimedAtMount) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Write(f, 0, std::string(100000, 'd')), 0);
  ASSERT_EQ(fs_->Unlink(kRootIno, "f"), 0);  // Still looked up: an orphan.
  std::string value;
  ASSERT_OK(RawGet(OrphanKey(f), &value));
  fs_.reset();  // "Crash": the kernel's references are gone.
  std::string error;
  ASSERT_EQ(
      Filesystem::Mount(store_.get(), sett::StderrLogger(sett::LogLevel::kError), &fs_, &error), 0);
  struct stat st;
  EXPECT_EQ(fs_->GetAttr(f, &st), ENOENT);
  EXPECT_TRUE(RawGet(OrphanKey(f), &value).IsNotFound());
}

TEST_F(FilesystemTest, OrphansAreReclaimedWhenTheKernelLetsGoOfEverything) {
  uint64_t f = Make(kRootIno, "f");
  ASSERT_EQ(fs_->Open(f, O_RDWR), 0);
  ASSERT_EQ(fs_->Write(f, 0, std::string(10000, 'd')), 0);
  ASSERT_EQ(fs_->Unlink(kRootIno, "f"), 0);
  uint64_t kept = Make(kRootIno, "kept");
  ASSERT_EQ(fs_->ReleaseAll(), 0);  // Unmount: no forget or release comes for f.
  struct stat st;
  EXPECT_EQ(fs_->GetAttr(f, &st), ENOENT);
  std::string value;
  EXPECT_TRUE(RawGet(OrphanKey(f), &value).IsNotFound());
  EXPECT_TRUE(RawGet(BlockKey(f, 0), &value).IsNotFound());
  EXPECT_EQ(fs_->GetAttr(kept, &st), 0);
}

// A store whose disk has as much free space as the test says.
class TightStore : public SettKvStore {
 public:
  using SettKvStore::SettKvStore;
  uint64_t FreeBytes() override { return free; }
  uint64_t free = UINT64_MAX;
};

TEST(FilesystemSpaceTest, BelowTheReserveOnlyRemovalsWork) {
  sett::Options options;
  options.in_memory = true;
  options.logger = sett::StderrLogger(sett::LogLevel::kError);
  std::unique_ptr<sett::DB> db;
  ASSERT_OK(sett::DB::Open(options, &db));
  TightStore store(db.get());
  Superblock sb;
  sb.uuid = std::string(16, 'u');
  ASSERT_EQ(Filesystem::Format(&store, sb, Caller(0, 0), options.logger), 0);
  std::unique_ptr<Filesystem> fs;
  std::string error;
  ASSERT_EQ(Filesystem::Mount(&store, options.logger, &fs, &error), 0) << error;
  fs->set_space_reserve(64 << 20);
  store.free = 100 << 20;
  struct stat st;
  ASSERT_EQ(fs->Mknod(Caller(0, 0), kRootIno, "f", S_IFREG | 0644, 0, &st), 0);
  uint64_t f = st.st_ino;
  ASSERT_EQ(fs->Write(f, 0, std::string(1 << 20, 'x')), 0);
  EXPECT_EQ(fs->Write(f, 0, std::string(40 << 20, 'x')), ENOSPC);  // Would eat the reserve.
  struct statvfs vfs;
  ASSERT_EQ(fs->StatFs(&vfs), 0);
  EXPECT_EQ(vfs.f_bavail * vfs.f_frsize, uint64_t{36} << 20);
  store.free = 10 << 20;
  EXPECT_EQ(fs->Write(f, 0, "x"), ENOSPC);
  EXPECT_EQ(fs->Mknod(Caller(0, 0), kRootIno, "g", S_IFREG | 0644, 0, &st), ENOSPC);
  EXPECT_EQ(fs->Mkdir(Caller(0, 0), kRootIno, "d", 0755, &st), ENOSPC);
  EXPECT_EQ(fs->Link(f, kRootIno, "h", &st), ENOSPC);
  EXPECT_EQ(fs->SetXattr(f, "user.a", "1", 0), ENOSPC);
  ASSERT_EQ(fs->StatFs(&vfs), 0);
  EXPECT_EQ(vfs.f_bavail, 0u);
  EXPECT_EQ(fs->Rename(kRootIno, "f", kRootIno, "renamed", 0), 0);
  EXPECT_EQ(fs->Unlink(kRootIno, "renamed"), 0);
  fs->Forget(f, 1);
  EXPECT_EQ(fs->GetAttr(f, &st), ENOENT);
}

// A store whose commits lose to an imagined other writer while `losing` is set.
class ContendedStore : public SettKvStore {
 public:
  using SettKvStore::SettKvStore;
  std::unique_ptr<KvTxn> Begin(bool update) override {
    return std::make_unique<Txn>(SettKvStore::Begin(update), this);
  }
  std::atomic<bool> losing{false};
  std::atomic<int> lost{0};

 private:
  class Txn : public KvTxn {
   public:
    Txn(std::unique_ptr<KvTxn> txn, ContendedStore* store) : txn_(std::move(txn)), store_(store) {}
    Status Get(std::string_view key, std::string* value) override { return txn_->Get(key, value); }
    Status Set(std::string_view key, std::string_view value) override {
      return txn_->Set(key, value);
    }
    Status Delete(std::string_view key) override { return txn_->Delete(key); }
    Status Scan(std::string_view prefix, std::string_view start, bool keys_only,
                const std::function<bool(std::string_view, std::string_view)>& fn) override {
      return txn_->Scan(prefix, start, keys_only, fn);
    }
    Status ScanBackward(std::string_view prefix, std::string_view start,
                        const std::function<bool(std::string_view)>& fn) override {
      return txn_->ScanBackward(prefix, start, fn);
    }
    Status Commit(bool sync) override {
      if (!store_->losing) return txn_->Commit(sync);
      store_->lost++;
      return Status::Conflict("another writer won");
    }

   private:
    std::unique_ptr<KvTxn> txn_;
    ContendedStore* store_;
  };
};

class CapturingLogger : public sett::Logger {
 public:
  void Log(sett::LogLevel, const std::string& message) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(message);
  }
  std::string All() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string all;
    for (const std::string& line : lines_) all += line + "\n";
    return all;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// An operation that never wins its commit gives up after the conflict timeout with EAGAIN and
// says so in the log, having retried meanwhile; nothing of it is left behind.
TEST(FilesystemConflictTest, EndlessConflictsEndInEagainAfterTheTimeout) {
  sett::Options options;
  options.in_memory = true;
  options.logger = sett::StderrLogger(sett::LogLevel::kError);
  std::unique_ptr<sett::DB> db;
  ASSERT_OK(sett::DB::Open(options, &db));
  ContendedStore store(db.get());
  CapturingLogger log;
  Superblock sb;
  sb.uuid = std::string(16, 'u');
  ASSERT_EQ(Filesystem::Format(&store, sb, Caller(0, 0), &log), 0);
  std::unique_ptr<Filesystem> fs;
  std::string error;
  ASSERT_EQ(Filesystem::Mount(&store, &log, &fs, &error), 0) << error;
  fs->set_conflict_timeout(std::chrono::milliseconds(300));
  struct stat st;
  ASSERT_EQ(fs->Mknod(Caller(0, 0), kRootIno, "f", S_IFREG | 0644, 0, &st), 0);
  store.losing = true;
  EXPECT_EQ(fs->Write(st.st_ino, 0, "data"), EAGAIN);
  EXPECT_EQ(fs->Mkdir(Caller(0, 0), kRootIno, "d", S_IFDIR | 0755, &st), EAGAIN);
  EXPECT_GT(store.lost.load(), 4);  // It retried before it gave up.
  EXPECT_NE(log.All().find("gave up with EAGAIN"), std::string::npos) << log.All();
  store.losing = false;
  EXPECT_EQ(fs->Lookup(kRootIno, "d", &st), ENOENT);
  ASSERT_EQ(fs->Lookup(kRootIno, "f", &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(fs->Mkdir(Caller(0, 0), kRootIno, "d", S_IFDIR | 0755, &st), 0);
}

TEST_F(FilesystemTest, AccessFollowsOwnerGroupAndOther) {
  uint64_t f = Make(kRootIno, "f", S_IFREG | 0640);
  AttrChange owner;
  owner.set_uid = owner.set_gid = true;
  owner.uid = 1000;
  owner.gid = 100;
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(f, owner, &st), 0);
  EXPECT_EQ(fs_->Access(Caller{1000, 1000}, f, R_OK | W_OK), 0);
  EXPECT_EQ(fs_->Access(Caller{1000, 1000}, f, X_OK), EACCES);
  EXPECT_EQ(fs_->Access(Caller{2000, 100}, f, R_OK), 0);
  EXPECT_EQ(fs_->Access(Caller{2000, 100}, f, W_OK), EACCES);
  EXPECT_EQ(fs_->Access(Caller{2000, 2000, {7, 100}}, f, R_OK), 0);
  EXPECT_EQ(fs_->Access(Caller{3000, 3000}, f, R_OK), EACCES);
  EXPECT_EQ(fs_->Access(Caller{3000, 3000}, f, F_OK), 0);
  EXPECT_EQ(fs_->Access(Caller{0, 0}, f, R_OK | W_OK), 0);
  EXPECT_EQ(fs_->Access(Caller{0, 0}, f, X_OK), EACCES);  // Nobody may execute it.
  AttrChange exec;
  exec.set_mode = true;
  exec.mode = 0740;
  ASSERT_EQ(fs_->SetAttr(f, exec, &st), 0);
  EXPECT_EQ(fs_->Access(Caller{0, 0}, f, X_OK), 0);
  EXPECT_EQ(fs_->Access(Caller{0, 0}, 999999, F_OK), ENOENT);
}

TEST_F(FilesystemTest, ListingIsOneSnapshotAndPagesOn) {
  for (int i = 0; i < 300; i++) Make(kRootIno, "n" + std::to_string(1000 + i));
  uint64_t h;
  ASSERT_EQ(fs_->OpenDir(kRootIno, &h), 0);
  std::vector<std::string> names;
  uint64_t offset = 0;
  while (true) {
    int taken = 0;
    uint64_t next = offset;
    ASSERT_EQ(fs_->ReadDir(h, offset, false,
                           [&](std::string_view name, const struct stat&, uint64_t n) {
                             if (taken == 17) return false;  // A small buffer.
                             names.emplace_back(name);
                             next = n;
                             taken++;
                             return true;
                           }),
              0);
    if (taken == 0) break;
    offset = next;
    // Changes while listing do not show.
    if (names.size() == 100) {
      Make(kRootIno, "a-new-one");
      ASSERT_EQ(fs_->Unlink(kRootIno, "n1250"), 0);
    }
  }
  fs_->ReleaseDir(h);
  EXPECT_EQ(names.size(), 302u);
  EXPECT_EQ(names[2], "n1000");
  EXPECT_EQ(names.back(), "n1299");
  // Offsets can be revisited (seekdir): offset 10 is after the 10th name.
  ASSERT_EQ(fs_->OpenDir(kRootIno, &h), 0);
  std::string at;
  fs_->ReadDir(h, 10, false, [&](std::string_view name, const struct stat&, uint64_t) {
    at = name;
    return false;
  });
  EXPECT_EQ(at, "n1008");
  fs_->ReleaseDir(h);
}

TEST_F(FilesystemTest, ExtendedAttributes) {
  uint64_t f = Make(kRootIno, "f");
  EXPECT_EQ(fs_->SetXattr(f, "user.a", "1", XATTR_REPLACE), ENODATA);
  EXPECT_EQ(fs_->SetXattr(f, "user.a", "1", XATTR_CREATE), 0);
  EXPECT_EQ(fs_->SetXattr(f, "user.a", "2", XATTR_CREATE), EEXIST);
  EXPECT_EQ(fs_->SetXattr(f, "user.a", "3", XATTR_REPLACE), 0);
  EXPECT_EQ(fs_->SetXattr(f, "user.b", std::string(70000, 'v'), 0), E2BIG);
  EXPECT_EQ(fs_->SetXattr(f, std::string(256, 'x'), "v", 0), ERANGE);
  std::string value;
  EXPECT_EQ(fs_->GetXattr(f, "user.a", &value), 0);
  EXPECT_EQ(value, "3");
  EXPECT_EQ(fs_->GetXattr(f, "user.none", &value), ENODATA);
  fs_->SetXattr(f, "user.b", "", 0);
  std::string names;
  EXPECT_EQ(fs_->ListXattr(f, &names), 0);
  EXPECT_EQ(names, std::string("user.a\0user.b\0", 14));
  EXPECT_EQ(fs_->RemoveXattr(f, "user.a"), 0);
  EXPECT_EQ(fs_->RemoveXattr(f, "user.a"), ENODATA);
}

TEST_F(FilesystemTest, SetgidDirectoriesAndAttributes) {
  uint64_t d = Make(kRootIno, "shared", S_IFDIR | 02775);
  AttrChange group;
  group.set_gid = true;
  group.gid = 500;
  struct stat st;
  ASSERT_EQ(fs_->SetAttr(d, group, &st), 0);
  uint64_t f = Make(d, "f");
  uint64_t sub = Make(d, "sub", S_IFDIR | 0755);
  EXPECT_EQ(Stat(f).st_gid, 500u);
  EXPECT_EQ(Stat(sub).st_gid, 500u);
  EXPECT_TRUE(Stat(sub).st_mode & S_ISGID);
  AttrChange times;
  times.set_mtime = true;
  times.mtime = Timestamp{1234567890, 5};
  ASSERT_EQ(fs_->SetAttr(d, times, &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);
  EXPECT_EQ(Stat(d).st_mtim.tv_nsec, 5);
  AttrChange mode;
  mode.set_mode = true;
  mode.mode = 0600;
  ASSERT_EQ(fs_->SetAttr(f, mode, &st), 0);
  EXPECT_EQ(st.st_mode, S_IFREG | 0600u);
}

TEST_F(FilesystemTest, ConcurrentCreatesAndRenamesLoseNothing) {
  uint64_t a = Make(kRootIno, "a", S_IFDIR | 0755);
  uint64_t b = Make(kRootIno, "b", S_IFDIR | 0755);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; i++) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        struct stat st;
        ASSERT_EQ(fs_->Mknod(caller_, a, name, S_IFREG | 0644, 0, &st), 0);
        if (i % 2 == 0) {
          ASSERT_EQ(fs_->Rename(a, name, b, name, 0), 0);
        }
        if (i % 5 == 0) {
          ASSERT_EQ(fs_->Unlink(i % 2 == 0 ? b : a, name), 0);
        }
        if (i % 10 == 3) {
          ASSERT_EQ(fs_->Mkdir(caller_, a, name + "d", 0755, &st), 0);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  // Per thread: 50 renamed to b (10 of them then removed), 50 stay in a (10 removed), 10 dirs.
  EXPECT_EQ(List(a).size(), 2u + 8 * (40 + 10));
  EXPECT_EQ(List(b).size(), 2u + 8 * 40);
  EXPECT_EQ(Stat(a).st_nlink, 2u + 8 * 10);
}

}  // namespace
}  // namespace settfs
