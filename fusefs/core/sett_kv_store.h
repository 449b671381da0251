// SettKvStore is KvStore over a sett::DB: transactions are sett transactions, ids come from a
// sett::Sequence under kSequenceKey (keys.h). At a named snapshot (set_snapshot) every
// transaction reads the snapshot's state and none may write.

#ifndef SETTFS_CORE_SETT_KV_STORE_H_
#define SETTFS_CORE_SETT_KV_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/kv_store.h"
#include "sett/db.h"

namespace settfs {

class SettKvStore : public KvStore {
 public:
  // Does not own db, which must outlive this store. dir, when given, is where the database's
  // files live (for FreeBytes).
  explicit SettKvStore(sett::DB* db, std::string dir = "") : db_(db), dir_(std::move(dir)) {}
  ~SettKvStore() override;

  std::unique_ptr<KvTxn> Begin(bool update) override;
  Status NextId(uint64_t* id) override;
  Status Sync() override { return db_->Sync(); }
  Status Usage(KvUsage* usage) override;
  uint64_t FreeBytes() override;
  size_t MaxTxnBytes() const override { return db_->MaxTxnBytes(); }

  sett::DB* db() const { return db_; }
  // Reads at the named snapshot from now on (NotFound when there is none): Begin gives
  // read-only transactions, NextId fails.
  Status set_snapshot(const std::string& name);

 private:
  sett::DB* const db_;
  const std::string dir_;
  std::string snapshot_;  // Set before use: read without a lock.
  // FreeBytes asks the filesystem at most every kFreeBytesTtlNs while space is plentiful:
  // every write checks, and a statvfs per 4 KiB write is a measurable share of its cost.
  static constexpr int64_t kFreeBytesTtlNs = 20'000'000;
  static constexpr uint64_t kPlentiful = 1ull << 30;
  std::atomic<uint64_t> free_bytes_{0};
  std::atomic<int64_t> free_bytes_at_ns_{INT64_MIN};
  std::mutex mu_;
  std::unique_ptr<sett::Sequence> ids_;
};

}  // namespace settfs

#endif  // SETTFS_CORE_SETT_KV_STORE_H_
