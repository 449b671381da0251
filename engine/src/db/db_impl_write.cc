// DBImpl's write path: the writer queue, group commit and memtable switching.

#include <algorithm>
#include <chrono>
#include <future>

#include "db/db_impl.h"
#include "format/entry_limits.h"
#include "format/key_format.h"
#include "format/write_batch_internal.h"
#include "memtable/wal.h"
#include "util/compression.h"
#include "util/file_names.h"
#include "util/hash.h"

namespace sett {
namespace {

// A group stops growing at this many bytes of batches, so one slow fsync does not hold up a
// huge crowd and a group's WAL write stays reasonable.
constexpr size_t kMaxGroupBytes = 4 << 20;
// One batch's WAL record has a 32-bit length.
constexpr size_t kMaxBatchBytes = size_t{3} << 30;
// A synced group whose value-log values come to at most this many bytes also writes them into
// its WAL record, which saves the value log's fsync; beyond it, writing them twice costs more
// than the fsync.
constexpr size_t kMaxWalCopyBytes = 1 << 20;
// Smaller values are stored as is even with value compression on: what a codec saves on them
// rarely pays for its call.
constexpr size_t kMinCompressedValue = 128;

}  // namespace

Status DBImpl::ValidateBatch(const WriteBatch& batch) const {
  if (batch.ApproximateSize() > kMaxBatchBytes) {
    return Status::InvalidArgument("write batch of " + std::to_string(batch.ApproximateSize()) +
                                   " bytes is too large (limit " + std::to_string(kMaxBatchBytes) +
                                   ")");
  }
  Status s;
  uint32_t index = 0;
  MergeFunction merge_function;
  WriteBatchInternal::ForEach(batch, [&](const BatchEntry& e) {
    if (s.ok()) {
      const std::string where = "entry " + std::to_string(index) + " of the batch: ";
      s = CheckEntryLimits(e.key, e.value.size(), where);
      if (s.ok() && (e.meta & kMetaMerge) != 0 && !merges_.For(e.key, &merge_function)) {
        s = Status::InvalidArgument(where + "merge into key '" + std::string(e.key) +
                                    "' with no merge function (Options::merge_function)");
      }
    }
    index++;
  });
  return s;
}

Status DBImpl::Write(const WriteOptions& options, const WriteBatch& batch) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  Status s = ValidateBatch(batch);
  if (!s.ok() || batch.Count() == 0) return s;
  if (options_.managed_txns != (batch.commit_ts() != 0)) {
    return Status::InvalidArgument(options_.managed_txns
                                       ? "managed mode: the batch needs a commit timestamp"
                                       : "a commit timestamp is for managed mode only");
  }
  Writer w;
  w.batch = &batch;
  w.sync = options.sync || options_.sync_writes;
  s = Enqueue(&w, /*read_ts=*/0, {}, batch.commit_ts());
  if (!s.ok()) return s;
  return AwaitOrLead(&w);
}

Status DBImpl::CheckBans(const WriteBatch& batch) const {
  if (bans_->empty()) return Status::OK();  // Every write passes here: no walk in the common case.
  Status banned;
  uint32_t index = 0;
  WriteBatchInternal::ForEach(batch, [&](const BatchEntry& e) {
    uint64_t ns;
    if (banned.ok() && bans_->Banned(e.key, &ns)) {
      banned = Status::InvalidArgument("entry " + std::to_string(index) +
                                       " of the write: its key is in namespace " +
                                       std::to_string(ns) + ", which is banned");
    }
    index++;
  });
  return banned;
}

