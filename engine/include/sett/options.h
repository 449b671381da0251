// Options configure a DB when it is opened; ReadOptions and WriteOptions configure single calls.
// Defaults follow BadgerDB's where the concept is the same. Every size is in bytes.

#ifndef SETT_OPTIONS_H_
#define SETT_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sett/merge.h"

namespace sett {

class Env;
class Logger;

// How a table block is compressed. The numbers are stored on disk: never renumber.
enum class Compression : uint8_t { kNone = 0, kSnappy = 1, kZstd = 2 };

// "none", "snappy" or "zstd", and back (false for any other name).
const char* CompressionName(Compression type);
bool ParseCompression(std::string_view name, Compression* type);

// What Open does when a write-ahead log has a damaged record followed by intact ones. A damaged
// record at the very end is a write torn by a crash and is always cut off.
enum class WalRecovery {
  kFailOnCorruption,      // Open fails with Corruption naming the file and offset.
  kTruncateAtCorruption,  // Keep what precedes the damage and drop the rest (point in time).
};

struct Options {
  // The directory that holds the database. Required unless in_memory.
  std::string dir;
  // Keep everything in memory, with no files at all: nothing survives Close.
  bool in_memory = false;

  // File-system seam. nullptr means Env::Default().
  Env* env = nullptr;
  // Receives diagnostics. nullptr means StderrLogger(kWarning).
  Logger* logger = nullptr;

  bool create_if_missing = true;
  bool error_if_exists = false;
  // Open without writing anything: no compactions, no flushes, replay logs without truncating
  // them. Several read-only opens of one directory may coexist; none beside a writable open.
  bool read_only = false;

  // fsync the write-ahead log before a write returns. Without it a write survives a process
  // crash but may be lost on power failure.
  bool sync_writes = false;
  WalRecovery wal_recovery = WalRecovery::kFailOnCorruption;

  // Memtables: the mutable one is frozen at this size; writes stall while num_memtables
  // (mutable + immutable) wait to be flushed.
  size_t memtable_size = 32 << 20;
  int num_memtables = 5;

  // Tables.
  size_t block_size = 4 << 10;
  int bloom_bits_per_key = 10;  // About 1% false positives; 0 disables the filter.
  Compression compression = Compression::kSnappy;
  int zstd_level = 1;
  size_t block_cache_size = 256 << 20;  // Shared by every table; 0 disables it.
  // Tables' indexes and bloom filters live in a cache with this byte budget of its own (as
  // BadgerDB's IndexCacheSize), read again from the table when evicted; a DB whose indexes
  // outgrow memory then still opens and reads. 0 (the default): every open table keeps its
  // index in memory, which is fastest while they fit. See the README for figures.
  size_t index_cache_size = 0;
  // Read table blocks through read-only memory maps of the table files, as LevelDB does (no
  // system call and no copy on a block-cache miss: 100 B readrandom 1.1x faster, README). The
  // cost, as for value_log_mmap: a disk error under a mapped page, or another program cutting
  // a table short, stops the process with SIGBUS instead of failing the read. false: pread.
  bool table_mmap = true;

  // Levels: L0 holds flushed memtables; L1..L(max_levels-1) are sorted runs whose target sizes
  // are derived from the last level's size, divided by level_size_multiplier per level up. L0
  // compacts into the base level: the deepest level whose target is at most base_level_size
  // (the last level itself while the tree is smaller). Tables are base_table_size at the base
  // level and grow by table_size_multiplier per level below it.
  int max_levels = 7;
  // RocksDB's max_bytes_for_level_base, not Badger's 10 MiB: a base level about the size of
  // what L0 brings down at once. With 10 MiB, 100 B overwrites wrote 1.6x more (README).
  uint64_t base_level_size = 256 << 20;
  int level_size_multiplier = 10;
  uint64_t base_table_size = 4 << 20;
  int table_size_multiplier = 2;
  int num_level_zero_tables = 5;         // L0 tables that trigger a compaction.
  int num_level_zero_tables_stall = 15;  // L0 tables at which writes stall.
  int num_compactors = 2;                // Background compaction threads; 0 disables them.

  // Versions of a key kept below the discard timestamp (older ones are dropped by compaction).
  int num_versions_to_keep = 1;

  // Encryption at rest: with a key of 16, 24 or 32 bytes (AES-128, -192 or -256 in GCM mode,
  // from OpenSSL's libcrypto), every table block, write-ahead log record and value-log entry is
  // encrypted and authenticated: a changed, swapped or moved one is a Corruption naming it,
  // never a wrong value. This master key only seals the data keys (the KEYREGISTRY file), which
  // are drawn at random and replaced every encryption_key_rotation_seconds; `sett rotate`
  // changes the master key by rewriting that file. A DB is encrypted from its creation on: an
  // encrypted DB opened without its key, with another key, or a plain DB opened with a key
  // fails with InvalidArgument before anything is read. Lengths of keys and values, and which
  // table holds which key range, stay visible. See the README for the cost.
  std::string encryption_key;
  uint64_t encryption_key_rotation_seconds = 10 * 24 * 3600;

  // Folds merge operands (Txn::Merge, WriteBatch::Merge) into values: see sett/merge.h. Unset,
  // merges are refused (except on keys with a DB::GetMergeOperator handle). The function must
  // stay the same across opens of a DB that holds operands.
  MergeFunction merge_function;
  // When a key already has this many merge operands in a row in the memtable, the next one is
  // stored folded, as the key's value (one read of the key, by the write leader): reads of a
  // key merged a million times between flushes then fold a few operands, not a million.
  // 0: never (operands wait for the flush).
  int max_successive_merges = 16;

