// A level iterator walks the sorted, disjoint tables of one level (L1 and below) as one
// sequence, opening a table's iterator only when it gets there.

#ifndef SETT_LSM_LEVEL_ITERATOR_H_
#define SETT_LSM_LEVEL_ITERATOR_H_

#include <memory>

#include "iter/internal_iterator.h"
#include "lsm/level_state.h"

namespace sett {

// tables: sorted by key and disjoint; they are kept alive by the iterator.
std::unique_ptr<InternalIterator> NewLevelIterator(TableList tables, bool reverse, bool fill_cache);

}  // namespace sett

#endif  // SETT_LSM_LEVEL_ITERATOR_H_
