#include "sett/write_batch.h"

#include "format/key_format.h"
#include "format/write_batch_internal.h"

namespace sett {

WriteBatch::WriteBatch() = default;

void WriteBatch::Put(std::string_view key, std::string_view value) {
  WriteBatchInternal::Add(this, BatchEntry{0, 0, 0, key, value});
}

void WriteBatch::Delete(std::string_view key) {
  WriteBatchInternal::Add(this, BatchEntry{kMetaDelete, 0, 0, key, std::string_view()});
}

void WriteBatch::Merge(std::string_view key, std::string_view operand) {
  WriteBatchInternal::Add(this, BatchEntry{kMetaMerge, 0, 0, key, operand});
}

void WriteBatch::Clear() {
  rep_.clear();
  count_ = 0;
}

void WriteBatchInternal::Add(WriteBatch* batch, const BatchEntry& entry) {
  std::string* rep = &batch->rep_;
  rep->push_back(static_cast<char>(entry.meta));
  rep->push_back(static_cast<char>(entry.user_meta));
  PutVarint64(rep, entry.expires_at);
  PutLengthPrefixed(rep, entry.key);
  PutLengthPrefixed(rep, entry.value);
  batch->count_++;
}

}  // namespace sett
