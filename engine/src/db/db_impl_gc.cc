// DBImpl's value-log garbage collection.
//
// A file is collected by copying its live values to the head of the log and then retiring it.
// An entry (key, version) in file F at offset o is
//   live   when that version is the key's newest and the tree points at F, o for it;
//   dead   when the tree no longer points there, or every live reader sees a newer version
//          (the version right above it is at or below the discard timestamp);
//   pinned when it is an older version that some live reader may still see.
// The head of the log is collected too when garbage makes it worth closing early.
// Live values are rewritten under their own versions, conditionally (ApplyRewrites): only if
// still the newest at the moment of writing. A pinned entry, or a rewrite that lost that race,
// leaves the file in place for a later run. Rewrites are fsynced before the file is retired,
// and a retired file is deleted only when the last View that holds it goes.

#include <algorithm>
#include <chrono>

#include "db/db_impl.h"
#include "util/compression.h"
#include "util/file_header.h"

namespace sett {
namespace {

// GC writes its rewrites in batches of about this many bytes.
constexpr size_t kRewriteBatchBytes = 4 << 20;
constexpr size_t kRewriteBatchEntries = 1024;
// The head is closed for collection only when it holds at least this much.
constexpr uint64_t kMinHeadToCollect = 1 << 20;

bool PointsAt(const ValueStruct& vs, const ValuePointer& here) {
  ValuePointer ptr;
  return ValueResolver::IsPointer(vs) && DecodeValuePointer(vs.value, &ptr) && ptr == here;
}

}  // namespace

DBImpl::Liveness DBImpl::Classify(std::string_view internal_key, const ValuePointer& here,
                                  uint64_t discard_ts, Status* status) {
  std::shared_ptr<const View> view = CurrentView();
  std::string_view user_key = UserKey(internal_key);
  uint64_t version = VersionOf(internal_key);
  Found newest;
  *status = FindNewest(*view, user_key, kMaxVersion, &newest);
  if (!status->ok() || !newest.found || newest.version < version) return Liveness::kDead;
  if (newest.version == version) {
    bool visible = !newest.vs.IsDeletedOrExpired(NowSeconds());
    return visible && PointsAt(newest.vs, here) ? Liveness::kLive : Liveness::kDead;
  }
  Found at_version;
  *status = FindNewest(*view, user_key, version, &at_version);
  if (!status->ok() || !at_version.found || at_version.version != version ||
      !PointsAt(at_version.vs, here)) {
    return Liveness::kDead;
  }
  Found at_discard;
  *status = FindNewest(*view, user_key, discard_ts, &at_discard);
  if (!status->ok()) return Liveness::kDead;
  if (!at_discard.found || at_discard.version <= version) return Liveness::kPinned;
  // Under merge operands that reach down to it, the oldest reader (and whoever reads newer
  // operands) folds onto it: it stays until a compaction folds them.
  if (at_discard.vs.IsMerge() &&
      OperandsReach(*view, user_key, at_discard.version, version, status)) {
    return Liveness::kPinned;
  }
  return Liveness::kDead;
}

bool DBImpl::OperandsReach(const View& view, std::string_view user_key, uint64_t from,
                           uint64_t version, Status* status) const {
  ReadOptions options;
  options.prefix = std::string(user_key);
  std::unique_ptr<InternalIterator> it =
      MergedSources(&view, IteratorFactory(), options, /*reverse=*/false);
  for (it->Seek(InternalKey(user_key, from)); it->Valid() && UserKey(it->key()) == user_key;
       it->Next()) {
    if (VersionOf(it->key()) <= version) return VersionOf(it->key()) == version;
    ValueStruct vs;
    if (!DecodeValueStruct(it->value(), &vs) || !vs.IsMerge()) break;
  }
  *status = it->status();
  return false;
}

double DBImpl::CollectableGarbage(uint32_t file_id) const {
  uint64_t size = vlog_->FileSize(file_id);
  uint64_t payload = size > kFileHeaderSize ? size - kFileHeaderSize : 0;
  // The head qualifies too once it holds enough garbage to be worth closing early; without
  // that, a log smaller than one file could never give space back.
  if (file_id == vlog_->head_id() && payload < kMinHeadToCollect) return 0;
  return payload == 0 ? 1.0 : std::min(1.0, double(discard_->Get(file_id)) / payload);
}

Status DBImpl::RunValueLogGC(double discard_ratio, ValueLogGCStats* stats) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  if (!(discard_ratio > 0 && discard_ratio <= 1)) {
    return Status::InvalidArgument("discard ratio must be in (0, 1], not " +
                                   std::to_string(discard_ratio));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Aborted(dir_ + " is closed");
  }
  std::lock_guard<std::mutex> gc_lock(gc_mu_);
  std::vector<std::pair<double, uint32_t>> candidates;
  for (uint32_t id : vlog_->FileIds()) {
    double ratio = CollectableGarbage(id);
    if (ratio >= discard_ratio) candidates.emplace_back(ratio, id);
  }
  std::sort(candidates.rbegin(), candidates.rend());
  for (const auto& [ratio, id] : candidates) {
    if (id == vlog_->head_id()) {
      Status s = RotateValueLog();
      if (!s.ok()) return s;
    }
    ValueLogGCStats local;
    Status s = CollectFile(id, &local);
    if (s.ok()) {
      logger_->Log(LogLevel::kInfo, "value-log GC collected file " + std::to_string(id) + ": " +
                                        std::to_string(local.entries_rewritten) + " live values (" +
                                        std::to_string(local.bytes_rewritten) + " bytes) moved, " +
                                        std::to_string(local.entries_discarded) + " dropped, " +
                                        std::to_string(local.file_size) + " bytes reclaimed");
      if (stats != nullptr) *stats = local;
      return s;
    }
    if (!s.IsBusy()) return s;
    logger_->Log(LogLevel::kInfo,
                 "value-log GC skips file " + std::to_string(id) + " for now: " + s.message());
  }
  return Status::NothingToCollect("no value-log file has " + std::to_string(discard_ratio * 100) +
                                  "% garbage that can be collected now");
}

