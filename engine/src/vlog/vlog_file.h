// VlogFile is one open value-log file, shared by readers through std::shared_ptr: Read
// resolves a value pointer with one positioned read and checks the entry. When GC has moved
// a file's live values elsewhere, MarkObsolete makes the last owner delete it, so a reader that
// still holds the file can finish.
//
// VlogScanner reads a file's entries in order (for recovery and GC).
//
// Thread safety: VlogFile methods may be called concurrently; a VlogScanner is used by one
// thread.

#ifndef SETT_VLOG_VLOG_FILE_H_
#define SETT_VLOG_VLOG_FILE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "sett/env.h"
#include "util/file_header.h"
#include "vlog/vlog_format.h"

namespace sett {

class VlogFile {
 public:
  // Opens path and checks its header. A file shorter than a header (cut off right after it
  // was created) opens as empty.
  static Status Open(Env* env, const std::string& path, uint32_t id,
                     std::shared_ptr<VlogFile>* file);
  ~VlogFile();

  uint32_t id() const { return id_; }
  const std::string& path() const { return file_->path(); }
  bool empty() const { return empty_; }

  // Reads the entry ptr points at, checks it and that it belongs to internal_key, and copies
  // its value into *value. Damage is Corruption naming the file and offset.
  Status Read(const ValuePointer& ptr, std::string_view internal_key, std::string* value) const;

  void MarkObsolete() { obsolete_.store(true, std::memory_order_release); }
  const RandomAccessFile& file() const { return *file_; }

 private:
  VlogFile(Env* env, std::unique_ptr<RandomAccessFile> file, uint32_t id, bool empty)
      : env_(env), file_(std::move(file)), id_(id), empty_(empty) {}

  Env* const env_;
  const std::unique_ptr<RandomAccessFile> file_;
  const uint32_t id_;
  const bool empty_;
  std::atomic<bool> obsolete_{false};
};

// Value-log files by id.
using VlogSet = std::map<uint32_t, std::shared_ptr<VlogFile>>;

class VlogScanner {
 public:
  // Scans [kFileHeaderSize, end) of file.
  VlogScanner(const VlogFile& file, uint64_t end) : file_(file), end_(end) {}

  // Starts scanning at offset, which must be where an entry begins (or the end).
  void SeekTo(uint64_t offset) { pos_ = batch_end_ = offset; }

  // Sets *entry (valid until the next call) and *offset to the next intact entry and returns
  // true; false at the end or at the first damaged entry (then damaged() is set).
  bool Next(VlogEntry* entry, uint64_t* offset);
  bool damaged() const { return damaged_; }
  // Offset just past the last entry that ended a batch: where a torn tail starts.
  uint64_t batch_end() const { return batch_end_; }
  // Offset just past the last intact entry.
  uint64_t position() const { return pos_; }
  const Status& status() const { return status_; }

 private:
  bool Fill(uint64_t offset, size_t n);

  const VlogFile& file_;
  const uint64_t end_;
  uint64_t pos_ = kFileHeaderSize;
  uint64_t batch_end_ = kFileHeaderSize;
  std::string buffer_;
  uint64_t buffer_offset_ = 0;
  bool damaged_ = false;
  Status status_;
};

}  // namespace sett

#endif  // SETT_VLOG_VLOG_FILE_H_
