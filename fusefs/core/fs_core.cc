// Filesystem: transactions and errors, inodes and entries, format and mount, references and
// orphans, statfs.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "core/filesystem.h"
#include "core/keys.h"

namespace settfs {
namespace {

// The cap on one transaction's share of a large write: beyond it, bigger transactions only
// hold back other writers for longer.
constexpr size_t kMaxWriteChunk = 1 << 20;

// Waits a little longer after each lost conflict, with jitter so that two losers part ways.
void Backoff(int attempt) {
  if (attempt < 2) return;
  thread_local std::minstd_rand jitter(std::random_device{}());
  int64_t cap = std::min<int64_t>(10000, 20LL << std::min(attempt, 9));
  std::this_thread::sleep_for(std::chrono::microseconds(jitter() % cap));
}

}  // namespace

Filesystem::Filesystem(KvStore* store, Superblock sb, Logger* logger)
    : store_(store),
      sb_(std::move(sb)),
      logger_(logger),
      write_chunk_(std::clamp<size_t>(
                       store->MaxTxnBytes() / 2 / (sb_.block_size + kBlockKeySize + kKeyOverhead),
                       1, kMaxWriteChunk / sb_.block_size) *
                   sb_.block_size),
      delete_batch_(BlockDeleteBatch(store->MaxTxnBytes())) {}

int Filesystem::Fail(const Status& s, const std::string& what) const {
  // A conflict met before the commit: Run sees the transaction doomed and runs it again.
  if (s.IsConflict()) return EAGAIN;
  int err = s.error_number();
  if (s.IsIOError() && (err == ENOSPC || err == EDQUOT)) return ENOSPC;
  logger_->Log(LogLevel::kError, "settfs: " + what + ": " + s.ToString());
  return EIO;
}

int Filesystem::CheckSpace(uint64_t bytes) const {
  uint64_t reserve = reserve_;
  if (reserve == 0) return 0;
  uint64_t free = store_->FreeBytes();
  return free < reserve || free - reserve < bytes ? ENOSPC : 0;
}

int Filesystem::Run(bool update, const std::function<int(KvTxn*)>& body, bool sync) {
  if (update && read_only_) return EROFS;
  const auto start = std::chrono::steady_clock::now();
  for (int attempt = 0;; attempt++) {
    std::unique_ptr<KvTxn> txn = store_->Begin(update);
    int err = body(txn.get());
    if (!txn->Doomed()) {  // Else it lost a conflict before its commit.
      if (err != 0 || !update) return err;
      Status s = txn->Commit(sync);
      if (s.ok()) return 0;
      if (!s.IsConflict()) return Fail(s, "commit");
    }
    auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= conflict_timeout_) {
      // Another writer keeps winning (a hot inode under many writers): the caller may retry.
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
      logger_->Log(LogLevel::kWarning, "settfs: an operation lost " + std::to_string(attempt + 1) +
                                           " commits in a row to conflicting writers over " +
                                           std::to_string(ms) + " ms: gave up with EAGAIN");
      return EAGAIN;
    }
    Backoff(attempt);
  }
}

int Filesystem::LoadInode(KvTxn* txn, uint64_t ino, Inode* inode) const {
  std::string value;
  Status s = txn->Get(InodeKey(ino), &value);
  if (s.IsNotFound()) return ENOENT;
  if (!s.ok()) return Fail(s, "reading inode " + std::to_string(ino));
  if (!DecodeInode(value, inode)) {
    return Fail(Status::Corruption("inode " + std::to_string(ino) + " is malformed"), "reading");
  }
  inode->ino = ino;
  return 0;
}

int Filesystem::StoreInode(KvTxn* txn, const Inode& inode) const {
  Status s = txn->Set(InodeKey(inode.ino), EncodeInode(inode));
  return s.ok() ? 0 : Fail(s, "writing inode " + std::to_string(inode.ino));
}

int Filesystem::LoadDir(KvTxn* txn, uint64_t ino, Inode* inode) const {
  int err = LoadInode(txn, ino, inode);
  if (err == 0 && !inode->is_dir()) return ENOTDIR;
  return err;
}

int Filesystem::LoadLiveDir(KvTxn* txn, uint64_t ino, Inode* inode) const {
  int err = LoadDir(txn, ino, inode);
  return err == 0 && inode->nlink == 0 ? ENOENT : err;
}

int Filesystem::LoadChild(KvTxn* txn, uint64_t parent, std::string_view name, Inode* dir,
                          Inode* child) const {
  Dirent d;
  int e = LoadDir(txn, parent, dir);
  if (e == 0) e = LoadDirent(txn, parent, name, &d);
  if (e == 0) e = LoadInode(txn, d.ino, child);
  if (e == ENOENT && d.ino != 0) {
    return Fail(Status::Corruption("entry '" + std::string(name) + "' of directory " +
                                   std::to_string(parent) + " names missing inode " +
                                   std::to_string(d.ino)),
                "looking up");
  }
  return e;
}

