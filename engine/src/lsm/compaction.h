// RunCompaction carries out a CompactionPlan: it merges the input tables into new tables for
// the output level, cutting a table only between user keys, and drops what no reader can see
// (lsm/version_filter.h), folding the merge operands at or below the oldest reader into one
// entry (lsm/merge_fold.h): a value where the versions below them are in the input (or nothing
// can lie below: `bottommost`), else one operand. Dropped entries whose values live in the value
// log are counted as garbage of their file. The outputs are fsynced, as is the directory; recording
// them in the MANIFEST is the caller's job. On failure or when `stop` is set, the outputs are
// deleted. WriteFiltered does the same for any sorted input: a memtable flush is one.

#ifndef SETT_LSM_COMPACTION_H_
#define SETT_LSM_COMPACTION_H_

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "iter/internal_iterator.h"
#include "lsm/compaction_picker.h"
#include "lsm/merge_fold.h"
#include "lsm/version_filter.h"
#include "sett/env.h"
#include "table/block_cache.h"
#include "table/table_builder.h"

namespace sett {

struct CompactionOptions {
  Env* env = nullptr;
  std::string dir;
  TableBuilderOptions table_options;
  BlockCache* cache = nullptr;
  bool map_tables = false;  // Open the outputs through memory maps (Options::table_mmap).
  ReadSet readers = ReadSet::From(0);  // Who can still read (ReadSet::From(0): everyone).
  int num_versions_to_keep = 1;
  uint64_t now = 0;  // Seconds since the epoch, for expiry.
  std::function<uint64_t()> new_file_id;
  const std::atomic<bool>* stop = nullptr;
  // DB::DropPrefix: entries whose user key starts with one of these, at or below drop_version,
  // are dropped outright.
  std::vector<std::string> drop_prefixes;
  uint64_t drop_version = 0;
  // The merge function for a user key (false: none; the key's operands stay as they are), and
  // how to read a value from the value log (for a value that operands are folded onto).
  std::function<bool(std::string_view user_key, MergeFunction* fn)> merge_function_for;
  std::function<Status(std::string_view internal_key, const ValueStruct& vs, std::string* value)>
      read_value;
};

struct CompactionResult {
  TableList outputs;
  // Value-log bytes that entries dropped here pointed at, per value-log file: garbage.
  std::map<uint32_t, uint64_t> discarded;
  uint64_t entries_read = 0;
  uint64_t entries_written = 0;
  uint64_t entries_dropped = 0;
  uint64_t operands_folded = 0;  // Merge operands folded into another entry.
  uint64_t bytes_read = 0;
  uint64_t bytes_written = 0;
};

Status RunCompaction(const CompactionPlan& plan, const CompactionOptions& options,
                     CompactionResult* result);
// Writes input (internal keys in order, each key's versions newest first) into tables of about
// target_file_size, keeping what the filter keeps.
Status WriteFiltered(InternalIterator* input, const CompactionOptions& options,
                     uint64_t target_file_size, bool bottommost, CompactionResult* result);

}  // namespace sett

#endif  // SETT_LSM_COMPACTION_H_
