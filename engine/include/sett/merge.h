// Merge operands: writes that say how to change a key's value instead of what it is, such as
// "add 5" to a counter or "append x" to a list. Txn::Merge and WriteBatch::Merge write them
// blindly: a merge reads nothing, so concurrent merges of one key never conflict, and no
// operand is lost. Reads fold the operands above the key's last value with a MergeFunction;
// flushes and compactions fold them too, so a key merged a million times is stored, and read,
// as one value once the versions between are no longer read by anyone.
//
// A MergeFunction takes the value so far (nullopt when the key has none: never written, or
// deleted) and one operand, and returns the new value. It must be associative the way
// RocksDB's AssociativeMergeOperator is: f(f(x, a), b) == f(x, f(a, b)), where f(a, b) treats
// operand a as a value. That lets sett combine two operands into one where no value lies
// below them yet (a memtable flush, a transaction merging one key twice). It must be
// deterministic and must not call into the DB. Operands are stored in the LSM tree, never in
// the value log.
//
//   sett::Options options;
//   options.merge_function = sett::AddUint64Merge();
//   ...
//   db->Update([](sett::Txn* txn) { return txn->Merge("visits", sett::EncodeUint64Operand(1)); });
//
// DB::GetMergeOperator (as BadgerDB's) gives a handle on one key with its own function.

#ifndef SETT_MERGE_H_
#define SETT_MERGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sett/status.h"

namespace sett {

using MergeFunction = std::function<std::string(
    std::string_view key, std::optional<std::string_view> existing, std::string_view operand)>;

// Counters: values and operands are unsigned 64-bit integers, 8 bytes little-endian; the sum
// wraps around. A value or operand of another size counts as 0.
MergeFunction AddUint64Merge();
std::string EncodeUint64Operand(uint64_t n);
uint64_t DecodeUint64Value(std::string_view value);

// DB::GetMergeOperator's handle on one key.
class MergeOperator {
 public:
  virtual ~MergeOperator() = default;  // Stops it, as Stop.
  // Merges operand into the key, committed at once.
  virtual Status Add(std::string_view operand) = 0;
  // The key's value with every operand added so far. NotFound when it has none.
  virtual Status Get(std::string* value) = 0;
  // Stops the background folding, folds what is left (so that the key then reads without the
  // function, unless merges race with it), and lets go of the function. Idempotent.
  virtual void Stop() = 0;
};

// Appends: the operand is appended to the value, with separator between (none before the
// first).
MergeFunction AppendMerge(std::string separator = std::string());

}  // namespace sett

#endif  // SETT_MERGE_H_
