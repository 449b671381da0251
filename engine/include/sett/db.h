// DB is an open sett database: a log-structured merge tree of versioned keys in one directory.
//
// Every write gets a version (a timestamp) one above the last; reads see the newest version of
// each key at or below their read timestamp. This is the versioned core that transactions are
// built on.
//
//   sett::Options options;
//   options.dir = "/tmp/mydb";
//   std::unique_ptr<sett::DB> db;
//   sett::Status s = sett::DB::Open(options, &db);
//   if (s.ok()) s = db->Put(sett::WriteOptions(), "key", "value");
//   std::string value;
//   if (s.ok()) s = db->Get(sett::ReadOptions(), "key", &value);
//
// Thread safety: every method may be called concurrently, except Close, which must not race
// with anything. Iterators and snapshots must be destroyed before Close.

#ifndef SETT_DB_H_
#define SETT_DB_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sett/info.h"
#include "sett/iterator.h"
#include "sett/merge.h"
#include "sett/metrics.h"
#include "sett/options.h"
#include "sett/sequence.h"
#include "sett/status.h"
#include "sett/stream.h"
#include "sett/txn.h"
#include "sett/write_batch.h"

namespace sett {

// Limits on what one entry may hold.
inline constexpr size_t kMaxKeySize = 65000;
inline constexpr size_t kMaxValueSize = size_t{1} << 30;

// A registered read timestamp: while a Snapshot lives, compaction keeps every version that a
// read at its timestamp needs. Release it by destroying it.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  virtual uint64_t read_ts() const = 0;
};

// A named snapshot (DB::CreateSnapshot): a read timestamp kept under a name until deleted.
struct SnapshotInfo {
  std::string name;
  uint64_t read_ts = 0;  // Reads at it: ReadOptions::read_ts, or NewTransactionAtSnapshot.
  int64_t created = 0;   // Unix seconds.
  // What the snapshot is a snapshot of, whatever its name: 32 hex digits, random at creation,
  // or given by whoever copies a snapshot from another database (so that the copy says which
  // state it holds, and an incremental copy can check its base).
  std::string id;
};

// How far DB::VerifyChecksums got: a phase, "tables" then "value log" (done and total in bytes
// of the files read), then "live values" (done in values read; total 0, not known ahead).
using VerifyProgress = std::function<void(std::string_view phase, uint64_t done, uint64_t total)>;

class DB {
 public:
  // Opens (or with create_if_missing, creates) the database in options.dir. Fails with Busy
  // when another process has it open, and with Corruption naming file and offset when a file
  // is damaged beyond what recovery may repair.
  static Status Open(const Options& options, std::unique_ptr<DB>* db);
  // Changes the master key of the encrypted DB in dir (closed: Busy while a process has it
  // open) by rewriting its KEYREGISTRY atomically; the data stays as it is. InvalidArgument
  // when old_key does not open it or new_key is not 16, 24 or 32 bytes. env null: the default.
  static Status RotateEncryptionKey(const std::string& dir, const std::string& old_key,
                                    const std::string& new_key, Env* env = nullptr);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the DB if Close was not called; errors are then only logged.
  virtual ~DB() = default;

  // Flushes the memtables (unless read-only), stops background work and releases the
  // directory. Further calls fail with Aborted.
  virtual Status Close() = 0;

  // Applies every entry of batch atomically under one new version. Rejects empty keys and keys
  // or values over the limits with InvalidArgument.
  virtual Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;
  Status Put(const WriteOptions& options, std::string_view key, std::string_view value);
  Status Delete(const WriteOptions& options, std::string_view key);

  // Reads the newest version of key at or below options.read_ts into *value (and its version
  // into *version when not null). NotFound when absent or deleted.
  virtual Status Get(const ReadOptions& options, std::string_view key, std::string* value,
                     uint64_t* version = nullptr) = 0;

  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // Transactions (sett/txn.h). A read-only transaction (update = false) never conflicts.
  virtual std::unique_ptr<Txn> NewTransaction(bool update) = 0;
  // Runs fn in a read-only transaction.
  Status View(const std::function<Status(Txn*)>& fn);
  // Runs fn in an update transaction and commits it if fn returns OK. Conflict means another
  // commit got in the way: call Update again.
  Status Update(const std::function<Status(Txn*)>& fn);

  // Managed mode only (Options::managed_txns): a transaction that reads at read_ts, and the
  // timestamp below which compaction may drop versions that newer ones hide.
  virtual std::unique_ptr<Txn> NewTransactionAt(uint64_t read_ts, bool update) = 0;
  virtual void SetDiscardTs(uint64_t discard_ts) = 0;

  // A counter under key, leasing bandwidth numbers at a time (sett/sequence.h).
  virtual Status GetSequence(std::string_view key, uint64_t bandwidth,
                             std::unique_ptr<Sequence>* sequence) = 0;

  // Deletes every key / every key that starts with one of prefixes, physically: writes wait
  // meanwhile, and when it returns none of those keys written before the call is readable.
  virtual Status DropAll() = 0;
  virtual Status DropPrefix(const std::vector<std::string>& prefixes) = 0;

  // Calls callback with the committed writes whose keys start with one of prefixes (all when
  // empty), batch by batch in commit order, until the subscription is cancelled or destroyed.
  virtual std::unique_ptr<Subscription> Subscribe(std::vector<std::string> prefixes,
                                                  SubscribeCallback callback) = 0;

  // Reads every key (newest visible version) under options.prefix at one read timestamp,
  // num_workers key ranges at a time, and hands them to callback in key order.
  virtual Status Stream(const StreamOptions& options, const StreamCallback& callback) = 0;

