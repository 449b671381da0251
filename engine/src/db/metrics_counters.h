// MetricsCounters are the DB's running counters (sett/metrics.h), updated without locks from
// every thread.

#ifndef SETT_DB_METRICS_COUNTERS_H_
#define SETT_DB_METRICS_COUNTERS_H_

#include <atomic>
#include <cstdint>

#include "sett/metrics.h"

namespace sett {

struct MetricsCounters {
  using Counter = std::atomic<uint64_t>;
  Counter gets{0}, iterators{0}, entries_written{0}, txn_commits{0}, txn_conflicts{0};
  Counter wal_bytes{0}, vlog_bytes{0}, table_bytes{0}, vlog_value_bytes{0};
  Counter flushes{0}, compactions{0}, compaction_bytes_read{0}, compaction_bytes_written{0};
  Counter write_stalls{0}, write_stall_micros{0};
  Counter gc_files_collected{0}, gc_bytes_reclaimed{0}, gc_bytes_rewritten{0};

  // Everything but the block cache's counters, which the cache keeps.
  Metrics Snapshot() const;
};

}  // namespace sett

#endif  // SETT_DB_METRICS_COUNTERS_H_
