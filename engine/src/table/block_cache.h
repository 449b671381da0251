// BlockCache keeps recently read data blocks, decompressed, within a byte budget shared by
// every table of a DB. It is split into shards, each under its own mutex, so that readers of
// different blocks rarely wait for each other. A shard is an LRU list threaded through its
// entries and a chained hash table over the same entries: one allocation per cached block,
// and a lookup touches only the entries of one bucket. A block stays alive while a reader
// holds it even after the cache evicts it.
//
// Blocks are keyed by (table cache id, block offset); every opened table takes a fresh cache
// id, so a reused file number can never hit another table's blocks.
//
// With an index capacity, the cache also keeps tables' indexes and bloom filters (TableIndex)
// within that second budget, apart from the blocks (Options::index_cache_size): a table then
// holds its index only while it is cached or in use.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_TABLE_BLOCK_CACHE_H_
#define SETT_TABLE_BLOCK_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "table/block.h"
#include "table/table_index.h"

namespace sett {

class BlockCache {
 public:
  explicit BlockCache(size_t capacity, size_t index_capacity = 0);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  std::shared_ptr<const Block> Lookup(uint64_t cache_id, uint64_t offset);
  void Insert(uint64_t cache_id, uint64_t offset, std::shared_ptr<const Block> block);
  // Table indexes, when index_capacity > 0.
  bool caches_indexes() const { return index_capacity_ > 0; }
  std::shared_ptr<const TableIndex> LookupIndex(uint64_t cache_id);
  void InsertIndex(uint64_t cache_id, std::shared_ptr<const TableIndex> index);
  size_t index_usage() const;
  uint64_t index_misses() const { return index_misses_.load(std::memory_order_relaxed); }

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  // A process-wide unique id for a newly opened table.
  static uint64_t NewCacheId();

 private:
  static constexpr int kShardBits = 4;
  static constexpr int kIndexShardBits = 2;  // Indexes are few and large.

  struct Entry {
    uint64_t cache_id;
    uint64_t offset;
    uint64_t hash;
    std::shared_ptr<const void> value;  // A Block, or a TableIndex in the index shards.
    size_t charge;
    Entry* newer;  // LRU neighbours; the shard's head sits between newest and oldest.
    Entry* older;
    Entry* next_in_bucket;
  };

  class Shard {
   public:
    Shard();
    ~Shard();
    std::shared_ptr<const void> Lookup(uint64_t cache_id, uint64_t offset, uint64_t hash);
    void Insert(Entry* entry, size_t capacity);
    size_t usage() const;

   private:
    // The bucket slot that holds the entry for the key, or the empty slot ending its chain.
    Entry** Slot(uint64_t cache_id, uint64_t offset, uint64_t hash);
    void Grow();
    void MakeNewest(Entry* e);
    void Unlink(Entry* e);
    void Remove(Entry* e);  // From the list and the table; deletes it.

    mutable std::mutex mu_;
    Entry head_;                   // head_.older is the newest entry, head_.newer the oldest.
    std::vector<Entry*> buckets_;  // A power of two of them.
    size_t count_ = 0;
    size_t usage_ = 0;
  };

  static uint64_t Hash(uint64_t cache_id, uint64_t offset);
  Shard& ShardFor(uint64_t hash) { return shards_[hash >> (64 - kShardBits)]; }
  Shard& IndexShardFor(uint64_t hash) { return index_shards_[hash >> (64 - kIndexShardBits)]; }

  const size_t capacity_;
  const size_t shard_capacity_;
  const size_t index_capacity_;
  const size_t index_shard_capacity_;
  Shard shards_[1 << kShardBits];
  Shard index_shards_[1 << kIndexShardBits];
  std::atomic<uint64_t> index_misses_{0};
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace sett

#endif  // SETT_TABLE_BLOCK_CACHE_H_