Status DBImpl::CollectFile(uint32_t file_id, ValueLogGCStats* stats) {
  std::shared_ptr<const VlogSet> files = vlog_->files();
  auto it = files->find(file_id);
  if (it == files->end()) return Status::Busy("already collected");
  const VlogFile& file = *it->second;
  uint64_t end = vlog_->FileSize(file_id);
  stats->file_id = file_id;
  stats->file_size = end;
  uint64_t discard_ts = DiscardTs();

  std::vector<RewriteEntry> batch;
  size_t batch_bytes = 0;
  auto write_batch = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    size_t skipped = 0;
    Status s = WriteRewrites(&batch, &skipped);
    if (s.ok() && skipped > 0) {
      s = Status::Busy(std::to_string(skipped) + " keys changed while being moved");
    }
    batch.clear();
    batch_bytes = 0;
    return s;
  };

  VlogScanner scanner(file, end);
  VlogEntry entry;
  uint64_t offset;
  while (scanner.Next(&entry, &offset)) {
    if (stopping_) return Status::Aborted(dir_ + " is closing");
    // As stored (an encrypted entry is longer than what it opens to).
    ValuePointer here{file_id, offset, static_cast<uint32_t>(scanner.position() - offset)};
    Status s;
    Liveness liveness = Classify(entry.key, here, discard_ts, &s);
    if (!s.ok()) return s;
    if (liveness == Liveness::kPinned) {
      return Status::Busy("it holds versions that a live snapshot may still read");
    }
    if (liveness == Liveness::kDead) {
      stats->entries_discarded++;
      continue;
    }
    RewriteEntry e;
    e.key.assign(entry.key.data(), entry.key.size());
    e.value.assign(entry.value.data(), entry.value.size());
    e.meta = entry.meta;
    e.user_meta = entry.user_meta;
    e.expires_at = entry.expires_at;
    e.old_pointer = here;
    e.codec = VlogCodec(entry.flags);
    if (e.codec != Compression::kNone) {
      size_t value_size;
      if (!UncompressedSize(e.codec, entry.value, &value_size) || value_size == 0 ||
          value_size > UINT32_MAX) {
        return Status::Corruption(file.path() + ": entry at offset " + std::to_string(offset) +
                                  " has a malformed compressed value");
      }
      e.value_size = static_cast<uint32_t>(value_size);
    }
    batch_bytes += e.key.size() + e.value.size();
    batch.push_back(std::move(e));
    stats->entries_rewritten++;
    stats->bytes_rewritten += entry.value.size();
    if (batch_bytes >= kRewriteBatchBytes || batch.size() >= kRewriteBatchEntries) {
      s = write_batch();
      if (!s.ok()) return s;
    }
  }
  if (!scanner.status().ok()) return scanner.status();
  if (scanner.damaged()) {
    return Status::Corruption(file.path() + ": damaged entry at offset " +
                              std::to_string(scanner.position()) +
                              "; the file is kept, since what follows cannot be moved");
  }
  Status s = write_batch();
  // What made the other entries dead (newer writes, deletions) must be durable before their
  // values go: a power loss must not bring back an older state that points into this file.
  if (s.ok()) s = Sync();
  if (s.ok()) RetireCollected(*stats);
  return s;
}

