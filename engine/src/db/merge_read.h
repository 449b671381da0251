// FoldVersions reads the value of a key whose newest visible version is a merge operand
// (sett/merge.h): its operands folded onto the value below them.

#ifndef SETT_DB_MERGE_READ_H_
#define SETT_DB_MERGE_READ_H_

#include <string>
#include <string_view>

#include "db/value_resolver.h"
#include "iter/internal_iterator.h"
#include "sett/merge.h"

namespace sett {

// Reads the value of user_key from `it`, which rests on a merge operand of that key: folds the
// operands onto the first version below them that is not one (a deleted or expired version
// and the end of the key's versions count as no value). Values in the value log are read
// through resolver. `it` is left after the versions read; *visited counts them.
Status FoldVersions(InternalIterator* it, std::string_view user_key, const MergeFunction& fn,
                    uint64_t now, const ValueResolver& resolver, std::string* value,
                    uint64_t* visited);

}  // namespace sett

#endif  // SETT_DB_MERGE_READ_H_
