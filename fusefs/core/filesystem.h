// Filesystem is settfs's core: the POSIX filesystem semantics over a transactional key-value
// store (keys.h), in terms of inode numbers, names and errno values, with no FUSE types, so
// that it can be tested without a mount. The FUSE binding (fuse/) maps requests onto it.
//
// Every operation is one transaction (large writes and truncations a few, each consistent on
// its own), run again when it loses a conflict: callers see one (EAGAIN) only when it keeps
// losing for longer than the conflict timeout. Operations return 0 or
// an errno value. Store failures become EIO (logged, naming what failed) or ENOSPC.
//
// The kernel's references to inodes are counted here: lookups (entries returned to it, until
// it forgets them) and opens. An inode whose last link goes while it is referenced becomes an
// orphan (key O): it stays readable and writable until the last reference goes, and is then
// reclaimed; orphans left by a crash are reclaimed when the filesystem is mounted.
//
// Thread safety: every method may be called concurrently.

#ifndef SETTFS_CORE_FILESYSTEM_H_
#define SETTFS_CORE_FILESYSTEM_H_

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/kv_store.h"
#include "core/records.h"
#include "sett/logger.h"

namespace settfs {

class PosixAcl;
using sett::Logger;
using sett::LogLevel;

// Who asks: new files belong to them.
struct Caller {
  Caller() = default;
  Caller(uint32_t u, uint32_t g, std::vector<uint32_t> more = {})
      : uid(u), gid(g), groups(std::move(more)) {}
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;  // Supplementary groups (Access and SetAttr look at them).
  bool cap_fsetid = false;       // May keep set-group-ID outside the group (root always may).
  uint32_t umask = 0;            // Of a creation: settfs applies it, after default ACLs.

  bool InGroup(uint32_t group) const;
};

// What SetAttr changes.
struct AttrChange {
  bool set_mode = false, set_uid = false, set_gid = false, set_size = false;
  bool set_atime = false, set_mtime = false;  // To the given times, or to now:
  bool atime_now = false, mtime_now = false;
  bool set_ctime = false;
  uint32_t mode = 0, uid = 0, gid = 0;
  uint64_t size = 0;
  Timestamp atime, mtime, ctime;
  // Who asks. As on Linux, a new mode keeps set-group-ID only if they are in the file's group
  // or privileged: the kernel clears the bit with a mode change when someone writes or
  // truncates a file, but judges group membership by the execute bit alone.
  Caller caller;
  // Someone is about to change the file's data (the kernel's empty request, where it found no
  // mode change of its own to make): unless privileged, set-user-ID goes, and set-group-ID
  // where group execute is set or they are not in the file's group.
  bool drop_set_ids = false;
};

class Filesystem {
 public:
  static constexpr size_t kNameMax = 255;
  static constexpr size_t kXattrNameMax = 255;
  static constexpr size_t kXattrSizeMax = 64 << 10;
  static constexpr uint32_t kLinkMax = 65000;

  // Writes the superblock and the root directory into an empty store; EEXIST if it already
  // holds a filesystem.
  static int Format(KvStore* store, const Superblock& sb, const Caller& owner, Logger* logger);
  // Reads the superblock and reclaims what a crash left orphaned. *fs is set on success;
  // `error` says what went wrong otherwise. read_only (a store that cannot write, such as a
  // snapshot): nothing is reclaimed, and every operation that would change something fails
  // with EROFS.
  static int Mount(KvStore* store, Logger* logger, std::unique_ptr<Filesystem>* fs,
                   std::string* error, bool read_only = false);

  const Superblock& superblock() const { return sb_; }
  Logger* logger() const { return logger_; }

  // Writes that would make the store grow (data, new inodes and names, attributes) fail with
  // ENOSPC once less than this is free, so that removing files, and the store's own upkeep,
  // always have room. 0 by default.
  void set_space_reserve(uint64_t bytes) { reserve_ = bytes; }

