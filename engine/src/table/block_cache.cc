#include "table/block_cache.h"

namespace sett {

BlockCache::BlockCache(size_t capacity)
    : capacity_(capacity), shard_capacity_(capacity / kNumShards) {}

uint64_t BlockCache::NewCacheId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

size_t BlockCache::KeyHash::operator()(const Key& k) const {
  uint64_t h = k.cache_id * 0x9e3779b97f4a7c15ULL ^ (k.offset + 0x632be59bd9b4e019ULL);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  return static_cast<size_t>(h ^ (h >> 32));
}

BlockCache::Shard& BlockCache::ShardFor(const Key& key) {
  return shards_[KeyHash()(key) % kNumShards];
}

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t cache_id, uint64_t offset) {
  Key key{cache_id, offset};
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(key);
  if (it == shard.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->block;
}

void BlockCache::Insert(uint64_t cache_id, uint64_t offset, std::shared_ptr<const Block> block) {
  size_t charge = block->charge();
  if (charge > shard_capacity_) return;
  Key key{cache_id, offset};
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) {
    shard.usage -= it->second->charge;
    shard.lru.erase(it->second);
    shard.index.erase(it);
  }
  shard.lru.push_front(Entry{key, std::move(block), charge});
  shard.index.emplace(key, shard.lru.begin());
  shard.usage += charge;
  while (shard.usage > shard_capacity_) {
    Entry& victim = shard.lru.back();
    shard.usage -= victim.charge;
    shard.index.erase(victim.key);
    shard.lru.pop_back();
  }
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    total += shard.usage;
  }
  return total;
}

}  // namespace sett
