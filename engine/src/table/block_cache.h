// BlockCache keeps recently read data blocks, decompressed, within a byte budget shared by
// every table of a DB. It is split into shards, each an LRU list under its own mutex, so that
// readers of different blocks rarely wait for each other. A block stays alive while a reader
// holds it even after the cache evicts it.
//
// Blocks are keyed by (table cache id, block offset); every opened table takes a fresh cache
// id, so a reused file number can never hit another table's blocks.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_TABLE_BLOCK_CACHE_H_
#define SETT_TABLE_BLOCK_CACHE_H_

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "table/block.h"

namespace sett {

class BlockCache {
 public:
  explicit BlockCache(size_t capacity);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  std::shared_ptr<const Block> Lookup(uint64_t cache_id, uint64_t offset);
  void Insert(uint64_t cache_id, uint64_t offset, std::shared_ptr<const Block> block);

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  // A process-wide unique id for a newly opened table.
  static uint64_t NewCacheId();

 private:
  static constexpr int kNumShards = 16;

  struct Key {
    uint64_t cache_id;
    uint64_t offset;
    bool operator==(const Key& o) const { return cache_id == o.cache_id && offset == o.offset; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    std::shared_ptr<const Block> block;
    size_t charge;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // Most recently used first.
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index;
    size_t usage = 0;
  };

  Shard& ShardFor(const Key& key);

  const size_t capacity_;
  const size_t shard_capacity_;
  Shard shards_[kNumShards];
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace sett

#endif  // SETT_TABLE_BLOCK_CACHE_H_