  // Keep POSIX ACLs (system.posix_acl_access and _default, which the kernel then enforces):
  // chmod rewrites them, new files inherit their directory's default ACL, and a creation's
  // umask applies only where there is none. Off: those attributes are refused (EOPNOTSUPP).
  void set_posix_acls(bool on) { posix_acls_ = on; }

  // An operation whose commit keeps losing to concurrent writers is run again for this long,
  // then fails with EAGAIN (logged). 10 s by default.
  void set_conflict_timeout(std::chrono::milliseconds timeout) { conflict_timeout_ = timeout; }

  // Name space. Operations that return an entry (st) count a lookup of it.
  // Lookup takes "." (the inode numbered parent itself) and ".." (directory parent's parent)
  // too: the kernel asks so when it turns a file handle into an inode it no longer caches.
  int Lookup(uint64_t parent, std::string_view name, struct stat* st);
  void Forget(uint64_t ino, uint64_t nlookup);
  int GetAttr(uint64_t ino, struct stat* st);
  int SetAttr(uint64_t ino, const AttrChange& change, struct stat* st);
  int Mknod(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode,
            uint64_t rdev, struct stat* st);
  int Mkdir(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode,
            struct stat* st);
  int Symlink(const Caller& caller, uint64_t parent, std::string_view name, std::string_view target,
              struct stat* st);
  int Link(uint64_t ino, uint64_t newparent, std::string_view newname, struct stat* st);
  int Unlink(uint64_t parent, std::string_view name);
  int Rmdir(uint64_t parent, std::string_view name);
  // flags: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT (the old name then holds a
  // whiteout, a character device 0:0, owned by caller).
  int Rename(uint64_t parent, std::string_view name, uint64_t newparent, std::string_view newname,
             unsigned flags, const Caller& caller = Caller());
  int Readlink(uint64_t ino, std::string* target);
  // access(2): may caller read, write or search ino (mask of R_OK, W_OK, X_OK; F_OK: does it
  // exist)? Under default_permissions the kernel checks by itself and never asks.
  int Access(const Caller& caller, uint64_t ino, int mask);

  // Files. Open and Create count an open, Release ends it.
  int Open(uint64_t ino, int flags);
  int Create(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode, int flags,
             struct stat* st);
  int Release(uint64_t ino);
  int Read(uint64_t ino, uint64_t offset, size_t size, std::string* data);
  int Write(uint64_t ino, uint64_t offset, std::string_view data);
  int Fsync(uint64_t ino);
  // Only FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE: other modes promise space that a
  // copy-on-write store cannot hold back (EOPNOTSUPP).
  int Fallocate(uint64_t ino, int mode, uint64_t offset, uint64_t length);
  // whence: SEEK_DATA or SEEK_HOLE.
  int Lseek(uint64_t ino, uint64_t offset, int whence, uint64_t* result);
  int CopyFileRange(uint64_t ino_in, uint64_t offset_in, uint64_t ino_out, uint64_t offset_out,
                    size_t length, size_t* copied);

  // Directories. A handle lists one snapshot, taken at OpenDir, whatever changes meanwhile.
  // Offsets: 1 after ".", 2 after "..", 2 + n after the n-th entry.
  using DirFiller =
      std::function<bool(std::string_view name, const struct stat& st, uint64_t next_offset)>;
  int OpenDir(uint64_t ino, uint64_t* handle);
  // Calls fill for the entries from offset until it returns false (that entry is not taken).
  // With plus, st is complete and a taken entry counts a lookup; else only st_ino and st_mode.
  int ReadDir(uint64_t handle, uint64_t offset, bool plus, const DirFiller& fill);
  int ReleaseDir(uint64_t handle);

  // Extended attributes. flags: XATTR_CREATE, XATTR_REPLACE.
  int SetXattr(uint64_t ino, std::string_view name, std::string_view value, int flags);
  int GetXattr(uint64_t ino, std::string_view name, std::string* value);
  // Names, each followed by a NUL.
  int ListXattr(uint64_t ino, std::string* names);
  int RemoveXattr(uint64_t ino, std::string_view name);

