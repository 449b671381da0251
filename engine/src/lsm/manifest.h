// Manifest keeps the MANIFEST file: a record file (util/record_file.h) of edits whose replay
// in order gives the level of every live table, the next file number and the newest
// write-ahead log whose contents are already in tables.
//
//   edit := (tag | value)*
//     tag 1 add table:     varint64 id | varint32 level
//     tag 2 delete table:  varint64 id
//     tag 3 next file id:  varint64
//     tag 4 flushed log:   varint64 id (every log with an id <= this one is in tables)
//     tag 5 value-log checkpoint: varint32 file id | varint64 size (written at a clean close:
//           that much of the head value-log file is whole and fsynced)
//     tag 6 last version:  varint64 (every version up to this one was handed out; written when
//           tables are deleted, since the versions they carried may leave the tree with them.
//           Builds before it stop at "unknown tag 6" rather than reuse versions.)
//
// Every append is fsynced before it takes effect. When deleted tables outnumber live ones ten
// to one, the file is rewritten as one snapshot edit: written to MANIFEST.rewrite, fsynced,
// renamed over MANIFEST, and the directory fsynced. After a failed append, the next one
// rewrites the file first, so a half-written record is never followed by good ones. Hence a
// crash tears at most the last edit; more damage than that is Corruption, never a silently
// older state. (A file cut short exactly at a record boundary still reads as an older state:
// its length is recorded nowhere else.)
//
// Thread safety: one thread at a time (the DB serializes calls under its mutex).

#ifndef SETT_LSM_MANIFEST_H_
#define SETT_LSM_MANIFEST_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sett/env.h"
#include "sett/logger.h"
#include "util/record_file.h"
#include "vlog/value_log.h"

namespace sett {

inline constexpr uint64_t kManifestFileMagic = 0x4e414d31'54544553ULL;  // "SETT1MAN"
inline constexpr uint32_t kManifestFormatVersion = 1;

struct ManifestEdit {
  std::vector<std::pair<uint64_t, int>> added;  // (table id, level)
  std::vector<uint64_t> deleted;
  std::optional<uint64_t> next_file_id;
  std::optional<uint64_t> flushed_wal_id;
  std::optional<VlogCheckpoint> vlog_checkpoint;
  std::optional<uint64_t> last_version;

  void EncodeTo(std::string* out) const;
  // Corruption naming `where` when the bytes are not an edit.
  Status DecodeFrom(std::string_view in, const std::string& where);
};

struct ManifestState {
  std::map<uint64_t, int> tables;  // Table id -> level.
  uint64_t next_file_id = 1;
  uint64_t flushed_wal_id = 0;
  VlogCheckpoint vlog_checkpoint;
  uint64_t last_version = 0;

  // Applies an edit; Corruption naming `where` if it adds a table twice, deletes an unknown
  // one or names a level outside [0, max_levels).
  Status Apply(const ManifestEdit& edit, int max_levels, const std::string& where);
};

class Manifest {
 public:
  // Replays dir/MANIFEST, or creates it when missing and `create` is set (never read-only).
  static Status Open(Env* env, const std::string& dir, bool read_only, bool create, int max_levels,
                     Logger* logger, std::unique_ptr<Manifest>* manifest);

  const ManifestState& state() const { return state_; }
  bool created() const { return created_; }
  uint64_t file_size() const { return writer_ ? writer_->Size() : replayed_size_; }

  // Makes edit durable, then applies it. On failure the state is unchanged.
  Status Append(const ManifestEdit& edit);
  Status Close();

 private:
  Manifest(Env* env, std::string dir, int max_levels, Logger* logger)
      : env_(env), dir_(std::move(dir)), max_levels_(max_levels), logger_(logger) {}
  Status Replay(bool read_only);
  // Corruption when the damage after the intact records cannot be a torn last append.
  static Status CheckTornTail(const RecordReader& reader, const std::string& path);
  Status Rewrite(const ManifestState& state);

  Env* const env_;
  const std::string dir_;
  const int max_levels_;
  Logger* const logger_;
  ManifestState state_;
  std::unique_ptr<RecordWriter> writer_;
  uint64_t deletions_ = 0;  // Tables deleted since the file was last written whole.
  uint64_t replayed_size_ = 0;
  bool needs_rewrite_ = false;
  bool created_ = false;
};

}  // namespace sett

#endif  // SETT_LSM_MANIFEST_H_
