// Filesystem::Rename: moving, replacing and exchanging entries.

#include <linux/fs.h>

#include <cerrno>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {

// What one rename reads before it changes anything.
struct Filesystem::RenameParts {
  uint64_t parent = 0, newparent = 0;
  std::string_view name, newname;
  bool exchange = false;
  Inode src_dir, other_dir;  // other_dir: the destination directory when it is another one.
  Dirent src, dst;           // The entries; dst only when dst_exists.
  Inode moved, target;       // The inodes they name.
  bool dst_exists = false;
  bool same_file = false;  // Both entries name one inode: nothing to do.
  bool same_dir() const { return parent == newparent; }
  Inode& dst_dir() { return same_dir() ? src_dir : other_dir; }
  const Inode& dst_dir() const { return same_dir() ? src_dir : other_dir; }
};

// What a rename did that the caller finishes after the commit.
struct Filesystem::RenameOutcome {
  uint64_t victim = 0;  // The replaced inode, if any.
  bool orphaned = false;
};

int Filesystem::Rename(uint64_t parent, std::string_view name, uint64_t newparent,
                       std::string_view newname, unsigned flags, const Caller& caller) {
  const unsigned known = RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT;
  if ((flags & ~known) != 0 || ((flags & RENAME_EXCHANGE) && (flags & ~RENAME_EXCHANGE))) {
    return EINVAL;
  }
  int err = CheckName(name);
  if (err == 0) err = CheckName(newname);
  if (err != 0) return err;
  uint64_t whiteout = 0;  // The inode number of the whiteout to leave, if asked for one.
  if (flags & RENAME_WHITEOUT) {
    err = CheckSpace(0);
    if (err == 0) err = NewInodeNumber(&whiteout);
    if (err != 0) return err;
  }
  RenameOutcome outcome;
  err = Run(true, [&](KvTxn* txn) {
    outcome = RenameOutcome();
    RenameParts parts;
    parts.parent = parent;
    parts.newparent = newparent;
    parts.name = name;
    parts.newname = newname;
    parts.exchange = flags & RENAME_EXCHANGE;
    int e = LoadRenameParts(txn, flags, &parts);
    if (e != 0) return e;
    if (parts.same_file) return 0;
    e = CheckRenameTarget(txn, parts);
    if (e != 0) return e;
    Timestamp now = Now();
    e = parts.exchange ? ExchangeEntries(txn, &parts, now) : MoveEntry(txn, &parts, now, &outcome);
    if (e == 0 && whiteout != 0) e = LeaveWhiteout(txn, caller, whiteout, parts, now);
    if (e != 0) return e;
    parts.moved.ctime = now;
    e = StoreInode(txn, parts.moved);
    if (e == 0) e = StoreInode(txn, parts.src_dir);
    if (e == 0 && !parts.same_dir()) e = StoreInode(txn, parts.other_dir);
    if (e == 0) e = TouchDir(txn, parent, now);
    if (e == 0 && !parts.same_dir()) e = TouchDir(txn, newparent, now);
    return e;
  });
  if (err == 0 && whiteout != 0) inodes_++;
  if (err == 0 && outcome.orphaned) Orphaned(outcome.victim);
  return err;
}

int Filesystem::LeaveWhiteout(KvTxn* txn, const Caller& caller, uint64_t ino,
                              const RenameParts& parts, Timestamp now) {
  // What overlayfs reads as "deleted in this layer": a character device 0:0 in the old place.
  Inode whiteout;
  whiteout.ino = ino;
  NewInode(caller, parts.src_dir, S_IFCHR, &whiteout);
  whiteout.atime = whiteout.mtime = whiteout.ctime = now;
  int e = StoreInode(txn, whiteout);
  if (e != 0) return e;
  Status s = txn->Set(DirentKey(parts.parent, parts.name),
                      EncodeDirent(Dirent{ino, DirentType(whiteout.mode)}));
  return s.ok() ? 0 : Fail(s, "leaving a whiteout in directory " + std::to_string(parts.parent));
}

int Filesystem::LoadRenameParts(KvTxn* txn, unsigned flags, RenameParts* parts) const {
  int e = LoadLiveDir(txn, parts->parent, &parts->src_dir);
  if (e == 0 && !parts->same_dir()) e = LoadLiveDir(txn, parts->newparent, &parts->other_dir);
  if (e == 0) e = LoadDirent(txn, parts->parent, parts->name, &parts->src);
  if (e != 0) return e;
  e = LoadDirent(txn, parts->newparent, parts->newname, &parts->dst);
  parts->dst_exists = e == 0;
  if (e != 0 && e != ENOENT) return e;
  parts->same_file = parts->dst_exists && parts->dst.ino == parts->src.ino;
  if (parts->same_file) return 0;
  if ((flags & RENAME_NOREPLACE) && parts->dst_exists) return EEXIST;
  if (parts->exchange && !parts->dst_exists) return ENOENT;
  e = LoadInode(txn, parts->src.ino, &parts->moved);
  if (e == 0 && parts->dst_exists) e = LoadInode(txn, parts->dst.ino, &parts->target);
  return e;
}

