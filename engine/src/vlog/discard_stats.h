// DiscardStats counts, per value-log file, the bytes that compaction has found to be garbage
// (entries it dropped whose values lived in that file). Value-log GC picks from it. It is kept
// in the DISCARD file, rewritten whole (write, fsync, rename, fsync dir) when it changes:
//
//   DISCARD := file header | varint32 n | n x (varint32 file id | varint64 bytes) |
//              u64 XXH3 of everything after the header
//
// The counts are hints for choosing what to collect, never for deciding what is live, so a
// damaged DISCARD file is reported (naming the file and offset) and read as empty.
//
// Thread safety: all methods may be called concurrently.

#ifndef SETT_VLOG_DISCARD_STATS_H_
#define SETT_VLOG_DISCARD_STATS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sett/env.h"
#include "sett/logger.h"

namespace sett {

inline constexpr uint64_t kDiscardFileMagic = 0x31534944'54544553ULL;  // "SETTDIS1"
inline constexpr uint32_t kDiscardFormatVersion = 1;

class DiscardStats {
 public:
  DiscardStats(Env* env, std::string dir, Logger* logger)
      : env_(env), dir_(std::move(dir)), logger_(logger) {}

  // Reads DISCARD if present.
  void Load();
  // Adds credits (file id -> bytes) and persists the result.
  Status Add(const std::map<uint32_t, uint64_t>& credits);
  // Sets a file's count (GC marks a retired file all garbage) and persists.
  Status Set(uint32_t file_id, uint64_t bytes);
  // Forgets every file not in `live` (files that no longer exist), persisting if anything went.
  Status Retain(const std::vector<uint32_t>& live);

  std::map<uint32_t, uint64_t> Snapshot() const;
  uint64_t Get(uint32_t file_id) const;

 private:
  Status PersistLocked();

  Env* const env_;
  const std::string dir_;
  Logger* const logger_;
  mutable std::mutex mu_;
  std::map<uint32_t, uint64_t> bytes_;
};

}  // namespace sett

#endif  // SETT_VLOG_DISCARD_STATS_H_
