#include "vlog/discard_stats.h"

#include <gtest/gtest.h>

#include "support/test_util.h"

namespace sett {
namespace {

TEST(DiscardStatsTest, PersistsAcrossLoads) {
  test::TempDir dir;
  Logger* logger = StderrLogger(LogLevel::kError);
  {
    DiscardStats stats(Env::Default(), dir.path(), logger);
    stats.Load();
    ASSERT_OK(stats.Add({{1, 100}, {2, 50}}));
    ASSERT_OK(stats.Add({{1, 20}}));
    ASSERT_OK(stats.Set(3, 999));
    ASSERT_OK(stats.Retain({1, 3}));
  }
  DiscardStats stats(Env::Default(), dir.path(), logger);
  stats.Load();
  EXPECT_EQ(stats.Snapshot(), (std::map<uint32_t, uint64_t>{{1, 120}, {3, 999}}));
  EXPECT_EQ(stats.Get(2), 0u);
  EXPECT_FALSE(Env::Default()->FileExists(dir.Join("DISCARD.tmp")));
}

TEST(DiscardStatsTest, DamagedFileReadsAsEmpty) {
  test::TempDir dir;
  Logger* logger = StderrLogger(LogLevel::kError);  // The damage is logged there.
  {
    DiscardStats stats(Env::Default(), dir.path(), logger);
    ASSERT_OK(stats.Add({{1, 100}, {2, 50}}));
  }
  test::FlipByte(dir.Join("DISCARD"), 26);
  DiscardStats stats(Env::Default(), dir.path(), logger);
  stats.Load();
  EXPECT_TRUE(stats.Snapshot().empty());
  ASSERT_OK(stats.Add({{5, 1}}));  // And it writes a good one again.
  DiscardStats again(Env::Default(), dir.path(), logger);
  again.Load();
  EXPECT_EQ(again.Get(5), 1u);
}

}  // namespace
}  // namespace sett
