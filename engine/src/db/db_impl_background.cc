// DBImpl's background work: flushing memtables to L0 and running compactions.

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>

#include "db/db_impl.h"
#include "lsm/compaction.h"
#include "lsm/table_file_builder.h"
#include "util/file_names.h"

namespace sett {
namespace {

// How long a background thread waits after a failure before trying again; it doubles up to
// the maximum while failures continue.
constexpr std::chrono::milliseconds kFirstRetryDelay(250);
constexpr std::chrono::milliseconds kMaxRetryDelay(30000);

std::chrono::milliseconds NextDelay(std::chrono::milliseconds delay) {
  return std::min(delay * 2, kMaxRetryDelay);
}

}  // namespace

ReadSet DBImpl::LiveReaders() const {
  if (options_.managed_txns) {
    return ReadSet::From(managed_discard_ts_.load(std::memory_order_acquire));
  }
  // Read before the readers: whoever registers later starts at this version or above it.
  uint64_t latest = LatestVersion();
  return ReadSet(snapshots_->ReadTimestamps(), latest);
}

uint64_t DBImpl::DiscardTs() const { return LiveReaders().oldest(); }

void DBImpl::FlusherLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto delay = kFirstRetryDelay;
  while (true) {
    work_cv_.wait(lock, [&] { return stopping_ || !imms_.empty(); });
    if (imms_.empty()) break;                    // Stopping, and nothing left.
    if (stopping_ && !flush_error_.ok()) break;  // Close already gave up on these.
    Status s = FlushOldestMemTable(&lock);
    if (s.ok()) {
      flush_error_ = Status::OK();
      delay = kFirstRetryDelay;
    } else {
      flush_error_ = s;
      logger_->Log(LogLevel::kError, "flush failed (will retry): " + s.ToString());
      bg_cv_.notify_all();
      work_cv_.wait_for(lock, delay, [&] { return stopping_.load(); });
      delay = NextDelay(delay);
    }
  }
}

CompactionOptions DBImpl::NewCompactionOptions() {
  CompactionOptions copts;
  copts.env = env_;
  copts.dir = dir_;
  copts.table_options = table_options_;
  copts.cache = cache_.get();
  copts.map_tables = options_.table_mmap;
  copts.readers = LiveReaders();
  copts.num_versions_to_keep = options_.num_versions_to_keep;
  copts.now = NowSeconds();
  copts.new_file_id = [this] {
    std::lock_guard<std::mutex> id_lock(mu_);
    return next_file_id_++;
  };
  copts.stop = &stopping_;
  copts.merge_function_for = [this](std::string_view key, MergeFunction* fn) {
    return merges_.For(key, fn);
  };
  copts.read_value = [this](std::string_view key, const ValueStruct& vs, std::string* value) {
    return ValueResolver(vlog_->files(), vlog_.get()).Resolve(key, vs, value);
  };
  return copts;
}

