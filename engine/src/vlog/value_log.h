// ValueLog manages the value-log files of a DB (WiscKey's key-value separation): the head file
// that the write leader appends large values to, the set of all files that readers resolve
// value pointers against, rotation at the size limit, and recovery of the head's tail.
//
// Only the head can end in a torn batch: a file is fsynced before a newer one becomes the head.
// At open the head is scanned from its last checkpoint (its size at the last clean close,
// recorded in the MANIFEST) and cut back to the end of its last whole batch.
//
// Thread safety: Append, Commit, SyncCommitted, Rotate and the head accessors are for the
// write leader only (or a thread doing SyncCommitted for it while it waits). files(),
// Contains() and Retire() may be called from any thread.

#ifndef SETT_VLOG_VALUE_LOG_H_
#define SETT_VLOG_VALUE_LOG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sett/env.h"
#include "sett/logger.h"
#include "vlog/vlog_file.h"

namespace sett {

std::string VlogFileName(const std::string& dir, uint32_t id);

struct VlogCheckpoint {
  uint32_t file_id = 0;
  uint64_t size = 0;  // Every byte before this was whole and fsynced.
};

class ValueLog {
 public:
  // map_files: readers take values from memory maps of the files (VlogFile).
  ValueLog(Env* env, std::string dir, uint64_t file_size_limit, Logger* logger,
           bool map_files = true)
      : env_(env),
        dir_(std::move(dir)),
        file_size_limit_(file_size_limit),
        logger_(logger),
        map_files_(map_files) {}
  ValueLog(const ValueLog&) = delete;
  ValueLog& operator=(const ValueLog&) = delete;

  // An encrypted DB's data keys: entries are sealed (vlog_format.h). Before Open.
  void set_encryption(KeyRegistry* keys) { keys_ = keys; }

  // Opens every NNNNNN.vlog in the directory and recovers the head (see above); a writable open
  // then appends to the head, creating the first file of a new DB.
  Status Open(bool read_only, const VlogCheckpoint& checkpoint);

  // The current files, for readers (a reader keeps the set it took).
  std::shared_ptr<const VlogSet> files() const;
  // True when ptr lies inside the intact part of an existing file.
  bool Contains(const ValuePointer& ptr) const;
  std::vector<uint32_t> FileIds() const;
  uint32_t head_id() const { return head_id_.load(std::memory_order_acquire); }
  const std::string& dir() const { return dir_; }
  // The intact size of a file (the head's counts what was appended), or 0 when absent.
  uint64_t FileSize(uint32_t id) const;

  // Write leader only. Appends an entry to the head and sets *ptr. covered: the write-ahead
  // log record that points at the entry also holds a copy of its value, so that the log's fsync
  // alone makes it durable.
  Status Append(const VlogEntry& entry, ValuePointer* ptr, bool covered = false);
  // Hands appended entries to the OS; SyncCommitted makes them durable.
  Status Commit();
  // True when file `id` is older than the head and gone: value-log GC removed it.
  bool WasCollected(uint32_t id) const;
  // Fsyncs the head if committed bytes may not be on the disk yet: a synced log record can
  // make durable earlier records whose values went to the log without a sync. A broken head
  // (failed write or fsync) is sealed instead (see Rotate).
  Status SyncCommitted();
  // Whether SyncCommitted has anything to do. (A broken head is still made durable: what was
  // committed to it before must reach the disk like the rest.)
  bool HasUnsynced() const { return !head_sealed_ && synced_size_ < committed_size_; }
  // Whether the head holds unsynced entries that no log copy covers: a synced log record must
  // then have the head fsynced too, since it makes the records pointing at them durable.
  bool HasUncoveredUnsynced() const { return !head_sealed_ && synced_size_ < uncovered_end_; }
  // True when the head is full, sealed, or broken by a failed write or fsync (which may have
  // left a partial entry that no good one may follow): Rotate before the next Append.
  bool NeedsRotation() const {
    return head_broken_ || head_sealed_ || head_size_ >= file_size_limit_;
  }
  // Seals the head (fsyncs and closes it; a broken one is first cut back to its last
  // committed batch and fsynced through a new handle), then starts a new one. On failure it
  // can be called again. The caller publishes the new file set to readers before using it.
  Status Rotate();

  // Takes a collected file out of the set; it is deleted when the last reader lets go.
  void Retire(uint32_t file_id);

  // Fsyncs and closes the head; returns where the next open may start scanning.
  Status Close(VlogCheckpoint* checkpoint);

 private:
  Status OpenHeadForAppend();
  Status CreateHead(uint32_t id);
  // Makes the head's committed batches durable and closes it (see Rotate).
  Status SealHead();
  void Publish(uint32_t id, std::shared_ptr<VlogFile> file);  // Adds or replaces in the set.

  Env* const env_;
  const std::string dir_;
  const uint64_t file_size_limit_;
  Logger* const logger_;
  const bool map_files_;
  KeyRegistry* keys_ = nullptr;
  std::string sealed_key_, sealed_value_;  // Append's, for an encrypted entry.

  mutable std::mutex mu_;
  std::shared_ptr<const VlogSet> files_ = std::make_shared<VlogSet>();
  std::map<uint32_t, uint64_t> intact_size_;  // GUARDED_BY(mu_)

  // The head; write leader only (and Open/Close).
  std::atomic<uint32_t> head_id_{0};
  uint64_t committed_size_ = 0;  // Of the head: what Commit has handed to the OS.
  uint64_t synced_size_ = 0;     // Of the head: what is known to be on the disk.
  uint64_t uncovered_end_ = 0;   // Of the head: the end of its last uncovered entry.
  std::unique_ptr<WritableFile> head_;
  std::shared_ptr<VlogFile> head_reader_;  // The head as readers see it: told what Commit wrote.
  uint64_t head_size_ = 0;
  bool head_broken_ = false;  // A write or fsync failed: no more appends, seal it.
  bool head_sealed_ = false;  // Durable and closed; the next Rotate only creates a new head.
  std::string entry_buffer_;
};

}  // namespace sett

#endif  // SETT_VLOG_VALUE_LOG_H_
