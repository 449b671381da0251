// Level sizing, scores and the choice of compactions.

#include "lsm/compaction_picker.h"

#include <gtest/gtest.h>

#include "support/table_maker.h"
#include "support/test_util.h"

namespace sett {
namespace {

class CompactionPickerTest : public ::testing::Test {
 protected:
  CompactionPickerTest() {
    options_.base_level_size = 4000;
    options_.level_size_multiplier = 10;
    options_.base_table_size = 1000;
    options_.table_size_multiplier = 2;
    options_.num_level_zero_tables = 2;
    options_.max_levels = 7;
  }

  std::shared_ptr<Table> Range(int lo, int hi, size_t value_size = 10) {
    return test::MakeRangeTable(dir_.path(), next_id_++, lo, hi, value_size);
  }

  std::shared_ptr<const LevelState> State(
      std::vector<std::pair<std::shared_ptr<Table>, int>> tables) {
    return LevelState(options_.max_levels).Apply(tables, {});
  }

  test::TempDir dir_;
  Options options_;
  uint64_t next_id_ = 1;
};

TEST_F(CompactionPickerTest, EmptyTreeCompactsStraightIntoTheLastLevel) {
  auto state = State({});
  LevelTargets t = ComputeTargets(*state, options_);
  EXPECT_EQ(t.base_level, 6);
  // Floored a multiplier below base_level_size.
  for (int level = 1; level < 7; level++) EXPECT_EQ(t.target_size[level], 400u);
  EXPECT_EQ(t.file_size[6], 1000u);
}

TEST_F(CompactionPickerTest, BaseLevelRisesAsTheLastLevelGrows) {
  auto big = Range(0, 2000, 50);  // ~100 KB in L6.
  auto state = State({{big, 6}});
  uint64_t last = state->LevelSize(6);
  LevelTargets t = ComputeTargets(*state, options_);
  EXPECT_EQ(t.target_size[6], last);
  EXPECT_EQ(t.target_size[5], std::max<uint64_t>(last / 10, 400));
  // The deepest level whose unfloored target fits in base_level_size.
  int expected_base = 6;
  uint64_t raw = last;
  while (raw > 4000) {
    raw /= 10;
    expected_base--;
  }
  EXPECT_EQ(t.base_level, expected_base);
  EXPECT_LT(t.base_level, 6);
  // Tables grow below the base level.
  EXPECT_EQ(t.file_size[t.base_level], 1000u);
  EXPECT_EQ(t.file_size[t.base_level + 1], 2000u);
}

TEST_F(CompactionPickerTest, NoLevelAboveTheLastTargetsAsMuchAsTheLast) {
  // A last level just above base_level_size: the base level moves up one, and its target is
  // the last level's tenth, not base_level_size (which would let it hold a second copy).
  options_.base_level_size = 50000;
  auto state = State({{Range(0, 2000, 50), 6}});
  uint64_t last = state->LevelSize(6);
  ASSERT_GT(last, 50000u);
  ASSERT_LT(last, 500000u);
  LevelTargets t = ComputeTargets(*state, options_);
  EXPECT_EQ(t.base_level, 5);
  EXPECT_EQ(t.target_size[5], std::max<uint64_t>(last / 10, 5000));
  EXPECT_LT(t.target_size[5] * 5, last);
}

TEST_F(CompactionPickerTest, BaseLevelNeverBelowAShallowerNonEmptyLevel) {
  auto state = State({{Range(0, 10), 2}});
  EXPECT_EQ(ComputeTargets(*state, options_).base_level, 2);
}

TEST_F(CompactionPickerTest, LevelZeroCompactsAllItsTablesWithTheOverlappingBaseTables) {
  auto l0a = Range(10, 50), l0b = Range(40, 90);
  auto base_in = Range(30, 60), base_out = Range(200, 300);
  auto state = State({{l0a, 0}, {l0b, 0}, {base_in, 6}, {base_out, 6}});
  CompactionPicker picker(options_);
  std::vector<double> scores = picker.Scores(*state, ComputeTargets(*state, options_));
  EXPECT_DOUBLE_EQ(scores[0], 1.0);
  auto plan = picker.Pick(*state);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->level, 0);
  EXPECT_EQ(plan->output_level, 6);
  EXPECT_EQ(plan->top.size(), 2u);
  EXPECT_EQ(plan->top[0]->id(), l0b->id());  // Newest first.
  ASSERT_EQ(plan->bottom.size(), 1u);
  EXPECT_EQ(plan->bottom[0]->id(), base_in->id());
  EXPECT_EQ(plan->smallest, test::RangeKey(10));
  EXPECT_EQ(plan->largest, test::RangeKey(90));
  EXPECT_TRUE(plan->bottommost);
  EXPECT_FALSE(plan->trivial_move);

