// VlogFile is one open value-log file, shared by readers through std::shared_ptr: Read
// resolves a value pointer and checks the entry. When GC has moved a file's live values
// elsewhere, MarkObsolete makes the last owner delete it, so a reader that still holds the file
// can finish.
//
// Where the Env can map files, Read takes the entry straight from a read-only mapping (no
// system call, no copy but the value's own), for entries wholly inside the readable size that
// the value log sets as it appends; anything else (past the mapping, an Env that cannot map)
// is read with pread. The mapping of the file being appended to reserves room for it to grow.
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

class KeyRegistry;

class VlogFile {
 public:
  // Opens path and checks its header. A file shorter than a header (cut off right after it
  // was created) opens as empty. With `map`, the file is mapped (where the Env can), the
  // mapping covering the file and at least `reserve` bytes.
  // keys: the DB's data keys when its entries are encrypted, else null.
  static Status Open(Env* env, const std::string& path, uint32_t id, bool map, uint64_t reserve,
                     std::shared_ptr<VlogFile>* file, const KeyRegistry* keys = nullptr);
  ~VlogFile();

  uint32_t id() const { return id_; }
  const std::string& path() const { return file_->path(); }
  bool empty() const { return empty_; }

  // Reads the entry ptr points at, checks it and that it belongs to internal_key, and copies
  // its value into *value. Damage is Corruption naming the file and offset.
  Status Read(const ValuePointer& ptr, std::string_view internal_key, std::string* value) const;

  // Bytes that were written and stay in the file: what Read may take from the mapping. Only
  // the value log's writer sets it, once what it appended reached the OS (or was cut off).
  void SetReadableSize(uint64_t size) { readable_size_.store(size, std::memory_order_release); }
  bool mapped() const { return map_ != nullptr; }

  void MarkObsolete() { obsolete_.store(true, std::memory_order_release); }
  const RandomAccessFile& file() const { return *file_; }
  const KeyRegistry* keys() const { return keys_; }

 private:
  VlogFile(Env* env, std::unique_ptr<RandomAccessFile> file, std::unique_ptr<MappedFile> map,
           uint32_t id, uint64_t size)
      : env_(env),
        file_(std::move(file)),
        map_(std::move(map)),
        id_(id),
        empty_(size < kFileHeaderSize),
        readable_size_(size) {}
  // The entry's bytes in the mapping, or an empty view when they must be read from the file.
  std::string_view MappedEntry(const ValuePointer& ptr) const;

  Env* const env_;
  const std::unique_ptr<RandomAccessFile> file_;
  const std::unique_ptr<MappedFile> map_;  // Null when the Env cannot map.
  const uint32_t id_;
  const bool empty_;
  const KeyRegistry* keys_ = nullptr;
  std::atomic<uint64_t> readable_size_;
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

  // Sets *entry (valid until the next call) and *offset to the next intact entry, opened when
  // encrypted, and returns true; false at the end or at the first damaged entry (then damaged()
  // is set), or when an intact entry does not open (status() says why).
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
  std::string key_buffer_, value_buffer_;  // An opened entry's key and value.
};

}  // namespace sett

#endif  // SETT_VLOG_VLOG_FILE_H_
