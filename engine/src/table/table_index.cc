#include "table/table_index.h"

#include <algorithm>

#include "format/key_format.h"
#include "table/bloom.h"
#include "table/table_builder.h"
#include "util/coding.h"

namespace sett {

Status TableIndex::Parse(std::string contents, std::string bloom, const std::string& path,
                         uint64_t file_size, TableIndex* index, TableProperties* props) {
  index->contents_ = std::move(contents);
  index->bloom_ = std::move(bloom);
  std::string_view in = index->contents_;
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption(path + ": index block: " + what);
  };
  uint32_t n;
  if (!GetVarint32(&in, &n) || n > in.size()) return corrupt("bad block count");
  std::vector<std::string_view>& keys = index->keys_;
  std::vector<BlockHandle>& handles = index->handles_;
  keys.reserve(n);
  handles.reserve(n);
  uint64_t data_end = file_size - kFooterSize;
  for (uint32_t i = 0; i < n; i++) {
    std::string_view key;
    BlockHandle h;
    if (!GetLengthPrefixed(&in, &key) || !GetVarint64(&in, &h.offset) ||
        !GetVarint64(&in, &h.size) || !IsValidInternalKey(key)) {
      return corrupt("damaged entry " + std::to_string(i));
    }
    if (h.offset > data_end || h.size + kBlockTrailerSize > data_end - h.offset ||
        (i > 0 &&
         (h.offset <= handles.back().offset || CompareInternalKeys(key, keys.back()) <= 0))) {
      return corrupt("entry " + std::to_string(i) + " is out of order or outside the file");
    }
    keys.push_back(key);
    handles.push_back(h);
  }
  TableProperties parsed;
  std::string_view smallest, largest;
  if (!GetLengthPrefixed(&in, &smallest) || !GetLengthPrefixed(&in, &largest) ||
      !GetVarint64(&in, &parsed.num_entries) || !GetVarint64(&in, &parsed.num_deletes) ||
      !GetVarint64(&in, &parsed.num_older_versions) || !GetVarint64(&in, &parsed.min_version) ||
      !GetVarint64(&in, &parsed.max_version)) {
    return corrupt("damaged properties");
  }
  if (n == 0 || !IsValidInternalKey(smallest) || !IsValidInternalKey(largest) ||
      CompareInternalKeys(smallest, largest) > 0 || smallest != keys[0]) {
    return corrupt("bad key range");
  }
  if (props != nullptr) {
    parsed.smallest.assign(smallest.data(), smallest.size());
    parsed.largest.assign(largest.data(), largest.size());
    *props = std::move(parsed);
  }
  return Status::OK();
}

int64_t TableIndex::FindBlock(std::string_view target) const {
  auto it = std::upper_bound(
      keys_.begin(), keys_.end(), target,
      [](std::string_view t, std::string_view key) { return CompareInternalKeys(t, key) < 0; });
  return static_cast<int64_t>(it - keys_.begin()) - 1;
}

bool TableIndex::MayContain(uint64_t key_hash) const { return BloomMayContain(bloom_, key_hash); }

size_t TableIndex::charge() const {
  return sizeof(*this) + contents_.capacity() + bloom_.capacity() +
         keys_.capacity() * sizeof(std::string_view) + handles_.capacity() * sizeof(BlockHandle);
}

}  // namespace sett
