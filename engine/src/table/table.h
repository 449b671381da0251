// Table is an open table file. Opening reads and checks the footer, the index block and the
// bloom block (TableIndex), which then stay in memory, or, when the BlockCache caches indexes
// (Options::index_cache_size), stay only while cached or in use and are read again when
// needed. Data blocks are read on demand through the shared BlockCache, each checked against
// its checksum.
//
// A table is shared through std::shared_ptr by the level state, iterators and readers. When
// compaction replaces it, MarkObsolete makes the last owner delete the file, so a reader never
// loses a table it is reading.
//
// Thread safety: every method may be called concurrently.

#ifndef SETT_TABLE_TABLE_H_
#define SETT_TABLE_TABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "format/key_format.h"
#include "iter/internal_iterator.h"
#include "sett/env.h"
#include "table/block.h"
#include "table/block_cache.h"
#include "table/format.h"
#include "table/table_builder.h"
#include "table/table_index.h"

namespace sett {

class Table : public std::enable_shared_from_this<Table> {
 public:
  // Opens the table file at path. cache may be null (no caching). With map, blocks are read
  // through a memory map of the file where the Env can make one (Options::table_mmap).
  // keys: the DB's data keys when its tables are encrypted (table/format.h), else null.
  static Status Open(Env* env, const std::string& path, uint64_t id, BlockCache* cache, bool map,
                     std::shared_ptr<Table>* table, KeyRegistry* keys = nullptr);
  ~Table();

  uint64_t id() const { return id_; }
  const std::string& path() const { return file_->path(); }
  uint64_t file_size() const { return file_size_; }
  const TableProperties& properties() const { return props_; }
  std::string_view smallest_user_key() const { return UserKey(props_.smallest); }
  std::string_view largest_user_key() const { return UserKey(props_.largest); }
  // The index and bloom filter: the pinned one, the cached one, or read from the file now.
  Status Index(std::shared_ptr<const TableIndex>* index) const;
  uint32_t num_blocks() const;

  // False when the user key with this KeyHash is certainly not in the table (true when the
  // index cannot be read: the read that follows reports why).
  bool MayContain(uint64_t key_hash) const;

  // Finds the first entry with internal key >= target and copies it out; *found is false when
  // there is none.
  Status Seek(std::string_view target, bool fill_cache, bool* found, std::string* key,
              std::string* value) const;

  std::unique_ptr<InternalIterator> NewIterator(bool reverse, bool fill_cache) const;

  // Reads data block i of index (from the cache when it is there).
  Status ReadDataBlock(const TableIndex& index, uint32_t i, bool fill_cache,
                       std::shared_ptr<const Block>* block) const;

  // Reads every block, checks every checksum, entry, key order and the properties.
  Status Verify() const;

  // The file is deleted once the last owner lets go.
  void MarkObsolete() { obsolete_.store(true, std::memory_order_release); }

 private:
  Table(Env* env, std::unique_ptr<RandomAccessFile> file, uint64_t id, uint64_t size,
        BlockCache* cache)
      : env_(env),
        file_(std::move(file)),
        file_name_(std::make_shared<const std::string>(file_->path())),
        id_(id),
        file_size_(size),
        cache_(cache),
        cache_id_(BlockCache::NewCacheId()) {}
  // Reads and parses the index and bloom blocks (and the properties, when props is set).
  Status LoadIndex(TableIndex* index, TableProperties* props) const;
  // LoadIndex into the cache (after a miss).
  Status ReadIndex(std::shared_ptr<const TableIndex>* index) const;

  Env* const env_;
  const std::unique_ptr<RandomAccessFile> file_;
  const std::shared_ptr<const std::string> file_name_;  // Shared with its blocks, for errors.
  const uint64_t id_;
  const uint64_t file_size_;
  BlockCache* const cache_;
  const uint64_t cache_id_;
  BlockCipher cipher_;
  BlockHandle index_handle_, bloom_handle_;
  std::shared_ptr<const TableIndex> pinned_index_;  // Null when the cache keeps it.
  TableProperties props_;
  std::atomic<bool> obsolete_{false};
};

}  // namespace sett

#endif  // SETT_TABLE_TABLE_H_
