// Level sizing through the public API, at a small scale: the defaults' proportions (a base
// level eight memtables large) against Badger's (a third of a memtable), on overwrites of
// small values. Counts bytes written to tables and kept in them, never time.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/random.h"

namespace sett {
namespace {

constexpr int kKeys = 40000;
constexpr int kRounds = 3;  // A fill and two overwrites.
constexpr size_t kMemtable = 256 << 10;

struct Outcome {
  uint64_t table_bytes_written = 0;  // Flushes and compactions.
  uint64_t table_bytes_kept = 0;     // In L1 and below once no level wants compaction.
  uint64_t table_bytes_flat = 0;     // After Flatten: one copy of each key.
};

std::string Key(uint64_t i) { return "key" + std::to_string(1000000 + i); }

Outcome Overwrite(uint64_t base_level_size) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = kMemtable;
  options.base_table_size = 64 << 10;
  options.base_level_size = base_level_size;
  std::unique_ptr<DB> db;
  EXPECT_OK(DB::Open(options, &db));
  Random rnd(42);
  std::string value(100, 'v');
  for (int round = 0; round < kRounds; round++) {
    for (int n = 0; n < kKeys; n++) {
      for (size_t i = 0; i < value.size(); i += 2) value[i] = static_cast<char>(rnd.Next());
      EXPECT_OK(db->Put(WriteOptions(), Key(rnd.Uniform(kKeys)), value));
    }
  }
  EXPECT_OK(db->Flush());
  EXPECT_OK(db->Compact());
  Outcome out;
  out.table_bytes_written = db->GetMetrics().table_bytes;
  // L0 is left out: how many flushed tables wait there below its trigger depends on when the
  // background compactions ran (0 to 1 MiB here), not on the levels' sizing.
  const auto levels = db->Info().levels;
  for (size_t i = 1; i < levels.size(); i++) out.table_bytes_kept += levels[i].size;
  EXPECT_OK(db->Flatten());
  for (const auto& level : db->Info().levels) out.table_bytes_flat += level.size;
  EXPECT_OK(db->Close());
  return out;
}

TEST(DBLevelSizingTest, ABaseLevelThatHoldsWhatL0BringsDownWritesLessAndKeepsOneCopy) {
  Outcome defaults = Overwrite(8 * kMemtable);
  Outcome badger = Overwrite(kMemtable / 3);
  std::printf("table bytes written: %.2f MiB with the defaults' sizing, %.2f MiB with Badger's\n",
              defaults.table_bytes_written / 1048576.0, badger.table_bytes_written / 1048576.0);
  std::printf("kept %.2f MiB for %.2f MiB flattened (defaults); %.2f for %.2f (Badger's)\n",
              defaults.table_bytes_kept / 1048576.0, defaults.table_bytes_flat / 1048576.0,
              badger.table_bytes_kept / 1048576.0, badger.table_bytes_flat / 1048576.0);
  EXPECT_LT(defaults.table_bytes_written * 100, badger.table_bytes_written * 88);
  // No level above the last holds a second copy of many keys (a base level floored at
  // base_level_size kept 1.30x here, these targets 1.08x).
  EXPECT_LT(defaults.table_bytes_kept * 5, defaults.table_bytes_flat * 6);
}

}  // namespace
}  // namespace sett
