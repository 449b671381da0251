#include "db/merge_operator_impl.h"

namespace sett {

MergeOperatorImpl::MergeOperatorImpl(DB* db, MergeRegistry* registry, std::string key,
                                     std::chrono::milliseconds interval)
    : db_(db), registry_(registry), key_(std::move(key)), interval_(interval) {
  if (interval_.count() > 0) folder_ = std::thread([this] { FoldLoop(); });
}

Status MergeOperatorImpl::Add(std::string_view operand) {
  WriteBatch batch;
  batch.Merge(key_, operand);
  Status s = db_->Write(WriteOptions(), batch);
  if (s.ok()) added_.fetch_add(1, std::memory_order_relaxed);
  return s;
}

Status MergeOperatorImpl::Get(std::string* value) { return db_->Get(ReadOptions(), key_, value); }

void MergeOperatorImpl::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  stop_cv_.notify_all();
  if (folder_.joinable()) folder_.join();
  // A last fold, so that the key reads without the function from now on (a conflict with a
  // concurrent merge is tried again).
  for (int attempt = 0; attempt < 10; attempt++) {
    if (!FoldOnce().IsConflict()) break;
  }
  registry_->Release(key_);
}

void MergeOperatorImpl::FoldLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_cv_.wait_for(lock, interval_, [this] { return stopped_; })) {
    lock.unlock();
    Status ignored = FoldOnce();  // A conflict or a closing DB: the next round tries again.
    (void)ignored;
    lock.lock();
  }
}

Status MergeOperatorImpl::FoldOnce() {
  uint64_t added = added_.exchange(0, std::memory_order_relaxed);
  if (added == 0) return Status::OK();
  Status s = db_->Update([this](Txn* txn) {
    Item item;
    Status s = txn->Get(key_, &item);
    if (s.IsNotFound()) return Status::OK();
    if (!s.ok()) return s;
    return txn->Set(key_, item.value());
  });
  if (!s.ok()) added_.fetch_add(added, std::memory_order_relaxed);
  return s;
}

}  // namespace sett
