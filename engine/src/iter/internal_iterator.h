// InternalIterator walks internal keys (user key + version) and their encoded value structs.
// Memtables, blocks, tables, levels and the merge of them all implement it.
//
// An iterator has one direction, fixed when it is created: forward walks keys in ascending
// internal order, reverse in descending order. Rewind positions at the first entry in that
// direction; Seek(target) at the first key >= target (forward) or the last key <= target
// (reverse); Next moves one step in that direction; SkipTo(target) moves on to where Seek(target)
// would land, for a target at or past the current entry, which lets a merge leave the children
// already past the target where they are. A failure (a damaged block, say) makes the
// iterator invalid and is reported by status(); an invalid iterator with an OK status is at
// its end.
//
// Thread safety: one thread at a time.

#ifndef SETT_ITER_INTERNAL_ITERATOR_H_
#define SETT_ITER_INTERNAL_ITERATOR_H_

#include <functional>
#include <memory>
#include <string_view>

#include "sett/status.h"

namespace sett {

class InternalIterator {
 public:
  virtual ~InternalIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Rewind() = 0;
  virtual void Seek(std::string_view target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid(), and target at or past key() in this iterator's direction.
  virtual void SkipTo(std::string_view target) { Seek(target); }
  // REQUIRES: Valid(). Views stay valid until the iterator moves.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

// Makes iterators over one fixed set of entries, in either direction.
using IteratorFactory = std::function<std::unique_ptr<InternalIterator>(bool reverse)>;

}  // namespace sett

#endif  // SETT_ITER_INTERNAL_ITERATOR_H_
