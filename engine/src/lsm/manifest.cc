#include "lsm/manifest.h"

#include <algorithm>

#include "util/coding.h"
#include "util/file_names.h"

namespace sett {
namespace {

enum Tag : uint8_t {
  kAddTable = 1,
  kDeleteTable = 2,
  kNextFileId = 3,
  kFlushedWal = 4,
  kVlogCheckpoint = 5,
  kLastVersion = 6,
};

constexpr uint64_t kRewriteMinDeletions = 1000;
constexpr uint64_t kRewriteRatio = 10;
// An edit longer than this replaces the file (Rewrite) rather than being appended, which bounds
// how much of a torn tail a crash can explain (CheckTornTail).
constexpr uint64_t kMaxAppendedRecord = 64 << 10;

}  // namespace

void ManifestEdit::EncodeTo(std::string* out) const {
  for (const auto& [id, level] : added) {
    out->push_back(static_cast<char>(kAddTable));
    PutVarint64(out, id);
    PutVarint32(out, static_cast<uint32_t>(level));
  }
  for (uint64_t id : deleted) {
    out->push_back(static_cast<char>(kDeleteTable));
    PutVarint64(out, id);
  }
  if (next_file_id) {
    out->push_back(static_cast<char>(kNextFileId));
    PutVarint64(out, *next_file_id);
  }
  if (flushed_wal_id) {
    out->push_back(static_cast<char>(kFlushedWal));
    PutVarint64(out, *flushed_wal_id);
  }
  if (vlog_checkpoint) {
    out->push_back(static_cast<char>(kVlogCheckpoint));
    PutVarint32(out, vlog_checkpoint->file_id);
    PutVarint64(out, vlog_checkpoint->size);
  }
  if (last_version) {
    out->push_back(static_cast<char>(kLastVersion));
    PutVarint64(out, *last_version);
  }
}

Status ManifestEdit::DecodeFrom(std::string_view in, const std::string& where) {
  *this = ManifestEdit();
  while (!in.empty()) {
    uint8_t tag;
    uint64_t id, value;
    uint32_t level;
    GetByte(&in, &tag);
    bool ok = false;
    switch (tag) {
      case kAddTable:
        ok = GetVarint64(&in, &id) && GetVarint32(&in, &level);
        if (ok) added.emplace_back(id, static_cast<int>(level));
        break;
      case kDeleteTable:
        ok = GetVarint64(&in, &id);
        if (ok) deleted.push_back(id);
        break;
      case kNextFileId:
        ok = GetVarint64(&in, &value);
        if (ok) next_file_id = value;
        break;
      case kFlushedWal:
        ok = GetVarint64(&in, &value);
        if (ok) flushed_wal_id = value;
        break;
      case kVlogCheckpoint: {
        VlogCheckpoint cp;
        ok = GetVarint32(&in, &cp.file_id) && GetVarint64(&in, &cp.size);
        if (ok) vlog_checkpoint = cp;
        break;
      }
      case kLastVersion:
        ok = GetVarint64(&in, &value);
        if (ok) last_version = value;
        break;
      default:
        return Status::Corruption(where + ": unknown tag " + std::to_string(tag));
    }
    if (!ok)
      return Status::Corruption(where + ": truncated field (tag " + std::to_string(tag) + ")");
  }
  return Status::OK();
}

Status ManifestState::Apply(const ManifestEdit& edit, int max_levels, const std::string& where) {
  for (uint64_t id : edit.deleted) {
    if (tables.count(id) == 0) {
      return Status::Corruption(where + ": deletes table " + std::to_string(id) +
                                ", which is not live");
    }
  }
  for (const auto& [id, level] : edit.added) {
    if (level < 0 || level >= max_levels) {
      return Status::Corruption(where + ": table " + std::to_string(id) + " at level " +
                                std::to_string(level) + " (the DB has " +
                                std::to_string(max_levels) + " levels)");
    }
    if (tables.count(id) != 0 &&
        std::find(edit.deleted.begin(), edit.deleted.end(), id) == edit.deleted.end()) {
      return Status::Corruption(where + ": adds table " + std::to_string(id) + " twice");
    }
  }
  for (uint64_t id : edit.deleted) tables.erase(id);
  for (const auto& [id, level] : edit.added) tables[id] = level;
  if (edit.next_file_id) next_file_id = std::max(next_file_id, *edit.next_file_id);
  if (edit.flushed_wal_id) flushed_wal_id = std::max(flushed_wal_id, *edit.flushed_wal_id);
  if (edit.vlog_checkpoint) vlog_checkpoint = *edit.vlog_checkpoint;
  if (edit.last_version) last_version = std::max(last_version, *edit.last_version);
  return Status::OK();
}

Status Manifest::Open(Env* env, const std::string& dir, bool read_only, bool create, int max_levels,
                      Logger* logger, std::unique_ptr<Manifest>* manifest) {
  std::unique_ptr<Manifest> m(new Manifest(env, dir, max_levels, logger));
  std::string path = ManifestFileName(dir);
  if (!read_only && env->FileExists(ManifestRewriteFileName(dir))) {
    // A rewrite that a crash interrupted before its rename: MANIFEST is still whole.
    Status s = env->RemoveFile(ManifestRewriteFileName(dir));
    if (!s.ok()) return s;
  }
  if (env->FileExists(path)) {
    Status s = m->Replay(read_only);
    if (!s.ok()) return s;
  } else if (!create || read_only) {
    return Status::InvalidArgument(path +
                                   " does not exist (not a sett database, or not "
                                   "created yet)");
  } else {
    Status s = m->Rewrite(m->state_);
    if (!s.ok()) return s;
    m->created_ = true;
  }
  *manifest = std::move(m);
  return Status::OK();
}

Status Manifest::Replay(bool read_only) {
  std::string path = ManifestFileName(dir_);
  std::unique_ptr<RecordReader> reader;
  Status s = RecordReader::Open(env_, path, kManifestFileMagic, kManifestFormatVersion, &reader);
  if (!s.ok()) return s;
  std::string_view record;
  while (reader->Next(&record)) {
    std::string where = path + ": record at offset " + std::to_string(reader->record_offset());
    ManifestEdit edit;
    s = edit.DecodeFrom(record, where);
    if (s.ok()) s = state_.Apply(edit, max_levels_, where);
    if (!s.ok()) return s;
    deletions_ += edit.deleted.size();
  }
  if (!reader->status().ok()) return reader->status();
  replayed_size_ = reader->intact_end();
  if (reader->intact_end() < kRecordFileHeaderSize) {
    return Status::Corruption(path + ": file header is missing (" +
                              std::to_string(reader->file_size()) + " bytes)");
  }
  s = CheckTornTail(*reader, path);
  if (!s.ok()) return s;
  if (read_only) return Status::OK();
  if (reader->damaged()) {
    logger_->Log(LogLevel::kWarning, path + ": truncating a torn tail at offset " +
                                         std::to_string(reader->intact_end()));
    uint64_t intact_end = reader->intact_end();
    reader.reset();
    s = env_->TruncateFile(path, intact_end);
    if (!s.ok()) return s;
  }
  return RecordWriter::OpenForAppend(env_, path, &writer_);
}

Status Manifest::CheckTornTail(const RecordReader& reader, const std::string& path) {
  if (!reader.damaged()) return Status::OK();
  const uint64_t at = reader.intact_end();
  if (at == kRecordFileHeaderSize) {
    // The first record is written and fsynced before the file gets its name (Rewrite): no
    // crash can tear it, so damage there is damage to the disk, and the state is unknown.
    return Status::Corruption(path + ": its first record, at offset " + std::to_string(at) +
                              ", is damaged; it was whole and synced when written");
  }
  // Every append is fsynced before the next one starts, so a crash tears at most the last
  // record, and that record is at most kMaxAppendedRecord long. More damaged bytes than that,
  // or bytes past the end the damaged record's own header gives, were durable edits.
  const uint64_t end = reader.damaged_record_end();
  const uint64_t damaged_bytes = reader.file_size() - at;
  if ((end != 0 && reader.file_size() > end) ||
      damaged_bytes > kRecordHeaderSize + kMaxAppendedRecord) {
    return Status::Corruption(path + ": damaged record at offset " + std::to_string(at) + " and " +
                              std::to_string(damaged_bytes) +
                              " bytes to the end of the file: more than a crash can tear (only "
                              "the last edit; the ones before it were synced)");
  }
  return Status::OK();
}

Status Manifest::Rewrite(const ManifestState& state) {
  ManifestEdit snapshot;
  for (const auto& [id, level] : state.tables) snapshot.added.emplace_back(id, level);
  snapshot.next_file_id = state.next_file_id;
  snapshot.flushed_wal_id = state.flushed_wal_id;
  if (state.vlog_checkpoint.file_id != 0) snapshot.vlog_checkpoint = state.vlog_checkpoint;
  if (state.last_version != 0) snapshot.last_version = state.last_version;
  std::string record;
  snapshot.EncodeTo(&record);

  std::string tmp = ManifestRewriteFileName(dir_);
  std::string path = ManifestFileName(dir_);
  std::unique_ptr<RecordWriter> writer;
  Status s = RecordWriter::Create(env_, tmp, kManifestFileMagic, kManifestFormatVersion, &writer);
  if (s.ok()) s = writer->AddRecord(record);
  if (s.ok()) s = writer->Sync();
  if (s.ok()) s = writer->Close();
  if (s.ok()) s = env_->RenameFile(tmp, path);
  if (s.ok()) s = env_->SyncDir(dir_);
  if (s.ok()) s = RecordWriter::OpenForAppend(env_, path, &writer_);
  if (!s.ok()) {
    env_->RemoveFile(tmp).IgnoreError();  // Cleanup after the failure that is returned.
    return s;
  }
  deletions_ = 0;
  needs_rewrite_ = false;
  return Status::OK();
}

Status Manifest::Append(const ManifestEdit& edit) {
  ManifestState next = state_;
  Status s = next.Apply(edit, max_levels_, ManifestFileName(dir_) + ": new edit");
  if (!s.ok()) return s;
  uint64_t deletions = deletions_ + edit.deleted.size();
  std::string record;
  edit.EncodeTo(&record);
  if (needs_rewrite_ || writer_ == nullptr || record.size() > kMaxAppendedRecord ||
      (deletions > kRewriteMinDeletions && deletions > kRewriteRatio * next.tables.size())) {
    s = Rewrite(next);
    if (!s.ok()) return s;
    state_ = std::move(next);
    return Status::OK();
  }
  s = writer_->AddRecord(record);
  if (s.ok()) s = writer_->Sync();
  if (!s.ok()) {
    needs_rewrite_ = true;
    return s;
  }
  deletions_ = deletions;
  state_ = std::move(next);
  return Status::OK();
}

Status Manifest::Close() {
  if (writer_ == nullptr) return Status::OK();
  Status s = writer_->Close();
  writer_.reset();
  return s;
}

}  // namespace sett
