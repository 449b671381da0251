// Filesystem: the attributes chattr(1) sets (FS_IOC_GETFLAGS / FS_IOC_SETFLAGS). settfs keeps
// immutable, append-only, no-dump and no-atime in the inode's flags, and enforces the first two
// itself, for root as well: the kernel does not know them for a FUSE inode.

#include <linux/fs.h>

#include <cerrno>

#include "core/filesystem.h"

namespace settfs {
namespace {

constexpr uint32_t kKeptFlags = FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL;

}  // namespace

int Filesystem::RefuseIfLocked(const Inode& inode, bool appending) {
  if (inode.flags & FS_IMMUTABLE_FL) return EPERM;
  if ((inode.flags & FS_APPEND_FL) && !appending) return EPERM;
  return 0;
}

int Filesystem::RefuseToRemove(const Inode& dir, const Inode& child) {
  int e = RefuseIfLocked(dir, /*appending=*/false);
  return e != 0 ? e : RefuseIfLocked(child, /*appending=*/false);
}

int Filesystem::GetFlags(uint64_t ino, uint32_t* flags) {
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e == 0) *flags = inode.flags & kKeptFlags;
    return e;
  });
}

int Filesystem::SetFlags(uint64_t ino, uint32_t flags) {
  if ((flags & ~kKeptFlags) != 0) return EOPNOTSUPP;
  return Run(true, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (!inode.is_reg() && !inode.is_dir()) return ENOTTY;
    if (inode.flags == flags) return 0;
    inode.flags = flags;
    inode.ctime = Now();
    return StoreInode(txn, inode);
  });
}

}  // namespace settfs
