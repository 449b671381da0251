// LevelState is the set of tables of every level at one moment. It is immutable: a flush or a
// compaction builds a new one and the DB swaps it in, so a reader holding one sees a
// consistent tree however long it reads.
//
// Invariants: L0 holds flushed memtables, newest (highest id) first, and their key ranges may
// overlap. Each level below holds tables sorted by key whose user-key ranges do not overlap,
// so every user key is in at most one table per level. For one user key, newer versions are
// never in a lower level than older ones.
//
// Thread safety: immutable after construction; share it through std::shared_ptr.

#ifndef SETT_LSM_LEVEL_STATE_H_
#define SETT_LSM_LEVEL_STATE_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "table/table.h"

namespace sett {

using TableList = std::vector<std::shared_ptr<Table>>;

class LevelState {
 public:
  explicit LevelState(int max_levels) : levels_(max_levels) {}

  int num_levels() const { return static_cast<int>(levels_.size()); }
  const TableList& tables(int level) const { return levels_[level]; }
  uint64_t LevelSize(int level) const;
  // The last level that holds a table, or 0.
  int DeepestNonEmptyLevel() const;
  // The newest version in any table (0 when there is none): a read that found a version at
  // least this new in a memtable need not look at the tables.
  uint64_t max_version() const { return max_version_; }

  // A copy with `added` tables placed at their levels and the tables with ids in `deleted`
  // removed.
  std::shared_ptr<const LevelState> Apply(
      const std::vector<std::pair<std::shared_ptr<Table>, int>>& added,
      const std::vector<uint64_t>& deleted) const;

  // Tables of `level` whose user-key range overlaps [smallest, largest].
  TableList Overlapping(int level, std::string_view smallest, std::string_view largest) const;
  // Level >= 1: the one table whose range holds user_key, or null.
  const Table* TableFor(int level, std::string_view user_key) const;

  // Checks the invariants above; returns a description of the first violation, or "".
  std::string CheckInvariants() const;

 private:
  std::vector<TableList> levels_;
  uint64_t max_version_ = 0;
};

}  // namespace sett

#endif  // SETT_LSM_LEVEL_STATE_H_
