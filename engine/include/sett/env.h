// Env is the one seam through which sett touches the file system: every open, read, write, sync,
// rename, remove, listing and lock goes through it. Env::Default() is the POSIX implementation;
// tests wrap it (EnvWrapper) to inject failures, torn writes and lost unsynced data.
//
// Thread safety: Env methods may be called concurrently. A file object is used by one thread at a
// time, except RandomAccessFile::Read, which is safe to call concurrently.

#ifndef SETT_ENV_H_
#define SETT_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sett/status.h"

namespace sett {

// A file read at arbitrary offsets.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch and points *result at the bytes read (which may
  // be fewer than n only at the end of the file). REQUIRES: scratch holds at least n bytes.
  virtual Status Read(uint64_t offset, size_t n, char* scratch, std::string_view* result) const = 0;
  virtual const std::string& path() const = 0;
};

// A file written sequentially. Appended bytes may be buffered in the process until Flush; they
// are durable only after Sync.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Hands buffered bytes to the operating system (they survive a process crash).
  virtual Status Flush() = 0;
  // Flushes and makes the file's contents durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes appended so far, including the file's size when it was opened for appending.
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A read-only memory mapping of a file that is only ever appended to. The mapping may be longer
// than the file and the file may grow into it; touching a mapped byte at or past the file's end
// is a SIGBUS, so a reader touches only bytes it knows were written.
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual const char* data() const = 0;
  virtual uint64_t length() const = 0;
};

// A held file lock; released by Env::UnlockFile.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  virtual Status NewRandomAccessFile(const std::string& path,
                                     std::unique_ptr<RandomAccessFile>* result) = 0;
  // Creates or truncates path.
  virtual Status NewWritableFile(const std::string& path,
                                 std::unique_ptr<WritableFile>* result) = 0;
  // Opens path for appending, creating it when missing.
  virtual Status NewAppendableFile(const std::string& path,
                                   std::unique_ptr<WritableFile>* result) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* size) = 0;
  // Names (not paths) of the entries in dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  virtual Status CreateDirIfMissing(const std::string& dir) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;

  // Takes an advisory lock on path (created if missing): exclusive, or shared when `shared`.
  // Fails with Busy when another process holds a conflicting lock.
  virtual Status LockFile(const std::string& path, bool shared,
                          std::unique_ptr<FileLock>* lock) = 0;
  virtual Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;

  // Bytes free for an unprivileged user on the file system that holds path.
  virtual Status GetFreeSpace(const std::string& path, uint64_t* bytes) = 0;

  // Maps the first `length` bytes of path for reading (see MappedFile). An Env that cannot map,
  // or whose reads must go through RandomAccessFile (to inject faults), returns NotSupported,
  // as this default does; callers then read with RandomAccessFile.
  virtual Status MapFile(const std::string& path, uint64_t length,
                         std::unique_ptr<MappedFile>* result);

  // The wall clock, in microseconds since the epoch: what expiry times (Entry::expires_at) are
  // measured against. This default reads the system clock; tests override it to move time.
  virtual uint64_t NowMicros();
};

// A new Env that keeps every file in memory (fsync does nothing). The DB uses one for
// Options::in_memory; tests use them to run without a disk.
std::unique_ptr<Env> NewMemEnv();

// Forwards every call to another Env; subclass it and override what a test needs to change.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override {
    return target_->NewRandomAccessFile(path, result);
  }
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override {
    return target_->NewWritableFile(path, result);
  }
  Status NewAppendableFile(const std::string& path,
                           std::unique_ptr<WritableFile>* result) override {
    return target_->NewAppendableFile(path, result);
  }
  bool FileExists(const std::string& path) override { return target_->FileExists(path); }
  Status GetFileSize(const std::string& path, uint64_t* size) override {
    return target_->GetFileSize(path, size);
  }
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    return target_->GetChildren(dir, names);
  }
  Status RemoveFile(const std::string& path) override { return target_->RemoveFile(path); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return target_->RenameFile(from, to);
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    return target_->TruncateFile(path, size);
  }
  uint64_t NowMicros() override { return target_->NowMicros(); }
  Status CreateDirIfMissing(const std::string& dir) override {
    return target_->CreateDirIfMissing(dir);
  }
  Status SyncDir(const std::string& dir) override { return target_->SyncDir(dir); }
  Status LockFile(const std::string& path, bool shared, std::unique_ptr<FileLock>* lock) override {
    return target_->LockFile(path, shared, lock);
  }
  Status UnlockFile(std::unique_ptr<FileLock> lock) override {
    return target_->UnlockFile(std::move(lock));
  }
  Status GetFreeSpace(const std::string& path, uint64_t* bytes) override {
    return target_->GetFreeSpace(path, bytes);
  }
  Status MapFile(const std::string& path, uint64_t length,
                 std::unique_ptr<MappedFile>* result) override {
    return target_->MapFile(path, length, result);
  }

 private:
  Env* target_;
};

}  // namespace sett

#endif  // SETT_ENV_H_