Status DBImpl::Enqueue(Writer* w, uint64_t read_ts, const std::vector<uint64_t>& reads,
                       uint64_t managed_ts) {
  Status banned = CheckBans(*w->batch);
  if (!banned.ok()) return banned;
  PrepareValues(w);
  std::vector<uint64_t> writes;
  if (options_.detect_conflicts) {
    writes.reserve(w->batch->Count());
    WriteBatchInternal::ForEach(*w->batch,
                                [&](const BatchEntry& e) { writes.push_back(KeyHash(e.key)); });
  }
  uint64_t ts;
  auto enqueue = [&](uint64_t version) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Aborted(dir_ + " is closed");
    w->version = version;
    writers_.push_back(w);
    user_writes_++;
    last_user_write_ = std::chrono::steady_clock::now();
    return Status::OK();
  };
  Status s = oracle_->Commit(read_ts, reads, std::move(writes), managed_ts, enqueue, &ts);
  if (s.IsConflict()) metrics_.txn_conflicts++;
  return s;
}

Status DBImpl::AwaitOrLead(Writer* w) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!w->done && w != writers_.front()) w->cv.wait(lock);
  if (w->done) return w->status;

  // This thread leads the group at the front of the queue.
  Status s = MakeRoomForWrite(&lock, /*force=*/false);
  std::vector<Writer*> group;
  bool sync = false;
  if (s.ok()) {
    size_t bytes = 0;
    for (Writer* x : writers_) {
      if (x->batch == nullptr) break;  // Flushes and GC rewrites lead their own turns.
      if (!group.empty() && bytes + x->batch->ApproximateSize() > kMaxGroupBytes) break;
      group.push_back(x);
      bytes += x->batch->ApproximateSize();
      sync |= x->sync;
    }
  } else {
    group.push_back(w);
  }
  uint64_t newest = 0;
  for (Writer* x : group) newest = std::max(newest, x->version);
  if (s.ok()) {
    RecordWriter* wal = wal_.get();
    MemTable* mem = mem_.get();
    lock.unlock();
    s = WriteGroup(group, sync, wal, mem);
    lock.lock();
    if (!s.ok()) {
      // The log may end in a partial record: never append after it.
      wal_broken_ = true;
      logger_->Log(LogLevel::kError, "write to " + wal->path() + " failed: " + s.ToString());
    }
  }
  // Writers queue in timestamp order and groups run one at a time, so every timestamp up to
  // here is done: applied, or failed and never to be used.
  if (newest > visible_version_.load(std::memory_order_relaxed)) {
    visible_version_.store(newest, std::memory_order_release);
  }
  applied_cv_.notify_all();
  FinishGroup(group, s);
  return s;
}

bool DBImpl::GoesToValueLog(uint8_t meta, size_t value_size) const {
  // Merge operands stay in the tree, where flushes and compactions fold them.
  return (meta & (kMetaDelete | kMetaMerge)) == 0 && value_size >= value_threshold_.threshold();
}

void DBImpl::PrepareValues(Writer* w) const {
  const Compression codec = options_.value_compression;
  if (codec == Compression::kNone) return;
  const size_t threshold = std::max(value_threshold_.threshold(), kMinCompressedValue);
  w->compressed.resize(w->batch->Count());
  size_t index = 0;
  WriteBatchInternal::ForEach(*w->batch, [&](const BatchEntry& e) {
    std::string& out = w->compressed[index++];
    if (!GoesToValueLog(e.meta, e.value.size()) || e.value.size() < threshold ||
        !CompressIfItPays(codec, options_.value_zstd_level, e.value, &out)) {
      out.clear();
    }
  });
}

DBImpl::StoredValue DBImpl::StoreForLog(std::string_view value, const std::string* prepared) const {
  if (prepared == nullptr || prepared->empty()) return {value};
  return {*prepared, options_.value_compression, static_cast<uint32_t>(value.size())};
}

Status DBImpl::AppendEntry(std::string* record, std::string_view internal_key, ValueStruct vs,
                           bool batch_end, bool copy, const std::string* prepared,
                           bool* used_vlog) {
  if (!GoesToValueLog(vs.meta, vs.value.size())) {
    AppendWalEntry(record, internal_key, vs);
    return Status::OK();
  }
  *used_vlog = true;
  return AppendLogEntry(record, internal_key, vs, StoreForLog(vs.value, prepared), batch_end, copy);
}

