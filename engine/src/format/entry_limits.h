// CheckEntryLimits is the one check of an entry against the limits of sett/db.h (non-empty
// key, kMaxKeySize, kMaxValueSize), shared by write batches, transactions and the stream
// writer.

#ifndef SETT_FORMAT_ENTRY_LIMITS_H_
#define SETT_FORMAT_ENTRY_LIMITS_H_

#include <string>
#include <string_view>

#include "sett/db.h"

namespace sett {

// InvalidArgument, its message starting with `where` ("entry 3: ", or ""), when key is empty
// or over kMaxKeySize or value_size over kMaxValueSize; else OK.
inline Status CheckEntryLimits(std::string_view key, size_t value_size, std::string_view where) {
  std::string prefix(where);
  if (key.empty()) return Status::InvalidArgument(prefix + "empty key");
  if (key.size() > kMaxKeySize) {
    return Status::InvalidArgument(prefix + "key of " + std::to_string(key.size()) +
                                   " bytes exceeds the limit of " + std::to_string(kMaxKeySize));
  }
  if (value_size > kMaxValueSize) {
    return Status::InvalidArgument(prefix + "value of " + std::to_string(value_size) +
                                   " bytes exceeds the limit of " + std::to_string(kMaxValueSize));
  }
  return Status::OK();
}

}  // namespace sett

#endif  // SETT_FORMAT_ENTRY_LIMITS_H_
