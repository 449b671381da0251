#include "txn/oracle.h"

#include <algorithm>

namespace sett {

bool Oracle::ConflictsLocked(uint64_t read_ts, const std::vector<uint64_t>& reads) const {
  for (const Committed& c : committed_) {
    if (c.ts <= read_ts) continue;
    for (uint64_t fp : reads) {
      if (std::binary_search(c.writes.begin(), c.writes.end(), fp)) return true;
    }
  }
  return false;
}

void Oracle::ForgetLocked() {
  // A write set matters only to readers older than it. (Commit timestamps grow, except in
  // managed mode, where an entry may wait until those before it go.)
  uint64_t oldest = readers_->Oldest(last_ts_);
  if (committed_.empty() || committed_.front().ts > oldest) return;
  committed_.erase(std::remove_if(committed_.begin(), committed_.end(),
                                  [&](const Committed& c) { return c.ts <= oldest; }),
                   committed_.end());
}

Status Oracle::Commit(uint64_t read_ts, const std::vector<uint64_t>& reads,
                      std::vector<uint64_t> writes, uint64_t managed_ts,
                      const std::function<Status(uint64_t)>& enqueue, uint64_t* commit_ts) {
  std::lock_guard<std::mutex> lock(mu_);
  if (detect_conflicts_ && !reads.empty() && ConflictsLocked(read_ts, reads)) {
    return Status::Conflict("a transaction that committed after this one's read timestamp " +
                            std::to_string(read_ts) + " wrote a key it read");
  }
  uint64_t ts = managed_ts != 0 ? managed_ts : last_ts_ + 1;
  Status s = enqueue(ts);
  if (!s.ok()) return s;
  last_ts_ = std::max(last_ts_, ts);
  if (detect_conflicts_ && !writes.empty()) {
    std::sort(writes.begin(), writes.end());
    committed_.push_back(Committed{ts, std::move(writes)});
  }
  ForgetLocked();
  *commit_ts = ts;
  return Status::OK();
}

void Oracle::AdvanceTo(uint64_t ts) {
  std::lock_guard<std::mutex> lock(mu_);
  last_ts_ = std::max(last_ts_, ts);
}

uint64_t Oracle::last_ts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_ts_;
}

size_t Oracle::remembered() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_.size();
}

}  // namespace sett