Status DBImpl::AppendLogEntry(std::string* record, std::string_view internal_key, ValueStruct vs,
                              const StoredValue& stored, bool batch_end, bool copy) {
  VlogEntry entry;
  entry.key = internal_key;
  entry.value = stored.bytes;
  entry.meta = vs.meta;
  entry.user_meta = vs.user_meta;
  entry.expires_at = vs.expires_at;
  entry.flags = (batch_end ? kVlogBatchEnd : 0) | VlogCodecFlag(stored.codec);
  ValuePointer ptr;
  Status s = vlog_->Append(entry, &ptr, /*covered=*/copy);
  if (!s.ok()) return s;
  ptr.value_size = stored.value_size;
  metrics_.vlog_bytes += ptr.length;
  metrics_.vlog_value_bytes += stored.value_size != 0 ? stored.value_size : stored.bytes.size();
  pointer_buffer_.clear();
  EncodeValuePointer(ptr, &pointer_buffer_);
  std::string_view value = vs.value;  // As given: what a WAL copy keeps.
  vs.meta |= kMetaValuePointer;
  vs.value = pointer_buffer_;
  if (copy) {
    AppendWalEntryWithCopy(record, internal_key, vs, value);
  } else {
    AppendWalEntry(record, internal_key, vs);
  }
  return Status::OK();
}

size_t DBImpl::ValueLogBytes(const std::vector<Writer*>& group) const {
  size_t bytes = 0;
  for (Writer* w : group) {
    WriteBatchInternal::ForEach(*w->batch, [&](const BatchEntry& e) {
      if (GoesToValueLog(e.meta, e.value.size())) bytes += e.value.size();
    });
  }
  return bytes;
}

Status DBImpl::WriteGroup(const std::vector<Writer*>& group, bool sync, RecordWriter* wal,
                          MemTable* mem) {
  group_records_.resize(std::max(group_records_.size(), group.size()));
  std::string key;
  Status s;
  bool used_vlog = false;
  const bool copy = sync && ValueLogBytes(group) <= kMaxWalCopyBytes;
  for (size_t i = 0; i < group.size() && s.ok(); i++) {
    std::string& record = group_records_[i];
    record.clear();
    uint64_t version = group[i]->version;
    const WriteBatch& batch = *group[i]->batch;
    // The batch's last value bound for the value log closes its group there.
    const std::vector<uint64_t>* entry_versions = group[i]->entry_versions;
    int last_large = -1, index = 0;
    WriteBatchInternal::ForEach(batch, [&](const BatchEntry& e) {
      if (GoesToValueLog(e.meta, e.value.size())) last_large = index;
      index++;
    });
    index = 0;
    WriteBatchInternal::ForEach(batch, [&](const BatchEntry& e) {
      if (s.ok()) {
        key.clear();
        AppendInternalKey(&key, e.key,
                          entry_versions != nullptr ? (*entry_versions)[index] : version);
        const std::vector<std::string>& compressed = group[i]->compressed;
        s = AppendEntry(&record, key, ValueStruct{e.meta, e.user_meta, e.expires_at, e.value},
                        index == last_large, copy,
                        compressed.empty() ? nullptr : &compressed[index], &used_vlog);
      }
      index++;
    });
  }
  if (!s.ok()) return s;
  s = CommitRecords(group.size(), sync, used_vlog, wal, mem);
  if (s.ok() && !subscriptions_.empty()) {
    // Still the leader: the next group waits, so subscribers see commits in order.
    for (Writer* w : group) subscriptions_.Publish(*w->batch, w->version, w->entry_versions);
  }
  return s;
}

