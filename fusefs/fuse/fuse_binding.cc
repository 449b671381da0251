// Each handler unpacks a request, calls the filesystem core and replies exactly once.

#include "fuse/fuse_binding.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace settfs {
namespace {

FuseBinding* Binding(fuse_req_t req) { return static_cast<FuseBinding*>(fuse_req_userdata(req)); }
Filesystem* Fs(fuse_req_t req) { return Binding(req)->fs(); }

Caller CallerOf(fuse_req_t req) {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  Caller caller(ctx->uid, ctx->gid);
  caller.umask = ctx->umask;
  return caller;
}

// Whether process pid holds CAP_FSETID, from its effective capabilities in /proc.
bool HasCapFsetid(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    uint64_t caps = std::strtoull(line.c_str() + 7, nullptr, 16);
    return (caps >> CAP_FSETID) & 1;
  }
  return false;
}

// The caller with its supplementary groups and privilege, for decisions that depend on them.
Caller FullCallerOf(fuse_req_t req) {
  Caller caller = CallerOf(req);
  std::vector<gid_t> groups(64);
  int n = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  if (n > static_cast<int>(groups.size())) {
    groups.resize(n);
    n = fuse_req_getgroups(req, n, groups.data());
  }
  if (n > 0)
    caller.groups.assign(groups.begin(), groups.begin() + std::min<size_t>(n, groups.size()));
  caller.cap_fsetid = caller.uid == 0 || HasCapFsetid(fuse_req_ctx(req)->pid);
  return caller;
}

fuse_entry_param EntryParam(fuse_req_t req, const struct stat& st) {
  const FuseBindingOptions& options = Binding(req)->options();
  fuse_entry_param e = {};
  e.ino = st.st_ino;
  // Inode numbers are never reused, so one generation serves; the kernel wants the root's 0.
  e.generation = st.st_ino == FUSE_ROOT_ID ? 0 : 1;
  e.attr = st;
  e.attr_timeout = options.attr_timeout;
  e.entry_timeout = options.entry_timeout;
  return e;
}

// Replies with an entry the core has counted as a lookup; if the kernel never gets it (the
// request was interrupted), the lookup is given back.
void ReplyEntry(fuse_req_t req, const struct stat& st) {
  fuse_entry_param e = EntryParam(req, st);
  if (fuse_reply_entry(req, &e) != 0) Fs(req)->Forget(st.st_ino, 1);
}

// Replies to a request that made an entry, or with its error.
void ReplyEntryOrError(fuse_req_t req, int err, const struct stat& st) {
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    ReplyEntry(req, st);
  }
}

void OnInit(void* userdata, fuse_conn_info* conn) {
  auto* binding = static_cast<FuseBinding*>(userdata);
  const FuseBindingOptions& options = binding->options();
  if (options.writeback_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE)) {
    conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  }
  // Listings come with attributes for the first pass over a directory, plain afterwards.
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_READDIRPLUS_AUTO) conn->want |= FUSE_CAP_READDIRPLUS_AUTO;
  // open(O_TRUNC) truncates in the same request.
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  if (conn->capable & FUSE_CAP_CACHE_SYMLINKS) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
  // File handles (open_by_handle_at, NFS export) outlive the kernel's cache: it may look an
  // inode up by number ("." and ".." lookups).
  if (conn->capable & FUSE_CAP_EXPORT_SUPPORT) conn->want |= FUSE_CAP_EXPORT_SUPPORT;
  // ACLs: the kernel enforces them and leaves the umask to settfs, which applies it only where
  // no default ACL is inherited.
  const uint64_t acl_caps = FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
  if (options.posix_acl && options.xattrs && (conn->capable & acl_caps) == acl_caps) {
    conn->want |= acl_caps;
    binding->fs()->set_posix_acls(true);
  }
  // Locks stay in the kernel (see the header).
  conn->want &= ~(FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);
  conn->max_write = options.max_write;
  conn->max_readahead = std::max(conn->max_readahead, options.max_write);
}

