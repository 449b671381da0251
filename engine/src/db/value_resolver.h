// ValueResolver turns an entry's value struct into its value: an inline value as it is, a
// value pointer by one positioned read of the value log. Readers resolve against the file set
// of the View they took, so a file that GC retires stays readable for them; a file newer than
// their View (a rotation since) is looked up in the log's current set.
//
// Thread safety: const methods may be called concurrently.

#ifndef SETT_DB_VALUE_RESOLVER_H_
#define SETT_DB_VALUE_RESOLVER_H_

#include <memory>
#include <string>
#include <string_view>

#include "format/key_format.h"
#include "vlog/value_log.h"

namespace sett {

class ValueResolver {
 public:
  ValueResolver(std::shared_ptr<const VlogSet> files, const ValueLog* vlog)
      : files_(std::move(files)), vlog_(vlog) {}

  static bool IsPointer(const ValueStruct& vs) { return (vs.meta & kMetaValuePointer) != 0; }

  // Copies the value of the entry (internal_key, vs) into *value.
  Status Resolve(std::string_view internal_key, const ValueStruct& vs, std::string* value) const;
  // The same for version `version` of user_key, whose internal key is only built (in the
  // thread's own buffer) when the value is in the log.
  Status Resolve(std::string_view user_key, uint64_t version, const ValueStruct& vs,
                 std::string* value) const;

  // The value's length, from the struct alone (0 for a malformed pointer).
  static uint64_t ValueSize(std::string_view internal_key, const ValueStruct& vs);

 private:
  std::shared_ptr<const VlogSet> files_;
  const ValueLog* vlog_;
};

}  // namespace sett

#endif  // SETT_DB_VALUE_RESOLVER_H_
