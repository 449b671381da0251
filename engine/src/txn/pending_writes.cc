#include "txn/pending_writes.h"

#include <algorithm>
#include <vector>

#include "format/key_format.h"
#include "format/write_batch_internal.h"
#include "vlog/vlog_format.h"

namespace sett {
namespace {

// Sorted (internal key, encoded value struct) pairs.
class VectorIterator : public InternalIterator {
 public:
  using Entries = std::vector<std::pair<std::string, std::string>>;

  VectorIterator(std::shared_ptr<const Entries> entries, bool reverse)
      : entries_(std::move(entries)), reverse_(reverse) {}

  bool Valid() const override {
    return index_ >= 0 && index_ < static_cast<int64_t>(entries_->size());
  }
  void Rewind() override { index_ = reverse_ ? static_cast<int64_t>(entries_->size()) - 1 : 0; }
  void Seek(std::string_view target) override {
    const Entries& entries = *entries_;
    auto it = std::lower_bound(
        entries.begin(), entries.end(), target,
        [](const auto& e, std::string_view t) { return CompareInternalKeys(e.first, t) < 0; });
    index_ = it - entries.begin();
    if (reverse_ && (index_ == static_cast<int64_t>(entries.size()) ||
                     CompareInternalKeys(entries[index_].first, target) > 0)) {
      index_--;
    }
  }
  void Next() override { index_ += reverse_ ? -1 : 1; }
  std::string_view key() const override { return (*entries_)[index_].first; }
  std::string_view value() const override { return (*entries_)[index_].second; }
  Status status() const override { return Status::OK(); }

 private:
  const std::shared_ptr<const Entries> entries_;
  const bool reverse_;
  int64_t index_ = -1;
};

constexpr size_t kPerWriteOverhead = 24;  // Version, meta, lengths.

}  // namespace

size_t PendingWrites::Cost(std::string_view key, size_t value_size) const {
  return key.size() + kPerWriteOverhead +
         (value_size < value_threshold_ ? value_size : kTypicalValuePointerSize);
}

void PendingWrites::Put(std::string_view key, Write write) {
  auto it = writes_.find(key);
  if (it != writes_.end()) {
    bytes_ -= Cost(key, it->second.value.size());
    bytes_ += Cost(key, write.value.size());
    it->second = std::move(write);
    return;
  }
  bytes_ += Cost(key, write.value.size());
  writes_.emplace(std::string(key), std::move(write));
}

const PendingWrites::Write* PendingWrites::Find(std::string_view key) const {
  auto it = writes_.find(key);
  return it == writes_.end() ? nullptr : &it->second;
}

size_t PendingWrites::BytesWith(std::string_view key, size_t value_size) const {
  size_t bytes = bytes_ + Cost(key, value_size);
  auto it = writes_.find(key);
  if (it != writes_.end()) bytes -= Cost(key, it->second.value.size());
  return bytes;
}

void PendingWrites::AppendTo(WriteBatch* batch) const {
  // One allocation: grown by doubling, a 1 MiB batch copied its bytes once more (a sixth of
  // settfs's memory traffic in sequential writes).
  size_t bytes = 0;
  for (const auto& [key, w] : writes_) {
    bytes += WriteBatchInternal::MaxEntrySize(key.size(), w.value.size());
  }
  WriteBatchInternal::Reserve(batch, bytes);
  for (const auto& [key, w] : writes_) {
    WriteBatchInternal::Add(batch, BatchEntry{w.meta, w.user_meta, w.expires_at, key, w.value});
  }
}

IteratorFactory PendingWrites::Snapshot(uint64_t read_ts) const {
  auto entries = std::make_shared<VectorIterator::Entries>();
  entries->reserve(writes_.size());
  for (const auto& [key, w] : writes_) {
    std::string encoded;
    AppendValueStruct(&encoded, ValueStruct{w.meta, w.user_meta, w.expires_at, w.value});
    entries->emplace_back(InternalKey(key, read_ts), std::move(encoded));
  }
  return [entries = std::shared_ptr<const VectorIterator::Entries>(std::move(entries))](
             bool reverse) -> std::unique_ptr<InternalIterator> {
    return std::make_unique<VectorIterator>(entries, reverse);
  };
}

}  // namespace sett
