#include "table/block_cache.h"

#include <gtest/gtest.h>

#include "db/key_format.h"
#include "table/block_builder.h"

namespace sett {
namespace {

std::shared_ptr<const Block> MakeBlock(size_t value_size) {
  BlockBuilder builder;
  builder.Add(InternalKey("k", 1), std::string(value_size, 'v'));
  std::shared_ptr<const Block> block;
  EXPECT_TRUE(Block::Parse(std::string(builder.Finish()), "b", &block).ok());
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

TEST(BlockCacheTest, OversizedBlockIsNotCached) {
  BlockCache cache(16 * 1024);
  cache.Insert(1, 0, MakeBlock(4096));  // Bigger than a shard.
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

}  // namespace
}  // namespace sett
