#include "table/block_cache.h"

#include "util/random.h"

namespace sett {

BlockCache::BlockCache(size_t capacity, size_t index_capacity)
    : capacity_(capacity),
      shard_capacity_(capacity >> kShardBits),
      index_capacity_(index_capacity),
      index_shard_capacity_(index_capacity >> kIndexShardBits) {}

BlockCache::~BlockCache() = default;

uint64_t BlockCache::NewCacheId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

uint64_t BlockCache::Hash(uint64_t cache_id, uint64_t offset) {
  // The top bits pick the shard, the low bits the bucket.
  return Mix64(cache_id * 0x9e3779b97f4a7c15ULL ^ (offset + 0x632be59bd9b4e019ULL));
}

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t cache_id, uint64_t offset) {
  uint64_t hash = Hash(cache_id, offset);
  auto block = std::static_pointer_cast<const Block>(ShardFor(hash).Lookup(cache_id, offset, hash));
  (block ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return block;
}

void BlockCache::Insert(uint64_t cache_id, uint64_t offset, std::shared_ptr<const Block> block) {
  size_t charge = block->charge() + sizeof(Entry);
  if (charge > shard_capacity_) return;
  uint64_t hash = Hash(cache_id, offset);
  ShardFor(hash).Insert(
      new Entry{cache_id, offset, hash, std::move(block), charge, nullptr, nullptr, nullptr},
      shard_capacity_);
}

std::shared_ptr<const TableIndex> BlockCache::LookupIndex(uint64_t cache_id) {
  uint64_t hash = Hash(cache_id, 0);
  auto index =
      std::static_pointer_cast<const TableIndex>(IndexShardFor(hash).Lookup(cache_id, 0, hash));
  if (index == nullptr) index_misses_.fetch_add(1, std::memory_order_relaxed);
  return index;
}

void BlockCache::InsertIndex(uint64_t cache_id, std::shared_ptr<const TableIndex> index) {
  size_t charge = index->charge() + sizeof(Entry);
  if (charge > index_shard_capacity_) return;
  uint64_t hash = Hash(cache_id, 0);
  IndexShardFor(hash).Insert(
      new Entry{cache_id, 0, hash, std::move(index), charge, nullptr, nullptr, nullptr},
      index_shard_capacity_);
}

size_t BlockCache::index_usage() const {
  size_t total = 0;
  for (const Shard& shard : index_shards_) total += shard.usage();
  return total;
}

size_t BlockCache::usage() const {
  size_t total = 0;
  for (const Shard& shard : shards_) total += shard.usage();
  return total;
}

BlockCache::Shard::Shard() : buckets_(64, nullptr) { head_.newer = head_.older = &head_; }

BlockCache::Shard::~Shard() {
  for (Entry* e = head_.older; e != &head_;) {
    Entry* next = e->older;
    delete e;
    e = next;
  }
}

std::shared_ptr<const void> BlockCache::Shard::Lookup(uint64_t cache_id, uint64_t offset,
                                                      uint64_t hash) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry* e = *Slot(cache_id, offset, hash);
  if (e == nullptr) return nullptr;
  Unlink(e);
  MakeNewest(e);
  return e->value;
}

void BlockCache::Shard::Insert(Entry* entry, size_t capacity) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry** slot = Slot(entry->cache_id, entry->offset, entry->hash);
  if (*slot != nullptr) Remove(*slot);  // Its slot now holds what followed it: still right.
  entry->next_in_bucket = *slot;
  *slot = entry;
  MakeNewest(entry);
  count_++;
  usage_ += entry->charge;
  while (usage_ > capacity && head_.newer != entry) Remove(head_.newer);
  if (count_ > buckets_.size()) Grow();
}

size_t BlockCache::Shard::usage() const {
  std::lock_guard<std::mutex> lock(mu_);
  return usage_;
}

BlockCache::Entry** BlockCache::Shard::Slot(uint64_t cache_id, uint64_t offset, uint64_t hash) {
  Entry** slot = &buckets_[hash & (buckets_.size() - 1)];
  while (*slot != nullptr && ((*slot)->cache_id != cache_id || (*slot)->offset != offset)) {
    slot = &(*slot)->next_in_bucket;
  }
  return slot;
}

void BlockCache::Shard::Grow() {
  std::vector<Entry*> bigger(buckets_.size() * 2, nullptr);
  for (Entry* chain : buckets_) {
    while (chain != nullptr) {
      Entry* next = chain->next_in_bucket;
      Entry** slot = &bigger[chain->hash & (bigger.size() - 1)];
      chain->next_in_bucket = *slot;
      *slot = chain;
      chain = next;
    }
  }
  buckets_.swap(bigger);
}

void BlockCache::Shard::MakeNewest(Entry* e) {
  e->older = head_.older;
  e->newer = &head_;
  head_.older->newer = e;
  head_.older = e;
}

void BlockCache::Shard::Unlink(Entry* e) {
  e->newer->older = e->older;
  e->older->newer = e->newer;
}

void BlockCache::Shard::Remove(Entry* e) {
  Entry** slot = Slot(e->cache_id, e->offset, e->hash);
  *slot = e->next_in_bucket;
  Unlink(e);
  count_--;
  usage_ -= e->charge;
  delete e;
}

}  // namespace sett
