// A prefetching iterator reads values from the value log ahead of the caller: it keeps the
// next prefetch_size entries of a key-only DBIter in a queue and hands their value-log reads
// to a thread pool, so that a scan over large values overlaps its reads instead of waiting for
// each in turn. It yields exactly what the DBIter would.

#ifndef SETT_DB_PREFETCH_ITERATOR_H_
#define SETT_DB_PREFETCH_ITERATOR_H_

#include <memory>

#include "db/db_iter.h"
#include "util/thread_pool.h"

namespace sett {

// inner must be key-only; pool may be null (the reads then happen on the caller's thread).
std::unique_ptr<Iterator> NewPrefetchIterator(std::unique_ptr<DBIter> inner, ThreadPool* pool,
                                              int prefetch_size);

}  // namespace sett

#endif  // SETT_DB_PREFETCH_ITERATOR_H_
