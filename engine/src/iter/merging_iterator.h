// A merging iterator yields the entries of several child iterators, all of one direction, as
// one ordered stream, using a heap. Children are listed newest source first: when two hold the
// same internal key, only the earlier child's entry is produced. When a child fails, the merge
// stops (Valid() turns false) and status() reports the failure, so a damaged table never
// silently shortens a scan.

#ifndef SETT_ITER_MERGING_ITERATOR_H_
#define SETT_ITER_MERGING_ITERATOR_H_

#include <memory>
#include <vector>

#include "iter/internal_iterator.h"

namespace sett {

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children, bool reverse);

}  // namespace sett

#endif  // SETT_ITER_MERGING_ITERATOR_H_