Status DBImpl::CommitRecords(size_t n, bool sync, bool used_vlog, RecordWriter* wal,
                             MemTable* mem) {
  // Values reach the OS before the log records that point at them. With sync, the value log
  // (its new values, and those of earlier unsynced records that this sync makes durable) is
  // fsynced at the same time as the log, on another thread: no record written later can claim
  // this sync until both are done, so a crash in between leaves at worst a torn tail of
  // records whose values are missing, which recovery cuts off. Values whose records hold a
  // copy need no value-log fsync: replay takes the copy if the value did not reach the disk.
  // Logs retired unsynced go first, before this group's records reach its own log: should
  // that fail, the group is in no log at all.
  Status s = sync ? SyncRetiredWals() : Status::OK();
  if (s.ok() && used_vlog) s = vlog_->Commit();
  std::future<Status> vlog_synced;
  if (s.ok() && sync) vlog_synced = StartValueLogSync();
  uint64_t bytes = 0;
  for (size_t i = 0; i < n && s.ok(); i++) {
    std::string_view record = group_records_[i];
    if (encryption_ != nullptr) {  // The plain record still goes to the memtable below.
      sealed_record_.clear();
      s = encryption_->Seal(WalRecordAad(mem->wal_id(), wal->Size()), record, &sealed_record_);
      record = sealed_record_;
    }
    if (s.ok()) s = wal->AddRecord(record);
    bytes += record.size() + kRecordHeaderSize;
  }
  if (s.ok()) s = wal->Flush();
  if (s.ok() && sync) s = wal->Sync();
  s = JoinValueLogSync(&vlog_synced, s);
  if (!s.ok()) return s;
  metrics_.wal_bytes += bytes;
  size_t entries = 0;
  for (size_t i = 0; i < n; i++) {
    ApplyWalRecord(group_records_[i], [&](std::string_view k, std::string_view v) {
      std::string_view value_struct = MemTableValue(v, /*pointer_intact=*/true, &memtable_value_);
      value_struct = CapOperandRun(mem, k, value_struct, &folded_operands_);
      uint64_t replaced = mem->Add(k, value_struct);
      ValueStruct vs;  // The write path encoded it: it decodes.
      if (value_threshold_.tuned() && DecodeValueStruct(value_struct, &vs)) {
        value_threshold_.Observe(UserKey(k).size(), ValueResolver::ValueSize(k, vs), VersionOf(k),
                                 replaced);
      }
      entries++;
    });
  }
  metrics_.entries_written += entries;
  return Status::OK();
}

std::string_view DBImpl::CapOperandRun(MemTable* mem, std::string_view internal_key,
                                       std::string_view value_struct, std::string* scratch) const {
  const int limit = options_.max_successive_merges;
  // Every write passes here: look at the meta byte (a value struct's first) before decoding.
  if (limit <= 0 || value_struct.empty() ||
      (static_cast<uint8_t>(value_struct[0]) & kMetaMerge) == 0) {
    return value_struct;
  }
  ValueStruct vs;
  if (!DecodeValueStruct(value_struct, &vs)) return value_struct;
  std::string_view key = UserKey(internal_key);
  MergeFunction fn;
  if (mem->OperandsOnTop(key, limit) < static_cast<size_t>(limit) || !merges_.For(key, &fn)) {
    return value_struct;
  }
  // Every version below this one is applied already: the value just below it is final.
  std::shared_ptr<const View> view = CurrentView();
  std::optional<std::string> below;
  if (view == nullptr || !ValueAt(*view, key, VersionOf(internal_key) - 1, &below).ok()) {
    return value_struct;  // The operand as written: reads fold it all the same.
  }
  std::string value =
      fn(key, below ? std::optional<std::string_view>(*below) : std::nullopt, vs.value);
  scratch->clear();
  AppendValueStruct(scratch, ValueStruct{0, 0, 0, value});
  return *scratch;
}

std::future<Status> DBImpl::StartValueLogSync() {
  if (!vlog_->HasUncoveredUnsynced()) return {};
  if (vlog_syncer_ == nullptr) vlog_syncer_ = std::make_unique<ThreadPool>(1);
  return vlog_syncer_->Submit([this] { return vlog_->SyncCommitted(); });
}

Status DBImpl::JoinValueLogSync(std::future<Status>* synced, Status s) {
  if (!synced->valid()) return s;
  Status v = synced->get();
  return s.ok() ? v : s;
}