void OnDestroy(void* userdata) {
  Filesystem* fs = static_cast<FuseBinding*>(userdata)->fs();
  fs->ReleaseAll();
  fs->SyncAll();
}

void OnLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  struct stat st;
  int err = Fs(req)->Lookup(parent, name, &st);
  if (err == ENOENT) {
    // Remembered by the kernel as missing, so that the next create need not ask again.
    fuse_entry_param e = {};
    e.entry_timeout = Binding(req)->options().negative_timeout;
    fuse_reply_entry(req, &e);
    return;
  }
  ReplyEntryOrError(req, err, st);
}

void OnForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Fs(req)->Forget(ino, nlookup);
  fuse_reply_none(req);
}

void OnForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; i++) Fs(req)->Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void OnGetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  struct stat st;
  int err = Fs(req)->GetAttr(ino, &st);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_attr(req, &st, Binding(req)->options().attr_timeout);
  }
}

Timestamp ToTimestamp(const struct timespec& ts) {
  return Timestamp{ts.tv_sec, static_cast<uint32_t>(ts.tv_nsec)};
}

void OnSetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info*) {
  AttrChange change;
  change.set_mode = to_set & FUSE_SET_ATTR_MODE;
  change.set_uid = to_set & FUSE_SET_ATTR_UID;
  change.set_gid = to_set & FUSE_SET_ATTR_GID;
  change.set_size = to_set & FUSE_SET_ATTR_SIZE;
  change.set_atime = to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW);
  change.atime_now = to_set & FUSE_SET_ATTR_ATIME_NOW;
  change.set_mtime = to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW);
  change.mtime_now = to_set & FUSE_SET_ATTR_MTIME_NOW;
  change.set_ctime = to_set & FUSE_SET_ATTR_CTIME;
  change.mode = attr->st_mode;
  change.uid = attr->st_uid;
  change.gid = attr->st_gid;
  change.size = static_cast<uint64_t>(attr->st_size);
  change.atime = ToTimestamp(attr->st_atim);
  change.mtime = ToTimestamp(attr->st_mtim);
  change.ctime = ToTimestamp(attr->st_ctim);
  // Only a new mode with set-group-ID needs to know who asks (and in which groups), and the
  // empty request the kernel sends before a write by someone who should drop set-ID bits.
  change.drop_set_ids = to_set == 0;
  if (change.drop_set_ids || (change.set_mode && (change.mode & S_ISGID))) {
    change.caller = FullCallerOf(req);
  }
  struct stat st;
  int err = Fs(req)->SetAttr(ino, change, &st);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_attr(req, &st, Binding(req)->options().attr_timeout);
  }
}

void OnReadlink(fuse_req_t req, fuse_ino_t ino) {
  std::string target;
  int err = Fs(req)->Readlink(ino, &target);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_readlink(req, target.c_str());
  }
}

void OnMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  struct stat st;
  ReplyEntryOrError(req, Fs(req)->Mknod(CallerOf(req), parent, name, mode, rdev, &st), st);
}

void OnMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  struct stat st;
  ReplyEntryOrError(req, Fs(req)->Mkdir(CallerOf(req), parent, name, mode, &st), st);
}

void OnSymlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  struct stat st;
  ReplyEntryOrError(req, Fs(req)->Symlink(CallerOf(req), parent, name, target, &st), st);
}

void OnLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  struct stat st;
  ReplyEntryOrError(req, Fs(req)->Link(ino, newparent, newname, &st), st);
}

void OnUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, Fs(req)->Unlink(parent, name));
}

void OnRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_reply_err(req, Fs(req)->Rmdir(parent, name));
}

void OnRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags) {
  fuse_reply_err(req, Fs(req)->Rename(parent, name, newparent, newname, flags, CallerOf(req)));
}

void OnAccess(fuse_req_t req, fuse_ino_t ino, int mask) {
  fuse_reply_err(req, Fs(req)->Access(FullCallerOf(req), ino, mask));
}

