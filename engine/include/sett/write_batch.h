// WriteBatch collects puts, deletes and merges that DB::Write applies atomically: after a crash
// either all of them are there or none. Every entry of a batch gets the same version. A later entry
// for the same key in one batch replaces an earlier one. A batch reads nothing, so it never
// conflicts: it is the fast way to load data (transactions that read what they write conflict
// with it as with any commit).
//
// Thread safety: a WriteBatch is not safe for concurrent mutation.

#ifndef SETT_WRITE_BATCH_H_
#define SETT_WRITE_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sett/entry.h"

namespace sett {

class WriteBatch {
 public:
  WriteBatch();

  void Put(std::string_view key, std::string_view value);
  void SetEntry(const Entry& entry);
  void Delete(std::string_view key);
  // A merge operand (sett/merge.h). The rule above holds for merges too: a batch keeps one
  // entry per key, so merging one key twice in a batch keeps the second operand only (a
  // transaction combines them).
  void Merge(std::string_view key, std::string_view operand);
  void Clear();

  // Managed mode only: the version the batch is written under.
  void SetCommitTs(uint64_t commit_ts) { commit_ts_ = commit_ts; }
  uint64_t commit_ts() const { return commit_ts_; }

  // Number of entries added.
  uint32_t Count() const { return count_; }
  // Bytes of keys and values added, plus a little per entry.
  size_t ApproximateSize() const { return rep_.size(); }

 private:
  friend class WriteBatchInternal;

  // Entries, each: u8 meta, u8 user_meta, varint64 expires_at, varint32 key length, key,
  // varint32 value length, value. See format/write_batch_internal.h.
  std::string rep_;
  uint32_t count_ = 0;
  uint64_t commit_ts_ = 0;
};

}  // namespace sett

#endif  // SETT_WRITE_BATCH_H_