DBImpl::WriteTurn::WriteTurn(DBImpl* db, std::unique_lock<std::mutex>* lock, Mode mode)
    : db_(db), mode_(mode) {
  if (db_->closed_) {
    status_ = Status::Aborted(db_->dir_ + " is closed");
    return;
  }
  db_->writers_.push_back(&writer_);
  if (mode_ == kPauseCompactions) db_->compaction_pauses_++;
  while (&writer_ != db_->writers_.front()) writer_.cv.wait(*lock);
}

DBImpl::WriteTurn::~WriteTurn() {
  if (!status_.ok()) return;  // Never queued.
  if (mode_ == kPauseCompactions) {
    db_->compaction_pauses_--;
    db_->work_cv_.notify_all();
  }
  db_->FinishGroup({&writer_}, Status::OK());
}

Status DBImpl::WriteRewrites(std::vector<RewriteEntry>* entries, size_t* skipped) {
  std::unique_lock<std::mutex> lock(mu_);
  WriteTurn turn(this, &lock);
  Status s = turn.status();
  if (s.ok()) s = MakeRoomForWrite(&lock, /*force=*/false);
  if (s.ok()) {
    RecordWriter* wal = wal_.get();
    MemTable* mem = mem_.get();
    lock.unlock();
    s = ApplyRewrites(*entries, wal, mem, skipped);
    lock.lock();
    if (!s.ok()) wal_broken_ = true;
  }
  return s;
}

Status DBImpl::ApplyRewrites(const std::vector<RewriteEntry>& entries, RecordWriter* wal,
                             MemTable* mem, size_t* skipped) {
  // Only this thread writes now, so the check and the write are one atomic step: a rewrite
  // goes in only if its version is still the key's newest and still points where GC found it.
  // Anything else could put an old version above a newer one or above a tombstone.
  std::shared_ptr<const View> view = CurrentView();
  std::vector<const RewriteEntry*> keep;
  for (const RewriteEntry& e : entries) {
    Found newest;
    Status s = FindNewest(*view, UserKey(e.key), kMaxVersion, &newest);
    if (!s.ok()) return s;
    ValuePointer ptr;
    bool same = newest.found && newest.version == VersionOf(e.key) &&
                ValueResolver::IsPointer(newest.vs) && DecodeValuePointer(newest.vs.value, &ptr) &&
                ptr == e.old_pointer;
    if (same) {
      keep.push_back(&e);
    } else {
      (*skipped)++;
    }
  }
  if (keep.empty()) return Status::OK();
  auto value_size = [](const RewriteEntry& e) {
    return e.codec == Compression::kNone ? e.value.size() : size_t{e.value_size};
  };
  int last_large = -1;
  for (size_t i = 0; i < keep.size(); i++) {
    if (GoesToValueLog(keep[i]->meta, value_size(*keep[i]))) last_large = static_cast<int>(i);
  }
  group_records_.resize(std::max<size_t>(group_records_.size(), 1));
  std::string& record = group_records_[0];
  record.clear();
  bool used_vlog = false;
  std::string raw;
  for (size_t i = 0; i < keep.size(); i++) {
    const RewriteEntry& e = *keep[i];
    ValueStruct vs{e.meta, e.user_meta, e.expires_at, e.value};
    if (GoesToValueLog(e.meta, value_size(e))) {
      // The value moves as stored: GC never compresses or decompresses it again.
      used_vlog = true;
      Status s = AppendLogEntry(&record, e.key, vs, StoredValue{e.value, e.codec, e.value_size},
                                static_cast<int>(i) == last_large, /*copy=*/false);
      if (!s.ok()) return s;
      continue;
    }
    // The tuned threshold now keeps this size in the tree.
    if (e.codec != Compression::kNone) {
      if (!Uncompress(e.codec, e.value, e.value_size, &raw) || raw.size() != e.value_size) {
        return Status::Corruption(VlogFileName(dir_, e.old_pointer.file_id) + ": entry at offset " +
                                  std::to_string(e.old_pointer.offset) + " does not decompress");
      }
      vs.value = raw;
    }
    AppendWalEntry(&record, e.key, vs);
  }
  return CommitRecords(1, /*sync=*/true, used_vlog, wal, mem);
}

