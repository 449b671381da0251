// PendingWrites are a transaction's writes before commit, in key order, with the bytes they
// would add to the commit counted against a budget. Snapshot shows them as internal entries at
// the transaction's read timestamp, so that a merge puts them above everything the transaction
// can see.
//
// Thread safety: one thread at a time.

#ifndef SETT_TXN_PENDING_WRITES_H_
#define SETT_TXN_PENDING_WRITES_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "iter/internal_iterator.h"
#include "sett/write_batch.h"

namespace sett {

class PendingWrites {
 public:
  struct Write {
    std::string value;
    uint8_t meta = 0;  // kMetaDelete for a deletion.
    uint8_t user_meta = 0;
    uint64_t expires_at = 0;
  };

  // Counts a value as inline when shorter than value_threshold, else as a pointer.
  explicit PendingWrites(size_t value_threshold) : value_threshold_(value_threshold) {}

  // Replaces any earlier write of the key.
  void Put(std::string_view key, Write write);
  const Write* Find(std::string_view key) const;

  // What the writes would add to a commit if `extra` (key, value size) were added or replaced.
  size_t BytesWith(std::string_view key, size_t value_size) const;
  bool empty() const { return writes_.empty(); }
  size_t size() const { return writes_.size(); }

  void AppendTo(WriteBatch* batch) const;
  // A snapshot of the writes as internal entries at version read_ts: the iterators it makes,
  // in either direction, show the same entries whatever is written later.
  IteratorFactory Snapshot(uint64_t read_ts) const;

 private:
  size_t Cost(std::string_view key, size_t value_size) const;

  const size_t value_threshold_;
  std::map<std::string, Write, std::less<>> writes_;
  size_t bytes_ = 0;
};

}  // namespace sett

#endif  // SETT_TXN_PENDING_WRITES_H_
