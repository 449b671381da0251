// DBImpl is the engine behind sett::DB.
//
// Writes. Writers queue; the one at the front becomes the leader, takes the writers behind it
// as one group (group commit), gives each batch the next version, appends one WAL record per
// batch, flushes (and, if any writer asked, fsyncs) the WAL once, inserts the entries into the
// memtable and publishes the group's last version to readers. Only the leader touches the WAL
// and the mutable memtable, so the skiplist has one writer; the mutex is not held during I/O.
//
// Background. One flusher writes immutable memtables out as L0 tables, oldest first; the
// compactor threads run what the CompactionPicker chooses. Both record their results in the
// MANIFEST and then swap in a new View, so readers never wait for them.
//
// Values. A value of at least the threshold (value_threshold_tuner.h) goes to the value log
// (vlog/), and the tree keeps a pointer; the leader commits the value log before the WAL records
// that point into it. Value-log GC copies live values to the head of the log under their original
// versions (db_impl_gc.cc).
//
// Reads. A View is the mutable memtable, the immutable ones, the LevelState and the value-log
// files at one moment; readers take a reference and search it without locks: memtables newest
// first, then L0 newest first, then one table per level, each behind its key range and bloom
// filter. Because GC puts old versions into new memtables, the newest version at or below the
// read timestamp is the largest found in any source; a source whose newest version cannot beat
// what was found is skipped without a lookup, which in the common case is every source after
// the first hit.
//
// Lock order: mu_, then view_mu_. Never hold mu_ across table or WAL I/O, except MANIFEST
// appends and the creation of a new WAL or value-log file, which are rare and short.

#ifndef SETT_DB_DB_IMPL_H_
#define SETT_DB_DB_IMPL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "db/async_committer.h"
#include "db/merge_registry.h"
#include "db/metrics_counters.h"
#include "db/namespace_bans.h"
#include "db/snapshot_registry.h"
#include "db/subscriptions.h"
#include "db/value_resolver.h"
#include "lsm/compaction.h"
#include "lsm/compaction_picker.h"
#include "lsm/level_state.h"
#include "lsm/manifest.h"
#include "lsm/table_file_builder.h"
#include "lsm/version_filter.h"
#include "memtable/memtable.h"
#include "sett/db.h"
#include "sett/env.h"
#include "sett/logger.h"
#include "table/block_cache.h"
#include "table/table_builder.h"
#include "txn/oracle.h"
#include "txn/snapshot_list.h"
#include "txn/txn_impl.h"
#include "util/key_registry.h"
#include "util/record_file.h"
#include "util/thread_pool.h"
#include "vlog/discard_stats.h"
#include "vlog/value_log.h"
#include "vlog/value_threshold_tuner.h"

namespace sett {

class DBImpl : public DB, public TxnHost {
 public:
  explicit DBImpl(const Options& options);
  ~DBImpl() override;

  // Opens or creates the files of the DB; called once, by DB::Open.
  Status Recover();

  Status Close() override;
  Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  Status Get(const ReadOptions& options, std::string_view key, std::string* value,
             uint64_t* version) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  std::unique_ptr<Snapshot> GetSnapshot() override;
  Status CreateSnapshot(std::string_view name, SnapshotInfo* info, std::string_view id) override;
  Status DeleteSnapshot(std::string_view name) override;
  std::vector<SnapshotInfo> ListSnapshots() override;
  Status FindSnapshot(std::string_view name, SnapshotInfo* info) override;
  std::unique_ptr<Txn> NewTransactionAtSnapshot(std::string_view name) override;
  std::vector<std::string> KeySplits(std::string_view prefix) override;
  Status EstimateSize(std::string_view prefix, uint64_t* bytes) override;
  Status BanNamespace(uint64_t ns) override;
  std::vector<uint64_t> BannedNamespaces() override;
  Status GetMergeOperator(std::string_view key, MergeFunction fn,
                          std::chrono::milliseconds interval,
                          std::unique_ptr<MergeOperator>* op) override;
  std::unique_ptr<Txn> NewTransaction(bool update) override;
  std::unique_ptr<Txn> NewTransactionAt(uint64_t read_ts, bool update) override;
  void SetDiscardTs(uint64_t discard_ts) override;
  Status GetSequence(std::string_view key, uint64_t bandwidth,
                     std::unique_ptr<Sequence>* sequence) override;
  Status DropAll() override;
  Status DropPrefix(const std::vector<std::string>& prefixes) override;
  std::unique_ptr<Subscription> Subscribe(std::vector<std::string> prefixes,
                                          SubscribeCallback callback) override;
  Status Stream(const StreamOptions& options, const StreamCallback& callback) override;
  Status NewStreamWriter(std::unique_ptr<StreamWriter>* writer) override;
  Status Backup(std::ostream& out, uint64_t since_ts, uint64_t* backup_ts) override;
  Status Load(std::istream& in) override;
  Metrics GetMetrics() const override;

