// TableIndex is what a table needs in memory to find a key's block: the index block parsed
// (each data block's first key and handle) and the bloom filter. A Table keeps it pinned, or,
// with Options::index_cache_size, leaves it to the BlockCache's index budget and reads it
// again when it was evicted.
//
// Thread safety: immutable once parsed; shared through std::shared_ptr.

#ifndef SETT_TABLE_TABLE_INDEX_H_
#define SETT_TABLE_TABLE_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "table/format.h"

namespace sett {

struct TableProperties;

class TableIndex {
 public:
  // Parses an index block read from the table at path (file_size bytes): every handle inside
  // the data area and in order, every key in order. Fills *props (may be null) from it.
  static Status Parse(std::string contents, std::string bloom, const std::string& path,
                      uint64_t file_size, TableIndex* index, TableProperties* props);

  uint32_t num_blocks() const { return static_cast<uint32_t>(handles_.size()); }
  const BlockHandle& handle(uint32_t i) const { return handles_[i]; }
  std::string_view first_key(uint32_t i) const { return keys_[i]; }
  // Index of the last block whose first key is <= target, or -1 when target precedes them all.
  int64_t FindBlock(std::string_view target) const;
  bool MayContain(uint64_t key_hash) const;
  // Bytes it holds in memory, for the cache's budget.
  size_t charge() const;

 private:
  std::string contents_;
  std::vector<std::string_view> keys_;  // Views into contents_.
  std::vector<BlockHandle> handles_;
  std::string bloom_;
};

}  // namespace sett

#endif  // SETT_TABLE_TABLE_INDEX_H_
