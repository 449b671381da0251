// MemTable holds the newest writes in a SkipList until a flusher writes them out as an L0
// table. Each memtable has its own write-ahead log (NNNNNN.mem, see wal.h) whose id it keeps.
//
// Thread safety: Add by one thread at a time (the write leader); everything else from any
// thread, concurrently with Add and without locks. Share it through std::shared_ptr: readers
// that hold one keep its memory alive after it is flushed.

#ifndef SETT_MEMTABLE_MEMTABLE_H_
#define SETT_MEMTABLE_MEMTABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "format/key_format.h"
#include "iter/internal_iterator.h"
#include "memtable/skiplist.h"
#include "util/arena.h"

namespace sett {

class MemTable {
 public:
  // arena_block_size: a sixteenth of the memtable size or so keeps the waste small.
  explicit MemTable(uint64_t wal_id, size_t arena_block_size = Arena::kDefaultBlockSize)
      : wal_id_(wal_id), arena_(arena_block_size), list_(&arena_) {}

  // Adds one entry (internal key -> encoded value struct). Returns the version of the same
  // user key that it replaced as the newest in this memtable, 0 when there was none.
  uint64_t Add(std::string_view internal_key, std::string_view value_struct);
  // Value-log bytes of versions that a newer version of the same key in this memtable has
  // replaced: garbage, once no reader needs them, which only a flush can count. The DB flushes
  // early when this grows large, so that a workload rewriting a few keys does not hide
  // gigabytes of garbage in a memtable that is nowhere near full.
  uint64_t replaced_log_bytes() const {
    return replaced_log_bytes_.load(std::memory_order_relaxed);
  }

  // Finds the newest version of the user key at or below the version of target (the internal
  // key (user key, read_ts), which readers build once for every source). Returns true and sets
  // the version and the entry's value struct (pointing into this memtable) when there is one;
  // a tombstone counts as found.
  bool GetAt(std::string_view target, uint64_t* version, ValueStruct* vs) const;

  // How many of user_key's newest versions here are merge operands in a row, counting up to
  // limit.
  size_t OperandsOnTop(std::string_view user_key, size_t limit) const;

  std::unique_ptr<InternalIterator> NewIterator(bool reverse) const;

  // Bytes of entries and index held; the memtable is full when this reaches its size.
  size_t ApproximateMemoryUsage() const { return arena_.AllocatedBytes(); }
  // Bytes reserved from the system.
  size_t MemoryReserved() const { return arena_.MemoryUsage(); }
  size_t num_entries() const { return list_.Count(); }
  bool empty() const { return list_.Count() == 0; }
  uint64_t wal_id() const { return wal_id_; }
  uint64_t max_version() const { return max_version_.load(std::memory_order_acquire); }

 private:
  const uint64_t wal_id_;
  Arena arena_;
  SkipList list_;
  std::atomic<uint64_t> max_version_{0};
  std::atomic<uint64_t> replaced_log_bytes_{0};
};

}  // namespace sett

#endif  // SETT_MEMTABLE_MEMTABLE_H_
