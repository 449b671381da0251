// SnapshotRegistry keeps the DB's named snapshots (DB::CreateSnapshot): each a read timestamp
// under a name, with the time it was made. Each is registered with the live readers
// (txn/snapshot_list.h), so that flushes, compactions and value-log GC keep what it reads,
// and all are recorded in the SNAPSHOTS file (util/whole_file.h), rewritten whole on every
// change:
//
//   body := varint32 n | n x (varint32 name size | name | varint64 read_ts | varint64 created |
//                            varint32 id size | id)
//
// A damaged SNAPSHOTS file fails the open: read as empty, it would let compaction drop what
// the snapshots read.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_DB_SNAPSHOT_REGISTRY_H_
#define SETT_DB_SNAPSHOT_REGISTRY_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sett/db.h"
#include "sett/env.h"
#include "txn/snapshot_list.h"

namespace sett {

inline constexpr uint64_t kSnapshotsFileMagic = 0x31504e53'54544553ULL;  // "SETTSNP1"
inline constexpr uint32_t kSnapshotsFormatVersion = 1;

class SnapshotRegistry {
 public:
  SnapshotRegistry(Env* env, std::string dir, std::shared_ptr<SnapshotList> readers);
  ~SnapshotRegistry();  // Unregisters every snapshot from the readers.
  SnapshotRegistry(const SnapshotRegistry&) = delete;
  SnapshotRegistry& operator=(const SnapshotRegistry&) = delete;

  // Reads SNAPSHOTS if present and registers its snapshots.
  Status Load();
  // Records a snapshot of the version `latest` holds, read under the readers' lock.
  // make_durable runs after that version is taken and before the snapshot is recorded: it
  // makes every write up to it durable, so that no version inside a snapshot can be lost in
  // a crash and handed out again.
  // id: empty for a new random one (SnapshotInfo::id).
  Status Create(std::string_view name, std::string_view id, const std::atomic<uint64_t>& latest,
                int64_t now, const std::function<Status()>& make_durable, SnapshotInfo* info);
  // The largest timestamp of any snapshot, or 0.
  uint64_t NewestReadTs() const;
  Status Delete(std::string_view name);
  std::vector<SnapshotInfo> List() const;  // Oldest first.
  Status Find(std::string_view name, SnapshotInfo* info) const;
  // Registers one more reader at the named snapshot's timestamp, in the same step as finding
  // it, for a transaction that must keep reading even if the snapshot is deleted meanwhile.
  // The caller removes *position from the readers when done.
  Status AddReader(std::string_view name, uint64_t* read_ts,
                   SnapshotList::Position* position) const;

  // InvalidArgument naming what is wrong with a snapshot name or id, or OK.
  static Status CheckName(std::string_view name);
  static Status CheckId(std::string_view id);

 private:
  struct Entry {
    SnapshotInfo info;
    SnapshotList::Position position;
  };
  Status PersistLocked() const;

  Env* const env_;
  const std::string dir_;
  const std::string path_;
  const std::shared_ptr<SnapshotList> readers_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;  // GUARDED_BY(mu_)
};

}  // namespace sett

#endif  // SETT_DB_SNAPSHOT_REGISTRY_H_
