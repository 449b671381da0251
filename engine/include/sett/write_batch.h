// WriteBatch collects puts and deletes that DB::Write applies atomically: after a crash either
// all of them are there or none. Every entry of a batch gets the same version. A later entry for
// the same key in one batch replaces an earlier one.
//
// Thread safety: a WriteBatch is not safe for concurrent mutation.

#ifndef SETT_WRITE_BATCH_H_
#define SETT_WRITE_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sett {

class WriteBatch {
 public:
  WriteBatch();

  void Put(std::string_view key, std::string_view value);
  void Delete(std::string_view key);
  void Clear();

  // Number of entries added.
  uint32_t Count() const { return count_; }
  // Bytes of keys and values added, plus a little per entry.
  size_t ApproximateSize() const { return rep_.size(); }

 private:
  friend class WriteBatchInternal;

  // Entries, each: u8 meta, u8 user_meta, varint64 expires_at, varint32 key length, key,
  // varint32 value length, value. See db/write_batch_internal.h.
  std::string rep_;
  uint32_t count_ = 0;
};

}  // namespace sett

#endif  // SETT_WRITE_BATCH_H_
