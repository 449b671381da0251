// DBImpl: opening, recovery, closing and introspection. The write path is in
// db_impl_write.cc, reads in db_impl_read.cc, flushes and compactions in
// db_impl_background.cc.

#include "db/db_impl.h"

#include <algorithm>
#include <set>

#include "memtable/wal.h"
#include "util/file_names.h"
#include "vlog/vlog_format.h"

namespace sett {
namespace {

Status ValidateOptions(const Options& o) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("option " + what); };
  if (o.dir.empty() && !o.in_memory) return bad("dir is empty");
  if (o.in_memory && o.read_only) return bad("read_only makes no sense in_memory");
  if (o.memtable_size < (64 << 10)) return bad("memtable_size must be at least 64 KiB");
  if (o.num_memtables < 2) return bad("num_memtables must be at least 2");
  if (o.block_size < 256 || o.block_size > (64 << 20)) {
    return bad("block_size must be between 256 B and 64 MiB");
  }
  if (o.bloom_bits_per_key < 0 || o.bloom_bits_per_key > 64) {
    return bad("bloom_bits_per_key must be between 0 and 64");
  }
  if (static_cast<uint8_t>(o.compression) > static_cast<uint8_t>(Compression::kZstd) ||
      static_cast<uint8_t>(o.value_compression) > static_cast<uint8_t>(Compression::kZstd)) {
    return bad("compression or value_compression is unknown");
  }
  if (o.value_zstd_level < 1 || o.value_zstd_level > 19) {
    return bad("value_zstd_level must be between 1 and 19");
  }
  if (o.max_levels < 2 || o.max_levels > 16) return bad("max_levels must be between 2 and 16");
  if (o.base_level_size < 1 || o.base_table_size < 1) {
    return bad("base_level_size and base_table_size must be positive");
  }
  if (o.level_size_multiplier < 2 || o.table_size_multiplier < 1) {
    return bad("level_size_multiplier must be at least 2, table_size_multiplier at least 1");
  }
  if (o.num_level_zero_tables < 1 || o.num_level_zero_tables_stall <= o.num_level_zero_tables) {
    return bad("num_level_zero_tables_stall must exceed num_level_zero_tables (>= 1)");
  }
  if (o.num_compactors < 0 || o.num_compactors > 64) {
    return bad("num_compactors must be between 0 and 64");
  }
  if (o.num_versions_to_keep < 1) return bad("num_versions_to_keep must be at least 1");
  auto ratio_ok = [](double r) { return r > 0 && r <= 1; };
  if (!ratio_ok(o.value_log_gc_discard_ratio) || !ratio_ok(o.value_log_gc_quiet_discard_ratio)) {
    return bad("value_log_gc_discard_ratio and value_log_gc_quiet_discard_ratio must be in (0, 1]");
  }
  return Status::OK();
}

}  // namespace

Status DB::Open(const Options& options, std::unique_ptr<DB>* db) {
  db->reset();
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  auto impl = std::make_unique<DBImpl>(options);
  s = impl->Recover();
  if (!s.ok()) return s;
  *db = std::move(impl);
  return Status::OK();
}

Status DB::RotateEncryptionKey(const std::string& dir, const std::string& old_key,
                               const std::string& new_key, Env* env) {
  if (env == nullptr) env = Env::Default();
  if (!env->FileExists(KeyRegistry::FileName(dir))) {
    return Status::InvalidArgument(dir + " is not an encrypted database (no KEYREGISTRY)");
  }
  std::unique_ptr<FileLock> lock;
  Status s = env->LockFile(LockFileName(dir), /*shared=*/false, &lock);
  if (!s.ok()) return s;
  s = KeyRegistry::Rewrap(env, dir, old_key, new_key);
  Status unlocked = env->UnlockFile(std::move(lock));
  return s.ok() ? unlocked : s;
}

Status DB::Put(const WriteOptions& options, std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.Put(key, value);
  return Write(options, batch);
}

Status DB::Delete(const WriteOptions& options, std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, batch);
}

Status DB::View(const std::function<Status(Txn*)>& fn) {
  std::unique_ptr<Txn> txn = NewTransaction(false);
  Status s = fn(txn.get());
  txn->Discard();
  return s;
}

Status DB::Update(const std::function<Status(Txn*)>& fn) {
  std::unique_ptr<Txn> txn = NewTransaction(true);
  Status s = fn(txn.get());
  if (!s.ok()) {
    txn->Discard();
    return s;
  }
  return txn->Commit();
}

