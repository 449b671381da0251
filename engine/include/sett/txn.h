// Txn is a transaction with serializable snapshot isolation. It reads the database as it was at
// its read timestamp, plus its own pending writes; Commit applies its writes atomically under
// a new commit timestamp, unless a transaction that committed after its read timestamp wrote a
// key it read: then Commit fails with Conflict, and the caller may retry from the start.
//
//   std::unique_ptr<sett::Txn> txn = db->NewTransaction(/*update=*/true);
//   sett::Item item;
//   sett::Status s = txn->Get("balance", &item);
//   if (s.ok()) s = txn->Set("balance", Add(item.value(), 10));
//   if (s.ok()) s = txn->Commit();
//   if (s.IsConflict()) { /* run the whole transaction again */ }
//
// The keys a transaction reads - with Get, or as an iterator returns them - form its read set.
// A key that another transaction inserts into a range this one scanned does not conflict (as
// in BadgerDB): conflicts are per key.
//
// Thread safety: a Txn is used by one thread at a time. Destroy iterators before the Txn.

#ifndef SETT_TXN_H_
#define SETT_TXN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "sett/entry.h"
#include "sett/item.h"
#include "sett/iterator.h"
#include "sett/options.h"
#include "sett/status.h"

namespace sett {

class Txn {
 public:
  virtual ~Txn() = default;  // Discards the transaction unless it committed.

  // The newest version of key at the read timestamp (or the pending write). NotFound when
  // absent, deleted or expired.
  virtual Status Get(std::string_view key, Item* item) = 0;

  // Writes become visible to this transaction at once and to others at commit. They fail with
  // InvalidArgument in a read-only transaction, after Commit or Discard, for an empty key or
  // a key or value over the limits (sett/db.h), and with TxnTooBig when the transaction would
  // outgrow what one commit may write (Options::max_txn_bytes): commit and start another.
  virtual Status Set(std::string_view key, std::string_view value) = 0;
  virtual Status SetEntry(const Entry& entry) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // A merge operand (sett/merge.h): a blind write, which adds nothing to the read set, so
  // concurrent merges of a key never conflict. After a Set or Delete of the key in this
  // transaction, or another Merge, it combines with that write. InvalidArgument when no merge
  // function applies to the key.
  virtual Status Merge(std::string_view key, std::string_view operand) = 0;

  // Iterates at the read timestamp, with this transaction's pending writes merged in.
  // ReadOptions::read_ts is ignored.
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  // Applies the writes atomically; durable before returning when options.sync or
  // Options::sync_writes. A read-only transaction or one without writes commits trivially.
  virtual Status Commit(const WriteOptions& options = WriteOptions()) = 0;
  // Like Commit, without waiting: callback runs (on another thread) once the writes are
  // applied or the commit failed. The transaction is done when this returns.
  virtual void CommitAsync(std::function<void(const Status&)> callback,
                           const WriteOptions& options = WriteOptions()) = 0;
  // Managed mode only (Options::managed_txns): commits under the caller's timestamp.
  virtual Status CommitAt(uint64_t commit_ts, const WriteOptions& options = WriteOptions()) = 0;
  // Drops the writes; the transaction can no longer be used. Idempotent.
  virtual void Discard() = 0;

  virtual uint64_t read_ts() const = 0;
  virtual bool is_update() const = 0;
};

}  // namespace sett

#endif  // SETT_TXN_H_