// Every open may keep the kernel's cached pages: nobody else writes the files.
void PrepareOpen(fuse_file_info* fi) { fi->keep_cache = 1; }

void OnOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  int err = Fs(req)->Open(ino, fi->flags);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  PrepareOpen(fi);
  if (fuse_reply_open(req, fi) != 0) Fs(req)->Release(ino);
}

void OnCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              fuse_file_info* fi) {
  struct stat st;
  int err = Fs(req)->Create(CallerOf(req), parent, name, mode, fi->flags, &st);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  PrepareOpen(fi);
  fuse_entry_param e = EntryParam(req, st);
  if (fuse_reply_create(req, &e, fi) != 0) {
    Fs(req)->Release(st.st_ino);
    Fs(req)->Forget(st.st_ino, 1);
  }
}

void OnRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  std::string data;
  int err = Fs(req)->Read(ino, static_cast<uint64_t>(off), size, &data);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_buf(req, data.data(), data.size());
  }
}

void OnWrite(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off,
             fuse_file_info* fi) {
  int err = Fs(req)->Write(ino, static_cast<uint64_t>(off), std::string_view(buf, size));
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  // Under the writeback cache, a write that is not the cache's own is a direct one. The kernel
  // does not drop the pages it covers when an asynchronous one completes, and readers may have
  // cached the old data meanwhile: drop them now, before the writer hears it is done.
  if (Binding(req)->WaitsOnKernel() && !fi->writepage) {
    Binding(req)->DropCachedPages(ino, off, static_cast<off_t>(size));
  }
  fuse_reply_write(req, size);
}

void OnFlush(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  // Every write is already committed when it returns, so close(2) has nothing to add. ENOSYS
  // tells the kernel so once: it stops sending FLUSH, a round trip saved on every close.
  fuse_reply_err(req, ENOSYS);
}

void OnRelease(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  fuse_reply_err(req, Fs(req)->Release(ino));
}

void OnFsync(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  fuse_reply_err(req, Fs(req)->Fsync(ino));
}

void OnOpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  uint64_t handle;
  int err = Fs(req)->OpenDir(ino, &handle);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = handle;
  fi->cache_readdir = 0;  // Listings are cheap, and a cached one would outlive changes.
  if (fuse_reply_open(req, fi) != 0) Fs(req)->ReleaseDir(handle);
}

void ReadDirCommon(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  std::string buf(size, '\0');
  size_t used = 0;
  int err = Fs(req)->ReadDir(fi->fh, static_cast<uint64_t>(off), plus,
                             [&](std::string_view name, const struct stat& st, uint64_t next) {
                               std::string n(name);
                               size_t room = size - used;
                               size_t need;
                               if (plus) {
                                 fuse_entry_param e = EntryParam(req, st);
                                 need = fuse_add_direntry_plus(req, &buf[used], room, n.c_str(), &e,
                                                               static_cast<off_t>(next));
                               } else {
                                 need = fuse_add_direntry(req, &buf[used], room, n.c_str(), &st,
                                                          static_cast<off_t>(next));
                               }
                               if (need > room) return false;
                               used += need;
                               return true;
                             });
  if (err != 0 && used == 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_buf(req, buf.data(), used);
  }
}

void OnReadDir(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, size, off, fi, false);
}

void OnReadDirPlus(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, size, off, fi, true);
}

void OnReleaseDir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fuse_reply_err(req, Fs(req)->ReleaseDir(fi->fh));
}

void OnFsyncDir(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  fuse_reply_err(req, Fs(req)->Fsync(ino));
}

void OnStatFs(fuse_req_t req, fuse_ino_t) {
  struct statvfs st;
  int err = Fs(req)->StatFs(&st);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_statfs(req, &st);
  }
}

