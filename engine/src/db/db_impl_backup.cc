// DBImpl::Backup and DBImpl::Load (format in db/backup_format.h).

#include "db/backup_format.h"
#include "db/db_impl.h"
#include "format/write_batch_internal.h"

namespace sett {

Status DBImpl::Backup(std::ostream& out, uint64_t since_ts, uint64_t* backup_ts) {
  uint64_t read_ts;
  SnapshotList::Position position = snapshots_->AddLatest(visible_version_, &read_ts);
  BackupWriter writer(&out);
  Status s = writer.Begin(since_ts, read_ts);
  // All versions, so that deletions show: each key's newest version comes first.
  ReadOptions ro;
  ro.all_versions = true;
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it = NewIteratorAt(ro, read_ts, nullptr);
  std::string last_key;
  bool have_last = false;
  for (it->Rewind(); s.ok() && it->Valid(); it->Next()) {
    if (have_last && it->key() == last_key) continue;  // An older version.
    last_key.assign(it->key().data(), it->key().size());
    have_last = true;
    if (it->version() < since_ts) continue;
    if (it->deleted() && since_ts == 0) continue;  // A full backup has nothing to delete.
    KV kv;
    kv.key = last_key;
    kv.version = it->version();
    kv.user_meta = it->user_meta();
    kv.expires_at = it->expires_at();
    kv.deleted = it->deleted() && it->expires_at() == 0;
    if (!kv.deleted) kv.value.assign(it->value().data(), it->value().size());
    s = writer.Add(kv);
  }
  if (s.ok()) s = it->status();
  it.reset();
  if (s.ok()) s = writer.Finish();
  snapshots_->Remove(position);
  if (s.ok() && backup_ts != nullptr) *backup_ts = read_ts;
  logger_->Log(LogLevel::kInfo, "backup since " + std::to_string(since_ts) + " at " +
                                    std::to_string(read_ts) + ": " +
                                    std::to_string(writer.entries()) + " entries, " + s.ToString());
  return s;
}

Status DBImpl::Load(std::istream& in) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  BackupReader reader(&in);
  uint64_t since_ts, backup_ts;
  Status s = reader.Begin(&since_ts, &backup_ts);
  std::vector<KV> entries;
  bool done = false;
  uint64_t loaded = 0;
  while (s.ok() && !done) {
    s = reader.Next(&entries, &done);
    if (!s.ok() || entries.empty()) continue;
    // One batch per record, each entry under the version it had.
    WriteBatch batch;
    std::vector<uint64_t> versions;
    uint64_t newest = 0;
    for (const KV& kv : entries) {
      if (kv.key.size() > kMaxKeySize || kv.value.size() > kMaxValueSize || kv.version == 0) {
        s = Status::Corruption("backup: entry for key of " + std::to_string(kv.key.size()) +
                               " bytes is out of bounds");
        break;
      }
      WriteBatchInternal::Add(&batch, BatchEntry{static_cast<uint8_t>(kv.deleted ? kMetaDelete : 0),
                                                 kv.user_meta, kv.expires_at, kv.key, kv.value});
      versions.push_back(kv.version);
      newest = std::max(newest, kv.version);
    }
    if (!s.ok()) break;
    Writer w;
    w.batch = &batch;
    w.entry_versions = &versions;
    s = Enqueue(&w, 0, {}, newest);
    if (s.ok()) s = AwaitOrLead(&w);
    loaded += entries.size();
  }
  logger_->Log(LogLevel::kInfo, "loaded " + std::to_string(loaded) +
                                    " entries of a backup taken at " + std::to_string(backup_ts) +
                                    ": " + s.ToString());
  return s;
}

}  // namespace sett
