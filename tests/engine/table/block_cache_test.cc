#include "table/block_cache.h"

#include <gtest/gtest.h>

#include <vector>

#include "format/key_format.h"
#include "table/block_builder.h"

namespace sett {
namespace {

std::shared_ptr<const Block> MakeBlock(size_t value_size) {
  BlockBuilder builder;
  builder.Add(InternalKey("k", 1), std::string(value_size, 'v'));
  std::shared_ptr<const Block> block;
  EXPECT_TRUE(Block::Parse(std::string(builder.Finish()), std::make_shared<const std::string>("b"),
                           0, &block)
                  .ok());
  return block;
}

TEST(BlockCacheTest, StaysWithinCapacityAndEvictsLeastRecentlyUsed) {
  BlockCache cache(16 * 64 << 10);  // 16 shards of 64 KiB.
  for (uint64_t i = 0; i < 2000; i++) cache.Insert(1, i * 4096, MakeBlock(4000));
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_GT(cache.usage(), cache.capacity() / 2);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);  // Long evicted.
  EXPECT_NE(cache.Lookup(1, 1999 * 4096), nullptr);
  EXPECT_GT(cache.hits(), 0u);
  EXPECT_GT(cache.misses(), 0u);
}

TEST(BlockCacheTest, KeysAreTablesAndOffsets) {
  BlockCache cache(1 << 20);
  auto a = MakeBlock(10), b = MakeBlock(20);
  cache.Insert(1, 0, a);
  cache.Insert(2, 0, b);
  EXPECT_EQ(cache.Lookup(1, 0), a);
  EXPECT_EQ(cache.Lookup(2, 0), b);
  EXPECT_EQ(cache.Lookup(1, 4096), nullptr);
  EXPECT_NE(BlockCache::NewCacheId(), BlockCache::NewCacheId());
}

TEST(BlockCacheTest, RecentlyReadBlocksOutliveOlderOnesAndReinsertReplaces) {
  BlockCache cache(16 * 64 << 10);
  for (uint64_t i = 0; i < 10; i++) cache.Insert(7, i * 4096, MakeBlock(1000));
  auto first = cache.Lookup(7, 0);  // Now the most recently used of its shard.
  ASSERT_NE(first, nullptr);
  for (uint64_t i = 10; i < 5000; i++) {
    cache.Insert(7, i * 4096, MakeBlock(1000));
    if (i % 8 == 0) {
      ASSERT_NE(cache.Lookup(7, 0), nullptr) << "evicted at " << i;
    }
  }
  EXPECT_EQ(cache.Lookup(7, 4096), nullptr);
  EXPECT_LE(cache.usage(), cache.capacity());

  auto replacement = MakeBlock(50);
  cache.Insert(7, 0, replacement);
  EXPECT_EQ(cache.Lookup(7, 0), replacement);
  EXPECT_EQ(first->num_entries(), 1u);  // A held block stays alive after the cache lets go.
}

TEST(BlockCacheTest, ManyEntriesAllFindable) {
  BlockCache cache(64 << 20);  // Room for all: the tables grow instead of evicting.
  std::vector<std::shared_ptr<const Block>> blocks;
  for (uint64_t i = 0; i < 20000; i++) {
    blocks.push_back(MakeBlock(10));
    cache.Insert(i % 3, i, blocks.back());
  }
  for (uint64_t i = 0; i < 20000; i++) ASSERT_EQ(cache.Lookup(i % 3, i), blocks[i]) << i;
  EXPECT_EQ(cache.Lookup(3, 0), nullptr);
}

TEST(BlockCacheTest, OversizedBlockIsNotCached) {
  BlockCache cache(16 * 1024);
  cache.Insert(1, 0, MakeBlock(4096));  // Bigger than a shard.
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

}  // namespace
}  // namespace sett
