// SnapshotList holds the read timestamps of live readers - Snapshots and transactions - so that
// flushes and compactions keep the versions they read (lsm/version_filter.h) and the oracle knows
// which committed write sets can still conflict. Readers share it with the DB
// and may outlive it.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_TXN_SNAPSHOT_LIST_H_
#define SETT_TXN_SNAPSHOT_LIST_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

namespace sett {

class SnapshotList {
 public:
  using Position = std::multiset<uint64_t>::iterator;

  Position Add(uint64_t read_ts) {
    std::lock_guard<std::mutex> lock(mu_);
    return read_ts_.insert(read_ts);
  }
  // Registers the latest version as a read timestamp, read under the same lock that Oldest
  // takes, so that no one cleaning up by Oldest can miss this reader.
  Position AddLatest(const std::atomic<uint64_t>& latest, uint64_t* read_ts) {
    std::lock_guard<std::mutex> lock(mu_);
    *read_ts = latest.load(std::memory_order_acquire);
    return read_ts_.insert(*read_ts);
  }
  void Remove(Position position) {
    std::lock_guard<std::mutex> lock(mu_);
    read_ts_.erase(position);
  }
  // The oldest live read timestamp, or `latest` when that is older or there is none.
  uint64_t Oldest(uint64_t latest) const {
    std::lock_guard<std::mutex> lock(mu_);
    return read_ts_.empty() ? latest : std::min(*read_ts_.begin(), latest);
  }
  // The live read timestamps, ascending, each once.
  std::vector<uint64_t> ReadTimestamps() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<uint64_t> out;
    for (auto it = read_ts_.begin(); it != read_ts_.end(); it = read_ts_.upper_bound(*it)) {
      out.push_back(*it);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::multiset<uint64_t> read_ts_;
};

}  // namespace sett

#endif  // SETT_TXN_SNAPSHOT_LIST_H_
