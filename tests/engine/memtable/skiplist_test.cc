#include "memtable/skiplist.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "format/key_format.h"
#include "util/random.h"

namespace sett {
namespace {

struct KeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};

TEST(SkipListTest, Empty) {
  Arena arena;
  SkipList list(&arena);
  SkipList::Iterator it(&list);
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
  it.Seek(InternalKey("a", 1));
  EXPECT_FALSE(it.Valid());
}

TEST(SkipListTest, MatchesAnOrderedMap) {
  Arena arena;
  SkipList list(&arena);
  std::map<std::string, std::string, KeyLess> model;
  Random rnd(42);
  for (int i = 0; i < 20000; i++) {
    std::string key = InternalKey("k" + std::to_string(rnd.Uniform(3000)), 1 + rnd.Uniform(5));
    std::string value = "v" + std::to_string(i);
    SkipList::Iterator next = list.Insert(key, value);  // Same key again replaces the value.
    model[key] = value;
    // Insert tells what follows the key.
    auto after = model.upper_bound(key);
    ASSERT_EQ(next.Valid(), after != model.end());
    if (next.Valid()) {
      ASSERT_EQ(next.key(), after->first);
    }
  }
  EXPECT_EQ(list.Count(), model.size());

  SkipList::Iterator it(&list);
  auto m = model.begin();
  for (it.SeekToFirst(); it.Valid(); it.Next(), ++m) {
    ASSERT_NE(m, model.end());
    EXPECT_EQ(it.key(), m->first);
    EXPECT_EQ(it.value(), m->second);
  }
  EXPECT_EQ(m, model.end());

  // Seeking on from a position lands where seeking from the head does.
  std::vector<std::string> keys;
  for (const auto& [k, v] : model) keys.push_back(k);
  SkipList::Iterator from(&list), head(&list);
  for (int i = 0; i < 2000; i++) {
    size_t at = rnd.Uniform(keys.size());
    size_t to = std::min(keys.size() - 1, at + rnd.Uniform(i % 2 == 0 ? 10 : 5000));
    std::string target = keys[to];
    if (rnd.OneIn(3) && VersionOf(target) > 0) {  // Just after keys[to]: maybe between two.
      target = InternalKey(UserKey(target), VersionOf(target) - 1);
    }
    from.Seek(keys[at]);
    from.SeekForward(target);
    head.Seek(target);
    ASSERT_EQ(from.Valid(), head.Valid());
    if (from.Valid()) {
      ASSERT_EQ(from.key(), head.key());
    }
  }

  auto r = model.rbegin();
  for (it.SeekToLast(); it.Valid(); it.Prev(), ++r) {
    ASSERT_NE(r, model.rend());
    EXPECT_EQ(it.key(), r->first);
  }
  EXPECT_EQ(r, model.rend());

  for (int i = 0; i < 2000; i++) {
    std::string target = InternalKey("k" + std::to_string(rnd.Uniform(3100)), rnd.Uniform(7));
    it.Seek(target);
    auto lb = model.lower_bound(target);
    if (lb == model.end()) {
      EXPECT_FALSE(it.Valid());
    } else {
      ASSERT_TRUE(it.Valid());
      EXPECT_EQ(it.key(), lb->first);
    }
    it.SeekForPrev(target);
    auto ub = model.upper_bound(target);
    if (ub == model.begin()) {
      EXPECT_FALSE(it.Valid());
    } else {
      ASSERT_TRUE(it.Valid());
      EXPECT_EQ(it.key(), std::prev(ub)->first);
    }
  }
}

// One writer inserts while readers scan: a reader must always see a sorted list, and every key
// it sees must carry the value written with it.
TEST(SkipListTest, ConcurrentReadersSeeConsistentList) {
  Arena arena;
  SkipList list(&arena);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> inserted{0};
  constexpr int kKeys = 60000;

  std::thread writer([&] {
    Random rnd(7);
    for (int i = 0; i < kKeys; i++) {
      uint64_t n = rnd.Next() % 1000000;
      std::string key = InternalKey("key" + std::to_string(n), 1);
      list.Insert(key, "value-of-" + std::to_string(n));
      inserted.store(i + 1, std::memory_order_release);
    }
    done = true;
  });

  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int r = 0; r < 3; r++) {
    readers.emplace_back([&] {
      while (!done.load()) {
        SkipList::Iterator it(&list);
        std::string previous;
        uint64_t seen = 0;
        for (it.SeekToFirst(); it.Valid(); it.Next()) {
          std::string key(it.key());
          if (!previous.empty() && CompareInternalKeys(previous, key) >= 0) failures++;
          std::string user(UserKey(key));
          if (it.value() != "value-of-" + user.substr(3)) failures++;
          previous = key;
          seen++;
        }
        // Keys may repeat in the writer's stream, so distinct keys seen can be fewer than
        // insertions, but never more than what was inserted by the end of the scan - plus the
        // one insert that may be linked in but not counted yet (the writer counts after
        // Insert returns; descheduled in between, it failed this check about once in 200
        // runs under load).
        if (seen > inserted.load(std::memory_order_acquire) + 1) failures++;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// Searches racing inserts: a seek must land at or after its target and a backward seek at or
// before it. Every insert here is a newer version of one key, so it lands right where the
// searches for the versions before it look.
TEST(SkipListTest, SeeksRacingInsertsLandOnTheRightSide) {
  Arena arena;
  SkipList list(&arena);
  constexpr uint64_t kVersions = 300000;
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> seeks{0}, wrong{0};
  std::thread writer([&] {
    for (uint64_t version = 1; version <= kVersions; version++) {
      list.Insert(InternalKey("hot", version), "v");
      published.store(version, std::memory_order_release);
      // A seek in every window of 300 inserts, however the threads are scheduled (on a
      // loaded machine the writer could otherwise finish before the readers start).
      if (version % 300 == 0 && version < kVersions) {
        for (uint64_t before = seeks.load(); seeks.load() == before;) std::this_thread::yield();
      }
    }
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; r++) {
    readers.emplace_back([&] {
      uint64_t version;
      while ((version = published.load(std::memory_order_acquire)) < kVersions) {
        if (version == 0) continue;  // Nothing to land on yet.
        std::string target = InternalKey("hot", version);
        SkipList::Iterator it(&list);
        it.Seek(target);
        if (!it.Valid() || CompareInternalKeys(it.key(), target) < 0) wrong++;
        it.SeekForPrev(target);
        if (it.Valid() && CompareInternalKeys(it.key(), target) > 0) wrong++;
        seeks++;
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_GE(seeks.load(), kVersions / 300 - 1);
  EXPECT_EQ(wrong.load(), 0u);
}

}  // namespace
}  // namespace sett
