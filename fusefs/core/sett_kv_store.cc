#include "core/sett_kv_store.h"

#include <sys/statvfs.h>

#include <chrono>
#include <cstdint>

#include "core/keys.h"

namespace settfs {
namespace {

// The bandwidth of the inode-number sequence: one synced write per this many new inodes.
constexpr uint64_t kIdLease = 4096;

class SettKvTxn : public KvTxn {
 public:
  explicit SettKvTxn(std::unique_ptr<sett::Txn> txn) : txn_(std::move(txn)) {}

  Status Get(std::string_view key, std::string* value) override {
    sett::Item item;
    Status s = txn_->Get(key, &item);
    if (s.ok()) value->assign(item.value().data(), item.value().size());
    return s;
  }
  Status Set(std::string_view key, std::string_view value) override {
    return txn_->Set(key, value);
  }
  Status Delete(std::string_view key) override { return txn_->Delete(key); }

  Status Scan(std::string_view prefix, std::string_view start, bool keys_only,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    sett::ReadOptions options;
    options.prefix = std::string(prefix);
    options.key_only = keys_only;
    std::unique_ptr<sett::Iterator> it = txn_->NewIterator(options);
    for (start.empty() ? it->Rewind() : it->Seek(start); it->Valid(); it->Next()) {
      if (!fn(it->key(), it->value())) break;
    }
    return it->status();
  }

  Status ScanBackward(std::string_view prefix, std::string_view start,
                      const std::function<bool(std::string_view)>& fn) override {
    sett::ReadOptions options;
    options.prefix = std::string(prefix);
    options.key_only = true;
    options.reverse = true;
    std::unique_ptr<sett::Iterator> it = txn_->NewIterator(options);
    for (start.empty() ? it->Rewind() : it->Seek(start); it->Valid(); it->Next()) {
      if (!fn(it->key())) break;
    }
    return it->status();
  }

  Status Commit(bool sync) override {
    sett::WriteOptions options;
    options.sync = sync;
    return txn_->Commit(options);
  }

 private:
  std::unique_ptr<sett::Txn> txn_;
};

}  // namespace

SettKvStore::~SettKvStore() {
  std::lock_guard<std::mutex> lock(mu_);
  if (ids_ != nullptr) ids_->Release().IgnoreError();  // Unused ids are only skipped.
}

std::unique_ptr<KvTxn> SettKvStore::Begin(bool update) {
  if (!snapshot_.empty())
    return std::make_unique<SettKvTxn>(db_->NewTransactionAtSnapshot(snapshot_));
  return std::make_unique<SettKvTxn>(db_->NewTransaction(update));
}

Status SettKvStore::set_snapshot(const std::string& name) {
  sett::SnapshotInfo info;
  Status s = db_->FindSnapshot(name, &info);
  if (s.ok()) snapshot_ = name;
  return s;
}

Status SettKvStore::NextId(uint64_t* id) {
  if (!snapshot_.empty()) return Status::NotSupported("snapshot " + snapshot_ + " is read-only");
  std::lock_guard<std::mutex> lock(mu_);
  if (ids_ == nullptr) {
    Status s = db_->GetSequence(kSequenceKey, kIdLease, &ids_);
    if (!s.ok()) return s;
  }
  return ids_->Next(id);
}

uint64_t SettKvStore::FreeBytes() {
  if (dir_.empty()) return UINT64_MAX;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  uint64_t cached = free_bytes_.load(std::memory_order_relaxed);
  if (cached >= kPlentiful &&
      now - free_bytes_at_ns_.load(std::memory_order_relaxed) < kFreeBytesTtlNs) {
    return cached;
  }
  struct statvfs st;
  if (::statvfs(dir_.c_str(), &st) != 0) return UINT64_MAX;
  uint64_t free = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  free_bytes_.store(free, std::memory_order_relaxed);
  free_bytes_at_ns_.store(now, std::memory_order_relaxed);
  return free;
}

Status SettKvStore::Usage(KvUsage* usage) {
  sett::DBInfo info = db_->Info();
  usage->bytes_on_disk = info.manifest_size;
  for (const auto& l : info.levels) usage->bytes_on_disk += l.size;
  for (const auto& v : info.value_log_files) usage->bytes_on_disk += v.size;
  for (const auto& m : info.memtables) usage->bytes_on_disk += m.wal_size;
  usage->bytes_free = info.free_bytes;
  return Status::OK();
}

}  // namespace settfs