  // Value log (WiscKey's key-value separation): a value of at least value_threshold bytes is
  // appended to the value log and the tree keeps a small pointer to it, so compaction moves
  // pointers instead of values. Smaller values stay in the tree. The default is measured (see
  // the README): from 1 KiB up the log writes 1.35x faster, reads nearly 2x faster and writes
  // a quarter of the bytes to disk; below it the gain does not pay for the log's uncompressed,
  // garbage-collected space.
  size_t value_threshold = 1 << 10;
  // Tuned placement of the sizes from value_threshold up to value_threshold_tuned_max
  // (exclusive; 8 KiB takes in settfs's 4 KiB blocks): they go to the log, except while most
  // of them are rewritten within a memtable's worth of writes (a hot key, a small working set,
  // a file's tail block appended to). Then they stay in the tree, where a flush drops the
  // replaced versions for free; in the log each would be a second write and garbage for GC.
  // bench/threshold_matrix.sh measures it against both bounds pinned (see the README).
  // false pins value_threshold.
  bool value_threshold_tuned = true;
  size_t value_threshold_tuned_max = 8 << 10;
  // A value-log file is closed and a new one started at about this size.
  uint64_t value_log_file_size = 1 << 30;
  // Read values through read-only memory maps of the value-log files (no system call per
  // value: reads of values in the log are up to 1.6x faster, see the README). The cost:
  // a disk error while reading a mapped page, or another program cutting a file short, stops
  // the process with SIGBUS instead of failing the read with an IOError. false: pread.
  bool value_log_mmap = true;
  // Compression of the values in the value log, each on its own (a read still takes one
  // positioned read): a value is stored compressed only where that saves at least an eighth
  // of it, so incompressible data costs nothing but the try. Any codec reads back whatever
  // this is set to now, and GC moves values as they are stored. value_zstd_level applies to
  // kZstd (1 to 19; higher packs tighter and writes slower). See the README for measurements.
  Compression value_compression = Compression::kNone;
  int value_zstd_level = 1;
  // Background value-log GC: every value_log_gc_interval_seconds (0: never), collect files
  // whose garbage is at least value_log_gc_discard_ratio of their size. Once no write has come
  // for value_log_gc_quiet_seconds (0: never), it first compacts what the writes left (the
  // memtable, L0, tombstones on their way down), so that all their garbage is counted, and
  // then collects down to value_log_gc_quiet_discard_ratio: a DB left alone comes back to
  // about 1 / (1 - that ratio) of its live data. DB::RunValueLogGC runs GC on demand.
  uint32_t value_log_gc_interval_seconds = 60;
  double value_log_gc_discard_ratio = 0.5;
  // Paced GC follows the garbage instead of the clock alone: a flush or compaction that
  // brings a file to value_log_gc_discard_ratio wakes GC at once, and the interval is only
  // the longest wait (1,000 hot 16 KiB keys rewritten for 30 s: 0.5 GB on disk at the end
  // instead of 9.6 GB with rounds every 60 s, see the README). false: rounds every
  // value_log_gc_interval_seconds only.
  bool value_log_gc_paced = true;
  uint32_t value_log_gc_quiet_seconds = 30;
  double value_log_gc_quiet_discard_ratio = 0.25;
  // Threads that read values ahead for iterators that ask for it (ReadOptions).
  int num_prefetch_workers = 2;

  // Transactions. With detect_conflicts off, commits never fail with Conflict (snapshot
  // isolation without the serializability check, and less bookkeeping).
  bool detect_conflicts = true;
  // Managed mode: the caller supplies every read and commit timestamp
  // (DB::NewTransactionAt, Txn::CommitAt, WriteBatch::SetCommitTs) and tells compaction which
  // versions it may drop (DB::SetDiscardTs); the DB's own timestamps are not used.
  bool managed_txns = false;
  // The most a transaction or write batch may write in one commit: keys plus values kept in
  // the tree (a value in the value log counts as its pointer). 0: 15% of memtable_size.
  size_t max_txn_bytes = 0;
};

struct ReadOptions {
  // Read the newest versions at or below this timestamp; 0 means the latest committed state.
  // A read at an old timestamp sees that state only if a Snapshot protects it from compaction.
  uint64_t read_ts = 0;
  // Iterators only: keep to keys that start with prefix.
  std::string prefix;
  // Iterators only: iterate from the largest key to the smallest.
  bool reverse = false;
  // Put the blocks read into the block cache.
  bool fill_cache = true;
  // Iterators only: leave values in the value log unread. value() is then empty for them;
  // key(), version() and value_size() still work. Listing keys this way never touches the log.
  bool key_only = false;
  // Iterators only: read the values of the next prefetch_size keys from the value log in the
  // background while the caller works on the current one.
  bool prefetch_values = false;
  int prefetch_size = 64;
  // Iterators only: return every version of each key still kept (newest first), tombstones and
  // expired ones included (Iterator::deleted() tells them), not just the newest visible one.
  bool all_versions = false;
};

struct WriteOptions {
  // fsync before returning, whatever Options::sync_writes says.
  bool sync = false;
};

}  // namespace sett

#endif  // SETT_OPTIONS_H_
