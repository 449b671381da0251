#include "txn/txn_impl.h"

#include "format/entry_limits.h"
#include "format/key_format.h"
#include "sett/db.h"
#include "txn/item_builder.h"
#include "util/hash.h"

namespace sett {
namespace {

// Forwards to an iterator and records every key it returns in the transaction's read set.
class ReadTrackingIterator : public Iterator {
 public:
  ReadTrackingIterator(std::unique_ptr<Iterator> inner, std::vector<uint64_t>* reads)
      : inner_(std::move(inner)), reads_(reads) {}
  void Rewind() override {
    inner_->Rewind();
    Track();
  }
  void Seek(std::string_view key) override {
    inner_->Seek(key);
    Track();
  }
  bool Valid() const override { return inner_->Valid(); }
  void Next() override {
    inner_->Next();
    Track();
  }
  std::string_view key() const override { return inner_->key(); }
  std::string_view value() const override { return inner_->value(); }
  uint64_t value_size() const override { return inner_->value_size(); }
  uint64_t version() const override { return inner_->version(); }
  uint8_t user_meta() const override { return inner_->user_meta(); }
  uint64_t expires_at() const override { return inner_->expires_at(); }
  bool deleted() const override { return inner_->deleted(); }
  Status status() const override { return inner_->status(); }