  // A StreamWriter (sett/stream.h) for loading this DB, which must be empty (no key, no
  // version: InvalidArgument otherwise) and must not close before the writer is done.
  virtual Status NewStreamWriter(std::unique_ptr<StreamWriter>* writer) = 0;

  // Writes every key whose newest version is at or above since_ts (deletions included) to out,
  // in sett's own checksummed backup format; *backup_ts is the timestamp it was taken at: pass
  // backup_ts + 1 as since_ts for the next, incremental, backup.
  virtual Status Backup(std::ostream& out, uint64_t since_ts, uint64_t* backup_ts) = 0;
  // Applies a backup (full, or incremental on top of the ones before it) under the versions it
  // recorded. Corruption when the stream is damaged or cut short; what it applied stays.
  virtual Status Load(std::istream& in) = 0;

  virtual Metrics GetMetrics() const = 0;

  // Registers the latest committed version as a read timestamp that compaction must preserve.
  virtual std::unique_ptr<Snapshot> GetSnapshot() = 0;

  // Named snapshots: the latest committed version recorded durably under a name (1 to 255
  // bytes, no '/', no control characters, not "." or ".."), kept across close, crash and
  // reopen until deleted. Creating one copies nothing; while it exists, compaction keeps the
  // newest version of each key at or below its timestamp and value-log GC keeps those values.
  // DropAll and DropPrefix remove keys at every version, snapshots' included.
  // CreateSnapshot: AlreadyExists when the name is taken. DeleteSnapshot: NotFound when absent.
  // id: the snapshot's id (SnapshotInfo::id) when it copies one from elsewhere; empty: new.
  virtual Status CreateSnapshot(std::string_view name, SnapshotInfo* info = nullptr,
                                std::string_view id = {}) = 0;
  virtual Status DeleteSnapshot(std::string_view name) = 0;
  // Oldest first.
  virtual std::vector<SnapshotInfo> ListSnapshots() = 0;
  virtual Status FindSnapshot(std::string_view name, SnapshotInfo* info) = 0;
  // A read-only transaction at a named snapshot; its operations fail with NotFound when there
  // is no snapshot of that name. It keeps reading the snapshot's state even if the snapshot is
  // deleted meanwhile.
  virtual std::unique_ptr<Txn> NewTransactionAtSnapshot(std::string_view name) = 0;

  // Keys that cut the data under prefix into parts of about equal size (table boundaries),
  // ascending, each starting with prefix; for splitting work (iterations, streams) into
  // ranges. Empty when the data under prefix is small.
  virtual std::vector<std::string> KeySplits(std::string_view prefix) = 0;
  // About how many bytes the keys under prefix and their newest values take (values before
  // compression), read from the keys alone.
  virtual Status EstimateSize(std::string_view prefix, uint64_t* bytes) = 0;
  // Closes a namespace (the first 8 bytes of a key, big-endian) to writes, durably: from now
  // on every write of a key in it fails with InvalidArgument, in batches and transactions.
  // Keys already there stay readable. BannedNamespaces lists them.
  virtual Status BanNamespace(uint64_t ns) = 0;
  virtual std::vector<uint64_t> BannedNamespaces() = 0;

  // A handle on one key whose value is kept by merges folded with fn (as BadgerDB's
  // GetMergeOperator): Add merges an operand, Get reads the folded value, and every interval
  // (0: never) a background thread writes the folded value back as a plain value, so that
  // reads stay short however many operands come. fn applies to this key from now until the
  // handle stops, ahead of Options::merge_function; AlreadyExists when another handle holds
  // the key.
  virtual Status GetMergeOperator(std::string_view key, MergeFunction fn,
                                  std::chrono::milliseconds interval,
                                  std::unique_ptr<MergeOperator>* op) = 0;

  // The version of the last write that reads can see.
  virtual uint64_t LatestVersion() const = 0;

  // Makes every write that has returned so far durable (fsync of the logs), whatever the
  // sync options they were written with.
  virtual Status Sync() = 0;
  // Writes the memtables out as L0 tables and waits until they are durable.
  virtual Status Flush() = 0;
  // Runs compactions until no level wants one (every score < 1), and waits for them.
  virtual Status Compact() = 0;
  // Flushes, then compacts every level down into the deepest one, so that all the data present
  // at the start ends up in one level with every old version and tombstone dropped that can
  // be (workers compactions at a time where they are independent). Writes made meanwhile are
  // left to normal compaction.
  virtual Status Flatten(int workers = 1) = 0;

  // Value-log garbage collection: picks the value-log file with the most garbage, provided it
  // is at least discard_ratio (in (0, 1]) of the file, copies its live values to the head of
  // the log, and deletes it once no reader can still reach it. Returns NothingToCollect when
  // no file qualifies (or every candidate holds versions a live Snapshot still reads). Run it
  // in a loop until NothingToCollect to collect everything.
  virtual Status RunValueLogGC(double discard_ratio, ValueLogGCStats* stats = nullptr) = 0;

  // Reads every block of every table and checks its checksum and order, and every table's
  // metadata; scans every value-log entry; reads every live value through its pointer.
  // Corruption names the first damaged file and offset. progress, when set, hears how far it
  // got (see VerifyProgress), on the calling thread.
  virtual Status VerifyChecksums(const VerifyProgress& progress) = 0;
  Status VerifyChecksums() { return VerifyChecksums(VerifyProgress()); }

  virtual DBInfo Info() = 0;

  // The most one transaction may write (Options::max_txn_bytes, or its default): callers that
  // split large work into transactions size their steps by it.
  virtual size_t MaxTxnBytes() const = 0;
};

}  // namespace sett

#endif  // SETT_DB_H_
