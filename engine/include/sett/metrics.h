// Metrics are running counters of what a DB has done since it was opened.

#ifndef SETT_METRICS_H_
#define SETT_METRICS_H_

#include <cstdint>
#include <string>

namespace sett {

struct Metrics {
  uint64_t gets = 0;             // Point reads (DB::Get and Txn::Get).
  uint64_t iterators = 0;        // Iterators created.
  uint64_t entries_written = 0;  // Puts and deletes applied.
  uint64_t txn_commits = 0;      // Transactions committed with writes.
  uint64_t txn_conflicts = 0;    // Commits refused for a conflict.
  // Entries (versions and tombstones) that point reads and iterators looked at, a seek counted
  // as one: how much work reads do, whatever the timing.
  uint64_t read_entries_visited = 0;

  uint64_t wal_bytes = 0;  // Bytes written to each kind of file.
  uint64_t vlog_bytes = 0;
  uint64_t table_bytes = 0;
  // Values sent to the value log, in bytes as given (before value_compression): against
  // vlog_bytes, what compression saved.
  uint64_t vlog_value_bytes = 0;

  uint64_t flushes = 0;
  uint64_t compactions = 0;
  uint64_t compaction_bytes_read = 0;
  uint64_t compaction_bytes_written = 0;
  uint64_t write_stalls = 0;  // Times a write waited for flushes or compactions.
  uint64_t write_stall_micros = 0;

  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  // With Options::index_cache_size: bytes of indexes cached, and reads of an evicted one.
  uint64_t index_cache_bytes = 0;
  uint64_t index_cache_misses = 0;

  uint64_t gc_files_collected = 0;
  uint64_t gc_bytes_reclaimed = 0;
  uint64_t gc_bytes_rewritten = 0;

  // One "name value" line per counter.
  std::string ToString() const;
};

}  // namespace sett

#endif  // SETT_METRICS_H_