  // While it runs, its tables are busy: nothing else can be picked.
  EXPECT_FALSE(picker.Pick(*state).has_value());
  EXPECT_EQ(picker.running(), 1);
  picker.Release(*plan);
  EXPECT_TRUE(picker.Pick(*state).has_value());
}

TEST_F(CompactionPickerTest, DisjointLevelZeroTablesAreMovedNotRewritten) {
  // Sequential writes: each L0 table above the last, none overlapping the base level.
  auto old = Range(0, 99), first = Range(100, 199), second = Range(200, 299);
  auto state = State({{second, 0}, {first, 0}, {old, 6}});
  auto plan = CompactionPicker(options_).Pick(*state);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->level, 0);
  EXPECT_EQ(plan->top.size(), 2u);
  EXPECT_TRUE(plan->bottom.empty());
  EXPECT_TRUE(plan->trivial_move);

  // Two L0 tables that overlap each other must be merged.
  auto overlapping = State({{Range(150, 250), 0}, {Range(100, 199), 0}, {old, 6}});
  plan = CompactionPicker(options_).Pick(*overlapping);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->trivial_move);

  // As must tables holding what a rewrite would drop, even when nothing overlaps them.
  auto history = test::MakeTable(
      dir_.path(), next_id_++, {{test::RangeKey(300), 2, "new"}, {test::RangeKey(300), 1, "old"}});
  auto deletion = test::MakeTable(dir_.path(), next_id_++, {{test::RangeKey(400), 3, "", true}});
  for (const auto& t : {history, deletion}) {
    plan = CompactionPicker(options_).Pick(*State({{t, 0}, {first, 0}, {old, 6}}));
    ASSERT_TRUE(plan.has_value());
    EXPECT_FALSE(plan->trivial_move);
  }
}

TEST_F(CompactionPickerTest, LevelPicksTheTableWithLeastOverlapAndMovesLoneTables) {
  // L5 over its target; its tables overlap L6 to different degrees.
  auto a = Range(0, 99, 30), b = Range(100, 199, 30), c = Range(500, 599, 30);
  auto under_a = Range(0, 99, 200), under_b = Range(150, 160, 30);
  auto state = State({{a, 5}, {b, 5}, {c, 5}, {under_a, 6}, {under_b, 6}});
  options_.base_level_size = 1000;
  CompactionPicker picker(options_);
  auto plan = picker.Pick(*state);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->level, 5);
  EXPECT_EQ(plan->output_level, 6);
  ASSERT_EQ(plan->top.size(), 1u);
  EXPECT_EQ(plan->top[0]->id(), c->id());  // Overlaps nothing: a trivial move.
  EXPECT_TRUE(plan->trivial_move);
  auto second = picker.Pick(*state);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->top[0]->id(), b->id());  // Small overlap beats a's big one.
  EXPECT_EQ(second->bottom.size(), 1u);
  EXPECT_FALSE(second->trivial_move);
}

TEST_F(CompactionPickerTest, NotBottommostWhenADeeperLevelOverlaps) {
  auto top = Range(0, 50), mid = Range(0, 10), deep = Range(40, 60);
  auto state = State({{top, 0}, {Range(45, 46), 0}, {mid, 5}, {deep, 6}});
  options_.base_level_size = 40000;  // L5 under its target: L0 is the level to compact.
  CompactionPicker picker(options_);
  auto plan = picker.Pick(*state);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->output_level, 5);
  EXPECT_FALSE(plan->bottommost);
}

TEST(LevelStateTest, LookupAndOverlap) {
  test::TempDir dir;
  auto t1 = test::MakeRangeTable(dir.path(), 1, 0, 9);
  auto t2 = test::MakeRangeTable(dir.path(), 2, 20, 29);
  auto state = LevelState(7).Apply({{t1, 3}, {t2, 3}}, {});
  EXPECT_EQ(state->TableFor(3, test::RangeKey(5)), t1.get());
  EXPECT_EQ(state->TableFor(3, test::RangeKey(25)), t2.get());
  EXPECT_EQ(state->TableFor(3, test::RangeKey(15)), nullptr);
  EXPECT_EQ(state->TableFor(3, test::RangeKey(35)), nullptr);
  EXPECT_EQ(state->Overlapping(3, test::RangeKey(5), test::RangeKey(21)).size(), 2u);
  EXPECT_EQ(state->Overlapping(3, test::RangeKey(10), test::RangeKey(19)).size(), 0u);
  EXPECT_EQ(state->CheckInvariants(), "");
  auto bad = state->Apply({{test::MakeRangeTable(dir.path(), 3, 5, 22), 3}}, {});
  EXPECT_NE(bad->CheckInvariants(), "");
  auto removed = state->Apply({}, {1});
  EXPECT_EQ(removed->tables(3).size(), 1u);
}

}  // namespace
}  // namespace sett
