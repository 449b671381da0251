#include "db/metrics_counters.h"

#include <sstream>

namespace sett {

Metrics MetricsCounters::Snapshot() const {
  Metrics m;
  m.gets = gets;
  m.iterators = iterators;
  m.entries_written = entries_written;
  m.txn_commits = txn_commits;
  m.txn_conflicts = txn_conflicts;
  m.wal_bytes = wal_bytes;
  m.vlog_bytes = vlog_bytes;
  m.vlog_value_bytes = vlog_value_bytes;
  m.table_bytes = table_bytes;
  m.flushes = flushes;
  m.compactions = compactions;
  m.compaction_bytes_read = compaction_bytes_read;
  m.compaction_bytes_written = compaction_bytes_written;
  m.write_stalls = write_stalls;
  m.write_stall_micros = write_stall_micros;
  m.gc_files_collected = gc_files_collected;
  m.gc_bytes_reclaimed = gc_bytes_reclaimed;
  m.gc_bytes_rewritten = gc_bytes_rewritten;
  return m;
}

std::string Metrics::ToString() const {
  std::ostringstream out;
  auto line = [&](const char* name, uint64_t value) { out << name << " " << value << "\n"; };
  line("gets", gets);
  line("iterators", iterators);
  line("entries_written", entries_written);
  line("txn_commits", txn_commits);
  line("txn_conflicts", txn_conflicts);
  line("read_entries_visited", read_entries_visited);
  line("wal_bytes", wal_bytes);
  line("vlog_bytes", vlog_bytes);
  line("vlog_value_bytes", vlog_value_bytes);
  line("table_bytes", table_bytes);
  line("flushes", flushes);
  line("compactions", compactions);
  line("compaction_bytes_read", compaction_bytes_read);
  line("compaction_bytes_written", compaction_bytes_written);
  line("write_stalls", write_stalls);
  line("write_stall_micros", write_stall_micros);
  line("block_cache_hits", block_cache_hits);
  line("block_cache_misses", block_cache_misses);
  line("index_cache_bytes", index_cache_bytes);
  line("index_cache_misses", index_cache_misses);
  line("gc_files_collected", gc_files_collected);
  line("gc_bytes_reclaimed", gc_bytes_reclaimed);
  line("gc_bytes_rewritten", gc_bytes_rewritten);
  return out.str();
}

}  // namespace sett