DBImpl::DBImpl(const Options& options)
    : options_(options),
      owned_env_(options.in_memory ? NewMemEnv() : nullptr),
      env_(owned_env_ != nullptr    ? owned_env_.get()
           : options.env != nullptr ? options.env
                                    : Env::Default()),
      logger_(options.logger != nullptr ? options.logger : StderrLogger()),
      dir_(options.dir.empty() ? "/sett-in-memory" : options.dir),
      merges_(options.merge_function),
      picker_(options),
      value_threshold_(options),
      snapshots_(std::make_shared<SnapshotList>()) {
  table_options_.block_size = options.block_size;
  table_options_.bloom_bits_per_key = options.bloom_bits_per_key;
  table_options_.compression = options.compression;
  table_options_.zstd_level = options.zstd_level;
  if (options.block_cache_size > 0 || options.index_cache_size > 0) {
    cache_ = std::make_unique<BlockCache>(options.block_cache_size, options.index_cache_size);
  }
}

DBImpl::~DBImpl() {
  bool open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    open = opened_ && !closed_;
  }
  if (open) {
    Status s = Close();
    if (!s.ok()) logger_->Log(LogLevel::kError, "closing " + dir_ + ": " + s.ToString());
  }
  // A failed Recover may have left threads or the lock behind.
  stopping_ = true;
  work_cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (lock_ != nullptr) {
    Status s = env_->UnlockFile(std::move(lock_));
    if (!s.ok()) logger_->Log(LogLevel::kWarning, "unlocking " + dir_ + ": " + s.ToString());
  }
}

Status DBImpl::LockDir() {
  if (options_.read_only) {
    if (!env_->FileExists(dir_)) return Status::InvalidArgument(dir_ + " does not exist");
  } else if (options_.create_if_missing) {
    Status s = env_->CreateDirIfMissing(dir_);
    if (!s.ok()) return s;
  } else if (!env_->FileExists(dir_)) {
    return Status::InvalidArgument(dir_ + " does not exist (create_if_missing is off)");
  }
  return env_->LockFile(LockFileName(dir_), options_.read_only, &lock_);
}

Status DBImpl::ListFiles(DirListing* listing) {
  std::vector<std::string> names;
  Status s = env_->GetChildren(dir_, &names);
  if (!s.ok()) return s;
  for (const std::string& name : names) {
    uint64_t id;
    FileType type = ParseFileName(name, &id);
    if (type == FileType::kTable) listing->table_ids.push_back(id);
    if (type == FileType::kWal) listing->wal_ids.push_back(id);
    if (type == FileType::kTable || type == FileType::kWal) {
      listing->max_id = std::max(listing->max_id, id);
    }
  }
  std::sort(listing->wal_ids.begin(), listing->wal_ids.end());
  bool exists = env_->FileExists(ManifestFileName(dir_));
  if (exists && options_.error_if_exists) {
    return Status::InvalidArgument(dir_ + " already holds a database (error_if_exists is set)");
  }
  if (!exists && (!listing->table_ids.empty() || !listing->wal_ids.empty())) {
    return Status::Corruption(ManifestFileName(dir_) + " is missing, but the directory holds " +
                              std::to_string(listing->table_ids.size()) + " table and " +
                              std::to_string(listing->wal_ids.size()) + " log files");
  }
  if (!exists && !options_.create_if_missing) {
    return Status::InvalidArgument(dir_ + " holds no database (create_if_missing is off)");
  }
  return Status::OK();
}

uint64_t DBImpl::RecoveredVersion() const {
  // Version 1 stands for the empty DB, so that a snapshot taken before the first write reads
  // at a real timestamp (0 means "the latest" to reads) and sees nothing.
  uint64_t last_version = std::max<uint64_t>(1, manifest_->state().last_version);
  for (int level = 0; level < levels_->num_levels(); level++) {
    for (const auto& t : levels_->tables(level)) {
      last_version = std::max(last_version, t->properties().max_version);
    }
  }
  for (const auto& imm : imms_) last_version = std::max(last_version, imm->max_version());
  // A snapshot's writes were made durable before it was recorded; this only makes sure that
  // no version inside a snapshot is ever handed out again.
  return std::max(last_version, named_snapshots_->NewestReadTs());
}

void DBImpl::StartBackgroundThreads() {
  threads_.emplace_back([this] { FlusherLoop(); });
  for (int i = 0; i < options_.num_compactors; i++) {
    threads_.emplace_back([this] { CompactorLoop(); });
  }
  if (options_.value_log_gc_interval_seconds > 0) threads_.emplace_back([this] { GCLoop(); });
}