void DBImpl::RetireCollected(const ValueLogGCStats& stats) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    vlog_->Retire(stats.file_id);
    InstallView();
  }
  metrics_.gc_files_collected++;
  metrics_.gc_bytes_reclaimed += stats.file_size;
  metrics_.gc_bytes_rewritten += stats.bytes_rewritten;
  // Should a reader keep the file past a crash, the next open finds it marked all garbage.
  Status d = discard_->Set(stats.file_id, stats.file_size);
  if (!d.ok()) logger_->Log(LogLevel::kWarning, "recording a collected file: " + d.ToString());
}

void DBImpl::GCLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto interval = std::chrono::seconds(options_.value_log_gc_interval_seconds);
  const auto quiet_after = std::chrono::seconds(options_.value_log_gc_quiet_seconds);
  // Tidy once after opening too: a previous run may have left garbage uncounted.
  uint64_t tidied_at_writes = UINT64_MAX;
  while (!stopping_) {
    // Paced, a file that garbage made collectable ends the wait (RecordGarbage).
    work_cv_.wait_for(lock, interval,
                      [&] { return stopping_ || (options_.value_log_gc_paced && gc_wanted_); });
    if (stopping_) break;
    gc_wanted_ = false;
    bool quiet = options_.value_log_gc_quiet_seconds > 0 &&
                 std::chrono::steady_clock::now() - last_user_write_ >= quiet_after;
    uint64_t writes = user_writes_;
    lock.unlock();
    RunGCRound(quiet, writes, &tidied_at_writes);
    lock.lock();
  }
}

void DBImpl::RunGCRound(bool quiet, uint64_t writes, uint64_t* tidied_at_writes) {
  if (quiet && writes != *tidied_at_writes) {
    Status s = CompactQuiet();
    if (s.ok()) {
      *tidied_at_writes = writes;
    } else if (!s.IsAborted()) {
      logger_->Log(LogLevel::kWarning, "compacting a quiet DB for GC: " + s.ToString());
    }
  }
  double ratio =
      quiet ? options_.value_log_gc_quiet_discard_ratio : options_.value_log_gc_discard_ratio;
  // Collect a few files per round, so that GC never hogs the disk for long.
  for (int i = 0; i < 8 && !stopping_; i++) {
    Status s = RunValueLogGC(ratio, nullptr);
    if (s.ok()) continue;
    if (!s.IsNothingToCollect() && !s.IsAborted()) {
      logger_->Log(LogLevel::kWarning, "background value-log GC: " + s.ToString());
    }
    break;
  }
}

}  // namespace sett
