// Filesystem: extended attributes (key X ino name).
//
// Names in the system namespace are refused: the kernel would hand settfs POSIX ACLs there to
// keep as opaque bytes, which programs (cp -a, tar) would then take as applied ACLs and skip
// setting the mode.

#include <sys/xattr.h>

#include <cerrno>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {
namespace {

int CheckXattrName(std::string_view name) {
  if (name.empty() || name.size() > Filesystem::kXattrNameMax) return ERANGE;
  return 0;
}

bool IsSystemName(std::string_view name) { return name.substr(0, 7) == "system."; }

}  // namespace

int Filesystem::SetXattr(uint64_t ino, std::string_view name, std::string_view value, int flags) {
  int err = CheckXattrName(name);
  if (err != 0) return err;
  if (IsSystemName(name)) return EOPNOTSUPP;
  if (value.size() > kXattrSizeMax) return E2BIG;
  err = CheckSpace(value.size());
  if (err != 0) return err;
  return Run(true, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e == 0) e = RefuseIfLocked(inode, /*appending=*/false);
    if (e != 0) return e;
    std::string existing;
    Status s = txn->Get(XattrKey(ino, name), &existing);
    if (!s.ok() && !s.IsNotFound()) return Fail(s, "reading an attribute");
    if ((flags & XATTR_CREATE) && s.ok()) return EEXIST;
    if ((flags & XATTR_REPLACE) && s.IsNotFound()) return ENODATA;
    s = txn->Set(XattrKey(ino, name), value);
    if (!s.ok()) return Fail(s, "writing an attribute of inode " + std::to_string(ino));
    inode.ctime = Now();
    return StoreInode(txn, inode);
  });
}

int Filesystem::GetXattr(uint64_t ino, std::string_view name, std::string* value) {
  int err = CheckXattrName(name);
  if (err != 0) return err;
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (IsSystemName(name)) return ENODATA;
    Status s = txn->Get(XattrKey(ino, name), value);
    if (s.IsNotFound()) return ENODATA;
    return s.ok() ? 0 : Fail(s, "reading an attribute of inode " + std::to_string(ino));
  });
}

int Filesystem::ListXattr(uint64_t ino, std::string* names) {
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    names->clear();
    Status s = txn->Scan(XattrPrefix(ino), "", true, [&](std::string_view key, std::string_view) {
      names->append(KeyName(key));
      names->push_back('\0');
      return true;
    });
    return s.ok() ? 0 : Fail(s, "listing the attributes of inode " + std::to_string(ino));
  });
}

int Filesystem::RemoveXattr(uint64_t ino, std::string_view name) {
  int err = CheckXattrName(name);
  if (err != 0) return err;
  return Run(true, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (IsSystemName(name)) return ENODATA;
    e = RefuseIfLocked(inode, /*appending=*/false);
    if (e != 0) return e;
    std::string existing;
    Status s = txn->Get(XattrKey(ino, name), &existing);
    if (s.IsNotFound()) return ENODATA;
    if (s.ok()) s = txn->Delete(XattrKey(ino, name));
    if (!s.ok()) return Fail(s, "removing an attribute of inode " + std::to_string(ino));
    inode.ctime = Now();
    return StoreInode(txn, inode);
  });
}

}  // namespace settfs