  // TxnHost.
  Status TxnGet(uint64_t read_ts, std::string_view key, Item* item) override;
  std::unique_ptr<Iterator> TxnIterator(const ReadOptions& options, uint64_t read_ts,
                                        IteratorFactory pending) override;
  Status TxnCommit(const WriteBatch& batch, uint64_t read_ts, const std::vector<uint64_t>& reads,
                   uint64_t commit_ts, bool sync) override;
  void TxnCommitAsync(std::unique_ptr<WriteBatch> batch, uint64_t read_ts,
                      std::vector<uint64_t> reads, bool sync,
                      std::function<void(const Status&)> callback) override;
  size_t MaxTxnBytes() const override;
  uint64_t NowSeconds() const override { return env_->NowMicros() / 1000000; }
  const Options& options() const override { return options_; }
  bool MergeFunctionFor(std::string_view key, MergeFunction* fn) const override {
    return merges_.For(key, fn);
  }
  size_t ValueThreshold() const override { return value_threshold_.threshold(); }
  uint64_t LatestVersion() const override {
    return visible_version_.load(std::memory_order_acquire);
  }
  Status Sync() override;
  Status Flush() override;
  Status Compact() override;
  Status Flatten(int workers) override;
  Status RunValueLogGC(double discard_ratio, ValueLogGCStats* stats) override;
  using DB::VerifyChecksums;
  Status VerifyChecksums(const VerifyProgress& progress) override;
  // Scans every value-log file's entries up to its intact size.
  Status VerifyValueLog(const VerifyProgress& progress);
  DBInfo Info() override;

 private:
  struct View {
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imms;  // Newest first.
    std::shared_ptr<const LevelState> levels;
    std::shared_ptr<const VlogSet> vlogs;
  };
  // The newest version of a key at or below a read timestamp, as FindNewest finds it: the raw
  // value struct, pointing into the memtable or into `storage`.
  struct Found {
    bool found = false;
    uint64_t version = 0;
    ValueStruct vs;
    bool from_table = false;  // vs points into storage, else into a memtable.
    std::string storage;
  };
  // A live value that value-log GC copies to the head of the log, under its own version.
  struct RewriteEntry {
    std::string key;  // Internal key.
    std::string value;
    uint8_t meta = 0;
    uint8_t user_meta = 0;
    uint64_t expires_at = 0;
    ValuePointer old_pointer;
    Compression codec = Compression::kNone;  // value is stored compressed with it
    uint32_t value_size = 0;                 // before compression, when compressed
  };
  // A value as the value log stores it: as given, or compressed (value_size is then the
  // size before compression).
  struct StoredValue {
    std::string_view bytes;
    Compression codec = Compression::kNone;
    uint32_t value_size = 0;
  };
  enum class Liveness { kLive, kDead, kPinned };
  // A place in the writer queue: a batch of writes, or none - a WriteTurn.
  struct Writer {
    uint64_t version = 0;                                   // Stamped by the oracle.
    const WriteBatch* batch = nullptr;                      // Null for a WriteTurn.
    const std::vector<uint64_t>* entry_versions = nullptr;  // Load: a version per entry.
    bool sync = false;
    bool done = false;
    Status status;
    std::condition_variable cv;
    // With value compression, each entry's value compressed for the log by the writer's own
    // thread (PrepareValues), so that groups compress in parallel rather than in the leader;
    // empty where it was not compressed. Sized only once prepared.
    std::vector<std::string> compressed;
  };
  // A turn at the front of the writer queue for work other than a batch (syncs, flushes,
  // value-log rotation, GC's rewrites, drops): the writers behind it wait until it ends, and
  // only its holder touches the WAL and the mutable memtable meanwhile. With
  // kPauseCompactions, background compactions start nothing new until it ends.
  class WriteTurn {
   public:
    enum Mode { kWritesOnly, kPauseCompactions };
    // Waits for the turn. REQUIRES: *lock holds mu_, also when the turn ends (destruction).
    WriteTurn(DBImpl* db, std::unique_lock<std::mutex>* lock, Mode mode = kWritesOnly);
    ~WriteTurn();
    WriteTurn(const WriteTurn&) = delete;
    WriteTurn& operator=(const WriteTurn&) = delete;
    // Aborted when the DB was closed (no turn was taken), else OK.
    const Status& status() const { return status_; }

