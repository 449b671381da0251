// TableBuilder writes a table file (format.h) from entries added in increasing internal-key
// order. Data blocks are cut at about block_size and written as they fill; Finish writes the
// bloom block, the index block and the footer.
//
//   index block := varint32 n | n x (length-prefixed base key | varint64 offset |
//                  varint64 size) | properties
//   properties  := length-prefixed smallest key | length-prefixed largest key |
//                  varint64 entries | varint64 deletes | varint64 older versions |
//                  varint64 min version | varint64 max version
//
// A block's base key is its first key. "Older versions" counts entries that are not the newest
// version of their user key within the table; with the tombstone count it tells whether a
// compaction could drop anything.
//
// Thread safety: one thread at a time.

#ifndef SETT_TABLE_TABLE_BUILDER_H_
#define SETT_TABLE_TABLE_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sett/env.h"
#include "sett/options.h"
#include "table/block_builder.h"
#include "table/bloom.h"
#include "table/format.h"

namespace sett {

struct TableProperties {
  std::string smallest;  // Internal keys.
  std::string largest;
  uint64_t num_entries = 0;
  uint64_t num_deletes = 0;
  uint64_t num_older_versions = 0;
  uint64_t min_version = 0;
  uint64_t max_version = 0;
};

struct TableBuilderOptions {
  size_t block_size = 4 << 10;
  int bloom_bits_per_key = 10;
  Compression compression = Compression::kSnappy;
  int zstd_level = 1;
  BlockCipher cipher;  // Encryption (table/format.h); table_id is set per table.
};

class TableBuilder {
 public:
  // Writes to file, which must be empty; the caller syncs and closes it after Finish.
  TableBuilder(const TableBuilderOptions& options, WritableFile* file);

  // REQUIRES: key is an internal key greater than every key added before; value is an
  // encoded value struct.
  Status Add(std::string_view key, std::string_view value);
  // Writes the bloom block, index block and footer, and flushes the file.
  Status Finish();

  uint64_t FileSize() const { return offset_ + pending_.size() + data_block_.EstimatedSize(); }
  uint64_t num_entries() const { return props_.num_entries; }
  bool empty() const { return props_.num_entries == 0; }
  const TableProperties& properties() const { return props_; }

 private:
  Status FlushDataBlock();
  BlockHandle WriteBlock(std::string_view contents, Compression compression);

  const TableBuilderOptions options_;
  WritableFile* const file_;
  BlockBuilder data_block_;
  BloomBuilder bloom_;
  std::string index_entries_;
  uint32_t num_blocks_ = 0;
  std::string pending_;  // Stored bytes not yet handed to the file.
  uint64_t offset_ = 0;  // File offset of pending_.
  TableProperties props_;
  std::string last_key_;
  Status status_;
};

}  // namespace sett

#endif  // SETT_TABLE_TABLE_BUILDER_H_
