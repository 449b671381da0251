#include "txn/sequence_impl.h"

#include "util/coding.h"

namespace sett {
namespace {

constexpr int kMaxAttempts = 100;

Status ReadCounter(Txn* txn, const std::string& key, uint64_t* value) {
  Item item;
  Status s = txn->Get(key, &item);
  if (s.IsNotFound()) {
    *value = 0;
    return Status::OK();
  }
  if (!s.ok()) return s;
  if (item.value().size() != 8) {
    return Status::Corruption("sequence key '" + key + "' holds " +
                              std::to_string(item.value().size()) + " bytes, not a counter");
  }
  *value = DecodeFixed64(item.value().data());
  return Status::OK();
}

std::string Encode(uint64_t value) {
  std::string buf;
  PutFixed64(&buf, value);
  return buf;
}

}  // namespace

Status SequenceImpl::LeaseLocked() {
  std::lock_guard<std::mutex> lease(*lease_lock_);
  WriteOptions sync;
  sync.sync = true;
  Status s;
  for (int attempt = 0; attempt < kMaxAttempts; attempt++) {
    std::unique_ptr<Txn> txn = db_->NewTransaction(true);
    uint64_t start;
    s = ReadCounter(txn.get(), key_, &start);
    if (s.ok()) s = txn->Set(key_, Encode(start + bandwidth_));
    if (s.ok()) s = txn->Commit(sync);
    if (s.ok()) {
      next_ = start;
      leased_ = start + bandwidth_;
      return s;
    }
    if (!s.IsConflict()) return s;
  }
  return s;
}

Status SequenceImpl::Next(uint64_t* value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_ >= leased_) {
    Status s = LeaseLocked();
    if (!s.ok()) return s;
  }
  *value = next_++;
  return Status::OK();
}

Status SequenceImpl::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_ >= leased_) return Status::OK();
  std::lock_guard<std::mutex> lease(*lease_lock_);
  WriteOptions sync;
  sync.sync = true;
  Status s;
  for (int attempt = 0; attempt < kMaxAttempts; attempt++) {
    std::unique_ptr<Txn> txn = db_->NewTransaction(true);
    uint64_t stored;
    s = ReadCounter(txn.get(), key_, &stored);
    if (!s.ok()) return s;
    // Give the rest back only if no one has leased after us.
    if (stored != leased_) break;
    s = txn->Set(key_, Encode(next_));
    if (s.ok()) s = txn->Commit(sync);
    if (!s.IsConflict()) break;
  }
  if (s.ok()) leased_ = next_;
  return s;
}

}  // namespace sett
