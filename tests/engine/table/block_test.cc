#include "table/block.h"

#include <gtest/gtest.h>

#include <map>

#include "format/key_format.h"
#include "table/block_builder.h"
#include "util/random.h"

namespace sett {
namespace {

std::shared_ptr<const Block> BuildBlock(
    const std::vector<std::pair<std::string, std::string>>& kvs) {
  BlockBuilder builder;
  for (const auto& [k, v] : kvs) builder.Add(k, v);
  std::shared_ptr<const Block> block;
  Status s = Block::Parse(std::string(builder.Finish()),
                          std::make_shared<const std::string>("test block"), 0, &block);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return block;
}

std::vector<std::pair<std::string, std::string>> SortedEntries(int n) {
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < n; i++) {
    // Shared prefixes, several versions per key.
    kvs.emplace_back(InternalKey("user/key/" + std::to_string(1000 + i / 3), 10 - i % 3),
                     "value" + std::to_string(i));
  }
  return kvs;
}

TEST(BlockTest, ForwardAndReverseIteration) {
  auto kvs = SortedEntries(100);
  auto block = BuildBlock(kvs);
  ASSERT_EQ(block->num_entries(), 100u);
  BlockIterator it(block, false);
  size_t i = 0;
  for (it.Rewind(); it.Valid(); it.Next(), i++) {
    EXPECT_EQ(it.key(), kvs[i].first);
    EXPECT_EQ(it.value(), kvs[i].second);
  }
  EXPECT_EQ(i, kvs.size());
  BlockIterator rit(block, true);
  i = kvs.size();
  for (rit.Rewind(); rit.Valid(); rit.Next()) {
    --i;
    EXPECT_EQ(rit.key(), kvs[i].first);
  }
  EXPECT_EQ(i, 0u);
  EXPECT_TRUE(it.status().ok());
}

TEST(BlockTest, SeekBothDirections) {
  auto kvs = SortedEntries(60);
  auto block = BuildBlock(kvs);
  Random rnd(3);
  for (int trial = 0; trial < 500; trial++) {
    std::string target =
        InternalKey("user/key/" + std::to_string(995 + rnd.Uniform(30)), rnd.Uniform(12));
    auto lb = std::lower_bound(
        kvs.begin(), kvs.end(), target,
        [](const auto& kv, const std::string& t) { return CompareInternalKeys(kv.first, t) < 0; });
    BlockIterator fwd(block, false);
    fwd.Seek(target);
    if (lb == kvs.end()) {
      EXPECT_FALSE(fwd.Valid());
    } else {
      ASSERT_TRUE(fwd.Valid());
      EXPECT_EQ(fwd.key(), lb->first);
    }
    auto ub = std::upper_bound(
        kvs.begin(), kvs.end(), target,
        [](const std::string& t, const auto& kv) { return CompareInternalKeys(t, kv.first) < 0; });
    BlockIterator rev(block, true);
    rev.Seek(target);
    if (ub == kvs.begin()) {
      EXPECT_FALSE(rev.Valid());
    } else {
      ASSERT_TRUE(rev.Valid());
      EXPECT_EQ(rev.key(), std::prev(ub)->first);
    }
  }
}

TEST(BlockTest, DamagedLayoutIsRejected) {
  BlockBuilder builder;
  builder.Add(InternalKey("a", 1), "x");
  builder.Add(InternalKey("b", 1), "y");
  std::string good(builder.Finish());
  std::shared_ptr<const Block> block;

  std::string bad_count = good;
  bad_count[bad_count.size() - 4] = 100;  // Claims 100 entries.
  Status s =
      Block::Parse(bad_count, std::make_shared<const std::string>("000007.sst"), 8192, &block);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.ToString().find("000007.sst: block at offset 8192"), std::string::npos)
      << s.ToString();

  std::string bad_offset = good;
  bad_offset[bad_offset.size() - 8] = static_cast<char>(200);  // Second offset out of range.
  EXPECT_TRUE(
      Block::Parse(bad_offset, std::make_shared<const std::string>("b"), 0, &block).IsCorruption());

  EXPECT_TRUE(
      Block::Parse("ab", std::make_shared<const std::string>("b"), 0, &block).IsCorruption());

  // An entry whose lengths run past its slot: Parse accepts the layout, decoding refuses.
  std::string bad_entry = good;
  size_t second = 0;
  // Second entry starts after the first: shared(1) unshared(1) vlen(1) key(9) value(1).
  second = 3 + 9 + 1;
  bad_entry[second + 2] = 120;  // Value length 120.
  ASSERT_TRUE(Block::Parse(bad_entry, std::make_shared<const std::string>("b"), 0, &block).ok());
  BlockIterator it(block, false);
  it.Rewind();
  ASSERT_TRUE(it.Valid());
  it.Next();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().IsCorruption()) << it.status().ToString();
}

}  // namespace
}  // namespace sett