   private:
    DBImpl* const db_;
    const Mode mode_;
    Writer writer_;
    Status status_;
  };

  std::shared_ptr<const View> CurrentView() const;
  void InstallView();  // REQUIRES: mu_ held.

  Status FindNewest(const View& view, std::string_view user_key, uint64_t read_ts,
                    Found* found) const;
  ValueResolver ResolverFor(const View& view) const {
    return ValueResolver(view.vlogs, vlog_.get());
  }
  ThreadPool* PrefetchPool();
  // The value of key at version, which is a merge operand: its operands in view (and pending,
  // a transaction's writes, when set) folded onto the value below them.
  Status FoldMerges(const View& view, const IteratorFactory& pending, std::string_view key,
                    uint64_t version, std::string* value) const;
  // The value of key at read_ts in view, operands folded; nullopt when it has none.
  Status ValueAt(const View& view, std::string_view key, uint64_t read_ts,
                 std::optional<std::string>* value) const;
  // What goes into mem for the entry (internal_key, value_struct): the entry itself, except a
  // merge operand on top of Options::max_successive_merges others there, which becomes the
  // key's value (in *scratch). Write leader only.
  std::string_view CapOperandRun(MemTable* mem, std::string_view internal_key,
                                 std::string_view value_struct, std::string* scratch) const;
  // An iterator at read_ts over view (null: the current one); pending (a transaction's
  // writes) goes on top when not empty.
  std::unique_ptr<Iterator> NewIteratorAt(const ReadOptions& options, uint64_t read_ts,
                                          IteratorFactory pending,
                                          std::shared_ptr<const View> view = nullptr);
  // Every source of the view (or none when it is null) under pending, merged in one direction,
  // leaving out tables that cannot hold options.prefix.
  static std::unique_ptr<InternalIterator> MergedSources(const View* view,
                                                         const IteratorFactory& pending,
                                                         const ReadOptions& options, bool reverse);
  // The async committer's commit function: queues every commit, then sees each through.
  std::vector<Status> CommitTogether(const std::vector<AsyncCommitter::Commit>& commits);

