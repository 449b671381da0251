// Moving a settfs database's keys from one state to another, for settfs rollback and
// receive.
//
// DiffStates finds what differs between two states (two read timestamps) by comparing each
// key's version, so that a key untouched between them is never read: the cost is one pass
// over the keys plus the values that changed. The inode-number sequence and the pending mark
// are left out: ids are never handed out twice, whatever state the tree returns to.
//
// BulkChange writes such changes in transactions of the engine's size, under the pending mark
// (keys.h: P): from its first write until its last the filesystem refuses to mount and fsck
// reports it, and running the same command again finishes it. To a user it is one step.

#ifndef SETTFS_TOOLS_TREE_CHANGES_H_
#define SETTFS_TOOLS_TREE_CHANGES_H_

#include <functional>
#include <memory>
#include <string>

#include "sett/db.h"

namespace settfs {

struct KeyChange {
  std::string key;
  bool deleted = false;
  std::string value;  // When not deleted.
};

// Calls fn, in key order, with every key whose newest version at to_ts differs from its newest
// at from_ts (from_ts 0: every key at to_ts), with its value at to_ts or as deleted. Stops at
// the first error fn returns.
// With compare_values, a key whose versions differ but whose values do not (as a rollback
// leaves them) is not a change.
sett::Status DiffStates(sett::DB* db, uint64_t from_ts, uint64_t to_ts,
                        const std::function<sett::Status(const KeyChange&)>& fn,
                        bool compare_values = false);

class BulkChange {
 public:
  // Marks db as under `what` (the command, as a user would type it again).
  static sett::Status Begin(sett::DB* db, const std::string& what,
                            std::unique_ptr<BulkChange>* change);
  sett::Status Add(const KeyChange& change);
  // Writes what was added so far (still under the mark): a key may then be added again.
  sett::Status Flush();
  // Writes what is left and takes the mark away, durably.
  sett::Status Finish();
  uint64_t changes() const { return changes_; }

 private:
  explicit BulkChange(sett::DB* db);
  sett::Status WriteBatch(bool last);

  sett::DB* const db_;
  const size_t max_batch_bytes_;
  sett::WriteBatch batch_;
  size_t batch_bytes_ = 0;
  uint64_t changes_ = 0;
};

}  // namespace settfs

#endif  // SETTFS_TOOLS_TREE_CHANGES_H_
