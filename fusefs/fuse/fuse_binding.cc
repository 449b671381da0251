// Each handler unpacks a request, calls the filesystem core and replies exactly once.

#include "fuse/fuse_binding.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
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

// Where a request's inode lives: the live filesystem (view 0), a snapshot's view, or the
// .snapshots directory itself (fs null). ino is the number inside fs.
struct Target {
  Filesystem* fs = nullptr;
  uint64_t ino = 0;
  uint64_t view = 0;
  bool snapdir() const { return view == SnapshotViews::kSnapdirView; }
};

// Finds where fuse inode `ino` lives; an errno when nowhere.
int Resolve(FuseBinding* binding, fuse_ino_t ino, Target* t) {
  const uint64_t view = SnapshotViews::ViewOf(ino);
  if (view == 0 || binding->views() == nullptr) {
    *t = Target{binding->fs(), ino, 0};
    return 0;
  }
  if (view == SnapshotViews::kSnapdirView) {
    *t = Target{nullptr, ino, view};
    return ino == SnapshotViews::kSnapdirIno ? 0 : ENOENT;
  }
  int err = 0;
  Filesystem* fs = binding->views()->Get(view, &err);
  *t = Target{fs, SnapshotViews::LocalOf(ino), view};
  return fs == nullptr ? err : 0;
}

// Resolves ino, or replies with the error and returns false.
bool Route(fuse_req_t req, fuse_ino_t ino, Target* t) {
  int err = Resolve(Binding(req), ino, t);
  if (err != 0) fuse_reply_err(req, err);
  return err == 0;
}

// The same for an inode to be changed: snapshots, and .snapshots, are read-only (EROFS).
bool RouteChange(fuse_req_t req, fuse_ino_t ino, Target* t) {
  if (!Route(req, ino, t)) return false;
  if (t->view == 0) return true;
  fuse_reply_err(req, EROFS);
  return false;
}

// A stat of t's filesystem, numbered as the kernel knows it.
void Number(const Target& t, struct stat* st) {
  st->st_ino = SnapshotViews::Encode(t.view, st->st_ino);
}

// The attributes of .snapshots: the root's, read-only.
int SnapdirAttr(fuse_req_t req, struct stat* st) {
  int err = Fs(req)->GetAttr(FUSE_ROOT_ID, st);
  st->st_ino = SnapshotViews::kSnapdirIno;
  st->st_mode = S_IFDIR | 0555;
  st->st_nlink = 2;
  return err;
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

// Replies with an entry of t's filesystem that it has counted as a lookup (st numbered as in
// it); if the kernel never gets it (the request was interrupted), the lookup is given back.
void ReplyEntry(fuse_req_t req, const Target& t, struct stat st) {
  const uint64_t local = st.st_ino;
  Number(t, &st);
  fuse_entry_param e = EntryParam(req, st);
  if (fuse_reply_entry(req, &e) != 0 && t.fs != nullptr) t.fs->Forget(local, 1);
}

// Replies to a request that made an entry, or with its error.
void ReplyEntryOrError(fuse_req_t req, const Target& t, int err, const struct stat& st) {
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    ReplyEntry(req, t, st);
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

// The root of the view of snapshot `name`, as an entry of .snapshots; *t becomes the view.
int LookupView(fuse_req_t req, const char* name, Target* t, struct stat* st) {
  SnapshotViews* views = Binding(req)->views();
  uint64_t view = 0;
  int err = views->Find(name, &view);
  Filesystem* fs = err == 0 ? views->Get(view, &err) : nullptr;
  if (fs == nullptr) return err;
  *t = Target{fs, FUSE_ROOT_ID, view};
  return fs->GetAttr(FUSE_ROOT_ID, st);  // Roots are never forgotten: no lookup to count.
}

bool IsSnapdir(fuse_req_t req, const Target& parent, const char* name) {
  return parent.view == 0 && parent.ino == FUSE_ROOT_ID && Binding(req)->views() != nullptr &&
         std::strcmp(name, SnapshotViews::kSnapdirName) == 0;
}

void OnLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Target t;
  if (!Route(req, parent, &t)) return;
  struct stat st;
  int err;
  if (IsSnapdir(req, t, name)) {
    err = SnapdirAttr(req, &st);
    t = Target{nullptr, 0, 0};  // Numbered already; nothing counts its lookups.
  } else if (t.snapdir()) {
    err = LookupView(req, name, &t, &st);
  } else {
    err = t.fs->Lookup(t.ino, name, &st);
  }
  if (err == ENOENT) {
    // Remembered by the kernel as missing, so that the next create need not ask again.
    fuse_entry_param e = {};
    e.entry_timeout = Binding(req)->options().negative_timeout;
    fuse_reply_entry(req, &e);
    return;
  }
  ReplyEntryOrError(req, t, err, st);
}

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Target t;
  if (Resolve(Binding(req), ino, &t) == 0 && t.fs != nullptr) t.fs->Forget(t.ino, nlookup);
}

void OnForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Forget(req, ino, nlookup);
  fuse_reply_none(req);
}

void OnForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; i++) Forget(req, forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void OnGetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Target t;
  if (!Route(req, ino, &t)) return;
  struct stat st;
  int err = t.snapdir() ? SnapdirAttr(req, &st) : t.fs->GetAttr(t.ino, &st);
  if (!t.snapdir()) Number(t, &st);
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
  Target t;
  if (!RouteChange(req, ino, &t)) return;
  struct stat st;
  int err = t.fs->SetAttr(t.ino, change, &st);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_attr(req, &st, Binding(req)->options().attr_timeout);
  }
}

void OnReadlink(fuse_req_t req, fuse_ino_t ino) {
  Target t;
  if (!Route(req, ino, &t)) return;
  std::string target;
  int err = t.snapdir() ? EINVAL : t.fs->Readlink(t.ino, &target);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    fuse_reply_readlink(req, target.c_str());
  }
}

// A change that names an entry in directory `parent`: never in a snapshot, and never the
// name .snapshots in the root (that fails with snapdir_error: EEXIST for what would make it,
// EROFS for what would remove or move it).
bool RouteNameChange(fuse_req_t req, fuse_ino_t parent, const char* name, Target* t,
                     int snapdir_error = EEXIST) {
  if (!RouteChange(req, parent, t)) return false;
  if (!IsSnapdir(req, *t, name)) return true;
  fuse_reply_err(req, snapdir_error);
  return false;
}

void OnMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Target t;
  if (!RouteNameChange(req, parent, name, &t)) return;
  struct stat st;
  ReplyEntryOrError(req, t, t.fs->Mknod(CallerOf(req), t.ino, name, mode, rdev, &st), st);
}

void OnMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Target t;
  if (!RouteNameChange(req, parent, name, &t)) return;
  struct stat st;
  ReplyEntryOrError(req, t, t.fs->Mkdir(CallerOf(req), t.ino, name, mode, &st), st);
}

void OnSymlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  Target t;
  if (!RouteNameChange(req, parent, name, &t)) return;
  struct stat st;
  ReplyEntryOrError(req, t, t.fs->Symlink(CallerOf(req), t.ino, name, target, &st), st);
}

void OnLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Target from, to;
  if (!Route(req, ino, &from)) return;
  if (from.view != 0) {  // A snapshot's file cannot be linked into the live tree.
    fuse_reply_err(req, EXDEV);
    return;
  }
  if (!RouteNameChange(req, newparent, newname, &to)) return;
  struct stat st;
  ReplyEntryOrError(req, to, to.fs->Link(from.ino, to.ino, newname, &st), st);
}

void OnUnlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Target t;
  if (RouteNameChange(req, parent, name, &t, EROFS)) fuse_reply_err(req, t.fs->Unlink(t.ino, name));
}

void OnRmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Target t;
  if (RouteNameChange(req, parent, name, &t, EROFS)) fuse_reply_err(req, t.fs->Rmdir(t.ino, name));
}

void OnRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags) {
  Target from, to;
  if (!RouteNameChange(req, parent, name, &from, EROFS)) return;
  if (!RouteNameChange(req, newparent, newname, &to, EROFS)) return;
  fuse_reply_err(req, from.fs->Rename(from.ino, name, to.ino, newname, flags, CallerOf(req)));
}

void OnAccess(fuse_req_t req, fuse_ino_t ino, int mask) {
  Target t;
  if (!Route(req, ino, &t)) return;
  if (t.view != 0 && (mask & W_OK)) {
    fuse_reply_err(req, EROFS);
  } else {
    fuse_reply_err(req, t.snapdir() ? 0 : t.fs->Access(FullCallerOf(req), t.ino, mask));
  }
}