int Filesystem::LoadDirent(KvTxn* txn, uint64_t parent, std::string_view name, Dirent* d) const {
  std::string value;
  Status s = txn->Get(DirentKey(parent, name), &value);
  if (s.IsNotFound()) return ENOENT;
  if (!s.ok()) return Fail(s, "reading an entry of directory " + std::to_string(parent));
  if (!DecodeDirent(value, d)) {
    return Fail(
        Status::Corruption("an entry of directory " + std::to_string(parent) + " is malformed"),
        "reading");
  }
  return 0;
}

int Filesystem::TouchDir(KvTxn* txn, uint64_t dir, Timestamp now) const {
  Status s = txn->Set(TimesKey(dir), EncodeDirTimes(DirTimes{now, now}));
  return s.ok() ? 0 : Fail(s, "writing the times of directory " + std::to_string(dir));
}

int Filesystem::Stat(KvTxn* txn, const Inode& inode, struct stat* st) const {
  *st = {};
  st->st_ino = inode.ino;
  st->st_mode = inode.mode;
  st->st_nlink = inode.nlink;
  st->st_uid = inode.uid;
  st->st_gid = inode.gid;
  st->st_rdev = inode.rdev;
  st->st_size = static_cast<off_t>(inode.size);
  st->st_blksize = sb_.block_size;
  st->st_blocks = static_cast<blkcnt_t>(inode.blocks * (sb_.block_size / 512));
  Timestamp mtime = inode.mtime, ctime = inode.ctime;
  if (inode.is_dir()) {
    std::string value;
    DirTimes times;
    Status s = txn->Get(TimesKey(inode.ino), &value);
    if (s.ok() && DecodeDirTimes(value, &times)) {
      mtime = times.mtime;
      ctime = times.ctime;
    } else if (!s.ok() && !s.IsNotFound()) {
      return Fail(s, "reading the times of directory " + std::to_string(inode.ino));
    }
  }
  st->st_atim = {static_cast<time_t>(inode.atime.sec), static_cast<long>(inode.atime.nsec)};
  st->st_mtim = {static_cast<time_t>(mtime.sec), static_cast<long>(mtime.nsec)};
  st->st_ctim = {static_cast<time_t>(ctime.sec), static_cast<long>(ctime.nsec)};
  return 0;
}

int Filesystem::Format(KvStore* store, const Superblock& sb, const Caller& owner, Logger* logger) {
  Filesystem fs(store, sb, logger);
  return fs.Run(
      true,
      [&](KvTxn* txn) {
        std::string value;
        Status s = txn->Get(kSuperblockKey, &value);
        if (s.ok()) return EEXIST;
        if (!s.IsNotFound()) return fs.Fail(s, "reading the superblock");
        s = txn->Set(kSuperblockKey, EncodeSuperblock(sb));
        if (!s.ok()) return fs.Fail(s, "writing the superblock");
        Inode root = NewDirectory(kRootIno, kRootIno, 0755, owner.uid, owner.gid, sb.created);
        int err = fs.StoreInode(txn, root);
        return err != 0 ? err : fs.TouchDir(txn, kRootIno, sb.created);
      },
      /*sync=*/true);
}

int Filesystem::Mount(KvStore* store, Logger* logger, std::unique_ptr<Filesystem>* fs,
                      std::string* error, bool read_only) {
  Superblock sb;
  std::unique_ptr<KvTxn> txn = store->Begin(false);
  Status s = LoadSuperblock(txn.get(), &sb);
  if (!s.ok()) {
    *error = s.ToString();
    return s.IsInvalidArgument() ? EINVAL : EIO;
  }
  std::string pending;
  s = txn->Get(kPendingKey, &pending);
  if (s.ok()) {
    *error = "an interrupted `settfs " + pending +
             "` left the filesystem half changed: run it again to finish it";
    return EINVAL;
  }
  if (!s.IsNotFound()) {
    *error = s.ToString();
    return EIO;
  }
  txn.reset();
  fs->reset(new Filesystem(store, std::move(sb), logger));
  (*fs)->read_only_ = read_only;
  int err = read_only ? 0 : (*fs)->ReclaimOrphans(error);
  if (err == 0) err = (*fs)->CountInodes();
  if (err != 0) {
    if (error->empty()) *error = std::string("mounting: ") + std::strerror(err);
    fs->reset();
  }
  return err;
}

int Filesystem::CountInodes() {
  int64_t n = 0;
  std::unique_ptr<KvTxn> txn = store_->Begin(false);
  Status s = txn->Scan(TagPrefix(KeyTag::kInode), "", /*keys_only=*/true,
                       [&](std::string_view key, std::string_view) {
                         if (ClassifyKey(key) == KeyTag::kInode) n++;
                         return true;
                       });
  if (!s.ok()) return Fail(s, "counting inodes");
  inodes_ = n;
  return 0;
}

void Filesystem::AddLookup(uint64_t ino) {
  std::lock_guard<std::mutex> lock(nodes_mu_);
  nodes_[ino].lookups++;
}

