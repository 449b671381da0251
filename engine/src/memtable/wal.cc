#include "memtable/wal.h"

#include <memory>

#include "util/coding.h"
#include "util/key_registry.h"
#include "util/record_file.h"

namespace sett {

void AppendWalEntry(std::string* record, std::string_view internal_key, const ValueStruct& vs) {
  PutLengthPrefixed(record, internal_key);
  PutVarint32(record, static_cast<uint32_t>(ValueStructSize(vs)));
  AppendValueStruct(record, vs);
}

void AppendWalEntryWithCopy(std::string* record, std::string_view internal_key,
                            const ValueStruct& vs, std::string_view copy) {
  std::string value;
  ValueStruct with_copy = vs;
  with_copy.meta |= kMetaValuePointer | kMetaWalCopy;
  with_copy.value = {};
  AppendValueStruct(&value, with_copy);
  PutLengthPrefixed(&value, vs.value);
  value.append(copy.data(), copy.size());
  PutLengthPrefixed(record, internal_key);
  PutLengthPrefixed(record, value);
}

bool SplitWalCopy(std::string_view value, ValueStruct* pointer_vs, std::string_view* copy) {
  if (!DecodeValueStruct(value, pointer_vs) || !(pointer_vs->meta & kMetaWalCopy) ||
      !(pointer_vs->meta & kMetaValuePointer)) {
    return false;
  }
  std::string_view rest = pointer_vs->value;
  if (!GetLengthPrefixed(&rest, &pointer_vs->value)) return false;
  pointer_vs->meta &= ~kMetaWalCopy;
  *copy = rest;
  return true;
}

std::string_view MemTableValue(std::string_view value, bool pointer_intact, std::string* scratch) {
  if (!HasWalCopy(value)) return value;
  ValueStruct vs;
  std::string_view copy;
  if (!SplitWalCopy(value, &vs, &copy)) return value;  // ForEachWalEntry refuses it.
  if (!pointer_intact) {
    vs.meta &= ~kMetaValuePointer;
    vs.value = copy;
  }
  scratch->clear();
  AppendValueStruct(scratch, vs);
  return *scratch;
}

Status ForEachWalEntry(
    std::string_view record, const std::string& where,
    const std::function<void(std::string_view key, std::string_view value)>& fn) {
  // Validate everything first: a batch is applied whole or not at all.
  std::string_view input = record;
  while (!input.empty()) {
    std::string_view key, value;
    ValueStruct vs;
    std::string_view copy;
    if (!GetLengthPrefixed(&input, &key) || !GetLengthPrefixed(&input, &value) ||
        !IsValidInternalKey(key) || !DecodeValueStruct(value, &vs) ||
        (HasWalCopy(value) && !SplitWalCopy(value, &vs, &copy))) {
      return Status::Corruption(where + ": malformed entry at byte " +
                                std::to_string(record.size() - input.size()) + " of the record");
    }
  }
  input = record;
  while (!input.empty()) {
    std::string_view key, value;
    GetLengthPrefixed(&input, &key);
    GetLengthPrefixed(&input, &value);
    fn(key, value);
  }
  return Status::OK();
}

std::string WalRecordAad(uint64_t wal_id, uint64_t record_offset) {
  std::string aad;
  PutFixed64(&aad, wal_id);
  PutFixed64(&aad, record_offset);
  return aad;
}

Status ReplayWal(Env* env, const std::string& path, WalRecovery recovery, bool read_only,
                 Logger* logger, const WalEntryCheck& check, MemTable* mem, WalReplayStats* stats,
                 const KeyRegistry* keys, uint64_t wal_id) {
  std::unique_ptr<RecordReader> reader;
  Status s = RecordReader::Open(env, path, kWalFileMagic, kWalFormatVersion, &reader);
  if (!s.ok()) return s;
  std::string_view record;
  std::string scratch, opened;
  while (reader->Next(&record)) {
    if (keys != nullptr) {
      s = keys->Open(WalRecordAad(wal_id, reader->record_offset()), record,
                     path + ": record at offset " + std::to_string(reader->record_offset()),
                     &opened);
      if (!s.ok()) return s;
      record = opened;
    }
    if (check) {
      bool intact = true;
      ApplyWalRecord(record, [&](std::string_view k, std::string_view v) {
        intact = intact && (HasWalCopy(v) || check(k, v));
      });
      if (!intact) {
        // Its values did not reach the value log: a write the crash cut short.
        reader->RejectLastRecord("points at value-log bytes that do not exist");
        break;
      }
    }
    std::string where = path + ": record at offset " + std::to_string(reader->record_offset());
    s = ForEachWalEntry(record, where, [&](std::string_view key, std::string_view value) {
      // A copied value: the pointer if the value log still holds that very entry, else the copy.
      bool use_pointer = !HasWalCopy(value) || (check && check(key, value));
      mem->Add(key, MemTableValue(value, use_pointer, &scratch));
      stats->entries++;
      stats->max_version = std::max(stats->max_version, VersionOf(key));
    });
    if (!s.ok()) return s;
    stats->records++;
  }
  const Status& damage = reader->status();
  if (!reader->damaged() || (!damage.ok() && !damage.IsCorruption())) return damage;
  if (!damage.ok()) {
    if (recovery != WalRecovery::kTruncateAtCorruption) return damage;
    logger->Log(LogLevel::kError, damage.ToString() + "; dropping everything from offset " +
                                      std::to_string(reader->intact_end()) + " as asked");
  }
  stats->torn_tail = true;
  stats->intact_end = reader->intact_end();
  uint64_t dropped = reader->file_size() - reader->intact_end();
  if (read_only) {
    logger->Log(LogLevel::kInfo, path + ": ignoring a torn tail of " + std::to_string(dropped) +
                                     " bytes at offset " + std::to_string(reader->intact_end()));
    return Status::OK();
  }
  logger->Log(LogLevel::kInfo, path + ": truncating a torn tail of " + std::to_string(dropped) +
                                   " bytes at offset " + std::to_string(reader->intact_end()));
  uint64_t intact_end = reader->intact_end();
  reader.reset();
  return env->TruncateFile(path, intact_end);
}

}  // namespace sett