// An open keeps the kernel's cached pages when nobody else writes the files (a store that other
// mounts share: the pages are read again at each open, as NFS's close-to-open).
void PrepareOpen(fuse_req_t req, fuse_file_info* fi) {
  fi->keep_cache = Binding(req)->options().keep_cache ? 1 : 0;
}

void OnOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  const bool changes = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
  Target t;
  if (!(changes ? RouteChange(req, ino, &t) : Route(req, ino, &t))) return;
  int err = t.snapdir() ? EISDIR : t.fs->Open(t.ino, fi->flags);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  PrepareOpen(req, fi);
  if (fuse_reply_open(req, fi) != 0) t.fs->Release(t.ino);
}

void OnCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              fuse_file_info* fi) {
  Target t;
  if (!RouteNameChange(req, parent, name, &t)) return;
  struct stat st;
  int err = t.fs->Create(CallerOf(req), t.ino, name, mode, fi->flags, &st);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  PrepareOpen(req, fi);
  fuse_entry_param e = EntryParam(req, st);  // The live tree: numbered as in it.
  if (fuse_reply_create(req, &e, fi) != 0) {
    t.fs->Release(st.st_ino);
    t.fs->Forget(st.st_ino, 1);
  }
}

void OnRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  OpStats& stats = Binding(req)->stats();
  Target t;
  if (!Route(req, ino, &t)) return;
  std::string data;
  int err = t.snapdir() ? EISDIR : t.fs->Read(t.ino, static_cast<uint64_t>(off), size, &data);
  if (err != 0) {
    fuse_reply_err(req, err);
  } else {
    stats.AddRead(data.size());
    fuse_reply_buf(req, data.data(), data.size());
  }
}

void OnWrite(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off,
             fuse_file_info* fi) {
  Target t;
  if (!RouteChange(req, ino, &t)) return;
  int err = t.fs->Write(t.ino, static_cast<uint64_t>(off), std::string_view(buf, size));
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
  Binding(req)->stats().AddWritten(size);
  fuse_reply_write(req, size);
}

void OnFlush(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  // Every write is already committed when it returns, so close(2) has nothing to add. ENOSYS
  // tells the kernel so once: it stops sending FLUSH, a round trip saved on every close.
  fuse_reply_err(req, ENOSYS);
}

void OnRelease(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Target t;
  if (Route(req, ino, &t)) fuse_reply_err(req, t.snapdir() ? 0 : t.fs->Release(t.ino));
}

void OnFsync(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  Target t;
  if (Route(req, ino, &t)) fuse_reply_err(req, t.view != 0 ? 0 : t.fs->Fsync(t.ino));
}

void OnOpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Target t;
  if (!Route(req, ino, &t)) return;
  uint64_t handle = 0;
  int err = t.snapdir() ? 0 : t.fs->OpenDir(t.ino, &handle);
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = handle;
  fi->cache_readdir = 0;  // Listings are cheap, and a cached one would outlive changes.
  if (fuse_reply_open(req, fi) != 0 && !t.snapdir()) t.fs->ReleaseDir(handle);
}

// Where a listing of the root continues after its last entry, when .snapshots is shown there.
constexpr off_t kAfterSnapdir = INT64_MAX;

// A readdir reply being filled. Add takes an entry and where the next one starts; false when
// it no longer fits. An entry without `counted` gets no lookup (plus: attributes only).
class Listing {
 public:
  Listing(fuse_req_t req, size_t size, bool plus) : req_(req), buf_(size, '\0'), plus_(plus) {}
  bool Add(const std::string& name, const struct stat& st, bool counted, off_t next) {
    size_t room = buf_.size() - used_, need;
    if (plus_) {
      fuse_entry_param e = {};
      if (counted) {
        e = EntryParam(req_, st);
      } else {
        e.attr.st_ino = st.st_ino;
        e.attr.st_mode = st.st_mode;
      }
      need = fuse_add_direntry_plus(req_, &buf_[used_], room, name.c_str(), &e, next);
    } else {
      need = fuse_add_direntry(req_, &buf_[used_], room, name.c_str(), &st, next);
    }
    if (need > room) return false;
    used_ += need;
    return true;
  }
  void Reply(int err) {
    if (err != 0 && used_ == 0) {
      fuse_reply_err(req_, err);
    } else {
      fuse_reply_buf(req_, buf_.data(), used_);
    }
  }

