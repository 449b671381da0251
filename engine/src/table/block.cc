#include "table/block.h"

#include "format/key_format.h"
#include "util/coding.h"

namespace sett {

Status Block::Parse(std::string contents, std::shared_ptr<const std::string> file, uint64_t offset,
                    std::shared_ptr<const Block>* out) {
  auto block = std::make_shared<Block>(Token(), std::move(contents), std::move(file), offset);
  const std::string& c = block->contents_;
  if (c.size() < 4) return Status::Corruption(block->where() + ": block too short");
  uint64_t n = DecodeFixed32(c.data() + c.size() - 4);
  if (n == 0 || (n + 1) * 4 > c.size()) {
    return Status::Corruption(block->where() + ": bad entry count " + std::to_string(n));
  }
  block->num_entries_ = static_cast<uint32_t>(n);
  block->data_end_ = static_cast<uint32_t>(c.size() - (n + 1) * 4);
  uint32_t previous = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t offset = block->EntryOffset(i);
    if ((i == 0 && offset != 0) || (i > 0 && offset <= previous) || offset >= block->data_end_) {
      return Status::Corruption(block->where() + ": bad offset of entry " + std::to_string(i));
    }
    previous = offset;
  }
  // The base key is entry 0's key, stored whole.
  const char* p = c.data();
  const char* limit = p + (n > 1 ? block->EntryOffset(1) : block->data_end_);
  uint32_t shared, unshared, value_len;
  p = GetVarint32Ptr(p, limit, &shared);
  if (p != nullptr) p = GetVarint32Ptr(p, limit, &unshared);
  if (p != nullptr) p = GetVarint32Ptr(p, limit, &value_len);
  if (p == nullptr || shared != 0 || unshared > static_cast<size_t>(limit - p)) {
    return Status::Corruption(block->where() + ": bad first entry");
  }
  block->base_key_ = std::string_view(p, unshared);
  *out = std::move(block);
  return Status::OK();
}

std::string Block::where() const { return *file_ + ": block at offset " + std::to_string(offset_); }

uint32_t Block::EntryOffset(uint32_t i) const {
  return DecodeFixed32(contents_.data() + data_end_ + 4 * i);
}

bool Block::DecodeEntry(uint32_t i, std::string* key, std::string_view* value) const {
  const char* p = contents_.data() + EntryOffset(i);
  const char* limit = contents_.data() + (i + 1 < num_entries_ ? EntryOffset(i + 1) : data_end_);
  uint32_t shared, unshared, value_len;
  p = GetVarint32Ptr(p, limit, &shared);
  if (p != nullptr) p = GetVarint32Ptr(p, limit, &unshared);
  if (p != nullptr) p = GetVarint32Ptr(p, limit, &value_len);
  if (p == nullptr || shared > base_key_.size() ||
      static_cast<uint64_t>(unshared) + value_len > static_cast<uint64_t>(limit - p)) {
    return false;
  }
  key->assign(base_key_.data(), shared);
  key->append(p, unshared);
  *value = std::string_view(p + unshared, value_len);
  return IsValidInternalKey(*key);
}

void BlockIterator::SeekToEntry(int64_t i) {
  index_ = i;
  valid_ = false;
  if (!status_.ok() || i < 0 || i >= block_->num_entries()) return;
  if (!block_->DecodeEntry(static_cast<uint32_t>(i), &key_, &value_)) {
    status_ = Status::Corruption(block_->where() + ": damaged entry " + std::to_string(i));
    return;
  }
  valid_ = true;
}

void BlockIterator::Rewind() { SeekToEntry(reverse_ ? block_->num_entries() - 1 : 0); }

void BlockIterator::Next() { SeekToEntry(reverse_ ? index_ - 1 : index_ + 1); }

void BlockIterator::Seek(std::string_view target) {
  // Binary search for the first entry with key >= target.
  int64_t lo = 0, hi = block_->num_entries();
  std::string_view value;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (!block_->DecodeEntry(static_cast<uint32_t>(mid), &key_, &value)) {
      status_ = Status::Corruption(block_->where() + ": damaged entry " + std::to_string(mid));
      valid_ = false;
      return;
    }
    if (CompareInternalKeys(key_, target) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (!reverse_) {
    SeekToEntry(lo);
    return;
  }
  // Reverse: the last entry <= target is lo itself when it equals target, else lo - 1.
  SeekToEntry(lo);
  if (valid_ && CompareInternalKeys(key_, target) == 0) return;
  SeekToEntry(lo - 1);
}

}  // namespace sett
