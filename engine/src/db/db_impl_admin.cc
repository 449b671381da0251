// DBImpl's whole-database operations: DropAll, DropPrefix and sequences.

#include "db/db_impl.h"
#include "format/key_format.h"
#include "txn/sequence_impl.h"
#include "util/file_header.h"

namespace sett {

Status DBImpl::SettleTree(std::unique_lock<std::mutex>* lock) {
  // Everything written so far goes into tables, and no compaction is left running.
  Status s = MakeRoomForWrite(lock, /*force=*/true);
  if (!s.ok()) return s;
  work_cv_.notify_all();
  bg_cv_.wait(*lock, [&] { return imms_.empty() || !flush_error_.ok() || stopping_; });
  if (!imms_.empty())
    return flush_error_.ok() ? Status::Aborted(dir_ + " is closing") : flush_error_;
  bg_cv_.wait(*lock, [&] { return picker_.running() == 0 || stopping_; });
  return stopping_ ? Status::Aborted(dir_ + " is closing") : Status::OK();
}

Status DBImpl::DropAll() {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  std::unique_lock<std::mutex> lock(mu_);
  WriteTurn turn(this, &lock, WriteTurn::kPauseCompactions);
  Status s = turn.status();
  if (s.ok()) s = SettleTree(&lock);
  if (s.ok()) {
    ManifestEdit edit;
    TableList gone;
    for (int level = 0; level < levels_->num_levels(); level++) {
      for (const auto& t : levels_->tables(level)) {
        edit.deleted.push_back(t->id());
        gone.push_back(t);
      }
    }
    edit.next_file_id = next_file_id_;
    edit.last_version = LatestVersion();
    s = manifest_->Append(edit);
    if (s.ok()) {
      levels_ = levels_->Apply({}, edit.deleted);
      for (const auto& t : gone) t->MarkObsolete();
      // Every value in the log belongs to a dropped key: start a new head, retire the rest.
      s = vlog_->Rotate();
      if (s.ok()) {
        for (uint32_t id : vlog_->FileIds()) {
          if (id != vlog_->head_id()) vlog_->Retire(id);
        }
        Status d = discard_->Retain({vlog_->head_id()});
        if (!d.ok()) logger_->Log(LogLevel::kWarning, "DropAll: " + d.ToString());
      }
      InstallView();
    }
    logger_->Log(LogLevel::kInfo,
                 "dropped all keys (" + std::to_string(gone.size()) + " tables): " + s.ToString());
  }
  return s;
}

Status DBImpl::DropPrefix(const std::vector<std::string>& prefixes) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  if (prefixes.empty()) return Status::OK();
  for (const std::string& p : prefixes) {
    if (p.empty())
      return Status::InvalidArgument("an empty prefix: use DropAll to drop everything");
  }
  std::unique_lock<std::mutex> lock(mu_);
  WriteTurn turn(this, &lock, WriteTurn::kPauseCompactions);
  Status s = turn.status();
  if (s.ok()) s = SettleTree(&lock);
  if (!s.ok()) return s;
  const uint64_t drop_version = LatestVersion();
  auto touches = [&](const Table& t) {
    for (const std::string& p : prefixes) {
      std::string_view smallest = t.smallest_user_key(), largest = t.largest_user_key();
      if (!(largest < p) && smallest.substr(0, p.size()) <= p) return true;
    }
    return false;
  };
  int rewritten = 0;
  // L0 goes down whole (rewriting L0 tables in place would reorder them); deeper levels are
  // rewritten table by table, only where a table may hold the prefixes.
  bool l0_touched = false;
  for (const auto& t : levels_->tables(0)) l0_touched |= touches(*t);
  if (l0_touched) {
    int output = ComputeTargets(*levels_, options_).base_level;
    std::optional<CompactionPlan> plan = picker_.PlanWholeLevel(*levels_, 0, output);
    if (plan) {
      plan->trivial_move = false;
      s = DoCompaction(&lock, *plan, prefixes, drop_version);
      picker_.Release(*plan);
      rewritten += static_cast<int>(plan->top.size());
    }
  }
  for (int level = 1; s.ok() && level < levels_->num_levels(); level++) {
    for (const auto& table : TableList(levels_->tables(level))) {
      if (!touches(*table)) continue;
      std::optional<CompactionPlan> plan = picker_.PlanInPlace(*levels_, level, table);
      if (!plan) continue;  // Not while compactions are paused.
      s = DoCompaction(&lock, *plan, prefixes, drop_version);
      picker_.Release(*plan);
      rewritten++;
      if (!s.ok()) break;
    }
  }
  logger_->Log(LogLevel::kInfo, "dropped " + std::to_string(prefixes.size()) +
                                    " prefixes, rewriting " + std::to_string(rewritten) +
                                    " tables: " + s.ToString());
  return s;
}

Status DBImpl::GetSequence(std::string_view key, uint64_t bandwidth,
                           std::unique_ptr<Sequence>* sequence) {
  if (key.empty()) return Status::InvalidArgument("empty sequence key");
  if (bandwidth == 0) return Status::InvalidArgument("sequence bandwidth 0");
  if (options_.managed_txns) return Status::NotSupported("sequences need the DB's timestamps");
  std::shared_ptr<std::mutex> lease_lock;
  {
    std::lock_guard<std::mutex> lock(sequence_locks_mu_);
    for (auto it = sequence_locks_.begin(); it != sequence_locks_.end();) {
      it = it->second.expired() ? sequence_locks_.erase(it) : std::next(it);
    }
    std::weak_ptr<std::mutex>& slot = sequence_locks_[std::string(key)];
    lease_lock = slot.lock();
    if (lease_lock == nullptr) {
      lease_lock = std::make_shared<std::mutex>();
      slot = lease_lock;
    }
  }
  *sequence =
      std::make_unique<SequenceImpl>(this, std::string(key), bandwidth, std::move(lease_lock));
  return Status::OK();
}

}  // namespace sett