Status DBImpl::FlushOldestMemTable(std::unique_lock<std::mutex>* lock) {
  std::shared_ptr<MemTable> mem = imms_.back();
  lock->unlock();
  // Versions that no reader reads go here already (and their value-log bytes are garbage from
  // now on): a key rewritten a million times leaves one version, not a million.
  CompactionResult result;
  Status s;
  if (!mem->empty()) {
    CompactionOptions copts = NewCompactionOptions();
    copts.stop = nullptr;  // Close waits for flushes: they must finish.
    std::unique_ptr<InternalIterator> it = mem->NewIterator(false);
    it->Rewind();
    s = WriteFiltered(it.get(), copts, UINT64_MAX, /*bottommost=*/false, &result);
  }
  std::shared_ptr<Table> table = result.outputs.empty() ? nullptr : result.outputs.front();
  lock->lock();
  if (s.ok()) {
    ManifestEdit edit;
    if (table != nullptr) edit.added.emplace_back(table->id(), 0);
    edit.flushed_wal_id = mem->wal_id();
    edit.next_file_id = next_file_id_;
    s = manifest_->Append(edit);
  }
  if (!s.ok()) {
    if (table != nullptr) table->MarkObsolete();
    return s;
  }
  if (table != nullptr) {
    levels_ = levels_->Apply({{table, 0}}, {});
    metrics_.table_bytes += table->file_size();
  }
  metrics_.flushes++;
  flushed_wal_id_.store(mem->wal_id(), std::memory_order_release);
  imms_.pop_back();
  InstallView();
  std::string wal_path = WalFileName(dir_, mem->wal_id());
  Status removed = env_->RemoveFile(wal_path);
  if (!removed.ok())
    logger_->Log(LogLevel::kWarning, "removing " + wal_path + ": " + removed.ToString());
  logger_->Log(
      LogLevel::kInfo,
      "flushed memtable of " + wal_path + ": " + std::to_string(mem->num_entries()) + " entries, " +
          std::to_string(result.entries_dropped) + " dropped" +
          (table ? " into " + table->path() + " (" + std::to_string(table->file_size()) + " bytes)"
                 : ""));
  RecordGarbage(lock, result.discarded);
  bg_cv_.notify_all();
  work_cv_.notify_all();
  return Status::OK();
}

void DBImpl::RecordGarbage(std::unique_lock<std::mutex>* lock,
                           const std::map<uint32_t, uint64_t>& discarded) {
  if (discarded.empty()) return;
  lock->unlock();
  Status d = discard_->Add(discarded);
  bool collectable = false;
  if (options_.value_log_gc_paced) {
    for (const auto& [file_id, bytes] : discarded) {
      collectable |= CollectableGarbage(file_id) >= options_.value_log_gc_discard_ratio;
    }
  }
  lock->lock();
  if (!d.ok()) logger_->Log(LogLevel::kWarning, "recording value-log garbage: " + d.ToString());
  if (collectable) {
    gc_wanted_ = true;  // Paced GC wakes for it now rather than at its next round.
    work_cv_.notify_all();
  }
}

bool DBImpl::CompactionWanted() const {
  LevelTargets targets = ComputeTargets(*levels_, options_);
  std::vector<double> scores = picker_.Scores(*levels_, targets);
  for (int level = 0; level + 1 < levels_->num_levels(); level++) {
    if (scores[level] >= 1.0) return true;
  }
  return false;
}

void DBImpl::CompactorLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto delay = kFirstRetryDelay;
  while (!stopping_) {
    if (compaction_pauses_ > 0) {
      work_cv_.wait(lock);
      continue;
    }
    std::optional<CompactionPlan> plan = picker_.Pick(*levels_);
    if (!plan) {
      work_cv_.wait(lock);
      continue;
    }
    Status s = DoCompaction(&lock, *plan);
    picker_.Release(*plan);
    if (s.ok()) {
      compaction_error_ = Status::OK();
      delay = kFirstRetryDelay;
    } else if (!s.IsAborted()) {
      compaction_error_ = s;
      logger_->Log(LogLevel::kError, "compaction L" + std::to_string(plan->level) + " -> L" +
                                         std::to_string(plan->output_level) +
                                         " failed (will retry): " + s.ToString());
    }
    bg_cv_.notify_all();
    work_cv_.notify_all();
    if (!s.ok() && !s.IsAborted()) {
      work_cv_.wait_for(lock, delay, [&] { return stopping_.load(); });
      delay = NextDelay(delay);
    }
  }
}

