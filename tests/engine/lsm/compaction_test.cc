// What a compaction keeps and drops, and where it cuts its output tables.

#include "lsm/compaction.h"

#include <gtest/gtest.h>

#include "support/table_maker.h"
#include "support/test_util.h"

namespace sett {
namespace {

class CompactionTest : public ::testing::Test {
 protected:
  CompactionOptions Options(uint64_t discard_ts, int keep = 1) {
    CompactionOptions o;
    o.env = Env::Default();
    o.dir = dir_.path();
    o.table_options.block_size = 1024;
    o.readers = ReadSet::From(discard_ts);
    o.num_versions_to_keep = keep;
    o.now = 1000;
    o.new_file_id = [this] { return next_id_++; };
    return o;
  }

  CompactionPlan Plan(std::vector<std::shared_ptr<Table>> top, bool bottommost,
                      uint64_t target = 1 << 20) {
    CompactionPlan plan;
    plan.level = 1;
    plan.output_level = 2;
    plan.top = std::move(top);
    plan.bottommost = bottommost;
    plan.target_file_size = target;
    return plan;
  }

  // (user key, version, deleted) of everything the outputs hold, in order.
  std::vector<std::tuple<std::string, uint64_t, bool>> Contents(const CompactionResult& r) {
    std::vector<std::tuple<std::string, uint64_t, bool>> out;
    for (const auto& t : r.outputs) {
      auto it = t->NewIterator(false, false);
      for (it->Rewind(); it->Valid(); it->Next()) {
        ValueStruct vs;
        EXPECT_TRUE(DecodeValueStruct(it->value(), &vs));
        out.emplace_back(std::string(UserKey(it->key())), VersionOf(it->key()), vs.IsDelete());
      }
    }
    return out;
  }