Status DBImpl::OpenEncryption() {
  const bool encrypted = env_->FileExists(KeyRegistry::FileName(dir_));
  const bool exists = env_->FileExists(ManifestFileName(dir_));
  if (options_.encryption_key.empty()) {
    if (!encrypted) return Status::OK();
    return Status::InvalidArgument(dir_ +
                                   " is encrypted: open it with its key "
                                   "(Options::encryption_key)");
  }
  if (exists && !encrypted) {
    return Status::InvalidArgument(dir_ +
                                   " is not encrypted: open it without a key "
                                   "(Options::encryption_key), or copy it into an "
                                   "encrypted DB with `sett stream`");
  }
  Status s = KeyRegistry::Open(env_, dir_, options_.encryption_key,
                               options_.encryption_key_rotation_seconds,
                               /*create=*/!exists && !options_.read_only, &encryption_);
  if (!s.ok()) return s;
  table_options_.cipher.keys = encryption_.get();
  return Status::OK();
}

Status DBImpl::Recover() {
  DirListing listing;
  Status s = LockDir();
  if (s.ok()) s = ListFiles(&listing);
  if (s.ok()) s = OpenEncryption();
  if (s.ok()) {
    s = Manifest::Open(env_, dir_, options_.read_only, options_.create_if_missing,
                       options_.max_levels, logger_, &manifest_);
  }
  if (s.ok()) s = OpenTables();
  if (!s.ok()) return s;
  next_file_id_ = std::max(manifest_->state().next_file_id, listing.max_id + 1);
  vlog_ = std::make_unique<ValueLog>(env_, dir_, options_.value_log_file_size, logger_,
                                     options_.value_log_mmap);
  vlog_->set_encryption(encryption_.get());
  s = vlog_->Open(options_.read_only, manifest_->state().vlog_checkpoint);
  if (!s.ok()) return s;
  discard_ = std::make_unique<DiscardStats>(env_, dir_, logger_);
  discard_->Load();
  // Before anything flushes or compacts: what the named snapshots read must stay.
  named_snapshots_ = std::make_unique<SnapshotRegistry>(env_, dir_, snapshots_);
  s = named_snapshots_->Load();
  if (!s.ok()) return s;
  bans_ = std::make_unique<NamespaceBans>(env_, dir_);
  s = bans_->Load();
  if (!s.ok()) return s;
  if (!options_.read_only) {
    RemoveObsoleteFiles(listing.table_ids, listing.wal_ids);
    s = discard_->Retain(vlog_->FileIds());
    if (!s.ok()) return s;
  }
  s = ReplayWals(listing.wal_ids);
  if (!s.ok()) return s;
  flushed_wal_id_.store(manifest_->state().flushed_wal_id, std::memory_order_release);

  const uint64_t last_version = RecoveredVersion();
  visible_version_.store(last_version, std::memory_order_release);
  oracle_ = std::make_unique<Oracle>(options_.detect_conflicts, snapshots_.get());
  oracle_->Init(last_version);
  if (options_.read_only) {
    mem_ = NewMemTable(0);
  } else {
    uint64_t id = next_file_id_++;
    s = NewWal(id, &wal_);
    if (!s.ok()) return s;
    mem_ = NewMemTable(id);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    InstallView();
  }
  if (!options_.read_only) StartBackgroundThreads();
  logger_->Log(LogLevel::kInfo, "opened " + dir_ + " at version " + std::to_string(last_version));
  std::lock_guard<std::mutex> lock(mu_);
  opened_ = true;
  return Status::OK();
}

Status DBImpl::OpenTables() {
  std::vector<std::pair<std::shared_ptr<Table>, int>> tables;
  for (const auto& [id, level] : manifest_->state().tables) {
    std::string path = TableFileName(dir_, id);
    if (!env_->FileExists(path)) {
      return Status::Corruption(path + " is listed in " + ManifestFileName(dir_) + " at L" +
                                std::to_string(level) + " but missing");
    }
    std::shared_ptr<Table> table;
    Status s =
        Table::Open(env_, path, id, cache_.get(), options_.table_mmap, &table, encryption_.get());
    if (!s.ok()) return s;
    tables.emplace_back(std::move(table), level);
  }
  levels_ = LevelState(options_.max_levels).Apply(tables, {});
  std::string problem = levels_->CheckInvariants();
  if (!problem.empty()) return Status::Corruption(ManifestFileName(dir_) + ": " + problem);
  return Status::OK();
}