Status DBImpl::DoCompaction(std::unique_lock<std::mutex>* lock, const CompactionPlan& plan,
                            const std::vector<std::string>& drop_prefixes, uint64_t drop_version) {
  ManifestEdit edit;
  std::vector<std::pair<std::shared_ptr<Table>, int>> added;
  std::vector<uint64_t> deleted;
  for (const auto& t : plan.top) deleted.push_back(t->id());
  for (const auto& t : plan.bottom) deleted.push_back(t->id());

  CompactionResult result;
  if (plan.trivial_move) {
    for (const auto& t : plan.top) added.emplace_back(t, plan.output_level);
  } else {
    CompactionOptions copts = NewCompactionOptions();
    copts.drop_prefixes = drop_prefixes;
    copts.drop_version = drop_version;
    lock->unlock();
    Status s = RunCompaction(plan, copts, &result);
    lock->lock();
    if (!s.ok()) return s;
    for (const auto& t : result.outputs) added.emplace_back(t, plan.output_level);
  }

  for (const auto& [table, level] : added) edit.added.emplace_back(table->id(), level);
  edit.deleted = deleted;
  edit.next_file_id = next_file_id_;
  edit.last_version = LatestVersion();  // The deleted tables may have held the newest ones.
  Status s = manifest_->Append(edit);
  if (!s.ok()) {
    if (!plan.trivial_move) {
      for (const auto& t : result.outputs) t->MarkObsolete();
    }
    return s;
  }
  levels_ = levels_->Apply(added, deleted);
  if (!plan.trivial_move) {
    for (const auto& t : plan.top) t->MarkObsolete();
    for (const auto& t : plan.bottom) t->MarkObsolete();
  }
  InstallView();
  metrics_.compactions++;
  metrics_.compaction_bytes_read += result.bytes_read;
  metrics_.compaction_bytes_written += result.bytes_written;
  metrics_.table_bytes += result.bytes_written;
  RecordGarbage(lock, result.discarded);
  logger_->Log(LogLevel::kInfo,
               "compacted L" + std::to_string(plan.level) + " -> L" +
                   std::to_string(plan.output_level) + (plan.trivial_move ? " (moved)" : "") +
                   ": " + std::to_string(plan.top.size() + plan.bottom.size()) + " tables in, " +
                   std::to_string(added.size()) + " out, " + std::to_string(result.entries_read) +
                   " entries read, " + std::to_string(result.entries_written) + " written");
  return Status::OK();
}

Status DBImpl::Flatten(int workers) {
  if (workers < 1) return Status::InvalidArgument("Flatten needs at least one worker");
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  Status s = Flush();
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> lock(mu_);
  // One pass from the top: each level's tables go down into the next level that holds any
  // (or the last), so whatever was in the tree at the start ends in one level. Tables that
  // writes add meanwhile are left for normal compaction.
  for (int level = 0; level + 1 < levels_->num_levels(); level++) {
    while (!levels_->tables(level).empty()) {
      if (stopping_) return Status::Aborted(dir_ + " is closing");
      int output = level + 1;
      while (output + 1 < levels_->num_levels() && levels_->tables(output).empty()) output++;
      std::optional<CompactionPlan> plan = picker_.PlanWholeLevel(*levels_, level, output);
      if (!plan) {
        bg_cv_.wait(lock);  // A background compaction holds some of these tables.
        continue;
      }
      s = DoCompaction(&lock, *plan);
      picker_.Release(*plan);
      bg_cv_.notify_all();
      work_cv_.notify_all();
      if (!s.ok()) return s;
      if (level == 0) break;  // New flushes may refill L0: leave them.
    }
  }
  return RewriteDroppable(&lock, workers);
}

Status DBImpl::RunPlanned(std::unique_lock<std::mutex>* lock,
                          const std::function<std::optional<CompactionPlan>(bool* gone)>& plan) {
  while (true) {
    if (stopping_) return Status::Aborted(dir_ + " is closing");
    bool gone = false;
    std::optional<CompactionPlan> planned = plan(&gone);
    if (gone) return Status::OK();
    if (!planned) {
      bg_cv_.wait(*lock);  // A background compaction holds some of its tables.
      continue;
    }
    Status s = DoCompaction(lock, *planned);
    picker_.Release(*planned);
    bg_cv_.notify_all();
    work_cv_.notify_all();
    return s;
  }
}

