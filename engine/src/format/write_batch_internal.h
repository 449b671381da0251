// WriteBatchInternal reads and writes the entries of a WriteBatch, for the engine's own use.
// A batch's rep is a sequence of entries:
//
//   entry := u8 meta | u8 user meta | varint64 expires_at | varint32 key length | key |
//            varint32 value length | value

#ifndef SETT_FORMAT_WRITE_BATCH_INTERNAL_H_
#define SETT_FORMAT_WRITE_BATCH_INTERNAL_H_

#include <cstdint>
#include <string_view>

#include "sett/write_batch.h"
#include "util/coding.h"

namespace sett {

struct BatchEntry {
  uint8_t meta = 0;
  uint8_t user_meta = 0;
  uint64_t expires_at = 0;
  std::string_view key;
  std::string_view value;
};

class WriteBatchInternal {
 public:
  static void Add(WriteBatch* batch, const BatchEntry& entry);
  // The most bytes Add takes for an entry of these sizes.
  static size_t MaxEntrySize(size_t key_size, size_t value_size) {
    return 2 + 10 + 5 + key_size + 5 + value_size;  // meta, varint64, two length prefixes
  }
  // Makes room for `bytes` more, so that adding entries of that size copies nothing twice.
  static void Reserve(WriteBatch* batch, size_t bytes) {
    batch->rep_.reserve(batch->rep_.size() + bytes);
  }

  // Calls fn(const BatchEntry&) for each entry in order. Returns false if the rep is malformed,
  // which batches built through the API never are.
  template <typename Fn>
  static bool ForEach(const WriteBatch& batch, Fn&& fn) {
    std::string_view in = batch.rep_;
    while (!in.empty()) {
      BatchEntry e;
      if (!GetByte(&in, &e.meta) || !GetByte(&in, &e.user_meta) ||
          !GetVarint64(&in, &e.expires_at) || !GetLengthPrefixed(&in, &e.key) ||
          !GetLengthPrefixed(&in, &e.value)) {
        return false;
      }
      fn(e);
    }
    return true;
  }
};

}  // namespace sett

#endif  // SETT_FORMAT_WRITE_BATCH_INTERNAL_H_