  // chattr's flags (FS_*_FL of linux/fs.h). Kept: immutable and append-only, enforced for
  // everyone (EPERM), and no-dump and no-atime; SetFlags refuses others with EOPNOTSUPP. Who
  // may change them is the kernel's to check (CAP_LINUX_IMMUTABLE).
  int GetFlags(uint64_t ino, uint32_t* flags);
  int SetFlags(uint64_t ino, uint32_t flags);

  int StatFs(struct statvfs* st);
  // Makes everything durable.
  int SyncAll();
  // The kernel has let go of every inode (unmount): reclaims every orphan now.
  int ReleaseAll();

 private:
  struct Node {
    uint64_t lookups = 0;
    uint32_t opens = 0;
    bool orphan = false;  // Its last link is gone: reclaim once unreferenced.
  };
  struct DirHandle;

  Filesystem(KvStore* store, Superblock sb, Logger* logger);

  bool read_only_ = false;

  // Runs body in a transaction and commits, again and again while commits conflict, for up to
  // the conflict timeout.
  int Run(bool update, const std::function<int(KvTxn*)>& body, bool sync = false);
  // Turns a store failure into an errno, logging it.
  int Fail(const Status& s, const std::string& what) const;
  // ENOSPC when the store has less than the reserve (plus `bytes`) free, else 0.
  int CheckSpace(uint64_t bytes) const;

  int LoadInode(KvTxn* txn, uint64_t ino, Inode* inode) const;
  int StoreInode(KvTxn* txn, const Inode& inode) const;
  int LoadDirent(KvTxn* txn, uint64_t parent, std::string_view name, Dirent* d) const;
  int LoadDir(KvTxn* txn, uint64_t ino, Inode* inode) const;  // ENOTDIR if not a directory.
  // A directory that takes new entries: ENOENT once it is removed (only its orphan is left).
  int LoadLiveDir(KvTxn* txn, uint64_t ino, Inode* inode) const;
  // Loads directory parent and the inode its entry `name` names (an entry naming a missing
  // inode is damage: EIO, logged).
  int LoadChild(KvTxn* txn, uint64_t parent, std::string_view name, Inode* dir, Inode* child) const;
  // Records that a directory's entries changed (its mtime and ctime, written blindly).
  int TouchDir(KvTxn* txn, uint64_t dir, Timestamp now) const;
  // Fills st from inode (and, for a directory, its times key).
  int Stat(KvTxn* txn, const Inode& inode, struct stat* st) const;
  int NewInode(const Caller& caller, const Inode& parent, uint32_t mode, Inode* inode);
  // SetAttr's new mode, with Linux's rules for the set-ID bits (see AttrChange).
  static void ChangeMode(const AttrChange& change, Inode* inode);
  // A number no inode had (numbers are never reused).
  int NewInodeNumber(uint64_t* ino);
  // Creates an entry for a new inode (mknod, mkdir, symlink, create).
  int CreateEntry(const Caller& caller, uint64_t parent, std::string_view name, uint32_t mode,
                  uint64_t rdev, std::string_view target, struct stat* st);
  // EPERM when inode's flags forbid changing it: an immutable inode never changes; an
  // append-only one only grows (appending: the change only adds, as a write or a new entry).
  static int RefuseIfLocked(const Inode& inode, bool appending);
  // EPERM when child's entry in dir may not go (as unlink, rmdir, rename's source or victim).
  static int RefuseToRemove(const Inode& dir, const Inode& child);
  // Why name cannot be an entry's (EINVAL, ENAMETOOLONG), or 0: every operation that takes a
  // name checks it here.
  static int CheckName(std::string_view name);
  // A directory's link count: each subdirectory's ".." is one. AddSubdir fails with EMLINK at
  // kLinkMax.
  static int AddSubdir(Inode* dir);
  static void DropSubdir(Inode* dir);
  static int MoveSubdirLink(Inode* from, Inode* to);
  // ENOTEMPTY unless directory ino has no entries (and makes a racing create conflict).
  int CheckEmptyDir(KvTxn* txn, uint64_t ino) const;
  // Unlinks empty directory dir from parent (stored by the caller): dir becomes an orphan, for
  // the caller to pass to Orphaned after the commit.
  int RemoveDir(KvTxn* txn, Inode* dir, Inode* parent, Timestamp now) const;
  // Rename's steps (fs_rename.cc).
  struct RenameParts;
  struct RenameOutcome;
  int LoadRenameParts(KvTxn* txn, unsigned flags, RenameParts* parts) const;
  // Is directory dir the inode `place` or one of its ancestors?
  int IsWithin(KvTxn* txn, uint64_t dir, uint64_t place, bool* within) const;
  int CheckRenameTarget(KvTxn* txn, const RenameParts& parts) const;
  int ExchangeEntries(KvTxn* txn, RenameParts* parts, Timestamp now) const;
  int MoveEntry(KvTxn* txn, RenameParts* parts, Timestamp now, RenameOutcome* outcome) const;
  int LeaveWhiteout(KvTxn* txn, const Caller& caller, uint64_t ino, const RenameParts& parts,
                    Timestamp now);
  // Drops one link of inode (an entry to it was removed in txn); *orphaned when it was the last.
  int DropLink(KvTxn* txn, Inode* inode, Timestamp now, bool* orphaned) const;
  // Whether name is one of the system namespace's that settfs does not take (all of them, but
  // the ACLs' while ACLs are on).
  bool RefusesName(std::string_view name) const;
  // SetXattr's write of a plain attribute (flags: XATTR_CREATE, XATTR_REPLACE), or of an ACL,
  // which also sets inode's mode bits (the caller stores inode).
  int StoreXattr(KvTxn* txn, uint64_t ino, std::string_view name, std::string_view value,
                 int flags) const;
  int StoreAcl(KvTxn* txn, std::string_view name, const PosixAcl& acl, Inode* inode) const;
  // ACLs (fs_xattr.cc): rewrite inode's access ACL after a chmod; give a new child of dir its
  // ACLs and mode from dir's default ACL, or apply the caller's umask without one.
  int ChmodAcl(KvTxn* txn, const Inode& inode) const;
  int InheritAcl(KvTxn* txn, const Caller& caller, const Inode& dir, Inode* child) const;
  // Changes the size, deleting blocks beyond it in steps that are each consistent.
  int Truncate(uint64_t ino, uint64_t size);
  int WriteChunk(uint64_t ino, uint64_t offset, std::string_view data);
  // Zeros a range within the file's size, dropping the whole blocks inside it.
  int PunchHole(uint64_t ino, uint64_t offset, uint64_t length);
  // Deletes an orphan's data and inode.
  int Reclaim(uint64_t ino);
  int ReclaimOrphans(std::string* error);
  int CountInodes();