void DBImpl::FinishGroup(const std::vector<Writer*>& group, const Status& status) {
  for (Writer* x : group) {
    writers_.pop_front();
    x->status = status;
    x->done = true;
    x->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
}

void DBImpl::Stall(std::unique_lock<std::mutex>* lock) {
  auto start = std::chrono::steady_clock::now();
  work_cv_.notify_all();
  bg_cv_.wait(*lock);
  metrics_.write_stalls++;
  metrics_.write_stall_micros +=
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
}

Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>* lock, bool force) {
  while (true) {
    if (stopping_) return Status::Aborted(dir_ + " is closing");
    if (vlog_->NeedsRotation()) {
      Status s = vlog_->Rotate();
      if (!s.ok()) return s;
      // Readers must know the new file before anything points into it.
      InstallView();
      continue;
    }
    if (options_.num_compactors > 0 && compaction_pauses_ == 0 &&
        levels_->tables(0).size() >= static_cast<size_t>(options_.num_level_zero_tables_stall)) {
      if (!compaction_error_.ok()) return compaction_error_;
      // Too many L0 tables make every read slow: wait for compaction to catch up.
      logger_->Log(LogLevel::kDebug,
                   "write stall: " + std::to_string(levels_->tables(0).size()) + " tables in L0");
      Stall(lock);
      continue;
    }
    bool full = mem_->ApproximateMemoryUsage() >= options_.memtable_size;
    // A memtable of rewrites hides their value-log garbage until it is flushed: flush it early
    // (when no other flush is waiting) once that is an eighth of a value-log file.
    full |= imms_.empty() && mem_->replaced_log_bytes() >= options_.value_log_file_size / 8;
    if (!wal_broken_ && (force ? mem_->empty() : !full)) return Status::OK();
    if (imms_.size() + 1 >= static_cast<size_t>(options_.num_memtables)) {
      if (!flush_error_.ok()) return flush_error_;
      logger_->Log(LogLevel::kDebug, "write stall: " + std::to_string(imms_.size()) +
                                         " memtables waiting to be flushed");
      Stall(lock);
      continue;
    }
    return SwitchMemTable();
  }
}

Status DBImpl::SwitchMemTable() {
  if (wal_ != nullptr || broken_wal_) {
    // The values of a memtable are fsynced when it stops taking writes: its table will point
    // at them, and the flush may come a while later. Until they are durable the log stays
    // current (a later switch tries again). The log itself is not fsynced here, which would
    // stall every writer for as long as the disk takes to write a memtable's worth of log: it
    // waits in retired_wals_ for the next synced write (which must make it durable first) or
    // for its memtable's table, which makes it needless. A power loss meanwhile may keep the
    // next log's records and lose this one's tail; recovery then stops at the tear
    // (ReplayWals), so what survives is still a prefix of the writes.
    Status synced = vlog_->SyncCommitted();
    if (!synced.ok()) {
      logger_->Log(LogLevel::kError, "syncing the value log: " + synced.ToString());
      return synced;
    }
  }
  if (wal_ != nullptr && wal_broken_) {
    broken_wal_ = BrokenWal{wal_->path(), wal_->intact_end()};
    wal_->Close().IgnoreError();
    wal_.reset();
  }
  if (broken_wal_) {
    Status cut = CutBrokenWal(broken_wal_->path, broken_wal_->intact_end);
    if (!cut.ok()) {
      logger_->Log(LogLevel::kError, "cutting " + broken_wal_->path + ": " + cut.ToString());
      return cut;
    }
    broken_wal_.reset();
  }
  uint64_t id = next_file_id_++;
  std::unique_ptr<RecordWriter> wal;
  Status s = NewWal(id, &wal);
  if (!s.ok()) return s;
  DropFlushedRetiredWals();
  if (wal_ != nullptr) retired_wals_.push_back(RetiredWal{mem_->wal_id(), std::move(wal_)});
  wal_ = std::move(wal);
  wal_broken_ = false;
  // Even an empty memtable goes through the flusher, which records its log as flushed.
  imms_.insert(imms_.begin(), mem_);
  mem_ = NewMemTable(id);
  InstallView();
  work_cv_.notify_all();
  return Status::OK();
}