 private:
  fuse_req_t req_;
  std::string buf_;
  size_t used_ = 0;
  const bool plus_;
};

// .snapshots lists ".", ".." and a directory per snapshot (offsets 0, 1, then 2 on).
int ListSnapdir(fuse_req_t req, off_t off, Listing* listing) {
  struct stat st;
  int err = SnapdirAttr(req, &st);
  if (err != 0) return err;
  if (off == 0 && !listing->Add(".", st, false, 1)) return 0;
  st.st_ino = FUSE_ROOT_ID;
  if (off <= 1 && !listing->Add("..", st, false, 2)) return 0;
  auto snapshots = Binding(req)->views()->List();
  for (size_t i = off > 2 ? static_cast<size_t>(off - 2) : 0; i < snapshots.size(); i++) {
    st.st_ino = SnapshotViews::Encode(snapshots[i].second, FUSE_ROOT_ID);
    if (!listing->Add(snapshots[i].first, st, false, static_cast<off_t>(i + 3))) break;
  }
  return 0;
}

void ReadDirCommon(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi,
                   bool plus) {
  Target t;
  if (!Route(req, ino, &t)) return;
  Listing listing(req, size, plus);
  if (t.snapdir()) {
    listing.Reply(ListSnapdir(req, off, &listing));
    return;
  }
  const bool show_snapdir = t.view == 0 && t.ino == FUSE_ROOT_ID &&
                            Binding(req)->views() != nullptr && Binding(req)->snapdir_visible();
  if (show_snapdir && off == kAfterSnapdir) {
    listing.Reply(0);
    return;
  }
  bool ended = true;
  int err = t.fs->ReadDir(fi->fh, static_cast<uint64_t>(off), plus,
                          [&](std::string_view name, const struct stat& st, uint64_t next) {
                            struct stat numbered = st;
                            Number(t, &numbered);
                            ended = listing.Add(std::string(name), numbered, true,
                                                static_cast<off_t>(next));
                            return ended;
                          });
  if (err == 0 && ended && show_snapdir) {
    struct stat st;
    if (SnapdirAttr(req, &st) == 0) {
      listing.Add(SnapshotViews::kSnapdirName, st, false, kAfterSnapdir);
    }
  }
  listing.Reply(err);
}

void OnReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, ino, size, off, fi, false);
}

void OnReadDirPlus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDirCommon(req, ino, size, off, fi, true);
}

void OnReleaseDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Target t;
  if (Route(req, ino, &t)) fuse_reply_err(req, t.snapdir() ? 0 : t.fs->ReleaseDir(fi->fh));
}

void OnFsyncDir(fuse_req_t req, fuse_ino_t ino, int, fuse_file_info*) {
  Target t;
  if (Route(req, ino, &t)) fuse_reply_err(req, t.view != 0 ? 0 : t.fs->Fsync(t.ino));
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
  Target t;
  if (RefuseXattrs(req) || !RouteChange(req, ino, &t)) return;
  fuse_reply_err(req, t.fs->SetXattr(t.ino, name, std::string_view(value, size), flags));
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
  Target t;
  if (RefuseXattrs(req) || !Route(req, ino, &t)) return;
  std::string value;
  int err = t.snapdir() ? ENODATA : t.fs->GetXattr(t.ino, name, &value);
  ReplySized(req, err, value, size);
}

void OnListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Target t;
  if (RefuseXattrs(req) || !Route(req, ino, &t)) return;
  std::string names;
  int err = t.snapdir() ? 0 : t.fs->ListXattr(t.ino, &names);
  ReplySized(req, err, names, size);
}

void OnRemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  Target t;
  if (RefuseXattrs(req) || !RouteChange(req, ino, &t)) return;
  fuse_reply_err(req, t.fs->RemoveXattr(t.ino, name));
}

void OnFallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
                 fuse_file_info*) {
  if (offset < 0 || length <= 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  Target t;
  if (!RouteChange(req, ino, &t)) return;
  fuse_reply_err(req, t.fs->Fallocate(t.ino, mode, static_cast<uint64_t>(offset),
                                      static_cast<uint64_t>(length)));
}

void OnLseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info*) {
  if (off < 0) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  // Data the kernel still caches is invisible here: have it written back first, from off on
  // (what SEEK_DATA and SEEK_HOLE look at).
  Target t;
  if (!Route(req, ino, &t)) return;
  if (t.view == 0 && Binding(req)->WaitsOnKernel()) Binding(req)->DropCachedPages(ino, off, 0);
  uint64_t result = 0;
  int err = t.snapdir() ? EISDIR : t.fs->Lseek(t.ino, static_cast<uint64_t>(off), whence, &result);
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
  Target in, out;
  if (!Route(req, ino_in, &in) || !RouteChange(req, ino_out, &out)) return;
  if (in.view != out.view) {  // From a snapshot: the kernel falls back to reading and writing.
    fuse_reply_err(req, EXDEV);
    return;
  }
  size_t copied = 0;
  int err = out.fs->CopyFileRange(in.ino, static_cast<uint64_t>(off_in), out.ino,
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
  Target t;
  if (!((set_flags || set_x) ? RouteChange(req, ino, &t) : Route(req, ino, &t))) return;
  if (t.snapdir()) {
    fuse_reply_err(req, ENOTTY);
    return;
  }
  uint32_t flags = 0;
  fsxattr x = {};
  int err = 0;
  if (set_flags) {
    std::memcpy(&flags, in_buf, sizeof(flags));
    err = t.fs->SetFlags(t.ino, flags);
  } else if (set_x) {
    std::memcpy(&x, in_buf, sizeof(x));
    uint32_t known = 0;
    for (const auto& pair : kFlagPairs) {
      if (x.fsx_xflags & pair.xflag) flags |= pair.flag;
      known |= pair.xflag;
    }
    bool unsupported = (x.fsx_xflags & ~known) || x.fsx_extsize || x.fsx_projid || x.fsx_cowextsize;
    err = unsupported ? EOPNOTSUPP : t.fs->SetFlags(t.ino, flags);
  } else {
    err = t.fs->GetFlags(t.ino, &flags);
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

// Times a request's handler and counts it. The binding is looked up first: once the handler
// has replied, the request is gone.
class Timed {
 public:
  Timed(fuse_req_t req, FuseOp op)
      : stats_(&Binding(req)->stats()), op_(op), start_(std::chrono::steady_clock::now()) {}
  ~Timed() { stats_->Record(op_, std::chrono::steady_clock::now() - start_); }

 private:
  OpStats* const stats_;
  const FuseOp op_;
  const std::chrono::steady_clock::time_point start_;
};

// The handler, timed and counted as op (see Timed).
template <FuseOp op, auto handler, typename... Args>
void TimedCall(fuse_req_t req, Args... args) {
  Timed timed(req, op);
  handler(req, args...);
}

// A pointer to TimedCall for handler, with handler's parameters.
template <FuseOp op, auto handler, typename... Args>
constexpr auto TimedOf(void (*)(fuse_req_t, Args...)) {
  return &TimedCall<op, handler, Args...>;
}

fuse_lowlevel_ops MakeOperations() {
  fuse_lowlevel_ops ops = {};
  ops.init = OnInit;
  ops.destroy = OnDestroy;
  ops.lookup = TimedOf<FuseOp::kLookup, OnLookup>(OnLookup);
  ops.forget = TimedOf<FuseOp::kForget, OnForget>(OnForget);
  ops.forget_multi = TimedOf<FuseOp::kForget, OnForgetMulti>(OnForgetMulti);
  ops.getattr = TimedOf<FuseOp::kGetattr, OnGetAttr>(OnGetAttr);
  ops.setattr = TimedOf<FuseOp::kSetattr, OnSetAttr>(OnSetAttr);
  ops.readlink = TimedOf<FuseOp::kReadlink, OnReadlink>(OnReadlink);
  ops.mknod = TimedOf<FuseOp::kMknod, OnMknod>(OnMknod);
  ops.mkdir = TimedOf<FuseOp::kMkdir, OnMkdir>(OnMkdir);
  ops.symlink = TimedOf<FuseOp::kSymlink, OnSymlink>(OnSymlink);
  ops.link = TimedOf<FuseOp::kLink, OnLink>(OnLink);
  ops.unlink = TimedOf<FuseOp::kUnlink, OnUnlink>(OnUnlink);
  ops.rmdir = TimedOf<FuseOp::kRmdir, OnRmdir>(OnRmdir);
  ops.rename = TimedOf<FuseOp::kRename, OnRename>(OnRename);
  ops.access = TimedOf<FuseOp::kAccess, OnAccess>(OnAccess);
  ops.open = TimedOf<FuseOp::kOpen, OnOpen>(OnOpen);
  ops.create = TimedOf<FuseOp::kCreate, OnCreate>(OnCreate);
  ops.read = TimedOf<FuseOp::kRead, OnRead>(OnRead);
  ops.write = TimedOf<FuseOp::kWrite, OnWrite>(OnWrite);
  ops.flush = TimedOf<FuseOp::kFlush, OnFlush>(OnFlush);
  ops.release = TimedOf<FuseOp::kRelease, OnRelease>(OnRelease);
  ops.fsync = TimedOf<FuseOp::kFsync, OnFsync>(OnFsync);
  ops.opendir = TimedOf<FuseOp::kOpendir, OnOpenDir>(OnOpenDir);
  ops.readdir = TimedOf<FuseOp::kReaddir, OnReadDir>(OnReadDir);
  ops.readdirplus = TimedOf<FuseOp::kReaddir, OnReadDirPlus>(OnReadDirPlus);
  ops.releasedir = TimedOf<FuseOp::kReleasedir, OnReleaseDir>(OnReleaseDir);
  ops.fsyncdir = TimedOf<FuseOp::kFsyncdir, OnFsyncDir>(OnFsyncDir);
  ops.statfs = TimedOf<FuseOp::kStatfs, OnStatFs>(OnStatFs);
  ops.setxattr = TimedOf<FuseOp::kSetxattr, OnSetXattr>(OnSetXattr);
  ops.getxattr = TimedOf<FuseOp::kGetxattr, OnGetXattr>(OnGetXattr);
  ops.listxattr = TimedOf<FuseOp::kListxattr, OnListXattr>(OnListXattr);
  ops.removexattr = TimedOf<FuseOp::kRemovexattr, OnRemoveXattr>(OnRemoveXattr);
  ops.fallocate = TimedOf<FuseOp::kFallocate, OnFallocate>(OnFallocate);
  ops.lseek = TimedOf<FuseOp::kLseek, OnLseek>(OnLseek);
  ops.copy_file_range = TimedOf<FuseOp::kCopyFileRange, OnCopyFileRange>(OnCopyFileRange);
  ops.ioctl = TimedOf<FuseOp::kIoctl, OnIoctl>(OnIoctl);
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

void FuseBinding::ForgetChanged(const CacheChange& change) {
  if (session_ == nullptr) return;
  int err = change.entry ? fuse_lowlevel_notify_inval_entry(session_, change.ino,
                                                            change.name.c_str(), change.name.size())
                         : fuse_lowlevel_notify_inval_inode(session_, change.ino, 0, 0);
  // ENOENT: the kernel holds nothing of it. Only a debug line otherwise: the timeouts still
  // bound how long the kernel keeps it.
  if (err != 0 && err != -ENOENT) {
    fs_->logger()->Log(LogLevel::kDebug, "settfs: forgetting what another mount changed (inode " +
                                             std::to_string(change.ino) +
                                             "): " + std::strerror(-err));
  }
}

void FuseBinding::SnapshotChanged(const std::string& name) {
  if (session_ == nullptr || views_ == nullptr) return;
  int err = fuse_lowlevel_notify_inval_entry(session_, SnapshotViews::kSnapdirIno, name.c_str(),
                                             name.size());
  if (err == 0 || err == -ENOENT) {
    err = fuse_lowlevel_notify_inval_inode(session_, SnapshotViews::kSnapdirIno, 0, 0);
  }
  // ENOENT: the kernel holds nothing of .snapshots.
  if (err != 0 && err != -ENOENT) {
    fs_->logger()->Log(LogLevel::kWarning, "settfs: telling the kernel about snapshot " + name +
                                               ": " + std::strerror(-err));
  }
}

const fuse_lowlevel_ops& FuseBinding::Operations() {
  static const fuse_lowlevel_ops ops = MakeOperations();
  return ops;
}

}  // namespace settfs