int Filesystem::IsWithin(KvTxn* txn, uint64_t dir, uint64_t place, bool* within) const {
  *within = false;
  for (uint64_t x = place; x != kRootIno;) {
    if (x == dir) {
      *within = true;
      return 0;
    }
    Inode ancestor;
    int e = LoadInode(txn, x, &ancestor);
    if (e != 0) return e;
    if (ancestor.parent == x || ancestor.parent == 0) break;
    x = ancestor.parent;
  }
  return 0;
}

int Filesystem::CheckRenameTarget(KvTxn* txn, const RenameParts& parts) const {
  int e = RefuseToRemove(parts.src_dir, parts.moved);
  if (e == 0 && parts.dst_exists) e = RefuseToRemove(parts.dst_dir(), parts.target);
  if (e == 0 && !parts.dst_exists) e = RefuseIfLocked(parts.dst_dir(), /*appending=*/true);
  if (e != 0) return e;
  // A directory may not move into its own subtree: walk up from where it goes.
  bool loop = false;
  if (parts.moved.is_dir() && !parts.same_dir()) {
    e = IsWithin(txn, parts.moved.ino, parts.newparent, &loop);
  }
  if (e == 0 && !loop && parts.exchange && parts.target.is_dir() && !parts.same_dir()) {
    e = IsWithin(txn, parts.target.ino, parts.parent, &loop);
  }
  if (e != 0) return e;
  if (loop) return EINVAL;
  if (parts.exchange || !parts.dst_exists) return 0;
  if (parts.moved.is_dir() && !parts.target.is_dir()) return ENOTDIR;
  if (!parts.moved.is_dir() && parts.target.is_dir()) return EISDIR;
  return parts.target.is_dir() ? CheckEmptyDir(txn, parts.target.ino) : 0;
}

int Filesystem::ExchangeEntries(KvTxn* txn, RenameParts* parts, Timestamp now) const {
  Status s = txn->Set(DirentKey(parts->parent, parts->name), EncodeDirent(parts->dst));
  if (s.ok()) s = txn->Set(DirentKey(parts->newparent, parts->newname), EncodeDirent(parts->src));
  if (!s.ok()) return Fail(s, "exchanging entries");
  if (!parts->same_dir()) {
    // A directory that changes places takes its ".." link to its new parent.
    int moved_dirs = (parts->moved.is_dir() ? 1 : 0) - (parts->target.is_dir() ? 1 : 0);
    int e = 0;
    if (moved_dirs > 0) e = MoveSubdirLink(&parts->src_dir, &parts->dst_dir());
    if (moved_dirs < 0) e = MoveSubdirLink(&parts->dst_dir(), &parts->src_dir);
    if (e != 0) return e;
    if (parts->moved.is_dir()) parts->moved.parent = parts->newparent;
    if (parts->target.is_dir()) parts->target.parent = parts->parent;
  }
  parts->target.ctime = now;
  return StoreInode(txn, parts->target);
}

int Filesystem::MoveSubdirLink(Inode* from, Inode* to) {
  int e = AddSubdir(to);
  if (e == 0) DropSubdir(from);
  return e;
}

int Filesystem::MoveEntry(KvTxn* txn, RenameParts* parts, Timestamp now,
                          RenameOutcome* outcome) const {
  if (parts->dst_exists) {
    outcome->victim = parts->target.ino;
    int e = 0;
    if (parts->target.is_dir()) {
      e = RemoveDir(txn, &parts->target, &parts->dst_dir(), now);
      outcome->orphaned = true;
    } else {
      e = DropLink(txn, &parts->target, now, &outcome->orphaned);
    }
    if (e != 0) return e;
  }
  if (parts->moved.is_dir() && !parts->same_dir()) {
    int e = MoveSubdirLink(&parts->src_dir, &parts->other_dir);
    if (e != 0) return e;
    parts->moved.parent = parts->newparent;
  }
  Status s = txn->Set(DirentKey(parts->newparent, parts->newname), EncodeDirent(parts->src));
  if (s.ok()) s = txn->Delete(DirentKey(parts->parent, parts->name));
  return s.ok() ? 0 : Fail(s, "moving an entry");
}

}  // namespace settfs