  std::shared_ptr<MemTable> NewMemTable(uint64_t wal_id) const;
  // Replay: whether the value log holds the entry a WAL entry with a copy points at, the same
  // key and value (else the copy is taken: the log's tail may have been cut and written over).
  bool HoldsCopiedValue(std::string_view internal_key, std::string_view wal_value) const;
  Status ValidateBatch(const WriteBatch& batch) const;
  bool GoesToValueLog(uint8_t meta, size_t value_size) const;
  // Compresses the values of w's batch that may go to the log, in the calling thread.
  void PrepareValues(Writer* w) const;
  // The value as the log will store it: `prepared`, PrepareValues' result for it, where that
  // is a compressed form; as given where it is empty or null (no value compression). Every
  // batch writer passes Enqueue, so the leader never compresses.
  StoredValue StoreForLog(std::string_view value, const std::string* prepared) const;
  // The bytes of the group's values bound for the value log (asked of synced groups only,
  // which copy them into their WAL records up to a limit).
  size_t ValueLogBytes(const std::vector<Writer*>& group) const;
  // Appends one entry to a WAL record, sending its value to the value log when large (and,
  // with copy, keeping a copy of it in the record: wal.h).
  Status AppendEntry(std::string* record, std::string_view internal_key, ValueStruct vs,
                     bool batch_end, bool copy, const std::string* prepared, bool* used_vlog);
  // Appends vs's value to the value log in its stored form and the pointer to the record.
  Status AppendLogEntry(std::string* record, std::string_view internal_key, ValueStruct vs,
                        const StoredValue& stored, bool batch_end, bool copy);
  // Commits the first n of group_records_: value log, then WAL (with sync, fsynced, and the
  // value log at the same time when it holds values no WAL copy covers), then the memtable.
  Status CommitRecords(size_t n, bool sync, bool used_vlog, RecordWriter* wal, MemTable* mem);
  // Starts fsyncing the value log's committed bytes on vlog_syncer_, if some that no WAL copy
  // covers are not on the disk yet, so that the leader can fsync the WAL meanwhile. Leader only.
  std::future<Status> StartValueLogSync();
  // The result of a StartValueLogSync (OK when none was started), or s when s is an error.
  static Status JoinValueLogSync(std::future<Status>* synced, Status s);
  Status WriteRewrites(std::vector<RewriteEntry>* entries, size_t* skipped);
  // Closes the value log's head and starts a new one, so that GC may collect the old head.
  Status RotateValueLog();
  Status ApplyRewrites(const std::vector<RewriteEntry>& entries, RecordWriter* wal, MemTable* mem,
                       size_t* skipped);
  Status MakeRoomForWrite(std::unique_lock<std::mutex>* lock, bool force);
  // Waits for background work to make room, counting the stall.
  void Stall(std::unique_lock<std::mutex>* lock);
  Status SwitchMemTable();  // REQUIRES: mu_ held, write leadership.
  // Fsyncs the logs retired_wals_ holds, oldest first, before a sync of the current one: a
  // synced write is durable only with every write before it. Requires the write turn.
  Status SyncRetiredWals();
  // Truncates a log a failed append broke to its whole records and fsyncs it.
  Status CutBrokenWal(const std::string& path, uint64_t intact_end);
  // Recovery: leaves out the logs after one whose tail a crash tore (see SwitchMemTable).
  Status DropLogsAfterTear(const std::string& torn, uint64_t intact_end,
                           const std::vector<uint64_t>& later_ids);
  // Closes the retired logs whose memtables are in tables now. Requires the write turn.
  void DropFlushedRetiredWals();
  Status NewWal(uint64_t id, std::unique_ptr<RecordWriter>* wal);
  // Checks conflicts, stamps w with its commit timestamp and queues it.
  // InvalidArgument naming the first entry of batch in a banned namespace, or OK.
  Status CheckBans(const WriteBatch& batch) const;
  Status Enqueue(Writer* w, uint64_t read_ts, const std::vector<uint64_t>& reads,
                 uint64_t managed_ts);
  // Waits until w is applied, leading the group when w reaches the front of the queue.
  Status AwaitOrLead(Writer* w);
  Status WriteGroup(const std::vector<Writer*>& group, bool sync, RecordWriter* wal, MemTable* mem);
  // Pops the group's writers, reports status to them and wakes the next leader.
  void FinishGroup(const std::vector<Writer*>& group, const Status& status);

  // A StreamWriter's load (db/stream_writer_impl.h): BeginLoad takes the write turn (writes
  // wait) and checks that the DB is empty; *version is what the load is written under.
  // NewLoadTable starts a table file; InstallLoad records the tables at the deepest level and
  // makes them visible; EndLoad gives the turn back.
 public:
  Status BeginLoad(uint64_t* version);
  std::unique_ptr<TableFileBuilder> NewLoadTable();
  Status FinishLoadTable(TableFileBuilder* builder, std::shared_ptr<Table>* table);
  uint64_t LoadTableSize() const { return options_.base_table_size * 16; }
  // InvalidArgument when key lies in a banned namespace (DB::BanNamespace).
  Status CheckKeyBan(std::string_view key) const;
  Status InstallLoad(const TableList& tables, uint64_t version);
  void EndLoad();