void DBImpl::RemoveObsoleteFiles(const std::vector<uint64_t>& table_ids,
                                 const std::vector<uint64_t>& wal_ids) {
  const ManifestState& state = manifest_->state();
  auto remove = [&](const std::string& path, const char* why) {
    Status s = env_->RemoveFile(path);
    logger_->Log(s.ok() ? LogLevel::kInfo : LogLevel::kWarning,
                 "removing " + path + " (" + why + "): " + s.ToString());
  };
  for (uint64_t id : table_ids) {
    if (state.tables.count(id) == 0) {
      remove(TableFileName(dir_, id), "a table no level holds, left by a crash");
    }
  }
  for (uint64_t id : wal_ids) {
    if (id <= state.flushed_wal_id) remove(WalFileName(dir_, id), "a log already in tables");
  }
}

Status DBImpl::ReplayWals(const std::vector<uint64_t>& wal_ids) {
  for (size_t i = 0; i < wal_ids.size(); i++) {
    uint64_t id = wal_ids[i];
    if (id <= manifest_->state().flushed_wal_id) continue;
    auto mem = NewMemTable(id);
    WalReplayStats stats;
    std::string missing;  // The last pointer found dangling, for the error.
    auto value_present = [this, &missing](std::string_view key, std::string_view value) {
      if (HasWalCopy(value)) return HoldsCopiedValue(key, value);
      ValueStruct vs;
      ValuePointer ptr;
      if (!DecodeValueStruct(value, &vs) || !ValueResolver::IsPointer(vs)) return true;
      // A value-log file below the head that is gone was collected by GC, which keeps every
      // value still live: this record's value was dead (shadowed) and is never read.
      if (DecodeValuePointer(vs.value, &ptr) &&
          (vlog_->Contains(ptr) || vlog_->WasCollected(ptr.file_id))) {
        return true;
      }
      missing = VlogFileName(dir_, ptr.file_id) + " has no " + std::to_string(ptr.length) +
                "-byte entry at offset " + std::to_string(ptr.offset) + " (intact size " +
                std::to_string(vlog_->FileSize(ptr.file_id)) + ")";
      return false;
    };
    // Only the last log is cut at a tear here; an earlier one, after the logs that follow it
    // are gone (DropLogsAfterTear).
    const bool last = i + 1 == wal_ids.size();
    Status s =
        ReplayWal(env_, WalFileName(dir_, id), options_.wal_recovery, options_.read_only || !last,
                  logger_, value_present, mem.get(), &stats, encryption_.get(), id);
    if (s.IsCorruption() && !missing.empty()) s = Status::Corruption(s.message() + ": " + missing);
    if (!s.ok()) return s;
    logger_->Log(LogLevel::kInfo, "replayed " + WalFileName(dir_, id) + ": " +
                                      std::to_string(stats.records) + " batches, " +
                                      std::to_string(stats.entries) + " entries");
    imms_.insert(imms_.begin(), std::move(mem));
    if (stats.torn_tail && !last) {
      return DropLogsAfterTear(WalFileName(dir_, id), stats.intact_end,
                               {wal_ids.begin() + i + 1, wal_ids.end()});
    }
  }
  return Status::OK();
}

Status DBImpl::DropLogsAfterTear(const std::string& torn, uint64_t intact_end,
                                 const std::vector<uint64_t>& later_ids) {
  // A log retired by a memtable switch is fsynced only by the next synced write (or made
  // needless by its flush), so a power loss can tear it while a later log reached the disk
  // whole. Those later records were never synced (a synced write fsyncs every earlier log
  // first): dropping them keeps what the database holds a prefix of what was written. They
  // go before the torn log is cut: cut first, a crash in between would leave a whole log
  // followed by logs that no longer continue it.
  for (uint64_t later : later_ids) {
    std::string path = WalFileName(dir_, later);
    logger_->Log(LogLevel::kWarning, torn + " ends torn at offset " + std::to_string(intact_end) +
                                         ": dropping the later, unsynced " + path);
    if (options_.read_only) continue;
    Status s = env_->RemoveFile(path);
    if (!s.ok()) return s;
  }
  if (options_.read_only) return Status::OK();
  Status s = env_->SyncDir(dir_);
  return s.ok() ? env_->TruncateFile(torn, intact_end) : s;
}

