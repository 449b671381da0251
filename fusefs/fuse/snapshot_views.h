// SnapshotViews serves the read-only views of a mounted filesystem's snapshots, which appear
// under MOUNTPOINT/.snapshots/NAME (as ZFS's .zfs/snapshot): one Filesystem per snapshot,
// opened read-only on first use over a store that reads at the snapshot, and kept while the
// filesystem is mounted.
//
// Inode numbers: the kernel sees one filesystem, so the views' inodes get numbers of their
// own. A live inode keeps its number (below 2^48); inode n of view v (v >= 1, numbered as
// snapshots are first seen) is v << 48 | n; the .snapshots directory is kSnapdirIno.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETTFS_FUSE_SNAPSHOT_VIEWS_H_
#define SETTFS_FUSE_SNAPSHOT_VIEWS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/filesystem.h"
#include "core/kv_store.h"

namespace settfs {

// Where the views come from: the snapshots' names, and a store that reads at one of them.
struct SnapshotSource {
  std::function<std::vector<std::string>()> list;
  std::function<Status(const std::string& name, std::unique_ptr<KvStore>* store)> open;
};

class SnapshotViews {
 public:
  static constexpr int kViewShift = 48;
  static constexpr uint64_t kLocalMask = (uint64_t{1} << kViewShift) - 1;
  static constexpr uint64_t kSnapdirView = 0xFFFF;
  static constexpr uint64_t kSnapdirIno = (kSnapdirView << kViewShift) | 1;
  static constexpr char kSnapdirName[] = ".snapshots";

  SnapshotViews(SnapshotSource source, Logger* logger)
      : source_(std::move(source)), logger_(logger) {}
  ~SnapshotViews();

  static uint64_t ViewOf(uint64_t ino) { return ino >> kViewShift; }
  static uint64_t LocalOf(uint64_t ino) { return ino & kLocalMask; }
  static uint64_t Encode(uint64_t view, uint64_t local) {
    return view == 0 ? local : (view << kViewShift) | local;
  }

  // The snapshots now, each with its view number (assigned here on first sight).
  std::vector<std::pair<std::string, uint64_t>> List();
  // The view number of snapshot `name`; ENOENT when there is none.
  int Find(const std::string& name, uint64_t* view);
  // The filesystem of view `view`, opened on first use; null with *err (ENOENT: no such view
  // or snapshot, EIO: it would not open) otherwise.
  Filesystem* Get(uint64_t view, int* err);

 private:
  struct View {
    std::string name;
    std::unique_ptr<KvStore> store;
    std::unique_ptr<Filesystem> fs;
  };
  uint64_t NumberLocked(const std::string& name);

  const SnapshotSource source_;
  Logger* const logger_;
  std::mutex mu_;
  std::map<std::string, uint64_t> numbers_;  // GUARDED_BY(mu_)
  std::map<uint64_t, View> views_;           // GUARDED_BY(mu_)
};

}  // namespace settfs

#endif  // SETTFS_FUSE_SNAPSHOT_VIEWS_H_
