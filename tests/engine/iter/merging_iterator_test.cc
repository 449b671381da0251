// MergingIterator: one ordered stream out of several children, newest source first on equal
// keys, in either direction; SkipTo lands where Seek would, moving only the children behind.

#include "iter/merging_iterator.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "format/key_format.h"
#include "memtable/memtable.h"

namespace sett {
namespace {

std::string Entry(std::string_view user_key, uint64_t version) {
  return std::string(user_key) + "@" + std::to_string(version);
}

std::string Describe(const InternalIterator& it) {
  return Entry(UserKey(it.key()), VersionOf(it.key())) + "=" + std::string(it.value());
}

class MergingIteratorTest : public ::testing::Test {
 protected:
  // Three sources; source i holds key k at version v when (k + v) % 3 == i, plus a copy of
  // every tenth entry in the next source, which the merge must show once (from the newer).
  void SetUp() override {
    for (int i = 0; i < 3; i++) sources_.push_back(std::make_unique<MemTable>(i + 1));
    for (int k = 0; k < 20; k++) {
      for (uint64_t v = 1; v <= 30; v++) {
        std::string ikey = InternalKey("k" + std::to_string(100 + k), v);
        int owner = (k + static_cast<int>(v)) % 3;
        sources_[owner]->Add(ikey, "s" + std::to_string(owner));
        if (v % 10 == 0 && owner < 2) sources_[owner + 1]->Add(ikey, "stale");
        all_.insert(ikey);
      }
    }
  }

  std::unique_ptr<InternalIterator> Merge(bool reverse) {
    std::vector<std::unique_ptr<InternalIterator>> children;
    for (const auto& s : sources_) children.push_back(s->NewIterator(reverse));
    return NewMergingIterator(std::move(children), reverse);
  }

  std::vector<std::unique_ptr<MemTable>> sources_;
  std::set<std::string, bool (*)(const std::string&, const std::string&)> all_{
      [](const std::string& a, const std::string& b) { return CompareInternalKeys(a, b) < 0; }};
};

TEST_F(MergingIteratorTest, YieldsEveryKeyOnceFromTheNewestSource) {
  for (bool reverse : {false, true}) {
    auto it = Merge(reverse);
    size_t n = 0;
    for (it->Rewind(); it->Valid(); it->Next()) {
      EXPECT_NE(it->value(), "stale") << Describe(*it);
      n++;
    }
    EXPECT_TRUE(it->status().ok());
    EXPECT_EQ(n, all_.size()) << (reverse ? "reverse" : "forward");
  }
}

TEST_F(MergingIteratorTest, SkipToLandsWhereSeekDoes) {
  std::mt19937 rng(7);
  for (bool reverse : {false, true}) {
    auto skipping = Merge(reverse);
    auto seeking = Merge(reverse);
    skipping->Rewind();
    for (int round = 0; round < 200 && skipping->Valid(); round++) {
      // A target at or past the current entry: a later version of this key, or a later key.
      std::string current(skipping->key());
      std::string user(UserKey(current));
      uint64_t version = VersionOf(current);
      std::string target;
      if (rng() % 2 == 0) {
        uint64_t v =
            reverse ? version + rng() % 5 : version - std::min<uint64_t>(version, rng() % 5);
        target = InternalKey(user, v);
      } else {
        int k = std::stoi(user.substr(1)) + (reverse ? -1 : 1) * static_cast<int>(rng() % 3);
        target = InternalKey("k" + std::to_string(k), 1 + rng() % 35);
        if (reverse ? CompareInternalKeys(target, current) > 0
                    : CompareInternalKeys(target, current) < 0) {
          target = current;
        }
      }
      skipping->SkipTo(target);
      seeking->Seek(target);
      ASSERT_EQ(skipping->Valid(), seeking->Valid())
          << "target " << Entry(UserKey(target), VersionOf(target));
      if (!skipping->Valid()) break;
      EXPECT_EQ(Describe(*skipping), Describe(*seeking));
      // Then both go on alike.
      for (int i = 0; i < 3 && skipping->Valid(); i++) {
        skipping->Next();
        seeking->Next();
        ASSERT_EQ(skipping->Valid(), seeking->Valid());
        if (skipping->Valid()) {
          EXPECT_EQ(Describe(*skipping), Describe(*seeking));
        }
      }
    }
  }
}

}  // namespace
}  // namespace sett