// With xattrs off, ENOSYS: the kernel then stops asking (and answers EOPNOTSUPP itself), which
// spares every write(2) the getxattr("security.capability") it otherwise sends first.
bool RefuseXattrs(fuse_req_t req) {
  if (Binding(req)->options().xattrs) return false;
  fuse_reply_err(req, ENOSYS);
  return true;
}

void OnSetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags) {
  if (RefuseXattrs(req)) return;
  fuse_reply_err(req, Fs(req)->SetXattr(ino, name, std::string_view(value, size), flags));
}

// getxattr and listxattr: size 0 asks how much room the answer needs.
void ReplySized(fuse_req_t req, int err, const std::string& data, size_t size) {
  if (err != 0) {
    fuse_reply_err(req, err);
  } else if (size == 0) {
    fuse_reply_xattr(req, data.size());
  } else if (data.size() > size) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, data.data(), data.size());
  }
}

void OnGetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  if (RefuseXattrs(req)) return;
  std::string value;
  int err = Fs(req)->GetXattr(ino, name, &value);
  ReplySized(req, err, value, size);
}

void OnListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  if (RefuseXattrs(req)) return;
  std::string names;
  int err = Fs(req)->ListXattr(ino, &names);
  ReplySized(req, err, names, size);
}

void OnRemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  if (RefuseXattrs(req)) return;
  fuse_reply_err(req, Fs(req)->RemoveXattr(ino, name));
}

void OnFallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info*) {
  if (offset < 0 || length <= 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  fuse_reply_err(req, Fs(req)->Fallocate(ino, mode, static_cast<uint64_t>(offset),
                                         static_cast<uint64_t>(length)));
}

void OnLseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info*) {
  if (off < 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  // Data the kernel still caches is invisible here: have it written back first, from off on
  // (what SEEK_DATA and SEEK_HOLE look at).
  if (Binding(req)->WaitsOnKernel()) Binding(req)->DropCachedPages(ino, off, 0);
  uint64_t result = 0;
  int err = Fs(req)->Lseek(ino, static_cast<uint64_t>(off), whence, &result);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_lseek(req, static_cast<off_t>(result));
  }
}

void OnCopyFileRange(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info*,
                     fuse_ino_t ino_out, off_t off_out, fuse_file_info*, size_t len, int flags) {
  if (flags != 0 || off_in < 0 || off_out < 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  size_t copied = 0;
  int err = Fs(req)->CopyFileRange(ino_in, static_cast<uint64_t>(off_in), ino_out,
                                   static_cast<uint64_t>(off_out), len, &copied);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_write(req, copied);
  }
}

// chattr's flags and their FS_IOC_FSGETXATTR spelling, for the flags settfs keeps.
constexpr struct {
  uint32_t flag, xflag;
} kFlagPairs[] = {{FS_IMMUTABLE_FL, FS_XFLAG_IMMUTABLE},
                  {FS_APPEND_FL, FS_XFLAG_APPEND},
                  {FS_NODUMP_FL, FS_XFLAG_NODUMP},
                  {FS_NOATIME_FL, FS_XFLAG_NOATIME}};