 private:
  // Options for a flush or compaction starting now. REQUIRES: mu_ not held.
  CompactionOptions NewCompactionOptions();
  // Adds garbage found by a flush or compaction to the DISCARD counts. REQUIRES: mu_ held.
  void RecordGarbage(std::unique_lock<std::mutex>* lock,
                     const std::map<uint32_t, uint64_t>& discarded);
  void FlusherLoop();
  Status FlushOldestMemTable(std::unique_lock<std::mutex>* lock);
  void CompactorLoop();
  Status DoCompaction(std::unique_lock<std::mutex>* lock, const CompactionPlan& plan,
                      const std::vector<std::string>& drop_prefixes = {},
                      uint64_t drop_version = 0);
  // For an operation on the whole tree, holding a kPauseCompactions turn: flushes every
  // memtable and waits for running compactions to finish.
  Status SettleTree(std::unique_lock<std::mutex>* lock);
  // Who can still read old versions (lsm/version_filter.h).
  ReadSet LiveReaders() const;
  // The oldest of them: no one reads a version hidden by a newer one at or below it.
  uint64_t DiscardTs() const;
  // Runs the compaction `plan` makes, waiting while it collides with a running one; plan sets
  // *gone when there is nothing to do any more. REQUIRES: mu_ held.
  Status RunPlanned(std::unique_lock<std::mutex>* lock,
                    const std::function<std::optional<CompactionPlan>(bool* gone)>& plan);
  bool HoldsTable(int level, const std::shared_ptr<Table>& table) const;  // REQUIRES: mu_.
  // Rewrites the deepest level's tables that hold tombstones or older versions, so that what
  // no reader reads goes; `workers` at a time. REQUIRES: mu_ held.
  Status RewriteDroppable(std::unique_lock<std::mutex>* lock, int workers);
  // Upkeep for a quiet DB, so that the garbage writes left is counted and what no reader reads
  // goes: flushes the memtable, compacts L0 into the level below, moves tables holding
  // tombstones down to the last level, and rewrites its tables that hold droppable entries.
  // Each table once per call.
  Status CompactQuiet();
  bool CompactionWanted() const;  // REQUIRES: mu_ held.

  Liveness Classify(std::string_view internal_key, const ValuePointer& here, uint64_t discard_ts,
                    Status* status);
  // Whether the versions of user_key from `from` down to just above `version` are all merge
  // operands, and `version` exists: reading at `from` then folds onto it.
  bool OperandsReach(const View& view, std::string_view user_key, uint64_t from, uint64_t version,
                     Status* status) const;
  Status CollectFile(uint32_t file_id, ValueLogGCStats* stats);
  // Retires a file whose live values CollectFile moved, and counts it.
  void RetireCollected(const ValueLogGCStats& stats);
  void GCLoop();
  // One background GC round: the quiet upkeep if due, then up to 8 files.
  void RunGCRound(bool quiet, uint64_t writes, uint64_t* tidied_at_writes);
  // The share of a value-log file known to be garbage, 0 for a head too small to close.
  double CollectableGarbage(uint32_t file_id) const;

  // Recover's steps.
  struct DirListing {
    std::vector<uint64_t> table_ids, wal_ids;  // WALs in ascending order.
    uint64_t max_id = 0;                       // The largest id of either.
  };
  Status LockDir();  // Creates the directory if asked to, and takes the LOCK file.
  // Lists the tables and logs in the directory; fails when they and the MANIFEST disagree, or
  // with the options (error_if_exists, create_if_missing).
  Status ListFiles(DirListing* listing);
  uint64_t RecoveredVersion() const;  // The newest version in tables and replayed memtables.
  void StartBackgroundThreads();
  Status ReplayWals(const std::vector<uint64_t>& wal_ids);
  // Opens (or, for a new DB, creates) the KEYREGISTRY when Options::encryption_key is set;
  // refuses a key for a plain DB and a DB without its key.
  Status OpenEncryption();
  Status OpenTables();
  void RemoveObsoleteFiles(const std::vector<uint64_t>& table_ids,
                           const std::vector<uint64_t>& wal_ids);

  const Options options_;
  const std::unique_ptr<Env> owned_env_;  // In-memory mode; outlives everything below.
  Env* const env_;
  Logger* const logger_;
  const std::string dir_;
  TableBuilderOptions table_options_;
  std::unique_ptr<BlockCache> cache_;
  std::unique_ptr<FileLock> lock_;

  // Sequences of one key take their leases one at a time, under that key's lock, so that
  // they never fail each other's lease transactions.
  std::mutex sequence_locks_mu_;
  std::map<std::string, std::weak_ptr<std::mutex>, std::less<>> sequence_locks_;

