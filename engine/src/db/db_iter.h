// DBIter turns the merged stream of internal entries into the user's view (sett/iterator.h):
// for each user key, the newest version at or below the read timestamp, with deleted and
// expired keys hidden, kept within a prefix, in either direction.
//
// Forward, the versions of a key arrive newest first, so the first one at or below the read
// timestamp decides. In reverse they arrive oldest first, so the iterator reads all of a key's
// versions and keeps the last one at or below the read timestamp.

#ifndef SETT_DB_DB_ITER_H_
#define SETT_DB_DB_ITER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "iter/internal_iterator.h"
#include "sett/iterator.h"

namespace sett {

// `pin` is kept alive as long as the iterator (the memtables and tables it reads).
std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> input,
                                        std::shared_ptr<const void> pin, uint64_t read_ts,
                                        std::string prefix, bool reverse, uint64_t now);

}  // namespace sett

#endif  // SETT_DB_DB_ITER_H_
