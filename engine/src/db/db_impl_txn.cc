// DBImpl's transactions: starting them, reading and iterating for them, committing them
// (synchronously, or asynchronously through one committer thread), and managed mode.

#include <ctime>

#include "db/db_impl.h"
#include "txn/item_builder.h"

namespace sett {

std::unique_ptr<Txn> DBImpl::NewTransaction(bool update) {
  if (options_.managed_txns) {
    return std::make_unique<TxnImpl>(
        this, Status::InvalidArgument("managed mode: start transactions with NewTransactionAt"));
  }
  if (update && options_.read_only) {
    return std::make_unique<TxnImpl>(this, Status::NotSupported(dir_ + " is open read-only"));
  }
  // Start at the newest timestamp handed out, once it is applied: a transaction retried after
  // a conflict then sees the commit it conflicted with, even one still being written.
  uint64_t assigned = oracle_->last_ts();
  if (visible_version_.load(std::memory_order_acquire) < assigned) {
    std::unique_lock<std::mutex> lock(mu_);
    applied_cv_.wait(lock, [&] {
      return visible_version_.load(std::memory_order_acquire) >= assigned || closed_;
    });
  }
  uint64_t read_ts;
  SnapshotList::Position position = snapshots_->AddLatest(visible_version_, &read_ts);
  return std::make_unique<TxnImpl>(this, snapshots_, position, read_ts, update);
}

std::unique_ptr<Txn> DBImpl::NewTransactionAt(uint64_t read_ts, bool update) {
  if (!options_.managed_txns) {
    return std::make_unique<TxnImpl>(
        this, Status::InvalidArgument("NewTransactionAt is for managed mode only"));
  }
  SnapshotList::Position position = snapshots_->Add(read_ts);
  return std::make_unique<TxnImpl>(this, snapshots_, position, read_ts, update);
}

void DBImpl::SetDiscardTs(uint64_t discard_ts) {
  managed_discard_ts_.store(discard_ts, std::memory_order_release);
}

size_t DBImpl::MaxTxnBytes() const {
  return options_.max_txn_bytes != 0 ? options_.max_txn_bytes : options_.memtable_size * 15 / 100;
}

Status DBImpl::TxnGet(uint64_t read_ts, std::string_view key, Item* item) {
  metrics_.gets++;
  std::shared_ptr<const View> view = CurrentView();
  if (view == nullptr) return Status::Aborted(dir_ + " is closed");
  Found found;
  Status s = FindNewest(*view, key, read_ts, &found);
  if (!s.ok()) return s;
  if (!found.found || found.vs.IsDeletedOrExpired(NowSeconds())) {
    return Status::NotFound("");
  }
  ItemBuilder::SetKey(item, key, found.version, found.vs.user_meta, found.vs.expires_at);
  if (found.vs.IsMerge()) {
    return FoldMerges(*view, IteratorFactory(), key, found.version, ItemBuilder::OwnedValue(item));
  }
  if (ValueResolver::IsPointer(found.vs)) {
    return ResolverFor(*view).Resolve(key, found.version, found.vs, ItemBuilder::OwnedValue(item));
  }
  if (found.from_table) {
    ItemBuilder::OwnedValue(item)->assign(found.vs.value.data(), found.vs.value.size());
  } else {
    // In a memtable, which the view keeps alive: no copy.
    ItemBuilder::PinnedValue(item, found.vs.value, view);
  }
  return Status::OK();
}

std::unique_ptr<Iterator> DBImpl::TxnIterator(const ReadOptions& options, uint64_t read_ts,
                                              IteratorFactory pending) {
  return NewIteratorAt(options, read_ts, std::move(pending));
}

Status DBImpl::TxnCommit(const WriteBatch& batch, uint64_t read_ts,
                         const std::vector<uint64_t>& reads, uint64_t commit_ts, bool sync) {
  if (options_.read_only) return Status::NotSupported(dir_ + " is open read-only");
  Writer w;
  w.batch = &batch;
  w.sync = sync || options_.sync_writes;
  Status s = Enqueue(&w, read_ts, reads, commit_ts);
  if (s.ok()) s = AwaitOrLead(&w);
  if (s.ok()) metrics_.txn_commits++;
  return s;
}

void DBImpl::TxnCommitAsync(std::unique_ptr<WriteBatch> batch, uint64_t read_ts,
                            std::vector<uint64_t> reads, bool sync,
                            std::function<void(const Status&)> callback) {
  async_committer_.Submit(AsyncCommitter::Commit{std::move(batch), read_ts, std::move(reads), sync,
                                                 std::move(callback)});
}

std::vector<Status> DBImpl::CommitTogether(const std::vector<AsyncCommitter::Commit>& commits) {
  // Queue them all first, so that they commit as one group, then see each through.
  std::vector<std::unique_ptr<Writer>> writers;
  std::vector<Status> results(commits.size());
  for (size_t i = 0; i < commits.size(); i++) {
    auto w = std::make_unique<Writer>();
    w->batch = commits[i].batch.get();
    w->sync = commits[i].sync || options_.sync_writes;
    results[i] = options_.read_only ? Status::NotSupported(dir_ + " is open read-only")
                                    : Enqueue(w.get(), commits[i].read_ts, commits[i].reads, 0);
    writers.push_back(results[i].ok() ? std::move(w) : nullptr);
  }
  for (size_t i = 0; i < commits.size(); i++) {
    if (writers[i] != nullptr) results[i] = AwaitOrLead(writers[i].get());
    if (results[i].ok()) metrics_.txn_commits++;
  }
  return results;
}

std::unique_ptr<Subscription> DBImpl::Subscribe(std::vector<std::string> prefixes,
                                                SubscribeCallback callback) {
  return subscriptions_.Add(std::move(prefixes), std::move(callback));
}

Metrics DBImpl::GetMetrics() const {
  Metrics m = metrics_.Snapshot();
  m.read_entries_visited = read_entries_visited_->load(std::memory_order_relaxed);
  if (cache_ != nullptr) {
    m.block_cache_hits = cache_->hits();
    m.block_cache_misses = cache_->misses();
    m.index_cache_bytes = cache_->index_usage();
    m.index_cache_misses = cache_->index_misses();
  }
  return m;
}

}  // namespace sett
