// CompactionPicker decides what to compact next. It sizes the levels dynamically, scores them,
// and picks a compaction whose tables and key ranges do not collide with one already running.
//
// Level sizing: the last level's size sets the targets; each level up is level_size_multiplier
// times smaller, but never below base_level_size / level_size_multiplier. The base level -
// where L0 compacts to - is the deepest level whose unfloored target is at most
// base_level_size, or the shallowest non-empty level if that is shallower, so that newer data
// never sits below older data.
// Tables are base_table_size down to the base level and grow by table_size_multiplier per
// level below it.
//
// Scores: L0 = its table count / num_level_zero_tables; Li = its size / its target; the last
// level never compacts. A level with score >= 1 wants compaction. L0 compacts all its tables
// into the base level; Li moves the one table whose overlap with Li+1 is smallest (relative
// to its size). Either is a trivial move - the tables re-filed, not rewritten - when they
// overlap nothing below or each other and hold nothing to drop.
//
// Thread safety: none; the DB calls it under its mutex.

#ifndef SETT_LSM_COMPACTION_PICKER_H_
#define SETT_LSM_COMPACTION_PICKER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lsm/level_state.h"
#include "sett/options.h"

namespace sett {

struct LevelTargets {
  int base_level = 1;
  std::vector<uint64_t> target_size;  // Per level; 0 for L0.
  std::vector<uint64_t> file_size;    // Output table size per level.
};

LevelTargets ComputeTargets(const LevelState& state, const Options& options);

struct CompactionPlan {
  uint64_t id = 0;
  int level = 0;
  int output_level = 0;
  TableList top;         // Inputs from `level` (L0: newest first).
  TableList bottom;      // Inputs from `output_level`.
  std::string smallest;  // User-key range of all inputs.
  std::string largest;
  uint64_t target_file_size = 0;
  bool trivial_move = false;  // Re-file `top` at output_level without rewriting it.
  bool bottommost = false;    // No deeper level overlaps the range: tombstones may go.
  double score = 0;
};

class CompactionPicker {
 public:
  explicit CompactionPicker(const Options& options) : options_(options) {}

  // Scores of every level, ignoring tables that are being compacted.
  std::vector<double> Scores(const LevelState& state, const LevelTargets& targets) const;

  // Picks and registers a compaction, or returns nothing when no level wants one that can run
  // now. Register means: its tables and ranges are busy until Release.
  std::optional<CompactionPlan> Pick(const LevelState& state);
  // Plans moving every table of `level` into `output_level` (DB::Flatten), registered; nothing
  // when that collides with a running compaction. REQUIRES: no level strictly between the two
  // holds tables.
  std::optional<CompactionPlan> PlanWholeLevel(const LevelState& state, int level,
                                               int output_level);
  // Plans moving one table of `level` into level + 1 with what it overlaps there, registered;
  // nothing when that collides with a running compaction.
  std::optional<CompactionPlan> PlanTableDown(const LevelState& state, int level,
                                              const std::shared_ptr<Table>& table);
  // Plans rewriting one table of `level` in place, so that versions and tombstones that have
  // become droppable since it was written go (DB::Flatten, on the deepest level), registered;
  // nothing when it is busy.
  std::optional<CompactionPlan> PlanInPlace(const LevelState& state, int level,
                                            const std::shared_ptr<Table>& table);
  void Release(const CompactionPlan& plan);

  bool IsCompacting(uint64_t table_id) const { return compacting_.count(table_id) != 0; }
  int running() const { return static_cast<int>(running_.size()); }

 private:
  struct BusyRange {
    uint64_t plan_id;
    int level;
    std::string smallest, largest;
  };

  std::optional<CompactionPlan> PlanLevelZero(const LevelState& state,
                                              const LevelTargets& targets) const;
  std::optional<CompactionPlan> PlanLevel(const LevelState& state, const LevelTargets& targets,
                                          int level) const;
  // Fills bottom, range, bottommost and trivial_move; false when the plan collides with a
  // running compaction.
  bool Complete(const LevelState& state, CompactionPlan* plan) const;
  bool RangeBusy(int level, const std::string& smallest, const std::string& largest) const;
  void Register(CompactionPlan* plan);

  const Options options_;
  std::set<uint64_t> compacting_;
  std::vector<BusyRange> busy_;
  std::set<uint64_t> running_;
  uint64_t next_plan_id_ = 1;
};

}  // namespace sett

#endif  // SETT_LSM_COMPACTION_PICKER_H_
