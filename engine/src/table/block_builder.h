// BlockBuilder lays out a data block:
//
//   entry* | u32 entry offset[n] | u32 n
//   entry := varint32 shared | varint32 unshared | varint32 value length |
//            the key's bytes after the shared prefix | value
//
// `shared` is the length of the prefix the key has in common with the block's base key (its
// first key). Any entry therefore decodes on its own, and a reader binary-searches the
// offsets. Keys are added in increasing internal-key order.
//
// Thread safety: one thread at a time.

#ifndef SETT_TABLE_BLOCK_BUILDER_H_
#define SETT_TABLE_BLOCK_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sett {

class BlockBuilder {
 public:
  void Add(std::string_view key, std::string_view value);
  // Returns the finished block; valid until Reset.
  std::string_view Finish();
  void Reset();

  // Size of the block if it were finished now.
  size_t EstimatedSize() const { return buffer_.size() + 4 * offsets_.size() + 4; }
  bool empty() const { return offsets_.empty(); }
  std::string_view base_key() const { return base_key_; }

 private:
  std::string buffer_;
  std::vector<uint32_t> offsets_;
  std::string base_key_;
};

}  // namespace sett

#endif  // SETT_TABLE_BLOCK_BUILDER_H_
