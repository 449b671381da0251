// TxnImpl is sett::Txn: a read timestamp registered with the DB's readers (so that compaction
// keeps what it reads and the oracle keeps what it may conflict with), the keys it has read,
// and its pending writes. TxnHost is what it needs from the DB.

#ifndef SETT_TXN_TXN_IMPL_H_
#define SETT_TXN_TXN_IMPL_H_

#include <functional>
#include <memory>
#include <vector>

#include "sett/options.h"
#include "sett/txn.h"
#include "txn/pending_writes.h"
#include "txn/snapshot_list.h"

namespace sett {

class TxnHost {
 public:
  virtual ~TxnHost() = default;
  virtual Status TxnGet(uint64_t read_ts, std::string_view key, Item* item) = 0;
  // pending (the transaction's writes; empty when none) goes on top of what read_ts sees.
  virtual std::unique_ptr<Iterator> TxnIterator(const ReadOptions& options, uint64_t read_ts,
                                                IteratorFactory pending) = 0;
  virtual Status TxnCommit(const WriteBatch& batch, uint64_t read_ts,
                           const std::vector<uint64_t>& reads, uint64_t commit_ts, bool sync) = 0;
  virtual void TxnCommitAsync(std::unique_ptr<WriteBatch> batch, uint64_t read_ts,
                              std::vector<uint64_t> reads, bool sync,
                              std::function<void(const Status&)> callback) = 0;
  // The most one commit may write (Options::max_txn_bytes, resolved).
  virtual size_t MaxTxnBytes() const = 0;
  // Values of at least this size go to the value log now (they count as pointers).
  virtual size_t ValueThreshold() const = 0;
  // The DB's clock (Env::NowMicros) in seconds: what expiry is judged by.
  virtual uint64_t NowSeconds() const = 0;
  virtual const Options& options() const = 0;
  // The merge function for key (a DB::GetMergeOperator handle's, else Options'); false when
  // none applies.
  virtual bool MergeFunctionFor(std::string_view key, MergeFunction* fn) const = 0;
};

class TxnImpl : public Txn {
 public:
  // A transaction that reads at read_ts, registered in readers at position.
  TxnImpl(TxnHost* host, std::shared_ptr<SnapshotList> readers, SnapshotList::Position position,
          uint64_t read_ts, bool update);
  // A transaction that can only fail, with error.
  TxnImpl(TxnHost* host, Status error);
  ~TxnImpl() override { Discard(); }

  Status Get(std::string_view key, Item* item) override;
  Status Set(std::string_view key, std::string_view value) override;
  Status SetEntry(const Entry& entry) override;
  Status Delete(std::string_view key) override;
  Status Merge(std::string_view key, std::string_view operand) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  Status Commit(const WriteOptions& options) override;
  void CommitAsync(std::function<void(const Status&)> callback,
                   const WriteOptions& options) override;
  Status CommitAt(uint64_t commit_ts, const WriteOptions& options) override;
  void Discard() override;
  uint64_t read_ts() const override { return read_ts_; }
  bool is_update() const override { return update_; }

 private:
  Status Usable() const;
  Status CheckWrite(std::string_view key, size_t value_size) const;
  Status Write(std::string_view key, PendingWrites::Write write);
  // Get of a key whose pending write is a merge operand: the operand onto what read_ts sees.
  Status GetMerged(std::string_view key, const PendingWrites::Write& operand, Item* item);
  Status CommitWith(uint64_t commit_ts, const WriteOptions& options);
  void Release();

  TxnHost* const host_;
  const Status error_;
  std::shared_ptr<SnapshotList> readers_;
  SnapshotList::Position position_;
  bool registered_ = false;
  const uint64_t read_ts_ = 0;
  const bool update_ = false;
  bool done_ = false;
  PendingWrites pending_;
  std::vector<uint64_t> reads_;  // Fingerprints of the keys read.
};

}  // namespace sett

#endif  // SETT_TXN_TXN_IMPL_H_
