// Filesystem: looking names up, attributes, and creating, linking and removing entries.

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {

bool Caller::InGroup(uint32_t group) const {
  return gid == group || std::find(groups.begin(), groups.end(), group) != groups.end();
}

int Filesystem::CheckName(std::string_view name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
    return EINVAL;
  }
  return name.size() > kNameMax ? ENAMETOOLONG : 0;
}

int Filesystem::AddSubdir(Inode* dir) {
  if (dir->nlink >= kLinkMax) return EMLINK;
  dir->nlink++;
  return 0;
}

void Filesystem::DropSubdir(Inode* dir) { dir->nlink = dir->nlink > 2 ? dir->nlink - 1 : 2; }

int Filesystem::Lookup(uint64_t parent, std::string_view name, struct stat* st) {
  const bool self = name == ".", up = name == "..";
  if (!self && !up) {
    if (int err = CheckName(name); err != 0) return err;
  }
  int err = Run(false, [&](KvTxn* txn) {
    Inode dir, child;
    int e;
    if (self) {
      e = LoadInode(txn, parent, &child);
    } else if (up) {
      e = LoadDir(txn, parent, &dir);
      if (e == 0) e = LoadInode(txn, dir.parent != 0 ? dir.parent : kRootIno, &child);
    } else {
      e = LoadChild(txn, parent, name, &dir, &child);
    }
    return e != 0 ? e : Stat(txn, child, st);
  });
  if (err == 0) AddLookup(st->st_ino);
  return err;
}

int Filesystem::GetAttr(uint64_t ino, struct stat* st) {
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    return e != 0 ? e : Stat(txn, inode, st);
  });
}

void Filesystem::ChangeMode(const AttrChange& change, Inode* inode) {
  const Caller& by = change.caller;
  const bool privileged = by.uid == 0 || by.cap_fsetid;
  if (change.set_mode) {
    inode->mode = (inode->mode & S_IFMT) | (change.mode & 07777);
    if (!privileged && !by.InGroup(inode->gid)) inode->mode &= ~S_ISGID;
  }
  if (change.drop_set_ids && inode->is_reg() && !privileged) {
    inode->mode &= ~S_ISUID;
    if ((inode->mode & S_IXGRP) || !by.InGroup(inode->gid)) inode->mode &= ~S_ISGID;
  }
}

int Filesystem::SetAttr(uint64_t ino, const AttrChange& change, struct stat* st) {
  if (change.set_size) {
    int err = Run(false, [&](KvTxn* txn) {
      Inode inode;
      int e = LoadInode(txn, ino, &inode);
      if (e == 0 && !inode.is_reg()) e = inode.is_dir() ? EISDIR : EINVAL;
      return e != 0 ? e : RefuseIfLocked(inode, /*appending=*/false);
    });
    if (err == 0) err = Truncate(ino, change.size);
    if (err != 0) return err;
  }
  return Run(true, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (change.set_mode || change.set_uid || change.set_gid || change.set_atime ||
        change.set_mtime) {
      e = RefuseIfLocked(inode, /*appending=*/false);
      if (e != 0) return e;
    }
    Timestamp now = Now();
    if (change.set_uid) inode.uid = change.uid;
    if (change.set_gid) inode.gid = change.gid;
    ChangeMode(change, &inode);
    if (change.set_mode) {
      e = ChmodAcl(txn, inode);
      if (e != 0) return e;
    }
    if (change.set_atime) inode.atime = change.atime_now ? now : change.atime;
    if (change.set_mtime) inode.mtime = change.mtime_now ? now : change.mtime;
    inode.ctime = change.set_ctime ? change.ctime : now;
    if (change.set_size) inode.mtime = change.set_mtime ? inode.mtime : now;
    if (inode.is_dir()) {
      // A directory's mtime and ctime live in its times key.
      DirTimes times{inode.ctime, inode.ctime};
      std::string value;
      Status s = txn->Get(TimesKey(ino), &value);
      if (s.ok()) DecodeDirTimes(value, &times);
      if (change.set_mtime) times.mtime = inode.mtime;
      times.ctime = inode.ctime;
      s = txn->Set(TimesKey(ino), EncodeDirTimes(times));
      if (!s.ok()) return Fail(s, "writing the times of directory " + std::to_string(ino));
    }
    e = StoreInode(txn, inode);
    return e != 0 ? e : Stat(txn, inode, st);
  });
}

int Filesystem::NewInode(const Caller& caller, const Inode& parent, uint32_t mode, Inode* inode) {
  Timestamp now = Now();
  inode->mode = mode;
  inode->uid = caller.uid;
  // A set-group-ID directory hands its group down, and its flag to subdirectories.
  inode->gid = (parent.mode & S_ISGID) ? parent.gid : caller.gid;
  if (S_ISDIR(mode) && (parent.mode & S_ISGID)) inode->mode |= S_ISGID;
  inode->nlink = S_ISDIR(mode) ? 2 : 1;
  inode->atime = inode->mtime = inode->ctime = now;
  inode->parent = S_ISDIR(mode) ? parent.ino : 0;
  return 0;
}

