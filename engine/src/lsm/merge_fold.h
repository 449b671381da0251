// MergeFold gathers a key's merge operands (sett/merge.h) as its versions arrive, newest first,
// and folds them: onto the value below them (or onto nothing) into the key's value, or, where
// no value below is known, into one operand that stands for all of them (the merge function is
// associative). Reads (db/merge_read.h), flushes and compactions fold through it.
//
// Thread safety: one thread at a time.

#ifndef SETT_LSM_MERGE_FOLD_H_
#define SETT_LSM_MERGE_FOLD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sett/merge.h"

namespace sett {
class MergeFold {
 public:
  void AddOperand(std::string_view operand) { operands_.emplace_back(operand); }
  bool empty() const { return operands_.empty(); }
  size_t size() const { return operands_.size(); }
  void Clear() { operands_.clear(); }

  // fn applied to base and then to every operand, oldest first.
  std::string Onto(const MergeFunction& fn, std::string_view key,
                   std::optional<std::string_view> base) const;
  // One operand with the effect of all of them. REQUIRES: !empty().
  std::string Combined(const MergeFunction& fn, std::string_view key) const;

 private:
  std::vector<std::string> operands_;  // Newest first.
};

}  // namespace sett

#endif  // SETT_LSM_MERGE_FOLD_H_
