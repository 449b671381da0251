// Descriptions of a DB's internal state, for tools (sett info) and monitoring.

#ifndef SETT_INFO_H_
#define SETT_INFO_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sett {

struct TableInfo {
  uint64_t id = 0;
  int level = 0;
  uint64_t file_size = 0;
  uint64_t num_entries = 0;  // All versions, tombstones included.
  uint64_t num_deletes = 0;  // Tombstones.
  std::string smallest_key;  // User keys.
  std::string largest_key;
  uint64_t min_version = 0;
  uint64_t max_version = 0;
};

struct LevelInfo {
  int level = 0;
  int num_tables = 0;
  uint64_t size = 0;         // Bytes of table files.
  uint64_t target_size = 0;  // 0 for L0, whose trigger is a table count.
  double score = 0;          // A level with score >= 1 wants compaction.
  bool is_base = false;      // The level L0 compacts into.
};

struct MemTableInfo {
  uint64_t wal_id = 0;
  uint64_t wal_size = 0;
  uint64_t memory = 0;  // Arena bytes in use.
  uint64_t num_entries = 0;
  bool is_mutable = false;
};

struct ValueLogFileInfo {
  uint32_t id = 0;
  uint64_t size = 0;
  uint64_t discard_bytes = 0;  // Garbage found by compaction.
  double discard_ratio = 0;    // discard_bytes / size.
  bool is_head = false;        // The file being appended to (never collected).
};

// What one successful DB::RunValueLogGC did.
struct ValueLogGCStats {
  uint32_t file_id = 0;
  uint64_t file_size = 0;          // Bytes reclaimed once the file is deleted.
  uint64_t entries_rewritten = 0;  // Live values copied to the head of the log.
  uint64_t bytes_rewritten = 0;
  uint64_t entries_discarded = 0;  // Garbage left behind.
};

struct DBInfo {
  std::vector<LevelInfo> levels;
  std::vector<TableInfo> tables;        // Ordered by level, then key (L0: newest first).
  std::vector<MemTableInfo> memtables;  // The mutable one first, then newest to oldest.
  std::vector<ValueLogFileInfo> value_log_files;
  uint64_t latest_version = 0;
  uint64_t manifest_size = 0;
  uint64_t free_bytes = 0;  // On the file system that holds the database.
};

}  // namespace sett

#endif  // SETT_INFO_H_
