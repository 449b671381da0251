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

#include "core/filesystem.h"

namespace settfs {

struct FuseBindingOptions {
  // How long the kernel may trust an entry, a missing name, and attributes. Nothing changes a
  // settfs database behind the kernel's back (the database is locked by one mount), so long
  // timeouts are safe; they only bound how long the kernel keeps what it learnt.
  double entry_timeout = 3600;
  double negative_timeout = 3600;
  double attr_timeout = 3600;
  // Let the kernel cache writes and send them in large pieces (FUSE_CAP_WRITEBACK_CACHE).
  bool writeback_cache = true;
  // The largest write the kernel sends in one request.
  unsigned max_write = 1 << 20;
};

class FuseBinding {
 public:
  FuseBinding(Filesystem* fs, const FuseBindingOptions& options) : fs_(fs), options_(options) {}

  // The request handlers; pass `this` as the session's userdata.
  static const fuse_lowlevel_ops& Operations();

  Filesystem* fs() const { return fs_; }
  const FuseBindingOptions& options() const { return options_; }

 private:
  Filesystem* const fs_;
  const FuseBindingOptions options_;
};

}  // namespace settfs

#endif  // SETTFS_FUSE_FUSE_BINDING_H_
