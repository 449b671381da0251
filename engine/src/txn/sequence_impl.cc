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

Status SequenceImpl::UpdateCounter(const std::function<Status(Txn*, uint64_t stored)>& body) {
  std::lock_guard<std::mutex> lease(*lease_lock_);
  WriteOptions sync;
  sync.sync = true;
  Status s;
  for (int attempt = 0; attempt < kMaxAttempts; attempt++) {
    std::unique_ptr<Txn> txn = db_->NewTransaction(true);
    uint64_t stored = 0;
    s = ReadCounter(txn.get(), key_, &stored);
    if (s.ok()) s = body(txn.get(), stored);
    if (s.ok()) s = txn->Commit(sync);
    if (!s.IsConflict()) return s;
  }
  return s;
}

Status SequenceImpl::LeaseLocked() {
  uint64_t start = 0;
  Status s = UpdateCounter([&](Txn* txn, uint64_t stored) {
    start = stored;
    return txn->Set(key_, Encode(start + bandwidth_));
  });
  if (s.ok()) {
    next_ = start;
    leased_ = start + bandwidth_;
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
  Status s = UpdateCounter([&](Txn* txn, uint64_t stored) {
    // Give the rest back only if no one has leased after us (else commit nothing).
    return stored == leased_ ? txn->Set(key_, Encode(next_)) : Status::OK();
  });
  if (s.ok()) leased_ = next_;
  return s;
}

}  // namespace sett