  void AddLookup(uint64_t ino);
  // After the last link of ino went: reclaim now, or when the kernel lets go.
  void Orphaned(uint64_t ino);

  KvStore* const store_;
  const Superblock sb_;
  Logger* const logger_;
  // Large work is split into transactions of these sizes, within the store's limit.
  const size_t write_chunk_;   // Bytes of one write.
  const size_t delete_batch_;  // Blocks one truncation step deletes.

  // Writes to one file take turns (a lock per stripe of inode numbers): each one updates the
  // inode, so concurrent ones - the kernel writes a file back with many requests at once -
  // would only fail each other's commits and retry.
  static constexpr size_t kWriteStripes = 64;
  std::mutex write_stripes_[kWriteStripes];

  std::mutex nodes_mu_;
  std::unordered_map<uint64_t, Node> nodes_;
  std::mutex dirs_mu_;
  std::map<uint64_t, std::shared_ptr<DirHandle>> dirs_;
  uint64_t next_dir_handle_ = 1;
  std::atomic<int64_t> inodes_{0};  // Live inodes, for statfs.
  std::atomic<uint64_t> reserve_{0};
  std::atomic<bool> posix_acls_{false};
  std::chrono::milliseconds conflict_timeout_{10000};
};

}  // namespace settfs

#endif  // SETTFS_CORE_FILESYSTEM_H_
