// Block is a parsed data block (layout in block_builder.h) held in memory and in the block
// cache; BlockIterator walks one. Parse checks the offsets array, and every entry is bounds-
// checked when decoded, so a damaged block yields Corruption, never a read out of bounds.
//
// Thread safety: a Block is immutable and may be shared; a BlockIterator is used by one
// thread at a time.

#ifndef SETT_TABLE_BLOCK_H_
#define SETT_TABLE_BLOCK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "iter/internal_iterator.h"
#include "sett/status.h"

namespace sett {

class Block {
 private:
  struct Token {};  // Only Parse makes blocks.

 public:
  // Takes a block's uncompressed contents; `file` and `offset` name it in errors. The file
  // name is shared by every block of a table, so that a read builds no message up front.
  static Status Parse(std::string contents, std::shared_ptr<const std::string> file,
                      uint64_t offset, std::shared_ptr<const Block>* out);

  Block(Token, std::string contents, std::shared_ptr<const std::string> file, uint64_t offset)
      : contents_(std::move(contents)), file_(std::move(file)), offset_(offset) {}

  uint32_t num_entries() const { return num_entries_; }
  // Memory held, for the cache's accounting.
  size_t charge() const { return contents_.capacity() + sizeof(*this); }
  // "file: block at offset N", for errors.
  std::string where() const;

  // Decodes entry i into *key (its full key) and *value (a view into the block). False when
  // the entry is damaged.
  bool DecodeEntry(uint32_t i, std::string* key, std::string_view* value) const;

 private:
  uint32_t EntryOffset(uint32_t i) const;

  std::string contents_;
  std::shared_ptr<const std::string> file_;
  uint64_t offset_;
  uint32_t num_entries_ = 0;
  uint32_t data_end_ = 0;  // Where the offsets array starts.
  std::string_view base_key_;
};

class BlockIterator : public InternalIterator {
 public:
  BlockIterator(std::shared_ptr<const Block> block, bool reverse)
      : block_(std::move(block)), reverse_(reverse) {}

  bool Valid() const override { return valid_; }
  void Rewind() override;
  void Seek(std::string_view target) override;
  void Next() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

 private:
  // Positions at entry i (which may be out of range: then invalid).
  void SeekToEntry(int64_t i);

  std::shared_ptr<const Block> block_;
  const bool reverse_;
  int64_t index_ = -1;
  bool valid_ = false;
  std::string key_;
  std::string_view value_;
  Status status_;
};

}  // namespace sett

#endif  // SETT_TABLE_BLOCK_H_