int Filesystem::NewInodeNumber(uint64_t* ino) {
  *ino = 0;
  while (*ino <= kRootIno) {
    Status s = store_->NextId(ino);
    if (!s.ok()) return Fail(s, "allocating an inode number");
  }
  return 0;
}

int Filesystem::CreateEntry(const Caller& caller, uint64_t parent, std::string_view name,
                            uint32_t mode, uint64_t rdev, std::string_view target,
                            struct stat* st) {
  int err = CheckName(name);
  if (err == 0) err = CheckSpace(0);
  if (err != 0) return err;
  uint64_t ino = 0;
  err = NewInodeNumber(&ino);
  if (err != 0) return err;
  err = Run(true, [&](KvTxn* txn) {
    Inode dir, child;
    Dirent existing;
    int e = LoadLiveDir(txn, parent, &dir);
    if (e == 0) e = RefuseIfLocked(dir, /*appending=*/true);
    if (e != 0) return e;
    e = LoadDirent(txn, parent, name, &existing);
    if (e == 0) return EEXIST;
    if (e != ENOENT) return e;
    child.ino = ino;
    NewInode(caller, dir, mode, &child);
    e = InheritAcl(txn, caller, dir, &child);
    if (e != 0) return e;
    child.rdev = rdev;
    child.target.assign(target.data(), target.size());
    if (child.is_symlink()) child.size = target.size();
    Timestamp now = child.mtime;
    if (child.is_dir()) {
      e = AddSubdir(&dir);
      if (e == 0) e = StoreInode(txn, dir);
      if (e == 0) e = TouchDir(txn, ino, now);
      if (e != 0) return e;
    }
    e = StoreInode(txn, child);
    if (e != 0) return e;
    Status s = txn->Set(DirentKey(parent, name), EncodeDirent(Dirent{ino, DirentType(mode)}));
    if (!s.ok()) return Fail(s, "writing an entry of directory " + std::to_string(parent));
    e = TouchDir(txn, parent, now);
    return e != 0 ? e : Stat(txn, child, st);
  });
  if (err == 0) {
    inodes_++;
    AddLookup(ino);
  }
  return err;
}

int Filesystem::Mknod(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode,
                      uint64_t rdev, struct stat* st) {
  uint32_t type = mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR &&
      type != S_IFBLK) {
    return EINVAL;
  }
  bool device = type == S_IFCHR || type == S_IFBLK;
  return CreateEntry(caller, parent, name, type | (mode & 07777), device ? rdev : 0, "", st);
}

int Filesystem::Mkdir(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode,
                      struct stat* st) {
  return CreateEntry(caller, parent, name, S_IFDIR | (mode & 07777), 0, "", st);
}

int Filesystem::Symlink(const Caller& caller, uint64_t parent, std::string_view name,
                        std::string_view target, struct stat* st) {
  if (target.empty()) return ENOENT;
  if (target.size() >= 4096) return ENAMETOOLONG;
  return CreateEntry(caller, parent, name, S_IFLNK | 0777, 0, target, st);
}

int Filesystem::Readlink(uint64_t ino, std::string* target) {
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (!inode.is_symlink()) return EINVAL;
    *target = inode.target;
    return 0;
  });
}

int Filesystem::Access(const Caller& caller, uint64_t ino, int mask) {
  return Run(false, [&](KvTxn* txn) {
    Inode inode;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0 || mask == F_OK) return e;
    if (caller.uid == 0) {
      // Root may do anything, but execute only what someone may execute.
      bool exec_ok = inode.is_dir() || (inode.mode & (S_IXUSR | S_IXGRP | S_IXOTH));
      return (mask & X_OK) && !exec_ok ? EACCES : 0;
    }
    uint32_t granted;
    if (caller.uid == inode.uid) {
      granted = (inode.mode >> 6) & 7;
    } else if (caller.InGroup(inode.gid)) {
      granted = (inode.mode >> 3) & 7;
    } else {
      granted = inode.mode & 7;
    }
    return (mask & 7 & ~granted) != 0 ? EACCES : 0;
  });
}

