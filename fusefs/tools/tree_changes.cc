#include "tree_changes.h"

#include "core/keys.h"

namespace settfs {

using sett::Status;

namespace {

bool Skipped(std::string_view key) { return key == kSequenceKey || key == kPendingKey; }

// Moves it to the next key that DiffStates looks at.
void SkipOwnKeys(sett::Iterator* it) {
  while (it->Valid() && Skipped(it->key())) it->Next();
}

}  // namespace

Status DiffStates(sett::DB* db, uint64_t from_ts, uint64_t to_ts,
                  const std::function<Status(const KeyChange&)>& fn, bool compare_values) {
  sett::ReadOptions at_to;
  at_to.read_ts = to_ts;
  at_to.key_only = true;
  sett::ReadOptions at_from = at_to;
  at_from.read_ts = from_ts;
  std::unique_ptr<sett::Iterator> to = db->NewIterator(at_to);
  std::unique_ptr<sett::Iterator> from = from_ts == 0 ? nullptr : db->NewIterator(at_from);
  to->Rewind();
  if (from != nullptr) from->Rewind();
  sett::ReadOptions read = at_to;
  read.key_only = false;
  KeyChange change;
  Status s;
  while (s.ok()) {
    SkipOwnKeys(to.get());
    if (from != nullptr) SkipOwnKeys(from.get());
    const bool has_to = to->Valid(), has_from = from != nullptr && from->Valid();
    if (!has_to && !has_from) break;
    int order = !has_from ? -1 : !has_to ? 1 : to->key().compare(from->key());
    if (order > 0) {  // Gone at to_ts.
      change.key = std::string(from->key());
      change.deleted = true;
      change.value.clear();
      s = fn(change);
      from->Next();
      continue;
    }
    if (order == 0 && to->version() == from->version()) {
      to->Next();
      from->Next();
      continue;
    }
    change.key = std::string(to->key());
    change.deleted = false;
    s = db->Get(read, change.key, &change.value);
    if (s.ok() && order == 0 && compare_values) {
      sett::ReadOptions before = read;
      before.read_ts = from_ts;
      std::string old_value;
      s = db->Get(before, change.key, &old_value);
      if (s.ok() && old_value == change.value) {
        to->Next();
        from->Next();
        continue;
      }
    }
    if (s.ok()) s = fn(change);
    to->Next();
    if (order == 0) from->Next();
  }
  if (s.ok()) s = to->status();
  if (s.ok() && from != nullptr) s = from->status();
  return s;
}

BulkChange::BulkChange(sett::DB* db) : db_(db), max_batch_bytes_(db->MaxTxnBytes() / 2) {}

Status BulkChange::Begin(sett::DB* db, const std::string& what,
                         std::unique_ptr<BulkChange>* change) {
  sett::WriteOptions synced;
  synced.sync = true;
  Status s = db->Put(synced, kPendingKey, what);
  if (s.ok()) change->reset(new BulkChange(db));
  return s;
}

Status BulkChange::Add(const KeyChange& change) {
  if (change.deleted) {
    batch_.Delete(change.key);
  } else {
    batch_.Put(change.key, change.value);
  }
  changes_++;
  // A value in the value log counts as its pointer against the limit: large file blocks
  // make batches of many, small keys of fewer.
  batch_bytes_ += change.key.size() + std::min<size_t>(change.value.size(), 4096) + kKeyOverhead;
  if (batch_bytes_ < max_batch_bytes_ && batch_.ApproximateSize() < (64u << 20))
    return Status::OK();
  return WriteBatch(false);
}

Status BulkChange::WriteBatch(bool last) {
  if (last) batch_.Delete(kPendingKey);
  sett::WriteOptions options;
  options.sync = last;
  Status s = db_->Write(options, batch_);
  batch_.Clear();
  batch_bytes_ = 0;
  return s;
}

Status BulkChange::Flush() { return batch_.Count() == 0 ? Status::OK() : WriteBatch(false); }

Status BulkChange::Finish() { return WriteBatch(true); }

}  // namespace settfs