 private:
  void Track() {
    if (inner_->Valid()) reads_->push_back(KeyHash(inner_->key()));
  }
  std::unique_ptr<Iterator> inner_;
  std::vector<uint64_t>* reads_;
};

}  // namespace

TxnImpl::TxnImpl(TxnHost* host, std::shared_ptr<SnapshotList> readers,
                 SnapshotList::Position position, uint64_t read_ts, bool update)
    : host_(host),
      readers_(std::move(readers)),
      position_(position),
      registered_(true),
      read_ts_(read_ts),
      update_(update),
      pending_(host->ValueThreshold()) {}

TxnImpl::TxnImpl(TxnHost* host, Status error)
    : host_(host), error_(std::move(error)), done_(true), pending_(host->ValueThreshold()) {}

Status TxnImpl::Usable() const {
  if (!error_.ok()) return error_;
  if (done_) return Status::InvalidArgument("the transaction was already committed or discarded");
  return Status::OK();
}

Status TxnImpl::Get(std::string_view key, Item* item) {
  Status s = Usable();
  if (!s.ok()) return s;
  if (key.empty()) return Status::InvalidArgument("empty key");
  if (update_) {
    if (const PendingWrites::Write* w = pending_.Find(key)) {
      if ((w->meta & kMetaMerge) != 0) return GetMerged(key, *w, item);
      // Its own write: nothing to conflict with.
      ValueStruct vs{w->meta, w->user_meta, w->expires_at, w->value};
      if (vs.IsDeletedOrExpired(host_->NowSeconds())) {
        return Status::NotFound("");
      }
      ItemBuilder::SetKey(item, key, read_ts_, w->user_meta, w->expires_at);
      ItemBuilder::OwnedValue(item)->assign(w->value);
      return Status::OK();
    }
    reads_.push_back(KeyHash(key));
  }
  return host_->TxnGet(read_ts_, key, item);
}

Status TxnImpl::GetMerged(std::string_view key, const PendingWrites::Write& operand, Item* item) {
  MergeFunction fn;
  if (!host_->MergeFunctionFor(key, &fn)) {
    return Status::InvalidArgument("key '" + std::string(key) + "' has no merge function");
  }
  reads_.push_back(KeyHash(key));  // What lies below the operand was read.
  Item below;
  Status s = host_->TxnGet(read_ts_, key, &below);
  if (!s.ok() && !s.IsNotFound()) return s;
  std::string value = fn(
      key, s.ok() ? std::optional<std::string_view>(below.value()) : std::nullopt, operand.value);
  ItemBuilder::SetKey(item, key, read_ts_, 0, 0);
  *ItemBuilder::OwnedValue(item) = std::move(value);
  return Status::OK();
}

Status TxnImpl::CheckWrite(std::string_view key, size_t value_size) const {
  Status s = Usable();
  if (!s.ok()) return s;
  if (!update_) return Status::InvalidArgument("a read-only transaction cannot write");
  s = CheckEntryLimits(key, value_size, "");
  if (!s.ok()) return s;
  size_t bytes = pending_.BytesWith(key, value_size);
  if (bytes > host_->MaxTxnBytes()) {
    return Status::TxnTooBig("the transaction would write " + std::to_string(bytes) +
                             " bytes, over the limit of " + std::to_string(host_->MaxTxnBytes()) +
                             ": commit it and continue in another");
  }
  return Status::OK();
}

Status TxnImpl::Write(std::string_view key, PendingWrites::Write write) {
  Status s = CheckWrite(key, write.value.size());
  if (!s.ok()) return s;
  pending_.Put(key, std::move(write));
  return Status::OK();
}

Status TxnImpl::Set(std::string_view key, std::string_view value) {
  return Write(key, PendingWrites::Write{std::string(value), 0, 0, 0});
}

Status TxnImpl::SetEntry(const Entry& entry) {
  return Write(entry.key, PendingWrites::Write{std::string(entry.value), 0, entry.user_meta,
                                               entry.expires_at});
}

Status TxnImpl::Delete(std::string_view key) {
  return Write(key, PendingWrites::Write{std::string(), kMetaDelete, 0, 0});
}

Status TxnImpl::Merge(std::string_view key, std::string_view operand) {
  Status s = CheckWrite(key, operand.size());
  if (!s.ok()) return s;
  MergeFunction fn;
  if (!host_->MergeFunctionFor(key, &fn)) {
    return Status::InvalidArgument("merge into key '" + std::string(key) +
                                   "': no merge function (Options::merge_function)");
  }
  const PendingWrites::Write* w = pending_.Find(key);
  if (w == nullptr) return Write(key, PendingWrites::Write{std::string(operand), kMetaMerge, 0, 0});
  if ((w->meta & kMetaMerge) != 0) {  // Two operands make one (the function is associative).
    return Write(key, PendingWrites::Write{fn(key, w->value, operand), kMetaMerge, 0, 0});
  }
  ValueStruct below{w->meta, w->user_meta, w->expires_at, w->value};
  std::optional<std::string_view> base;
  if (!below.IsDeletedOrExpired(host_->NowSeconds())) base = w->value;
  return Write(key, PendingWrites::Write{fn(key, base, operand), 0, 0, 0});
}

std::unique_ptr<Iterator> TxnImpl::NewIterator(const ReadOptions& options) {
  IteratorFactory pending;
  if (update_ && !pending_.empty()) pending = pending_.Snapshot(read_ts_);
  std::unique_ptr<Iterator> it = host_->TxnIterator(options, read_ts_, std::move(pending));
  if (!update_) return it;
  return std::make_unique<ReadTrackingIterator>(std::move(it), &reads_);
}

Status TxnImpl::CommitWith(uint64_t commit_ts, const WriteOptions& options) {
  Status s = Usable();
  if (!s.ok()) return s;
  done_ = true;
  if (!update_ || pending_.empty()) {
    Release();
    return Status::OK();
  }
  WriteBatch batch;
  pending_.AppendTo(&batch);
  s = host_->TxnCommit(batch, read_ts_, reads_, commit_ts, options.sync);
  Release();
  return s;
}

Status TxnImpl::Commit(const WriteOptions& options) {
  if (error_.ok() && host_->options().managed_txns) {
    return Status::InvalidArgument("managed mode: commit with CommitAt");
  }
  return CommitWith(0, options);
}

Status TxnImpl::CommitAt(uint64_t commit_ts, const WriteOptions& options) {
  if (error_.ok() && !host_->options().managed_txns) {
    return Status::InvalidArgument("CommitAt is for managed mode only (Options::managed_txns)");
  }
  if (commit_ts == 0) return Status::InvalidArgument("commit timestamp 0");
  return CommitWith(commit_ts, options);
}

void TxnImpl::CommitAsync(std::function<void(const Status&)> callback,
                          const WriteOptions& options) {
  Status s = Usable();
  if (s.ok() && host_->options().managed_txns) {
    s = Status::InvalidArgument("managed mode: commit with CommitAt");
  }
  if (!s.ok() || !update_ || pending_.empty()) {
    if (s.ok()) done_ = true;
    Release();
    callback(s);
    return;
  }
  done_ = true;
  auto batch = std::make_unique<WriteBatch>();
  pending_.AppendTo(batch.get());
  // The read set must stay registered until the oracle has checked it: keep the registration
  // alive in the callback.
  auto readers = readers_;
  auto position = position_;
  registered_ = false;
  host_->TxnCommitAsync(std::move(batch), read_ts_, reads_, options.sync,
                        [readers, position, callback](const Status& status) {
                          readers->Remove(position);
                          callback(status);
                        });
}

void TxnImpl::Discard() {
  done_ = true;
  Release();
}

void TxnImpl::Release() {
  if (!registered_) return;
  readers_->Remove(position_);
  registered_ = false;
}

}  // namespace sett