void Filesystem::Forget(uint64_t ino, uint64_t nlookup) {
  bool orphan;
  {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    auto it = nodes_.find(ino);
    if (it == nodes_.end()) return;
    Node& node = it->second;
    node.lookups = nlookup >= node.lookups ? 0 : node.lookups - nlookup;
    if (node.lookups > 0 || node.opens > 0) return;
    orphan = node.orphan;
    nodes_.erase(it);
  }
  if (orphan) Reclaim(ino);
}

int Filesystem::Release(uint64_t ino) {
  bool orphan;
  {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    auto it = nodes_.find(ino);
    if (it == nodes_.end()) return 0;
    Node& node = it->second;
    if (node.opens > 0) node.opens--;
    if (node.lookups > 0 || node.opens > 0) return 0;
    orphan = node.orphan;
    nodes_.erase(it);
  }
  if (orphan) return Reclaim(ino);
  return 0;
}

void Filesystem::Orphaned(uint64_t ino) {
  {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    auto it = nodes_.find(ino);
    if (it != nodes_.end() && (it->second.lookups > 0 || it->second.opens > 0)) {
      it->second.orphan = true;
      return;
    }
    if (it != nodes_.end()) nodes_.erase(it);
  }
  Reclaim(ino);
}

int Filesystem::Reclaim(uint64_t ino) {
  // The blocks go in batches (each its own transaction); the inode and the orphan mark go
  // last, so that a crash midway leaves an orphan for the next mount to finish. Each batch
  // starts where the last one ended, not at the tombstones it left.
  uint64_t next = 0;
  while (true) {
    size_t deleted = 0;
    uint64_t after = next;
    int err = Run(true, [&](KvTxn* txn) {
      after = next;
      Status s = DeleteBlockBatch(txn, ino, delete_batch_, &after, &deleted);
      return s.ok() ? 0 : Fail(s, "reclaiming the blocks of inode " + std::to_string(ino));
    });
    if (err != 0) return err;
    if (deleted < delete_batch_) break;
    next = after;
  }
  int err = Run(true, [&](KvTxn* txn) {
    std::string value;
    Status s = txn->Get(OrphanKey(ino), &value);
    if (s.IsNotFound()) return 0;  // Someone else reclaimed it.
    if (!s.ok()) return Fail(s, "reading orphan " + std::to_string(ino));
    s = DeleteInodeRecords(txn, ino);
    return s.ok() ? 0 : Fail(s, "reclaiming inode " + std::to_string(ino));
  });
  if (err == 0) inodes_--;
  return err;
}

int Filesystem::ReclaimOrphans(std::string* error) {
  std::vector<uint64_t> orphans;
  std::unique_ptr<KvTxn> txn = store_->Begin(false);
  Status s =
      txn->Scan(TagPrefix(KeyTag::kOrphan), "", true, [&](std::string_view key, std::string_view) {
        if (ClassifyKey(key) == KeyTag::kOrphan) orphans.push_back(KeyIno(key));
        return true;
      });
  txn.reset();
  if (!s.ok()) {
    *error = "listing orphans: " + s.ToString();
    return EIO;
  }
  for (uint64_t ino : orphans) {
    int err = Reclaim(ino);
    if (err != 0) {
      *error = "reclaiming orphan inode " + std::to_string(ino) + ": " + std::strerror(err);
      return err;
    }
  }
  if (!orphans.empty()) {
    logger_->Log(LogLevel::kInfo, "settfs: reclaimed " + std::to_string(orphans.size()) +
                                      " files unlinked while open before a crash");
  }
  return 0;
}

int Filesystem::StatFs(struct statvfs* st) {
  KvUsage usage;
  Status s = store_->Usage(&usage);
  if (!s.ok()) return Fail(s, "statfs");
  usage.bytes_free = std::min(usage.bytes_free, store_->FreeBytes());
  const uint64_t bs = sb_.block_size;
  *st = {};
  st->f_bsize = bs;
  st->f_frsize = bs;
  st->f_blocks = (usage.bytes_on_disk + usage.bytes_free) / bs;
  st->f_bfree = usage.bytes_free / bs;
  // As with a filesystem's reserved blocks: what writes may still use.
  uint64_t reserve = reserve_;
  st->f_bavail = usage.bytes_free > reserve ? (usage.bytes_free - reserve) / bs : 0;
  // Inodes cost only keys: as many as the free space could hold at a block each, at least.
  uint64_t used = static_cast<uint64_t>(std::max<int64_t>(0, inodes_.load()));
  st->f_ffree = st->f_bavail;
  st->f_favail = st->f_ffree;
  st->f_files = used + st->f_ffree;
  st->f_namemax = kNameMax;
  return 0;
}

int Filesystem::SyncAll() {
  Status s = store_->Sync();
  return s.ok() ? 0 : Fail(s, "sync");
}

int Filesystem::Fsync(uint64_t) { return SyncAll(); }

int Filesystem::ReleaseAll() {
  {
    std::lock_guard<std::mutex> lock(nodes_mu_);
    nodes_.clear();
  }
  std::string error;
  int err = ReclaimOrphans(&error);
  if (err != 0) logger_->Log(LogLevel::kError, "settfs: " + error);
  return err;
}

}  // namespace settfs
