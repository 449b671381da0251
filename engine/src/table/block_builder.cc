#include "table/block_builder.h"

#include <algorithm>

#include "util/coding.h"

namespace sett {

void BlockBuilder::Add(std::string_view key, std::string_view value) {
  size_t shared = 0;
  if (offsets_.empty()) {
    base_key_.assign(key.data(), key.size());  // Stored whole: shared stays 0.
  } else {
    size_t limit = std::min(key.size(), base_key_.size());
    while (shared < limit && key[shared] == base_key_[shared]) shared++;
  }
  offsets_.push_back(static_cast<uint32_t>(buffer_.size()));
  PutVarint32(&buffer_, static_cast<uint32_t>(shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(key.size() - shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(value.size()));
  buffer_.append(key.data() + shared, key.size() - shared);
  buffer_.append(value.data(), value.size());
}

std::string_view BlockBuilder::Finish() {
  for (uint32_t offset : offsets_) PutFixed32(&buffer_, offset);
  PutFixed32(&buffer_, static_cast<uint32_t>(offsets_.size()));
  return buffer_;
}

void BlockBuilder::Reset() {
  buffer_.clear();
  offsets_.clear();
  base_key_.clear();
}

}  // namespace sett
