#include "memtable/memtable.h"

#include "vlog/vlog_format.h"

namespace sett {
namespace {

class MemTableIterator : public InternalIterator {
 public:
  MemTableIterator(const SkipList* list, bool reverse) : it_(list), reverse_(reverse) {}

  bool Valid() const override { return it_.Valid(); }
  void Rewind() override { reverse_ ? it_.SeekToLast() : it_.SeekToFirst(); }
  void Seek(std::string_view target) override {
    reverse_ ? it_.SeekForPrev(target) : it_.Seek(target);
  }
  void Next() override { reverse_ ? it_.Prev() : it_.Next(); }
  // Forward, the search goes on from here: a run of versions costs its length's logarithm.
  void SkipTo(std::string_view target) override {
    reverse_ ? it_.SeekForPrev(target) : it_.SeekForward(target);
  }
  std::string_view key() const override { return it_.key(); }
  std::string_view value() const override { return it_.value(); }
  Status status() const override { return Status::OK(); }

 private:
  SkipList::Iterator it_;
  const bool reverse_;
};

}  // namespace

uint64_t MemTable::Add(std::string_view internal_key, std::string_view value_struct) {
  // The entry after the new one is the key's previous newest version, if this memtable holds it.
  SkipList::Iterator next = list_.Insert(internal_key, value_struct);
  uint64_t replaced_version = 0;
  if (next.Valid() && UserKey(next.key()) == UserKey(internal_key)) {
    replaced_version = VersionOf(next.key());
    ValueStruct replaced;
    ValuePointer pointer;
    if (DecodeValueStruct(next.value(), &replaced) && (replaced.meta & kMetaValuePointer) != 0 &&
        DecodeValuePointer(replaced.value, &pointer)) {
      replaced_log_bytes_.store(replaced_log_bytes() + pointer.length, std::memory_order_relaxed);
    }
  }
  uint64_t version = VersionOf(internal_key);
  if (version > max_version_.load(std::memory_order_relaxed)) {
    max_version_.store(version, std::memory_order_release);
  }
  return replaced_version;
}

size_t MemTable::OperandsOnTop(std::string_view user_key, size_t limit) const {
  SkipList::Iterator it(&list_);
  size_t n = 0;
  ValueStruct vs;
  for (it.Seek(InternalKey(user_key, kMaxVersion));
       n < limit && it.Valid() && UserKey(it.key()) == user_key; it.Next()) {
    if (!DecodeValueStruct(it.value(), &vs) || !vs.IsMerge()) break;
    n++;
  }
  return n;
}

bool MemTable::GetAt(std::string_view target, uint64_t* version, ValueStruct* vs) const {
  SkipList::Iterator it(&list_);
  it.Seek(target);
  if (!it.Valid() || UserKey(it.key()) != UserKey(target)) return false;
  *version = VersionOf(it.key());
  // The skiplist only holds value structs that the write path encoded itself.
  return DecodeValueStruct(it.value(), vs);
}

std::unique_ptr<InternalIterator> MemTable::NewIterator(bool reverse) const {
  return std::make_unique<MemTableIterator>(&list_, reverse);
}

}  // namespace sett
