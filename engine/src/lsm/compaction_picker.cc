#include "lsm/compaction_picker.h"

#include <algorithm>

namespace sett {

namespace {

// Tables hold nothing a rewrite would drop (no deletions, no older versions) and their key
// ranges are disjoint, so that re-filing them in one level is the rewrite's result. L0 tables
// written by sequential keys are (fillseq rewrote every byte once more before).
bool CanMoveAsTheyAre(const TableList& tables) {
  std::vector<const Table*> sorted;
  for (const auto& t : tables) {
    const TableProperties& props = t->properties();
    if (props.num_deletes != 0 || props.num_older_versions != 0) return false;
    sorted.push_back(t.get());
  }
  std::sort(sorted.begin(), sorted.end(), [](const Table* a, const Table* b) {
    return a->smallest_user_key() < b->smallest_user_key();
  });
  for (size_t i = 1; i < sorted.size(); i++) {
    if (sorted[i - 1]->largest_user_key() >= sorted[i]->smallest_user_key()) return false;
  }
  return true;
}

}  // namespace

LevelTargets ComputeTargets(const LevelState& state, const Options& options) {
  const uint64_t multiplier = static_cast<uint64_t>(options.level_size_multiplier);
  // The floor keeps a level of a small tree from asking for compaction over a few tables;
  // it stays a multiplier below base_level_size so that no level above the last can hold
  // about as much as the last (a base level targeting the whole base_level_size just above a
  // last level of that size held a second copy of most keys).
  const uint64_t floor = std::max<uint64_t>(options.base_level_size / multiplier, 1);
  const int n = state.num_levels();
  const int last = n - 1;
  LevelTargets t;
  t.target_size.assign(n, 0);
  t.file_size.assign(n, 0);

  uint64_t raw = state.LevelSize(last);
  t.base_level = last;
  bool base_found = false;
  for (int level = last; level >= 1; level--) {
    t.target_size[level] = std::max(raw, floor);
    if (!base_found && raw <= options.base_level_size) {
      t.base_level = level;
      base_found = true;
    }
    raw /= multiplier;
  }
  for (int level = 1; level < t.base_level; level++) {
    if (!state.tables(level).empty()) {
      t.base_level = level;
      break;
    }
  }

  uint64_t file_size = options.base_table_size;
  t.file_size[0] = options.memtable_size;
  for (int level = 1; level < n; level++) {
    if (level > t.base_level) file_size *= static_cast<uint64_t>(options.table_size_multiplier);
    t.file_size[level] = file_size;
  }
  return t;
}

std::vector<double> CompactionPicker::Scores(const LevelState& state,
                                             const LevelTargets& targets) const {
  const int n = state.num_levels();
  std::vector<double> scores(n, 0.0);
  int l0_idle = 0;
  for (const auto& t : state.tables(0)) l0_idle += IsCompacting(t->id()) ? 0 : 1;
  scores[0] = static_cast<double>(l0_idle) / options_.num_level_zero_tables;
  for (int level = 1; level < n - 1; level++) {
    uint64_t size = 0;
    for (const auto& t : state.tables(level)) size += IsCompacting(t->id()) ? 0 : t->file_size();
    scores[level] = static_cast<double>(size) / static_cast<double>(targets.target_size[level]);
  }
  return scores;
}

bool CompactionPicker::RangeBusy(int level, const std::string& smallest,
                                 const std::string& largest) const {
  for (const BusyRange& r : busy_) {
    if (r.level == level && !(r.largest < smallest || r.smallest > largest)) return true;
  }
  return false;
}

bool CompactionPicker::Complete(const LevelState& state, CompactionPlan* plan) const {
  plan->smallest = std::string(plan->top.front()->smallest_user_key());
  plan->largest = std::string(plan->top.front()->largest_user_key());
  for (const auto& t : plan->top) {
    if (IsCompacting(t->id())) return false;
    plan->smallest = std::min(plan->smallest, std::string(t->smallest_user_key()));
    plan->largest = std::max(plan->largest, std::string(t->largest_user_key()));
  }
  plan->bottom = state.Overlapping(plan->output_level, plan->smallest, plan->largest);
  for (const auto& t : plan->bottom) {
    if (IsCompacting(t->id())) return false;
    plan->smallest = std::min(plan->smallest, std::string(t->smallest_user_key()));
    plan->largest = std::max(plan->largest, std::string(t->largest_user_key()));
  }
  if (RangeBusy(plan->level, plan->smallest, plan->largest) ||
      RangeBusy(plan->output_level, plan->smallest, plan->largest)) {
    return false;
  }
  plan->bottommost = true;
  for (int level = plan->output_level + 1; level < state.num_levels(); level++) {
    if (!state.Overlapping(level, plan->smallest, plan->largest).empty()) {
      plan->bottommost = false;
      break;
    }
  }
  plan->trivial_move = plan->bottom.empty() && CanMoveAsTheyAre(plan->top);
  return true;
}

std::optional<CompactionPlan> CompactionPicker::PlanLevelZero(const LevelState& state,
                                                              const LevelTargets& targets) const {
  if (state.tables(0).empty()) return std::nullopt;
  CompactionPlan plan;
  plan.level = 0;
  plan.output_level = targets.base_level;
  plan.target_file_size = targets.file_size[targets.base_level];
  plan.top = state.tables(0);
  if (!Complete(state, &plan)) return std::nullopt;
  return plan;
}

std::optional<CompactionPlan> CompactionPicker::PlanLevel(const LevelState& state,
                                                          const LevelTargets& targets,
                                                          int level) const {
  std::optional<CompactionPlan> best;
  double best_ratio = 0;
  for (const auto& t : state.tables(level)) {
    CompactionPlan plan;
    plan.level = level;
    plan.output_level = level + 1;
    plan.target_file_size = targets.file_size[level + 1];
    plan.top = {t};
    if (!Complete(state, &plan)) continue;
    uint64_t overlap = 0;
    for (const auto& b : plan.bottom) overlap += b->file_size();
    double ratio = static_cast<double>(overlap) / static_cast<double>(t->file_size() + 1);
    if (!best || ratio < best_ratio) {
      best = std::move(plan);
      best_ratio = ratio;
    }
  }
  return best;
}

std::optional<CompactionPlan> CompactionPicker::Pick(const LevelState& state) {
  LevelTargets targets = ComputeTargets(state, options_);
  std::vector<double> scores = Scores(state, targets);
  std::vector<int> order;
  for (int level = 0; level < state.num_levels() - 1; level++) {
    if (scores[level] >= 1.0) order.push_back(level);
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  for (int level : order) {
    std::optional<CompactionPlan> plan =
        level == 0 ? PlanLevelZero(state, targets) : PlanLevel(state, targets, level);
    if (!plan) continue;
    plan->score = scores[level];
    Register(&*plan);
    return plan;
  }
  return std::nullopt;
}

void CompactionPicker::Register(CompactionPlan* plan) {
  plan->id = next_plan_id_++;
  for (const auto& t : plan->top) compacting_.insert(t->id());
  for (const auto& t : plan->bottom) compacting_.insert(t->id());
  busy_.push_back({plan->id, plan->level, plan->smallest, plan->largest});
  busy_.push_back({plan->id, plan->output_level, plan->smallest, plan->largest});
  running_.insert(plan->id);
}

std::optional<CompactionPlan> CompactionPicker::PlanWholeLevel(const LevelState& state, int level,
                                                               int output_level) {
  if (state.tables(level).empty()) return std::nullopt;
  CompactionPlan plan;
  plan.level = level;
  plan.output_level = output_level;
  plan.target_file_size = ComputeTargets(state, options_).file_size[output_level];
  plan.top = state.tables(level);
  if (!Complete(state, &plan)) return std::nullopt;
  if (plan.top.size() > 1) plan.trivial_move = false;
  Register(&plan);
  return plan;
}

std::optional<CompactionPlan> CompactionPicker::PlanTableDown(const LevelState& state, int level,
                                                              const std::shared_ptr<Table>& table) {
  CompactionPlan plan;
  plan.level = level;
  plan.output_level = level + 1;
  plan.target_file_size = ComputeTargets(state, options_).file_size[level + 1];
  plan.top = {table};
  if (!Complete(state, &plan)) return std::nullopt;
  Register(&plan);
  return plan;
}

std::optional<CompactionPlan> CompactionPicker::PlanInPlace(const LevelState& state, int level,
                                                            const std::shared_ptr<Table>& table) {
  CompactionPlan plan;
  plan.level = plan.output_level = level;
  plan.target_file_size = ComputeTargets(state, options_).file_size[level];
  plan.top = {table};
  plan.smallest = std::string(table->smallest_user_key());
  plan.largest = std::string(table->largest_user_key());
  if (IsCompacting(table->id()) || RangeBusy(level, plan.smallest, plan.largest)) {
    return std::nullopt;
  }
  plan.bottommost = true;
  for (int deeper = level + 1; deeper < state.num_levels(); deeper++) {
    if (!state.Overlapping(deeper, plan.smallest, plan.largest).empty()) plan.bottommost = false;
  }
  Register(&plan);
  return plan;
}

void CompactionPicker::Release(const CompactionPlan& plan) {
  for (const auto& t : plan.top) compacting_.erase(t->id());
  for (const auto& t : plan.bottom) compacting_.erase(t->id());
  busy_.erase(std::remove_if(busy_.begin(), busy_.end(),
                             [&](const BusyRange& r) { return r.plan_id == plan.id; }),
              busy_.end());
  running_.erase(plan.id);
}

}  // namespace sett