int Filesystem::Link(uint64_t ino, uint64_t newparent, std::string_view newname, struct stat* st) {
  int err = CheckName(newname);
  if (err == 0) err = CheckSpace(0);
  if (err != 0) return err;
  err = Run(true, [&](KvTxn* txn) {
    Inode inode, dir;
    Dirent existing;
    int e = LoadInode(txn, ino, &inode);
    if (e != 0) return e;
    if (inode.is_dir()) return EPERM;
    if (inode.nlink == 0) return ENOENT;
    if (inode.nlink >= kLinkMax) return EMLINK;
    e = RefuseIfLocked(inode, /*appending=*/false);
    if (e == 0) e = LoadLiveDir(txn, newparent, &dir);
    if (e == 0) e = RefuseIfLocked(dir, /*appending=*/true);
    if (e != 0) return e;
    e = LoadDirent(txn, newparent, newname, &existing);
    if (e == 0) return EEXIST;
    if (e != ENOENT) return e;
    Timestamp now = Now();
    inode.nlink++;
    inode.ctime = now;
    e = StoreInode(txn, inode);
    if (e != 0) return e;
    Status s =
        txn->Set(DirentKey(newparent, newname), EncodeDirent(Dirent{ino, DirentType(inode.mode)}));
    if (!s.ok()) return Fail(s, "writing an entry of directory " + std::to_string(newparent));
    e = TouchDir(txn, newparent, now);
    return e != 0 ? e : Stat(txn, inode, st);
  });
  if (err == 0) AddLookup(ino);
  return err;
}

int Filesystem::DropLink(KvTxn* txn, Inode* inode, Timestamp now, bool* orphaned) const {
  inode->nlink = inode->nlink > 0 ? inode->nlink - 1 : 0;
  inode->ctime = now;
  *orphaned = inode->nlink == 0;
  if (*orphaned) {
    // Until the kernel lets go of it, it must stay readable: mark it for reclaiming.
    Status s = txn->Set(OrphanKey(inode->ino), "");
    if (!s.ok()) return Fail(s, "marking orphan " + std::to_string(inode->ino));
  }
  return StoreInode(txn, *inode);
}

int Filesystem::Unlink(uint64_t parent, std::string_view name) {
  if (int err = CheckName(name); err != 0) return err;
  bool orphaned = false;
  uint64_t child_ino = 0;
  int err = Run(true, [&](KvTxn* txn) {
    Inode dir, child;
    int e = LoadChild(txn, parent, name, &dir, &child);
    if (e != 0) return e;
    if (child.is_dir()) return EISDIR;
    e = RefuseToRemove(dir, child);
    if (e != 0) return e;
    Timestamp now = Now();
    Status s = txn->Delete(DirentKey(parent, name));
    if (!s.ok()) return Fail(s, "removing an entry of directory " + std::to_string(parent));
    e = TouchDir(txn, parent, now);
    if (e == 0) e = DropLink(txn, &child, now, &orphaned);
    child_ino = child.ino;
    return e;
  });
  if (err == 0 && orphaned) Orphaned(child_ino);
  return err;
}

int Filesystem::CheckEmptyDir(KvTxn* txn, uint64_t ino) const {
  bool empty = true;
  Status s = txn->Scan(DirentPrefix(ino), "", true, [&](std::string_view, std::string_view) {
    empty = false;
    return false;
  });
  if (!s.ok()) return Fail(s, "listing directory " + std::to_string(ino));
  if (!empty) return ENOTEMPTY;
  // Every change of entries writes the directory's times key: reading it makes a create that
  // races this removal conflict with it, instead of leaving an entry in a removed directory.
  std::string times;
  s = txn->Get(TimesKey(ino), &times);
  if (!s.ok() && !s.IsNotFound())
    return Fail(s, "reading the times of directory " + std::to_string(ino));
  return 0;
}

int Filesystem::RemoveDir(KvTxn* txn, Inode* dir, Inode* parent, Timestamp now) const {
  // Its last link goes: like a file's, it stays until the kernel lets go of it (an open
  // descriptor or a working directory may still stat and list it).
  dir->nlink = 0;
  dir->ctime = now;
  Status s = txn->Set(OrphanKey(dir->ino), "");
  if (!s.ok()) return Fail(s, "marking orphan " + std::to_string(dir->ino));
  DropSubdir(parent);
  return StoreInode(txn, *dir);
}

int Filesystem::Rmdir(uint64_t parent, std::string_view name) {
  // POSIX names these two apart from other names that cannot be removed.
  if (name == ".") return EINVAL;
  if (name == "..") return ENOTEMPTY;
  if (int err = CheckName(name); err != 0) return err;
  uint64_t removed = 0;
  int err = Run(true, [&](KvTxn* txn) {
    Inode dir, child;
    int e = LoadChild(txn, parent, name, &dir, &child);
    if (e != 0) return e;
    if (!child.is_dir()) return ENOTDIR;
    e = RefuseToRemove(dir, child);
    if (e == 0) e = CheckEmptyDir(txn, child.ino);
    if (e != 0) return e;
    Status s = txn->Delete(DirentKey(parent, name));
    if (!s.ok()) return Fail(s, "removing an entry of directory " + std::to_string(parent));
    Timestamp now = Now();
    e = RemoveDir(txn, &child, &dir, now);
    if (e == 0) e = StoreInode(txn, dir);
    removed = child.ino;
    return e != 0 ? e : TouchDir(txn, parent, now);
  });
  if (err == 0) Orphaned(removed);
  return err;
}

}  // namespace settfs
