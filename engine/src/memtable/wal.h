// The write-ahead log of a memtable (NNNNNN.mem): a record file (util/record_file.h) whose
// every record is one write batch as applied, so that replay applies whole batches or nothing:
//
//   record := entry*
//   entry  := varint32 key length | internal key | varint32 value length | value struct
//
// The same bytes are inserted into the memtable, so the log and the memtable cannot disagree,
// with one exception (version 2 on): an entry of a synced batch whose value went to the value
// log carries a copy of the value after its pointer (kMetaWalCopy), so that the log's fsync
// alone makes the batch durable. The memtable takes the pointer; replay takes the pointer if
// the value log still holds the value, else the copy, inline.
//
//   copy value := varint32 pointer length | value pointer | value bytes

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

class KeyRegistry;

inline constexpr uint64_t kWalFileMagic = 0x314c4157'54544553ULL;  // "SETTWAL1"
inline constexpr uint32_t kWalFormatVersion = 2;                   // Reads 1 too (no copies there).

void AppendWalEntry(std::string* record, std::string_view internal_key, const ValueStruct& vs);
// An entry whose vs holds a value pointer, with a copy of the value it points at.
void AppendWalEntryWithCopy(std::string* record, std::string_view internal_key,
                            const ValueStruct& vs, std::string_view copy);
// Splits a value struct with kMetaWalCopy into the pointer's value struct (without the flag)
// and the copy; false when it is malformed.
bool SplitWalCopy(std::string_view value, ValueStruct* pointer_vs, std::string_view* copy);
// The value struct an entry's value stands for in a memtable: itself, or, with a copy, the
// pointer alone (pointer_intact) or the copy as an inline value. Built bytes go to scratch.
std::string_view MemTableValue(std::string_view value, bool pointer_intact, std::string* scratch);
inline bool HasWalCopy(std::string_view value) {
  return !value.empty() && (static_cast<uint8_t>(value[0]) & kMetaWalCopy) != 0;
}

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
  bool torn_tail = false;   // A damaged tail was cut off (or, read-only, ignored).
  uint64_t intact_end = 0;  // With torn_tail: the bytes before the damage.
};

// Says whether the value log holds the value an entry points at (an entry without a pointer
// passes). A record with an entry whose value is missing and has no copy counts as damaged. An
// entry with a copy keeps its pointer only where the check finds the very entry (same key and
// value) there: after a crash the value log's tail may have been cut and written over.
using WalEntryCheck = std::function<bool(std::string_view key, std::string_view value)>;

// Replays the log at path into mem. A torn tail is truncated (left alone when read_only). A
// damaged record followed by records written after it was synced is Corruption, unless
// recovery is kTruncateAtCorruption, which truncates there and logs what was dropped.
// keys: the DB's data keys when its logs are encrypted (each record sealed, bound to the log's
// id and the record's offset: WalRecordAad), else null.
Status ReplayWal(Env* env, const std::string& path, WalRecovery recovery, bool read_only,
                 Logger* logger, const WalEntryCheck& check, MemTable* mem, WalReplayStats* stats,
                 const KeyRegistry* keys = nullptr, uint64_t wal_id = 0);

// What binds an encrypted WAL record to its place: the log's id and the record's offset.
std::string WalRecordAad(uint64_t wal_id, uint64_t record_offset);

}  // namespace sett

#endif  // SETT_MEMTABLE_WAL_H_
