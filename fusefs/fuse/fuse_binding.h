// The FUSE binding: maps the kernel's low-level requests onto a settfs::Filesystem, one reply
// per request, and counts the references the kernel takes (every entry replied is a lookup it
// will forget). It owns no state of its own beyond the options below.
//
// Permissions are left to the kernel (default_permissions): a settfs mount holds many users'
// files. File locks (flock, POSIX) are left to the kernel too: one process owns a settfs
// database at a time, so every lock holder goes through the same kernel.

#ifndef SETTFS_FUSE_FUSE_BINDING_H_
#define SETTFS_FUSE_FUSE_BINDING_H_

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include "core/change_topics.h"
#include "core/filesystem.h"
#include "fuse/op_stats.h"
#include "fuse/snapshot_views.h"

namespace settfs {

struct FuseBindingOptions {
  // How long the kernel may trust an entry, a missing name, and attributes. Nothing changes a
  // settfs database behind the kernel's back (the database is locked by one mount), so long
  // timeouts are safe; they only bound how long the kernel keeps what it learnt. A store that
  // other mounts share (PostgreSQL) wants short ones, and keep_cache off.
  double entry_timeout = 3600;
  double negative_timeout = 3600;
  double attr_timeout = 3600;
  // Let the kernel cache writes and send them in large pieces (FUSE_CAP_WRITEBACK_CACHE).
  bool writeback_cache = true;
  // Keep a file's cached pages when it is opened again.
  bool keep_cache = true;
  // Keep POSIX ACLs for the kernel to enforce (FUSE_CAP_POSIX_ACL); needs xattrs.
  bool posix_acl = true;
  // Extended attributes. Off, every xattr call fails with EOPNOTSUPP, and the kernel no longer
  // asks for security.capability before each write(2) (random 4 KiB writes 1.4x faster).
  bool xattrs = true;
  // The largest write the kernel sends in one request.
  unsigned max_write = 1 << 20;
  // Requests served at once. With more than one, a handler may wait for the kernel to write
  // back cached pages (which takes other handlers).
  unsigned threads = 16;
};

class FuseBinding {
 public:
  FuseBinding(Filesystem* fs, const FuseBindingOptions& options) : fs_(fs), options_(options) {}

  // The request handlers; pass `this` as the session's userdata.
  static const fuse_lowlevel_ops& Operations();

  Filesystem* fs() const { return fs_; }
  // The snapshots' read-only views under MOUNTPOINT/.snapshots (none when null); visible:
  // .snapshots is listed in the root (otherwise it is reached by name only, as ZFS's .zfs).
  void set_snapshot_views(SnapshotViews* views, bool visible) {
    views_ = views;
    snapdir_visible_ = visible;
  }
  SnapshotViews* views() const { return views_; }
  // What the mount has served (settfs stats, the metrics endpoint).
  OpStats& stats() { return stats_; }
  // A snapshot was created or deleted: the kernel forgets what it knows of that name under
  // .snapshots (a miss it remembered, or the view), and the listing.
  void SnapshotChanged(const std::string& name);
  bool snapdir_visible() const { return snapdir_visible_; }
  const FuseBindingOptions& options() const { return options_; }
  // The session serving the binding, for the notices settfs sends the kernel.
  void set_session(fuse_session* session) { session_ = session; }

  // Another mount of a shared store changed it: the kernel forgets the inode's attributes
  // and cached pages, or the name in the directory (what it does not know, it skips).
  void ForgetChanged(const CacheChange& change);

  // Whether a handler may have the kernel write back and drop cached pages of a file (with
  // the writeback cache on, a session, and more than one thread).
  bool WaitsOnKernel() const;
  // Has the kernel write back its dirty pages of ino from offset on (length bytes, 0: to the
  // end) and forget them, and returns once it has.
  void DropCachedPages(fuse_ino_t ino, off_t offset, off_t length);

 private:
  Filesystem* const fs_;
  const FuseBindingOptions options_;
  fuse_session* session_ = nullptr;
  SnapshotViews* views_ = nullptr;
  OpStats stats_;
  bool snapdir_visible_ = false;
};

}  // namespace settfs

#endif  // SETTFS_FUSE_FUSE_BINDING_H_
