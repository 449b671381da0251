// Filesystem::Rename: moving, replacing and exchanging entries.

#include <linux/fs.h>

#include <cerrno>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {
namespace {

int CheckName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return EINVAL;
  return name.size() > Filesystem::kNameMax ? ENAMETOOLONG : 0;
}

}  // namespace

int Filesystem::Rename(uint64_t parent, std::string_view name, uint64_t newparent,
                       std::string_view newname, unsigned flags) {
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0 ||
      ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))) {
    return EINVAL;
  }
  int err = CheckName(name);
  if (err == 0) err = CheckName(newname);
  if (err != 0) return err;
  const bool exchange = flags & RENAME_EXCHANGE;
  bool orphaned = false, dir_removed = false;
  uint64_t victim = 0;

  err = Run(true, [&](KvTxn* txn) {
    orphaned = dir_removed = false;
    Inode src_dir, other_dir, moved, target;
    Dirent src, dst;
    int e = LoadDir(txn, parent, &src_dir);
    if (e == 0 && newparent != parent) e = LoadDir(txn, newparent, &other_dir);
    if (e == 0) e = LoadDirent(txn, parent, name, &src);
    if (e != 0) return e;
    Inode& dst_dir = newparent == parent ? src_dir : other_dir;
    e = LoadDirent(txn, newparent, newname, &dst);
    bool dst_exists = e == 0;
    if (e != 0 && e != ENOENT) return e;
    if (dst_exists && dst.ino == src.ino) return 0;  // Two names of one file: nothing to do.
    if ((flags & RENAME_NOREPLACE) && dst_exists) return EEXIST;
    if (exchange && !dst_exists) return ENOENT;
    e = LoadInode(txn, src.ino, &moved);
    if (e == 0 && dst_exists) e = LoadInode(txn, dst.ino, &target);
    if (e != 0) return e;

    // A directory may not move into its own subtree: walk up from where it goes.
    auto into_itself = [&](const Inode& dir, uint64_t destination, bool* found) {
      *found = false;
      for (uint64_t x = destination; x != kRootIno;) {
        if (x == dir.ino) {
          *found = true;
          return 0;
        }
        Inode ancestor;
        int le = LoadInode(txn, x, &ancestor);
        if (le != 0) return le;
        if (ancestor.parent == x || ancestor.parent == 0) break;
        x = ancestor.parent;
      }
      return 0;
    };
    bool loop = false;
    if (moved.is_dir() && newparent != parent) e = into_itself(moved, newparent, &loop);
    if (e == 0 && !loop && exchange && target.is_dir() && newparent != parent) {
      e = into_itself(target, parent, &loop);
    }
    if (e != 0) return e;
    if (loop) return EINVAL;

    if (!exchange && dst_exists) {
      if (moved.is_dir() && !target.is_dir()) return ENOTDIR;
      if (!moved.is_dir() && target.is_dir()) return EISDIR;
      if (target.is_dir()) {
        bool empty = true;
        Status s =
            txn->Scan(DirentPrefix(target.ino), "", true, [&](std::string_view, std::string_view) {
              empty = false;
              return false;
            });
        if (!s.ok()) return Fail(s, "listing directory " + std::to_string(target.ino));
        if (!empty) return ENOTEMPTY;
        std::string times;  // As in Rmdir: a racing create must conflict with this.
        s = txn->Get(TimesKey(target.ino), &times);
        if (!s.ok() && !s.IsNotFound()) return Fail(s, "reading directory times");
      }
    }

    Timestamp now = Now();
    Status s;
    if (exchange) {
      s = txn->Set(DirentKey(parent, name), EncodeDirent(dst));
      if (s.ok()) s = txn->Set(DirentKey(newparent, newname), EncodeDirent(src));
      if (!s.ok()) return Fail(s, "exchanging entries");
      if (newparent != parent) {
        int moved_dirs = (moved.is_dir() ? 1 : 0) - (target.is_dir() ? 1 : 0);
        src_dir.nlink -= moved_dirs;
        dst_dir.nlink += moved_dirs;
        if (moved.is_dir()) moved.parent = newparent;
        if (target.is_dir()) target.parent = parent;
      }
      target.ctime = now;
      e = StoreInode(txn, target);
      if (e != 0) return e;
    } else {
      if (dst_exists) {
        victim = target.ino;
        if (target.is_dir()) {
          std::vector<std::string> keys = {InodeKey(target.ino), TimesKey(target.ino)};
          s = txn->Scan(XattrPrefix(target.ino), "", true,
                        [&](std::string_view key, std::string_view) {
                          keys.emplace_back(key);
                          return true;
                        });
          for (const std::string& key : keys) {
            if (s.ok()) s = txn->Delete(key);
          }
          if (!s.ok()) return Fail(s, "removing directory " + std::to_string(target.ino));
          dst_dir.nlink--;
          dir_removed = true;
        } else {
          e = DropLink(txn, &target, now, &orphaned);
          if (e != 0) return e;
        }
      }
      s = txn->Set(DirentKey(newparent, newname), EncodeDirent(src));
      if (s.ok()) s = txn->Delete(DirentKey(parent, name));
      if (!s.ok()) return Fail(s, "moving an entry");
      if (moved.is_dir() && newparent != parent) {
        moved.parent = newparent;
        src_dir.nlink--;
        dst_dir.nlink++;
      }
    }
    moved.ctime = now;
    e = StoreInode(txn, moved);
    if (e == 0) e = StoreInode(txn, src_dir);
    if (e == 0 && newparent != parent) e = StoreInode(txn, dst_dir);
    if (e == 0) e = TouchDir(txn, parent, now);
    if (e == 0 && newparent != parent) e = TouchDir(txn, newparent, now);
    return e;
  });
  if (err == 0 && dir_removed) inodes_--;
  if (err == 0 && orphaned) Orphaned(victim);
  return err;
}

}  // namespace settfs
