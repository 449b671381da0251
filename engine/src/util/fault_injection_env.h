// FaultInjectionEnv wraps an Env and makes it fail the way disks and power do, for tests:
//
//  - Injected errors: a chosen operation (read, write, sync, open, rename, remove) on files whose
//    path contains a given part fails with a chosen errno (EIO, ENOSPC...), once after skipping
//    some, or every time; or any operation fails at random with a given probability.
//  - Torn writes: the next append to a matching file writes only a prefix, then fails.
//  - Power loss: LosePower() makes every later change fail (as if the machine stopped), and
//    DropUnsyncedData() then rewinds the files to what a disk would hold after the power came
//    back: each file cut to its last fsynced size (or to a random point past it: unsynced pages
//    written back in part), and every create, rename and removal not made durable by a
//    directory fsync undone.
//
// Directories created through the Env are taken as durable. Removed and overwritten files keep
// their synced contents in memory until the next directory fsync, so use it on small databases.

#ifndef SETT_UTIL_FAULT_INJECTION_ENV_H_
#define SETT_UTIL_FAULT_INJECTION_ENV_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "sett/env.h"

namespace sett {

class FaultInjectionEnv : public EnvWrapper {
 public:
  enum Op : unsigned {
    kRead = 1,
    kWrite = 2,  // Append, Flush, truncate
    kSync = 4,   // file and directory fsync
    kOpen = 8,   // opening or creating a file
    kRename = 16,
    kRemove = 32,
    kAnyOp = 63,
  };

  // How much unsynced data survives a power loss.
  enum class Loss { kAllUnsynced, kRandomPrefix };

  explicit FaultInjectionEnv(Env* target);

  // The next operations in `ops` on a path containing `path_part` fail with `error` (an errno):
  // after `skip` of them succeed, `count` fail (0: all from then on).
  void FailOps(unsigned ops, int error, const std::string& path_part = "", uint64_t skip = 0,
               uint64_t count = 1);
  // Every operation in `ops` fails with probability `probability`, drawn from `seed`.
  void FailRandomly(unsigned ops, int error, double probability, uint64_t seed);
  // The next append to a path containing `path_part` hands only a prefix of its bytes to the
  // file and then fails with `error`.
  void TearNextWrite(const std::string& path_part, int error);
  // Removes every injected error (not a power loss).
  void ClearFaults();
  // Operations failed on purpose so far.
  uint64_t injected() const { return injected_.load(); }
  // File fsyncs that succeeded so far (directories not counted).
  uint64_t file_syncs() const { return file_syncs_.load(); }

  // From now on, every change fails with EIO and reaches nothing.
  void LosePower();
  bool power_lost() const { return power_lost_.load(); }
  // Rewinds the files to what survives the power loss, and lets changes through again. Call it
  // once every file written through this Env is closed (the DB is closed or destroyed).
  Status DropUnsyncedData(Loss loss, uint64_t seed = 0);

  Status NewRandomAccessFile(const std::string& path,
                             std::unique_ptr<RandomAccessFile>* result) override;
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  Status NewAppendableFile(const std::string& path, std::unique_ptr<WritableFile>* result) override;
  Status RemoveFile(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  // Not supported: every read goes through RandomAccessFile, where faults are injected.
  Status MapFile(const std::string& path, uint64_t length,
                 std::unique_ptr<MappedFile>* result) override {
    return Env::MapFile(path, length, result);
  }

  // For the file wrappers.
  struct FileState {
    std::string path;
    uint64_t synced_size = 0;
  };
  Status MaybeFail(Op op, const std::string& path);
  bool TakeTornWrite(const std::string& path, int* error);
  void RecordSync(FileState* state, uint64_t size);

 private:
  struct Rule {
    unsigned ops;
    int error;
    std::string path_part;
    uint64_t skip;
    uint64_t count;  // 0: unlimited
  };
  // A directory change not yet made durable; undone in reverse order at power loss.
  struct DirChange {
    enum Kind { kCreate, kRemove, kRename } kind;
    std::string dir;
    std::string path;        // created, removed, or renamed from
    std::string to;          // renamed to
    bool has_saved = false;  // kRemove: the file's contents; kRename: the replaced file's
    std::string saved;
  };

  static DirChange MakeChange(DirChange::Kind kind, const std::string& path,
                              const std::string& to = "");
  std::shared_ptr<FileState> TrackLocked(const std::string& path, uint64_t synced_size);
  // The durable bytes of an existing file, for undoing its removal or replacement.
  bool ReadDurableLocked(const std::string& path, std::string* contents);
  Status WriteWhole(const std::string& path, const std::string& contents);

  std::atomic<bool> power_lost_{false};
  std::atomic<uint64_t> injected_{0};
  std::atomic<uint64_t> file_syncs_{0};
  std::atomic<bool> any_rule_{false};

  std::mutex mu_;
  std::vector<Rule> rules_;
  unsigned random_ops_ = 0;
  int random_error_ = 0;
  double random_probability_ = 0;
  std::mt19937_64 rng_;
  std::string torn_path_part_;
  int torn_error_ = 0;
  bool torn_armed_ = false;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // files written since the wrap
  std::vector<DirChange> dir_changes_;
};

}  // namespace sett

#endif  // SETT_UTIL_FAULT_INJECTION_ENV_H_