  std::mutex mu_;
  std::condition_variable work_cv_;     // Wakes the background threads.
  std::condition_variable bg_cv_;       // Announces finished background work.
  std::condition_variable applied_cv_;  // Announces that visible_version_ moved.
  std::deque<Writer*> writers_;
  std::unique_ptr<RecordWriter> wal_;  // Used by the write leader only.
  bool wal_broken_ = false;            // A failed append: the next write starts a new WAL.
  // Logs a memtable switch retired without an fsync (oldest first), each open until the first
  // synced write or Sync after it fsyncs it, or until its memtable is flushed. Holder of the
  // write turn only. A failed fsync leaves `broken` set: synced writes then fail until the
  // flush of its memtable makes its records durable another way.
  struct RetiredWal {
    uint64_t id;
    std::unique_ptr<RecordWriter> writer;
    bool broken = false;
  };
  std::deque<RetiredWal> retired_wals_;
  // A log a failed append broke, closed and waiting to be cut to its intact records (a switch
  // that failed at it tries again).
  struct BrokenWal {
    std::string path;
    uint64_t intact_end;
  };
  std::optional<BrokenWal> broken_wal_;
  // The newest log whose memtable is in a table (the manifest's flushed_wal_id), readable
  // without mu_ by the write leader, which syncs retired logs outside it.
  std::atomic<uint64_t> flushed_wal_id_{0};
  std::shared_ptr<MemTable> mem_;
  std::vector<std::shared_ptr<MemTable>> imms_;  // Newest first.
  std::shared_ptr<const LevelState> levels_;
  std::unique_ptr<Manifest> manifest_;
  std::unique_ptr<ValueLog> vlog_;
  // Fsyncs the value log for a synced write group while the leader writes and fsyncs the WAL
  // (one fsync's wait instead of two in a row). Started by the first such group; leader only.
  std::unique_ptr<ThreadPool> vlog_syncer_;
  std::unique_ptr<DiscardStats> discard_;
  std::unique_ptr<SnapshotRegistry> named_snapshots_;
  std::unique_ptr<NamespaceBans> bans_;
  MergeRegistry merges_;
  std::unique_ptr<WriteTurn> load_turn_;  // Held by a StreamWriter's load. GUARDED_BY(mu_)
  std::mutex gc_mu_;                      // One value-log GC at a time.
  std::mutex pool_mu_;
  std::unique_ptr<ThreadPool> prefetch_pool_;  // Started by the first prefetching iterator.
  CompactionPicker picker_;
  uint64_t next_file_id_ = 1;
  std::unique_ptr<Oracle> oracle_;
  MetricsCounters metrics_;
  // Entries that reads visited; shared with iterators, which may outlive the DB.
  const std::shared_ptr<std::atomic<uint64_t>> read_entries_visited_ =
      std::make_shared<std::atomic<uint64_t>>(0);
  Subscriptions subscriptions_;
  std::atomic<uint64_t> managed_discard_ts_{0};
  // Writes the callers made (not GC's rewrites), and when the last one came: background GC
  // tidies up once they stop. Guarded by mu_.
  uint64_t user_writes_ = 0;
  bool gc_wanted_ = false;  // Garbage made a file collectable since the last GC round.
  std::chrono::steady_clock::time_point last_user_write_ = std::chrono::steady_clock::now();

  AsyncCommitter async_committer_{
      [this](const std::vector<AsyncCommitter::Commit>& c) { return CommitTogether(c); },
      Status::Aborted(dir_ + " is closing")};
  std::atomic<uint64_t> visible_version_{0};
  Status flush_error_;
  Status compaction_error_;
  bool opened_ = false;        // Recover succeeded.
  int compaction_pauses_ = 0;  // Background compactions wait while > 0.
  bool closed_ = false;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::vector<std::string> group_records_;  // Used by the write leader only.
  std::string pointer_buffer_;              // Used by the write leader only.
  std::string memtable_value_;              // Used by the write leader only.
  std::string folded_operands_;             // The same (CapOperandRun).
  std::string sealed_record_;               // The same (an encrypted WAL record).
  // The data keys of an encrypted DB (Options::encryption_key), else null.
  std::unique_ptr<KeyRegistry> encryption_;
  // Where values go (value log or tree): observed and changed by the write leader only,
  // between groups, so that one group's entries all see the same threshold.
  ValueThresholdTuner value_threshold_;

  std::shared_ptr<SnapshotList> snapshots_;
  mutable std::mutex view_mu_;
  std::shared_ptr<const View> view_;
};

}  // namespace sett

#endif  // SETT_DB_DB_IMPL_H_
