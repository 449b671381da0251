// The backup format (DB::Backup, DB::Load):
//
//   backup  := file header (util/file_header.h) | record*
//   record  := u32 payload length | u64 XXH3 of the payload, seeded with the length | payload
//   payload := 'H' varint64 since_ts | varint64 backup_ts          (first)
//            | 'E' varint32 count | entry*                          (any number)
//            | 'Z' varint64 total entries                           (last)
//   entry   := length-prefixed key | varint64 version | u8 meta | u8 user meta |
//              varint64 expires_at | length-prefixed value
//
// `meta` has kMetaDelete for a deletion (incremental backups carry them). A backup without
// its 'Z' record was cut short.

#ifndef SETT_DB_BACKUP_FORMAT_H_
#define SETT_DB_BACKUP_FORMAT_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "sett/status.h"
#include "sett/stream.h"

namespace sett {

inline constexpr uint64_t kBackupMagic = 0x3150424b'54544553ULL;  // "SETTKBP1"
inline constexpr uint32_t kBackupFormatVersion = 1;

class BackupWriter {
 public:
  explicit BackupWriter(std::ostream* out) : out_(out) {}
  Status Begin(uint64_t since_ts, uint64_t backup_ts);
  // Adds an entry (KV::deleted for a deletion); written out in records of about 1 MiB.
  Status Add(const KV& kv);
  Status Finish();
  uint64_t entries() const { return entries_; }

 private:
  Status WriteRecord(const std::string& payload);
  Status FlushEntries();

  std::ostream* const out_;
  std::string pending_;
  uint32_t pending_count_ = 0;
  uint64_t entries_ = 0;
};

class BackupReader {
 public:
  explicit BackupReader(std::istream* in) : in_(in) {}
  // Reads the file header and the 'H' record.
  Status Begin(uint64_t* since_ts, uint64_t* backup_ts);
  // The next batch of entries; *done is set (and the 'Z' total checked) at the end.
  Status Next(std::vector<KV>* entries, bool* done);

 private:
  Status ReadRecord(std::string* payload);

  std::istream* const in_;
  uint64_t offset_ = 0;
  uint64_t entries_ = 0;
};

}  // namespace sett

#endif  // SETT_DB_BACKUP_FORMAT_H_