// The kernel turns FS_IOC_GETFLAGS/SETFLAGS (chattr, lsattr) and FS_IOC_FSGETXATTR/FSSETXATTR
// into these requests, with the argument's bytes in in_buf.
void OnIoctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void*, fuse_file_info*, unsigned,
             const void* in_buf, size_t in_bufsz, size_t out_bufsz) {
  const bool get_flags = cmd == FS_IOC_GETFLAGS || cmd == FS_IOC32_GETFLAGS;
  const bool set_flags = cmd == FS_IOC_SETFLAGS || cmd == FS_IOC32_SETFLAGS;
  const bool get_x = cmd == FS_IOC_FSGETXATTR, set_x = cmd == FS_IOC_FSSETXATTR;
  const size_t need = get_flags || set_flags ? sizeof(uint32_t) : sizeof(fsxattr);
  if (!get_flags && !set_flags && !get_x && !set_x) {
    fuse_reply_err(req, ENOTTY);
    return;
  }
  if ((get_flags || get_x) ? out_bufsz < need : in_bufsz < need) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  uint32_t flags = 0;
  fsxattr x = {};
  int err = 0;
  if (set_flags) {
    std::memcpy(&flags, in_buf, sizeof(flags));
    err = Fs(req)->SetFlags(ino, flags);
  } else if (set_x) {
    std::memcpy(&x, in_buf, sizeof(x));
    uint32_t known = 0;
    for (const auto& pair : kFlagPairs) {
      if (x.fsx_xflags & pair.xflag) flags |= pair.flag;
      known |= pair.xflag;
    }
    bool unsupported = (x.fsx_xflags & ~known) || x.fsx_extsize || x.fsx_projid || x.fsx_cowextsize;
    err = unsupported ? EOPNOTSUPP : Fs(req)->SetFlags(ino, flags);
  } else {
    err = Fs(req)->GetFlags(ino, &flags);
    for (const auto& pair : kFlagPairs) {
      if (flags & pair.flag) x.fsx_xflags |= pair.xflag;
    }
  }
  if (err != 0) {
    fuse_reply_err(req, err);
  } else if (set_flags || set_x) {
    fuse_reply_ioctl(req, 0, nullptr, 0);  // Nothing comes back: the kernel expects none.
  } else if (get_flags) {
    fuse_reply_ioctl(req, 0, &flags, sizeof(flags));
  } else {
    fuse_reply_ioctl(req, 0, &x, sizeof(x));
  }
}

fuse_lowlevel_ops MakeOperations() {
  fuse_lowlevel_ops ops = {};
  ops.init = OnInit;
  ops.destroy = OnDestroy;
  ops.lookup = OnLookup;
  ops.forget = OnForget;
  ops.forget_multi = OnForgetMulti;
  ops.getattr = OnGetAttr;
  ops.setattr = OnSetAttr;
  ops.readlink = OnReadlink;
  ops.mknod = OnMknod;
  ops.mkdir = OnMkdir;
  ops.symlink = OnSymlink;
  ops.link = OnLink;
  ops.unlink = OnUnlink;
  ops.rmdir = OnRmdir;
  ops.rename = OnRename;
  ops.access = OnAccess;
  ops.open = OnOpen;
  ops.create = OnCreate;
  ops.read = OnRead;
  ops.write = OnWrite;
  ops.flush = OnFlush;
  ops.release = OnRelease;
  ops.fsync = OnFsync;
  ops.opendir = OnOpenDir;
  ops.readdir = OnReadDir;
  ops.readdirplus = OnReadDirPlus;
  ops.releasedir = OnReleaseDir;
  ops.fsyncdir = OnFsyncDir;
  ops.statfs = OnStatFs;
  ops.setxattr = OnSetXattr;
  ops.getxattr = OnGetXattr;
  ops.listxattr = OnListXattr;
  ops.removexattr = OnRemoveXattr;
  ops.fallocate = OnFallocate;
  ops.lseek = OnLseek;
  ops.copy_file_range = OnCopyFileRange;
  ops.ioctl = OnIoctl;
  return ops;
}

}  // namespace

bool FuseBinding::WaitsOnKernel() const {
  return session_ != nullptr && options_.writeback_cache && options_.threads > 1;
}

void FuseBinding::DropCachedPages(fuse_ino_t ino, off_t offset, off_t length) {
  int err = fuse_lowlevel_notify_inval_inode(session_, ino, offset, length);
  // ENOENT: the kernel no longer knows the inode, so it caches nothing of it.
  if (err != 0 && err != -ENOENT) {
    fs_->logger()->Log(LogLevel::kWarning, "settfs: dropping the cached pages of inode " +
                                               std::to_string(ino) + ": " + std::strerror(-err));
  }
}

const fuse_lowlevel_ops& FuseBinding::Operations() {
  static const fuse_lowlevel_ops ops = MakeOperations();
  return ops;
}

}  // namespace settfs
