// Oracle hands out commit timestamps and enforces serializable snapshot isolation: a commit
// whose read set (key fingerprints) meets the write set of a transaction that committed after
// its read timestamp is refused with Conflict. It remembers committed write sets only as long
// as some live reader (SnapshotList) is older than them.
//
// Commit assigns the timestamp and queues the write (the `enqueue` callback) under one lock,
// so that writes reach the writer queue in timestamp order; the DB applies them in that order,
// which makes "applied up to" a watermark: a reader that starts at the latest applied version
// sees every commit that returned before it started.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_TXN_ORACLE_H_
#define SETT_TXN_ORACLE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "sett/status.h"
#include "txn/snapshot_list.h"

namespace sett {

class Oracle {
 public:
  Oracle(bool detect_conflicts, SnapshotList* readers)
      : detect_conflicts_(detect_conflicts), readers_(readers) {}

  // The last timestamp in use (at open: the newest version in the DB).
  void Init(uint64_t last_ts) { last_ts_ = last_ts; }
  // Moves the last timestamp in use up to ts (a bulk load used it).
  void AdvanceTo(uint64_t ts);

  // Checks reads (fingerprints, any order) against the writes committed after read_ts, then
  // gives the commit a timestamp - the next one, or managed_ts when not 0 - and calls
  // enqueue(ts). Records writes (fingerprints) for later commits to check against, unless
  // enqueue fails. *commit_ts is set on success.
  Status Commit(uint64_t read_ts, const std::vector<uint64_t>& reads, std::vector<uint64_t> writes,
                uint64_t managed_ts, const std::function<Status(uint64_t)>& enqueue,
                uint64_t* commit_ts);

  uint64_t last_ts() const;
  // Committed write sets still remembered.
  size_t remembered() const;

 private:
  bool ConflictsLocked(uint64_t read_ts, const std::vector<uint64_t>& reads) const;
  void ForgetLocked();

  struct Committed {
    uint64_t ts;
    std::vector<uint64_t> writes;  // Sorted.
  };

  const bool detect_conflicts_;
  SnapshotList* const readers_;
  mutable std::mutex mu_;
  uint64_t last_ts_ = 0;
  std::deque<Committed> committed_;
};

}  // namespace sett

#endif  // SETT_TXN_ORACLE_H_