bool DBImpl::HoldsCopiedValue(std::string_view internal_key, std::string_view wal_value) const {
  ValueStruct vs;
  std::string_view copy;
  ValuePointer ptr;
  if (!SplitWalCopy(wal_value, &vs, &copy) || !DecodeValuePointer(vs.value, &ptr) ||
      !vlog_->Contains(ptr)) {
    return false;
  }
  std::shared_ptr<const VlogSet> files = vlog_->files();
  auto it = files->find(ptr.file_id);
  std::string stored;
  return it != files->end() && it->second->Read(ptr, internal_key, &stored).ok() && stored == copy;
}

std::shared_ptr<MemTable> DBImpl::NewMemTable(uint64_t wal_id) const {
  size_t block = std::clamp<size_t>(options_.memtable_size / 16, 4 << 10, Arena::kDefaultBlockSize);
  return std::make_shared<MemTable>(wal_id, block);
}

Status DBImpl::NewWal(uint64_t id, std::unique_ptr<RecordWriter>* wal) {
  std::string path = WalFileName(dir_, id);
  Status s = RecordWriter::Create(env_, path, kWalFileMagic, kWalFormatVersion, wal);
  if (s.ok()) s = (*wal)->Flush();
  // The log's directory entry must be durable before a synced write in it is acknowledged.
  if (s.ok()) s = env_->SyncDir(dir_);
  if (!s.ok()) {
    wal->reset();
    env_->RemoveFile(path).IgnoreError();  // Cleanup after the failure that is returned.
  }
  return s;
}

Status DBImpl::Close() {
  Status result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Aborted(dir_ + " is already closed");
    if (load_turn_ != nullptr) {
      return Status::Busy(dir_ + ": a stream writer is loading it: finish or destroy it first");
    }
  }
  async_committer_.Stop();
  if (!options_.read_only) result = Flush();
  subscriptions_.CancelAll();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    stopping_ = true;
  }
  work_cv_.notify_all();
  bg_cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  for (RetiredWal& retired : retired_wals_) retired.writer->Close().IgnoreError();
  retired_wals_.clear();
  if (wal_ != nullptr) {
    Status s = wal_->Close();
    if (result.ok()) result = s;
    wal_.reset();
    // After a clean flush the last log holds nothing: leave no file to replay.
    if (result.ok() && mem_->empty()) result = env_->RemoveFile(WalFileName(dir_, mem_->wal_id()));
  }
  if (vlog_ != nullptr && !options_.read_only) {
    // Record how much of the head is whole, so that the next open need not scan it all.
    VlogCheckpoint checkpoint;
    Status s = vlog_->Close(&checkpoint);
    if (s.ok() && checkpoint.file_id != 0) {
      ManifestEdit edit;
      edit.vlog_checkpoint = checkpoint;
      s = manifest_->Append(edit);
    }
    if (result.ok()) result = s;
  }
  {
    std::lock_guard<std::mutex> pool_lock(pool_mu_);
    prefetch_pool_.reset();
  }
  if (manifest_ != nullptr) {
    Status s = manifest_->Close();
    if (result.ok()) result = s;
  }
  {
    std::lock_guard<std::mutex> view_lock(view_mu_);
    view_.reset();
  }
  Status s = env_->UnlockFile(std::move(lock_));
  if (result.ok()) result = s;
  return result;
}

std::shared_ptr<const DBImpl::View> DBImpl::CurrentView() const {
  std::lock_guard<std::mutex> lock(view_mu_);
  return view_;
}

void DBImpl::InstallView() {
  auto view = std::make_shared<View>();
  view->mem = mem_;
  view->imms = imms_;
  view->levels = levels_;
  view->vlogs = vlog_->files();
  std::lock_guard<std::mutex> lock(view_mu_);
  view_ = std::move(view);
}