bool DBImpl::HoldsTable(int level, const std::shared_ptr<Table>& table) const {
  for (const auto& t : levels_->tables(level)) {
    if (t == table) return true;
  }
  return false;
}

Status DBImpl::RewriteDroppable(std::unique_lock<std::mutex>* lock, int workers) {
  // The deepest level may hold versions and tombstones that became droppable after it was
  // written (a snapshot has gone since): rewrite the tables that have any, `workers` at a time.
  int deepest = levels_->DeepestNonEmptyLevel();
  TableList todo;
  for (const auto& table : levels_->tables(deepest)) {
    const TableProperties& props = table->properties();
    if (props.num_older_versions > 0 || props.num_deletes > 0) todo.push_back(table);
  }
  std::atomic<size_t> next{0};
  Status first_error;
  auto rewrite = [&](std::unique_lock<std::mutex>* held) {
    for (size_t i = next++; i < todo.size() && first_error.ok(); i = next++) {
      const std::shared_ptr<Table>& table = todo[i];
      Status r = RunPlanned(held, [&](bool* gone) -> std::optional<CompactionPlan> {
        *gone = !HoldsTable(deepest, table);  // A background compaction took it.
        if (*gone) return std::nullopt;
        return picker_.PlanInPlace(*levels_, deepest, table);
      });
      if (!r.ok() && first_error.ok()) first_error = r;
    }
  };
  std::vector<std::thread> helpers;
  lock->unlock();
  for (int w = 1; w < workers && static_cast<size_t>(w) < todo.size(); w++) {
    helpers.emplace_back([&] {
      std::unique_lock<std::mutex> held(mu_);
      rewrite(&held);
    });
  }
  lock->lock();
  rewrite(lock);
  lock->unlock();
  for (auto& t : helpers) t.join();
  lock->lock();
  return first_error;
}

Status DBImpl::CompactQuiet() {
  Status s = Flush();
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> lock(mu_);
  // L0 goes into the level below it (what flushes add meanwhile stays for the next time).
  s = RunPlanned(&lock, [&](bool* gone) -> std::optional<CompactionPlan> {
    *gone = levels_->tables(0).empty();
    if (*gone) return std::nullopt;
    return picker_.PlanWholeLevel(*levels_, 0, ComputeTargets(*levels_, options_).base_level);
  });
  // Tables holding tombstones go down a level at a time, meeting what they delete (whose
  // value-log bytes become countable garbage), until they reach the last level.
  int deepest = levels_->DeepestNonEmptyLevel();
  for (int level = 1; level < deepest && s.ok(); level++) {
    TableList todo;
    for (const auto& t : levels_->tables(level)) {
      if (t->properties().num_deletes > 0) todo.push_back(t);
    }
    for (size_t i = 0; i < todo.size() && s.ok(); i++) {
      s = RunPlanned(&lock, [&](bool* gone) -> std::optional<CompactionPlan> {
        *gone = !HoldsTable(level, todo[i]);
        if (*gone) return std::nullopt;
        return picker_.PlanTableDown(*levels_, level, todo[i]);
      });
    }
  }
  // There, what no reader reads goes.
  if (s.ok()) s = RewriteDroppable(&lock, 1);
  return s;
}

Status DBImpl::Compact() {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) return Status::Aborted(dir_ + " is closed");
  if (options_.num_compactors == 0) {
    while (std::optional<CompactionPlan> plan = picker_.Pick(*levels_)) {
      Status s = DoCompaction(&lock, *plan);
      picker_.Release(*plan);
      bg_cv_.notify_all();
      if (!s.ok()) return s;
    }
    return Status::OK();
  }
  compaction_error_ = Status::OK();
  work_cv_.notify_all();
  while (true) {
    if (stopping_) return Status::Aborted(dir_ + " is closing");
    if (!compaction_error_.ok()) return compaction_error_;
    if (!CompactionWanted() && picker_.running() == 0) return Status::OK();
    bg_cv_.wait(lock);
  }
}

}  // namespace sett
