// The write-ahead log of a memtable (NNNNNN.mem): a record file (util/record_file.h) whose
// every record is one write batch as applied, so that replay applies whole batches or nothing:
//
//   record := entry*
//   entry  := varint32 key length | internal key | varint32 value length | value struct
//
// The same bytes are inserted into the memtable, so the log and the memtable cannot disagree.

#ifndef SETT_MEMTABLE_WAL_H_
#define SETT_MEMTABLE_WAL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "format/key_format.h"
#include "memtable/memtable.h"
#include "sett/env.h"
#include "sett/logger.h"
#include "sett/options.h"
#include "util/coding.h"

namespace sett {

inline constexpr uint64_t kWalFileMagic = 0x314c4157'54544553ULL;  // "SETTWAL1"
inline constexpr uint32_t kWalFormatVersion = 1;

void AppendWalEntry(std::string* record, std::string_view internal_key, const ValueStruct& vs);

// Calls fn(key, value) for each entry of a record the write path built itself, so known to be
// well-formed. Replay uses ForEachWalEntry, which checks.
template <typename Fn>
void ApplyWalRecord(std::string_view record, Fn&& fn) {
  std::string_view key, value;
  while (GetLengthPrefixed(&record, &key) && GetLengthPrefixed(&record, &value)) fn(key, value);
}

// Calls fn for each entry of a record. Returns Corruption (naming `where`) and calls fn for
// nothing when the record is malformed.
Status ForEachWalEntry(std::string_view record, const std::string& where,
                       const std::function<void(std::string_view key, std::string_view value)>& fn);

struct WalReplayStats {
  uint64_t records = 0;
  uint64_t entries = 0;
  uint64_t max_version = 0;
  bool torn_tail = false;  // A damaged tail was cut off (or, read-only, ignored).
};

// Says whether an entry's value is really there (a value pointer into an existing part of the
// value log); a record with an entry that is not counts as damaged.
using WalEntryCheck = std::function<bool(std::string_view key, std::string_view value)>;

// Replays the log at path into mem. A torn tail is truncated (left alone when read_only). A
// damaged record followed by records written after it was synced is Corruption, unless
// recovery is kTruncateAtCorruption, which truncates there and logs what was dropped.
Status ReplayWal(Env* env, const std::string& path, WalRecovery recovery, bool read_only,
                 Logger* logger, const WalEntryCheck& check, MemTable* mem, WalReplayStats* stats);

}  // namespace sett

#endif  // SETT_MEMTABLE_WAL_H_
