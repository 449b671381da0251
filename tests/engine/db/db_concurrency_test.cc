// Readers, writers, flushes and compactions at once: readers only ever see whole batches and
// never a value going back in time, while the tree is reshaped under them.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"

namespace sett {
namespace {

constexpr int kWriters = 2;
constexpr int kKeysPerGroup = 10;

std::string GroupKey(int writer, int j) {
  return "w" + std::to_string(writer) + "/k" + std::to_string(j);
}

TEST(DBConcurrencyTest, ReadersSeeWholeBatchesWhileTheTreeChanges) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.memtable_size = 64 << 10;
  options.base_table_size = 32 << 10;
  options.base_level_size = 64 << 10;
  options.num_level_zero_tables = 2;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<uint64_t> whole_groups_seen[2] = {{0}, {0}};  // By each reader.
  std::atomic<uint64_t> tree_changes{0};
  std::vector<std::atomic<uint64_t>> generation(kWriters);
  std::vector<std::thread> threads;

  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      std::string filler(200, 'f');
      for (uint64_t gen = 1; !stop; gen++) {
        WriteBatch batch;
        for (int j = 0; j < kKeysPerGroup; j++)
          batch.Put(GroupKey(w, j), std::to_string(gen) + filler);
        Status s = db->Write(WriteOptions(), batch);
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failures++;
          return;
        }
        generation[w] = gen;
      }
    });
  }
  for (int r = 0; r < 2; r++) {
    threads.emplace_back([&, r] {
      std::vector<uint64_t> last_seen(kWriters, 0);
      while (!stop) {
        for (int w = 0; w < kWriters; w++) {
          ReadOptions ro;
          ro.prefix = "w" + std::to_string(w) + "/";
          ro.reverse = r == 1;
          auto it = db->NewIterator(ro);
          int count = 0;
          uint64_t gen = 0;
          auto fail = [&](const std::string& what) {
            ADD_FAILURE() << "reader " << r << ", writer " << w << ": " << what;
            failures++;
          };
          for (it->Rewind(); it->Valid(); it->Next(), count++) {
            uint64_t g = std::stoull(std::string(it->value()));
            if (count == 0) gen = g;
            if (g != gen) {
              fail("parts of two batches: " + std::to_string(gen) + " and " + std::to_string(g) +
                   " at " + std::string(it->key()));
            }
          }
          if (!it->status().ok()) fail(it->status().ToString());
          if (count != 0 && count != kKeysPerGroup)
            fail(std::to_string(count) + " keys of a batch");
          if (count == kKeysPerGroup) whole_groups_seen[r]++;
          if (gen < last_seen[w]) {
            fail("back in time: " + std::to_string(gen) + " after " + std::to_string(last_seen[w]));
          }
          last_seen[w] = gen;
          std::string value;
          Status s = db->Get(ReadOptions(), GroupKey(w, 3), &value);
          if (s.ok() && std::stoull(value) < gen) {
            fail("Get found generation " + value.substr(0, 8) + " after an iterator saw " +
                 std::to_string(gen));
          }
        }
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop) {
      Status s = db->Flush();
      if (s.ok()) s = db->Compact();
      if (!s.ok()) {
        ADD_FAILURE() << "flush or compaction: " << s.ToString();
        failures++;
      }
      tree_changes++;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  std::this_thread::sleep_for(std::chrono::seconds(4));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // Both readers checked whole batches, while flushes and compactions ran.
  EXPECT_GT(whole_groups_seen[0].load(), 100u);
  EXPECT_GT(whole_groups_seen[1].load(), 100u);
  EXPECT_GT(tree_changes.load(), 10u);

  for (int w = 0; w < kWriters; w++) {
    EXPECT_GT(generation[w].load(), 100u);
    for (int j = 0; j < kKeysPerGroup; j++) {
      std::string value;
      ASSERT_OK(db->Get(ReadOptions(), GroupKey(w, j), &value));
      EXPECT_EQ(std::stoull(value), generation[w].load());
    }
  }
  DBInfo info = db->Info();
  int levels_with_tables = 0;
  for (const auto& l : info.levels) levels_with_tables += l.num_tables > 0;
  EXPECT_GE(levels_with_tables, 1);
  ASSERT_OK(db->VerifyChecksums());
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