  test::TempDir dir_;
  uint64_t next_id_ = 100;
};

using Row = std::tuple<std::string, uint64_t, bool>;

TEST_F(CompactionTest, KeepsVersionsAboveDiscardAndTheNewestBelowIt) {
  auto t = test::MakeTable(dir_.path(), 1,
                           {{"a", 9, "a9"},
                            {"a", 7, "a7"},
                            {"a", 5, "a5"},
                            {"a", 3, "a3"},
                            {"b", 4, "b4"},
                            {"b", 2, "b2"}});
  CompactionResult r;
  ASSERT_OK(RunCompaction(Plan({t}, true), Options(/*discard_ts=*/6), &r));
  EXPECT_EQ(Contents(r),
            (std::vector<Row>{{"a", 9, false}, {"a", 7, false}, {"a", 5, false}, {"b", 4, false}}));
  CompactionResult r2;
  ASSERT_OK(RunCompaction(Plan({t}, true), Options(6, /*keep=*/2), &r2));
  EXPECT_EQ(Contents(r2).size(), 6u);
}

TEST_F(CompactionTest, TombstonesHideOlderVersionsAndGoAtTheBottom) {
  auto t = test::MakeTable(dir_.path(), 1,
                           {{"a", 8, ""},
                            {"a", 5, "", true},
                            {"a", 3, "a3"},
                            {"b", 4, "", true},
                            {"b", 1, "b1"},
                            {"c", 9, "", true},
                            {"c", 2, "c2"}});
  CompactionResult not_bottom;
  ASSERT_OK(RunCompaction(Plan({t}, false), Options(6), &not_bottom));
  EXPECT_EQ(Contents(not_bottom),
            (std::vector<Row>{
                {"a", 8, false}, {"a", 5, true}, {"b", 4, true}, {"c", 9, true}, {"c", 2, false}}));
  CompactionResult bottom;
  ASSERT_OK(RunCompaction(Plan({t}, true), Options(6), &bottom));
  // c's tombstone is above the discard timestamp: a reader may still need it.
  EXPECT_EQ(Contents(bottom), (std::vector<Row>{{"a", 8, false}, {"c", 9, true}, {"c", 2, false}}));
}

TEST_F(CompactionTest, OperandsAtOrBelowTheOldestReaderFoldIntoOneEntry) {
  auto t = test::MakeTable(dir_.path(), 1,
                           {{"a", 9, "3", false, true},
                            {"a", 8, "2", false, true},
                            {"a", 7, "x"},
                            {"a", 5, "y"},
                            {"b", 6, "1", false, true},
                            {"b", 4, "2", false, true}});
  // (key, version, merge operand, value) of everything the outputs hold.
  auto contents = [](const CompactionResult& r) {
    std::vector<std::tuple<std::string, uint64_t, bool, std::string>> out;
    for (const auto& table : r.outputs) {
      auto it = table->NewIterator(false, false);
      for (it->Rewind(); it->Valid(); it->Next()) {
        ValueStruct vs;
        EXPECT_TRUE(DecodeValueStruct(it->value(), &vs));
        out.emplace_back(std::string(UserKey(it->key())), VersionOf(it->key()), vs.IsMerge(),
                         std::string(vs.value));
      }
    }
    return out;
  };
  using Entry = std::tuple<std::string, uint64_t, bool, std::string>;
  auto options = [&](uint64_t discard_ts) {
    CompactionOptions o = Options(discard_ts);
    o.merge_function_for = [](std::string_view, MergeFunction* fn) {
      *fn = AppendMerge(",");
      return true;
    };
    return o;
  };
  CompactionResult mid;
  ASSERT_OK(RunCompaction(Plan({t}, false), options(10), &mid));
  // a's operands fold onto its value; b's have none below here and combine into one operand.
  EXPECT_EQ(contents(mid), (std::vector<Entry>{{"a", 9, false, "x,2,3"}, {"b", 6, true, "2,1"}}));
  EXPECT_EQ(mid.operands_folded, 3u);
  CompactionResult bottom;
  ASSERT_OK(RunCompaction(Plan({t}, true), options(10), &bottom));
  EXPECT_EQ(contents(bottom),
            (std::vector<Entry>{{"a", 9, false, "x,2,3"}, {"b", 6, false, "2,1"}}));
  // A reader at 8: the operand above it stays as written, the rest folds under it.
  CompactionResult reader;
  ASSERT_OK(RunCompaction(Plan({t}, true), options(8), &reader));
  EXPECT_EQ(
      contents(reader),
      (std::vector<Entry>{{"a", 9, true, "3"}, {"a", 8, false, "x,2"}, {"b", 6, false, "2,1"}}));
  // Without a merge function, operands and the value below them stay.
  CompactionResult none;
  ASSERT_OK(RunCompaction(Plan({t}, true), Options(10), &none));
  EXPECT_EQ(contents(none).size(), 5u);
}

TEST_F(CompactionTest, NewerInputsWinAndOutputsNeverSplitAKey) {
  // Two overlapping inputs; the merge must interleave them in key order.
  std::vector<test::TestEntry> older, newer;
  for (int i = 0; i < 300; i++) {
    older.push_back({test::RangeKey(i), 1, std::string(100, 'o')});
    older.push_back({test::RangeKey(i), 2, std::string(100, 'p')});
    if (i % 2 == 0) newer.push_back({test::RangeKey(i), 5, std::string(100, 'n')});
  }
  auto t_old = test::MakeTable(dir_.path(), 1, older);
  auto t_new = test::MakeTable(dir_.path(), 2, newer);
  CompactionResult r;
  ASSERT_OK(RunCompaction(Plan({t_new, t_old}, true, /*target=*/4096),
                          Options(/*discard_ts=*/100, 3), &r));
  ASSERT_GT(r.outputs.size(), 3u);
  for (size_t i = 1; i < r.outputs.size(); i++) {
    EXPECT_LT(r.outputs[i - 1]->largest_user_key(), r.outputs[i]->smallest_user_key());
  }
  auto rows = Contents(r);
  EXPECT_EQ(rows.size(), older.size() + newer.size());
  for (size_t i = 1; i < rows.size(); i++) {
    auto [k0, v0, d0] = rows[i - 1];
    auto [k1, v1, d1] = rows[i];
    EXPECT_TRUE(k0 < k1 || (k0 == k1 && v0 > v1)) << k0 << "@" << v0 << " then " << k1 << "@" << v1;
  }
}

TEST_F(CompactionTest, StopAbortsAndLeavesNoFiles) {
  auto t = test::MakeRangeTable(dir_.path(), 1, 0, 1000);
  std::atomic<bool> stop{true};
  CompactionOptions o = Options(10);
  o.stop = &stop;
  CompactionResult r;
  EXPECT_TRUE(RunCompaction(Plan({t}, true), o, &r).IsAborted());
  EXPECT_TRUE(r.outputs.empty());
  EXPECT_EQ(test::ListFiles(dir_.path(), ".sst"), std::vector<std::string>{"000001.sst"});
}

}  // namespace
}  // namespace sett
