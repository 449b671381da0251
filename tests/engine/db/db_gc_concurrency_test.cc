// Value-log GC while writers overwrite and readers read: no reader ever gets an error or a
// wrong value, and the final state is exactly what the writers wrote last.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "sett/db.h"
#include "sett/logger.h"
#include "support/test_util.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/random.h"

namespace sett {
namespace {

constexpr int kWriters = 2;
constexpr int kKeysPerWriter = 150;

std::string Key(int writer, int k) {
  return "w" + std::to_string(writer) + "/" + std::to_string(k);
}

// key-checked value: u64 generation | u64 checksum of key and generation | padding.
std::string Value(const std::string& key, uint64_t generation) {
  std::string v(300 + generation % 1700, 'p');
  EncodeFixed64(&v[0], generation);
  EncodeFixed64(&v[8], Checksum64(key + std::to_string(generation)));
  return v;
}
bool ValueFits(const std::string& key, std::string_view v, uint64_t* generation) {
  if (v.size() < 16) return false;
  *generation = DecodeFixed64(v.data());
  return DecodeFixed64(v.data() + 8) == Checksum64(key + std::to_string(*generation)) &&
         v.size() == 300 + *generation % 1700;
}

TEST(DBGcConcurrencyTest, ReadersAndWritersDuringGc) {
  test::TempDir dir;
  Options options;
  options.dir = dir.path();
  options.logger = StderrLogger(LogLevel::kError);
  options.value_threshold = 100;
  options.value_threshold_tuned = false;  // GC under test: values stay in the log.
  options.value_log_file_size = 256 << 10;
  options.memtable_size = 256 << 10;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, &db));

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int> collected{0};
  std::atomic<uint64_t> values_checked[2] = {{0}, {0}};  // By each reader.
  std::vector<std::vector<uint64_t>> last(kWriters, std::vector<uint64_t>(kKeysPerWriter, 0));
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; w++) {
    threads.emplace_back([&, w] {
      Random rnd(w + 1);
      for (uint64_t gen = 1; !stop; gen++) {
        int k = static_cast<int>(rnd.Uniform(kKeysPerWriter));
        if (!db->Put(WriteOptions(), Key(w, k), Value(Key(w, k), gen)).ok()) failures++;
        last[w][k] = gen;
      }
    });
  }
  for (int r = 0; r < 2; r++) {
    threads.emplace_back([&, r] {
      Random rnd(100 + r);
      std::string value;
      while (!stop) {
        int w = static_cast<int>(rnd.Uniform(kWriters)),
            k = static_cast<int>(rnd.Uniform(kKeysPerWriter));
        Status s = db->Get(ReadOptions(), Key(w, k), &value);
        uint64_t gen;
        if (!s.IsNotFound() && (!s.ok() || !ValueFits(Key(w, k), value, &gen))) {
          ADD_FAILURE() << Key(w, k) << ": " << s.ToString();
          failures++;
        }
        if (s.ok()) values_checked[r]++;
        ReadOptions scan;
        scan.prefix = "w" + std::to_string(w) + "/";
        scan.prefetch_values = r == 1;
        auto it = db->NewIterator(scan);
        for (it->Rewind(); it->Valid(); it->Next()) {
          if (!ValueFits(std::string(it->key()), it->value(), &gen)) failures++;
          values_checked[r]++;
        }
        if (!it->status().ok()) {
          ADD_FAILURE() << it->status().ToString();
          failures++;
        }
      }
    });
  }
  threads.emplace_back([&] {
    while (!stop) {
      Status s = db->RunValueLogGC(0.2);
      if (s.ok()) {
        collected++;
      } else if (!s.IsNothingToCollect()) {
        ADD_FAILURE() << s.ToString();
        failures++;
      } else if (!db->Flatten().ok()) {
        failures++;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(5));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(collected.load(), 10);
  // The readers checked values while GC moved them (not only keys that were not there yet).
  EXPECT_GT(values_checked[0].load(), 1000u);
  EXPECT_GT(values_checked[1].load(), 1000u);
  std::printf("value-log files collected under load: %d\n", collected.load());

  for (int round = 0; round < 2; round++) {
    for (int w = 0; w < kWriters; w++) {
      for (int k = 0; k < kKeysPerWriter; k++) {
        std::string value;
        Status s = db->Get(ReadOptions(), Key(w, k), &value);
        if (last[w][k] == 0) {
          EXPECT_TRUE(s.IsNotFound());
          continue;
        }
        ASSERT_OK(s);
        uint64_t gen;
        ASSERT_TRUE(ValueFits(Key(w, k), value, &gen));
        EXPECT_EQ(gen, last[w][k]) << Key(w, k);
      }
    }
    ASSERT_OK(db->Close());
    ASSERT_OK(DB::Open(options, &db));
  }
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace sett
