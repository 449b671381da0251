// A record file is a header followed by checksummed records. The write-ahead logs (.mem) and
// the MANIFEST are record files.
//
//   file header (24 bytes): u64 file magic | u32 format version | u32 zero |
//                           u64 XXH3 of the 16 bytes before
//   record: u32 record magic | u32 payload length | u64 durable offset | u64 checksum | payload
//
// The record checksum is XXH3 of the payload, seeded with XXH3 of the first 16 header bytes,
// so it covers the length and the durable offset too. The durable offset is how much of the
// file had been fsynced when the record was appended.
//
// Recovery reads records until the first damaged one (short, bad magic, bad checksum). Damage
// that a crash can leave behind - a write torn or lost because it was never fsynced - is a torn
// tail: the caller cuts it off. But if an intact record after the damage says that the damaged
// bytes had already been fsynced, a crash cannot explain them: the reader reports Corruption
// naming the file and offset.

#ifndef SETT_UTIL_RECORD_FILE_H_
#define SETT_UTIL_RECORD_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sett/env.h"

namespace sett {

inline constexpr size_t kRecordFileHeaderSize = 24;  // util/file_header.h
inline constexpr size_t kRecordHeaderSize = 24;
inline constexpr uint32_t kRecordMagic = 0x5e77da7a;

// Appends records. One thread at a time.
class RecordWriter {
 public:
  // Creates (truncating) path and writes the file header.
  static Status Create(Env* env, const std::string& path, uint64_t file_magic,
                       uint32_t format_version, std::unique_ptr<RecordWriter>* writer);
  // Opens an existing record file, whose intact part ends at its current size, for appending;
  // syncs it first so that what is there counts as durable.
  static Status OpenForAppend(Env* env, const std::string& path,
                              std::unique_ptr<RecordWriter>* writer);

  // Appends one record to the file's buffer.
  Status AddRecord(std::string_view payload);
  // Hands buffered records to the OS (they survive a process crash).
  Status Flush();
  // Makes every record appended so far durable.
  Status Sync();
  Status Close();

  uint64_t Size() const { return file_->Size(); }
  const std::string& path() const { return file_->path(); }
  // Where the records that reached the OS whole end: the size at the last Flush that succeeded
  // with no failed AddRecord before it. A file cut there holds no part of a failed write.
  uint64_t intact_end() const { return intact_end_; }

 private:
  explicit RecordWriter(std::unique_ptr<WritableFile> file, uint64_t durable)
      : file_(std::move(file)), durable_offset_(durable), intact_end_(durable) {}

  std::unique_ptr<WritableFile> file_;
  uint64_t durable_offset_;
  uint64_t intact_end_;
  bool append_failed_ = false;
};

// Reads records in order. One thread at a time.
class RecordReader {
 public:
  // Opens path and checks its header. A file shorter than a header was cut off right after it
  // was created and reads as empty with a torn tail; a wrong header is Corruption.
  static Status Open(Env* env, const std::string& path, uint64_t file_magic,
                     uint32_t format_version, std::unique_ptr<RecordReader>* reader);

  // Sets *payload to the next intact record (valid until the next call) and returns true; false
  // at the end of the intact records, after which status() and torn_tail() say why.
  bool Next(std::string_view* payload);

  // Declares the record last returned damaged, for a check only the caller can make (a WAL
  // record pointing at value-log bytes that do not exist): reading stops there and the damage
  // is judged like any other (torn tail or Corruption).
  void RejectLastRecord(const char* why);

  // File offset of the record last returned.
  uint64_t record_offset() const { return record_offset_; }
  // Offset just past the last intact record: the length to truncate a torn tail to.
  uint64_t intact_end() const { return intact_end_; }
  // True when bytes after intact_end() are not intact records.
  bool damaged() const { return damaged_; }
  // Where the first damaged record ends by its own header, when that header is legible (right
  // magic): a file longer than this holds bytes appended after it. 0 when it is not legible.
  uint64_t damaged_record_end() const { return damaged_record_end_; }
  // Corruption when the damage cannot have been left by a crash (see above); OK otherwise,
  // also for a torn tail.
  const Status& status() const { return status_; }
  uint64_t file_size() const { return file_size_; }

 private:
  RecordReader(std::unique_ptr<RandomAccessFile> file, uint64_t size)
      : file_(std::move(file)), file_size_(size) {}

  // Parses the record at offset out of [data, data + n) (which starts at file offset base).
  // Returns the record's total length, or 0 when it is not intact.
  static size_t ParseRecord(const char* data, size_t n, std::string_view* payload,
                            uint64_t* durable_offset);
  Status Fill(uint64_t offset, size_t n);
  void ExamineDamage(uint64_t offset, const char* why);

  std::unique_ptr<RandomAccessFile> file_;
  const uint64_t file_size_;
  std::string buffer_;
  uint64_t buffer_offset_ = 0;
  uint64_t pos_ = kRecordFileHeaderSize;
  uint64_t record_offset_ = 0;
  uint64_t intact_end_ = kRecordFileHeaderSize;
  bool done_ = false;
  bool damaged_ = false;
  uint64_t damaged_record_end_ = 0;
  Status status_;
};

}  // namespace sett

#endif  // SETT_UTIL_RECORD_FILE_H_