DBInfo DBImpl::Info() {
  DBInfo info;
  std::lock_guard<std::mutex> lock(mu_);
  info.latest_version = visible_version_.load(std::memory_order_acquire);
  info.manifest_size = manifest_ != nullptr ? manifest_->file_size() : 0;
  env_->GetFreeSpace(dir_, &info.free_bytes).IgnoreError();  // Stays 0: unknown.
  if (levels_ == nullptr) return info;
  LevelTargets targets = ComputeTargets(*levels_, options_);
  std::vector<double> scores = picker_.Scores(*levels_, targets);
  for (int level = 0; level < levels_->num_levels(); level++) {
    LevelInfo li;
    li.level = level;
    li.num_tables = static_cast<int>(levels_->tables(level).size());
    li.size = levels_->LevelSize(level);
    li.target_size = targets.target_size[level];
    li.score = scores[level];
    li.is_base = level == targets.base_level;
    info.levels.push_back(li);
    for (const auto& t : levels_->tables(level)) {
      TableInfo ti;
      ti.id = t->id();
      ti.level = level;
      ti.file_size = t->file_size();
      ti.num_entries = t->properties().num_entries;
      ti.num_deletes = t->properties().num_deletes;
      ti.smallest_key = std::string(t->smallest_user_key());
      ti.largest_key = std::string(t->largest_user_key());
      ti.min_version = t->properties().min_version;
      ti.max_version = t->properties().max_version;
      info.tables.push_back(std::move(ti));
    }
  }
  auto describe = [&](const std::shared_ptr<MemTable>& mem, bool is_mutable) {
    MemTableInfo mi;
    mi.wal_id = mem->wal_id();
    mi.memory = mem->MemoryReserved();
    mi.num_entries = mem->num_entries();
    mi.is_mutable = is_mutable;
    if (mi.wal_id != 0) {
      // A size that cannot be read shows as 0; Info reports, it does not fail.
      env_->GetFileSize(WalFileName(dir_, mi.wal_id), &mi.wal_size).IgnoreError();
    }
    info.memtables.push_back(mi);
  };
  if (mem_ != nullptr && !options_.read_only) describe(mem_, true);
  for (const auto& imm : imms_) describe(imm, false);
  if (vlog_ != nullptr) {
    for (uint32_t id : vlog_->FileIds()) {
      ValueLogFileInfo vi;
      vi.id = id;
      vi.size = vlog_->FileSize(id);
      vi.discard_bytes = discard_->Get(id);
      vi.discard_ratio = vi.size > 0 ? static_cast<double>(vi.discard_bytes) / vi.size : 0;
      vi.is_head = !options_.read_only && id == vlog_->head_id();
      info.value_log_files.push_back(vi);
    }
  }
  return info;
}

Status DBImpl::VerifyChecksums(const VerifyProgress& progress) {
  auto report = [&](std::string_view phase, uint64_t done, uint64_t total) {
    if (progress) progress(phase, done, total);
  };
  std::shared_ptr<const View> view = CurrentView();
  if (view == nullptr) return Status::Aborted(dir_ + " is closed");
  std::string problem = view->levels->CheckInvariants();
  if (!problem.empty()) return Status::Corruption(dir_ + ": " + problem);
  uint64_t table_bytes = 0, verified = 0;
  for (int level = 0; level < view->levels->num_levels(); level++) {
    for (const auto& t : view->levels->tables(level)) table_bytes += t->file_size();
  }
  report("tables", 0, table_bytes);
  for (int level = 0; level < view->levels->num_levels(); level++) {
    for (const auto& t : view->levels->tables(level)) {
      Status s = t->Verify();
      if (!s.ok()) return s;
      report("tables", verified += t->file_size(), table_bytes);
    }
  }
  Status s = VerifyValueLog(progress);
  if (!s.ok()) return s;
  // Every live value, through the pointers that lead to it.
  constexpr uint64_t kValuesPerReport = 4096;
  uint64_t values = 0;
  std::unique_ptr<Iterator> it = NewIterator(ReadOptions());
  for (it->Rewind(); it->Valid(); it->Next()) {
    if (++values % kValuesPerReport == 0) report("live values", values, 0);
  }
  report("live values", values, 0);
  return it->status();
}

Status DBImpl::VerifyValueLog(const VerifyProgress& progress) {
  constexpr uint64_t kBytesPerReport = 4 << 20;
  std::shared_ptr<const VlogSet> files = vlog_->files();
  uint64_t total = 0, before = 0;  // Bytes in every file, and in those already scanned.
  for (const auto& [id, file] : *files) total += vlog_->FileSize(id);
  if (progress) progress("value log", 0, total);
  for (const auto& [id, file] : *files) {
    VlogScanner scanner(*file, vlog_->FileSize(id));
    VlogEntry entry;
    uint64_t offset, reported = 0;
    while (scanner.Next(&entry, &offset)) {
      if (progress && offset - reported >= kBytesPerReport) {
        reported = offset;
        progress("value log", before + offset, total);
      }
    }
    if (!scanner.status().ok()) return scanner.status();
    if (scanner.damaged()) {
      return Status::Corruption(file->path() + ": damaged entry at offset " +
                                std::to_string(scanner.position()));
    }
    before += vlog_->FileSize(id);
    if (progress) progress("value log", before, total);
  }
  return Status::OK();
}

}  // namespace sett
