// Filesystem: extended attributes (key X ino name), and POSIX ACLs among them.
//
// In the system namespace only the two ACL names are taken, and only while ACLs are on (the
// kernel then enforces them): without that, settfs would keep ACLs as opaque bytes that
// programs (cp -a, tar) take for applied ones, skipping the mode.

#include <sys/xattr.h>

#include <cerrno>

#include "core/acl.h"
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

bool Filesystem::RefusesName(std::string_view name) const {
  return IsSystemName(name) && !(posix_acls_ && PosixAcl::IsAclName(name));
}

int Filesystem::SetXattr(uint64_t ino, std::string_view name, std::string_view value, int flags) {
  int err = CheckXattrName(name);
  if (err != 0) return err;
  if (value.size() > kXattrSizeMax) return E2BIG;
  if (RefusesName(name)) return EOPNOTSUPP;
  const bool acl = IsSystemName(name);  // The only system names taken are the ACLs'.
  PosixAcl parsed;
  if (acl && !PosixAcl::Parse(value, &parsed)) return EINVAL;
  err = CheckSpace(value.size());
  if (err != 0) return err;
  return Run(true, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e == 0) e = RefuseIfLocked(inode, /*appending=*/false);
    if (e == 0)
      e = acl ? StoreAcl(txn, name, parsed, &inode) : StoreXattr(txn, ino, name, value, flags);
    if (e != 0) return e;
    inode.ctime = Now();
    return StoreInode(txn, inode);
  });
}

int Filesystem::StoreXattr(KvTxn* txn, uint64_t ino, std::string_view name, std::string_view value,
                           int flags) const {
  std::string existing;
  Status s = txn->Get(XattrKey(ino, name), &existing);
  if (!s.ok() && !s.IsNotFound()) return Fail(s, "reading an attribute");
  if ((flags & XATTR_CREATE) && s.ok()) return EEXIST;
  if ((flags & XATTR_REPLACE) && s.IsNotFound()) return ENODATA;
  s = txn->Set(XattrKey(ino, name), value);
  return s.ok() ? 0 : Fail(s, "writing an attribute of inode " + std::to_string(ino));
}

int Filesystem::GetXattr(uint64_t ino, std::string_view name, std::string* value) {
  int err = CheckXattrName(name);
  if (err != 0) return err;
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (RefusesName(name)) return ENODATA;
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
      std::string_view name = KeyName(key);
      if (RefusesName(name)) return true;  // ACLs kept from a mount with them.
      names->append(name);
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
    if (RefusesName(name)) return ENODATA;
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

int Filesystem::StoreAcl(KvTxn* txn, std::string_view name, const PosixAcl& acl,
                         Inode* inode) const {
  const std::string key = XattrKey(inode->ino, name);
  Status s;
  if (name == PosixAcl::kAccessName) {
    // The mode shows the ACL's owner, mask and other bits; an ACL the mode says all of is not
    // kept, as elsewhere on Linux.
    inode->mode = (inode->mode & ~0777u) | acl.ModeBits();
    s = acl.IsMinimal() ? txn->Delete(key) : txn->Set(key, acl.Encode());
  } else {
    if (!inode->is_dir()) return EACCES;  // Only directories have defaults.
    s = txn->Set(key, acl.Encode());
  }
  return s.ok() ? 0 : Fail(s, "writing an ACL of inode " + std::to_string(inode->ino));
}

int Filesystem::ChmodAcl(KvTxn* txn, const Inode& inode) const {
  if (!posix_acls_) return 0;
  const std::string key = XattrKey(inode.ino, PosixAcl::kAccessName);
  std::string value;
  Status s = txn->Get(key, &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return Fail(s, "reading the ACL of inode " + std::to_string(inode.ino));
  PosixAcl acl;
  if (!PosixAcl::Parse(value, &acl)) {
    return Fail(
        Status::Corruption("the ACL of inode " + std::to_string(inode.ino) + " is malformed"),
        "changing a mode");
  }
  acl.Chmod(inode.mode);
  s = txn->Set(key, acl.Encode());
  return s.ok() ? 0 : Fail(s, "writing the ACL of inode " + std::to_string(inode.ino));
}

int Filesystem::InheritAcl(KvTxn* txn, const Caller& caller, const Inode& dir, Inode* child) const {
  if (child->is_symlink()) return 0;  // Links have neither ACLs nor a mode that counts.
  std::string value;
  PosixAcl inherited;
  bool inherits = false;
  if (posix_acls_) {
    Status s = txn->Get(XattrKey(dir.ino, PosixAcl::kDefaultName), &value);
    if (!s.ok() && !s.IsNotFound()) {
      return Fail(s, "reading the default ACL of directory " + std::to_string(dir.ino));
    }
    inherits = s.ok() && PosixAcl::Parse(value, &inherited);  // A damaged one grants nothing.
  }
  if (!inherits) {
    child->mode &= ~(caller.umask & 0777);  // No default ACL: the umask decides.
    return 0;
  }
  PosixAcl access = inherited.ForNewFile(&child->mode);
  Status s;
  if (!access.IsMinimal())
    s = txn->Set(XattrKey(child->ino, PosixAcl::kAccessName), access.Encode());
  if (s.ok() && child->is_dir()) s = txn->Set(XattrKey(child->ino, PosixAcl::kDefaultName), value);
  return s.ok() ? 0 : Fail(s, "writing the ACLs of new inode " + std::to_string(child->ino));
}

}  // namespace settfs