Status DBImpl::RotateValueLog() {
  std::unique_lock<std::mutex> lock(mu_);
  WriteTurn turn(this, &lock);  // Nothing is being appended meanwhile.
  Status s = turn.status();
  if (s.ok()) s = vlog_->Rotate();
  if (s.ok()) InstallView();
  return s;
}

Status DBImpl::Sync() {
  if (options_.read_only) return Status::OK();
  std::unique_lock<std::mutex> lock(mu_);
  WriteTurn turn(this, &lock);  // No group is half written while it syncs.
  if (!turn.status().ok()) return turn.status();
  Status s = vlog_->Commit();
  std::future<Status> vlog_synced;
  if (s.ok()) vlog_synced = StartValueLogSync();
  if (s.ok()) s = SyncRetiredWals();
  if (s.ok() && !wal_broken_) s = wal_->Sync();
  return JoinValueLogSync(&vlog_synced, s);
}

Status DBImpl::CutBrokenWal(const std::string& path, uint64_t intact_end) {
  // A failed append may have left part of a record at the end: cut there and fsync, so that
  // recovery does not take the tail for one a power loss tore and drop the logs after it.
  Status s = env_->TruncateFile(path, intact_end);
  std::unique_ptr<RecordWriter> reopened;
  if (s.ok()) s = RecordWriter::OpenForAppend(env_, path, &reopened);  // Fsyncs it.
  if (s.ok()) s = reopened->Close();
  return s;
}

Status DBImpl::SyncRetiredWals() {
  DropFlushedRetiredWals();
  while (!retired_wals_.empty()) {
    RetiredWal& oldest = retired_wals_.front();
    Status s = oldest.broken ? Status::IOError(oldest.writer->path() +
                                               ": an earlier fsync failed; writes become "
                                               "durable again once its memtable is flushed")
                             : oldest.writer->Sync();
    if (!s.ok()) {
      // What the OS kept of it after a failed fsync is unknown: a second fsync that succeeds
      // proves nothing.
      oldest.broken = true;
      return s;
    }
    Status close = oldest.writer->Close();
    if (!close.ok()) logger_->Log(LogLevel::kWarning, close.ToString());
    retired_wals_.pop_front();
  }
  return Status::OK();
}

void DBImpl::DropFlushedRetiredWals() {
  uint64_t flushed = flushed_wal_id_.load(std::memory_order_acquire);
  while (!retired_wals_.empty() && retired_wals_.front().id <= flushed) {
    retired_wals_.front().writer->Close().IgnoreError();  // Its file is gone or going.
    retired_wals_.pop_front();
  }
}

Status DBImpl::Flush() {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  std::unique_lock<std::mutex> lock(mu_);
  Status s;
  {
    WriteTurn turn(this, &lock);  // To switch the memtable.
    s = turn.status();
    if (s.ok()) s = MakeRoomForWrite(&lock, /*force=*/true);
  }
  if (!s.ok()) return s;
  if (imms_.empty()) return Status::OK();
  uint64_t target = imms_.front()->wal_id();
  work_cv_.notify_all();
  bg_cv_.wait(lock, [&] {
    return imms_.empty() || imms_.back()->wal_id() > target || !flush_error_.ok() || stopping_;
  });
  if (imms_.empty() || imms_.back()->wal_id() > target) return Status::OK();
  return flush_error_.ok() ? Status::Aborted(dir_ + " is closing") : flush_error_;
}

}  // namespace sett
