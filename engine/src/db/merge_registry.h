// MergeRegistry says which merge function folds a key's operands (sett/merge.h): the function
// of a DB::GetMergeOperator handle on that key while it lives, else Options::merge_function.
//
// Thread safety: every method may be called concurrently. Lookups take no lock while no
// handle exists.

#ifndef SETT_DB_MERGE_REGISTRY_H_
#define SETT_DB_MERGE_REGISTRY_H_

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "sett/merge.h"
#include "sett/status.h"

namespace sett {

class MergeRegistry {
 public:
  explicit MergeRegistry(MergeFunction default_function) : default_(std::move(default_function)) {}

  // False when no function applies to key.
  bool For(std::string_view key, MergeFunction* fn) const;
  // Binds fn to key; AlreadyExists when a handle holds it.
  Status Hold(std::string_view key, MergeFunction fn);
  void Release(std::string_view key);

 private:
  const MergeFunction default_;
  mutable std::mutex mu_;
  std::map<std::string, MergeFunction, std::less<>> held_;
  std::atomic<size_t> num_held_{0};
};

}  // namespace sett

#endif  // SETT_DB_MERGE_REGISTRY_H_
