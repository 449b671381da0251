// OpStats counts what a mount serves: FUSE requests by kind with the time spent on them, and
// the bytes read and written through it. `settfs stats` and the metrics endpoint show them.
//
// Thread safety: all methods may be called concurrently (relaxed atomics: each counter is
// exact, a snapshot of several is not one instant).

#ifndef SETTFS_FUSE_OP_STATS_H_
#define SETTFS_FUSE_OP_STATS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace settfs {

enum class FuseOp {
  kLookup,
  kForget,
  kGetattr,
  kSetattr,
  kReadlink,
  kMknod,
  kMkdir,
  kSymlink,
  kLink,
  kUnlink,
  kRmdir,
  kRename,
  kAccess,
  kOpen,
  kCreate,
  kRead,
  kWrite,
  kFlush,
  kRelease,
  kFsync,
  kOpendir,
  kReaddir,
  kReleasedir,
  kFsyncdir,
  kStatfs,
  kSetxattr,
  kGetxattr,
  kListxattr,
  kRemovexattr,
  kFallocate,
  kLseek,
  kCopyFileRange,
  kIoctl,
  kCount  // Not an operation: how many there are.
};

// "lookup", "copy_file_range", ...
const char* FuseOpName(FuseOp op);

class OpStats {
 public:
  void Record(FuseOp op, std::chrono::nanoseconds took) {
    Counter& c = ops_[static_cast<size_t>(op)];
    c.count.fetch_add(1, std::memory_order_relaxed);
    c.nanos.fetch_add(static_cast<uint64_t>(took.count()), std::memory_order_relaxed);
  }
  void AddRead(uint64_t bytes) { read_bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  void AddWritten(uint64_t bytes) { written_bytes_.fetch_add(bytes, std::memory_order_relaxed); }

  struct OpCount {
    FuseOp op;
    uint64_t count;
    uint64_t nanos;
  };
  // The kinds served at least once.
  std::vector<OpCount> Ops() const;
  uint64_t read_bytes() const { return read_bytes_.load(std::memory_order_relaxed); }
  uint64_t written_bytes() const { return written_bytes_.load(std::memory_order_relaxed); }

  // "op NAME COUNT NANOS" per kind served at least once, then "read_bytes N" and
  // "written_bytes N": the form the control channel carries.
  std::string Lines() const;

 private:
  struct Counter {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> nanos{0};
  };
  std::array<Counter, static_cast<size_t>(FuseOp::kCount)> ops_;
  std::atomic<uint64_t> read_bytes_{0};
  std::atomic<uint64_t> written_bytes_{0};
};

}  // namespace settfs

#endif  // SETTFS_FUSE_OP_STATS_H_
