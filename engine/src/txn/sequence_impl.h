// SequenceImpl is sett::Sequence on top of the public transaction API: the key holds the first
// number not yet leased (u64, little-endian); a lease moves it forward by `bandwidth` in one
// synced transaction, so a crash can only skip numbers, never hand one out twice. Sequences
// of the same key share a lease lock (from the DB), so that their leases never conflict with
// each other: one that kept losing to a busier one could otherwise run out of retries.

#ifndef SETT_TXN_SEQUENCE_IMPL_H_
#define SETT_TXN_SEQUENCE_IMPL_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "sett/db.h"

namespace sett {

class SequenceImpl : public Sequence {
 public:
  SequenceImpl(DB* db, std::string key, uint64_t bandwidth, std::shared_ptr<std::mutex> lease_lock)
      : db_(db), key_(std::move(key)), bandwidth_(bandwidth), lease_lock_(std::move(lease_lock)) {}
  // Failing to hand back the unused leases only skips those numbers.
  ~SequenceImpl() override { Release().IgnoreError(); }

  Status Next(uint64_t* value) override;
  Status Release() override;

 private:
  Status LeaseLocked();
  // Runs body on the stored counter in a synced transaction (under the lease lock), again
  // while the commit conflicts.
  Status UpdateCounter(const std::function<Status(Txn*, uint64_t stored)>& body);

  DB* const db_;
  const std::string key_;
  const uint64_t bandwidth_;
  const std::shared_ptr<std::mutex> lease_lock_;  // Taken after mu_.
  std::mutex mu_;
  uint64_t next_ = 0;    // The next number to hand out.
  uint64_t leased_ = 0;  // The end of the lease (exclusive).
};

}  // namespace sett

#endif  // SETT_TXN_SEQUENCE_IMPL_H_
