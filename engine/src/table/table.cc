#include "table/table.h"

#include <algorithm>

#include "util/coding.h"

namespace sett {
namespace {

// Walks a table's data blocks one after another, in either direction.
class TableIterator : public InternalIterator {
 public:
  TableIterator(std::shared_ptr<const Table> table, bool reverse, bool fill_cache)
      : table_(std::move(table)), reverse_(reverse), fill_cache_(fill_cache) {}

  bool Valid() const override { return block_it_ != nullptr && block_it_->Valid(); }

  void Rewind() override {
    int64_t n = table_->num_blocks();
    LoadBlock(reverse_ ? n - 1 : 0);
    if (block_it_ != nullptr) block_it_->Rewind();
    SkipExhaustedBlocks();
  }

  void Seek(std::string_view target) override {
    int64_t i = table_->FindBlock(target);
    if (!reverse_ && i < 0) i = 0;
    LoadBlock(i);
    if (block_it_ != nullptr) block_it_->Seek(target);
    SkipExhaustedBlocks();
  }

  // Within the current block no block is read again.
  void SkipTo(std::string_view target) override {
    int64_t i = table_->FindBlock(target);
    if (!reverse_ && i < 0) i = 0;
    if (i != block_index_ || block_it_ == nullptr) return Seek(target);
    block_it_->Seek(target);
    SkipExhaustedBlocks();
  }

  void Next() override {
    block_it_->Next();
    SkipExhaustedBlocks();
  }

  std::string_view key() const override { return block_it_->key(); }
  std::string_view value() const override { return block_it_->value(); }
  Status status() const override {
    if (!status_.ok()) return status_;
    return block_it_ != nullptr ? block_it_->status() : Status::OK();
  }

 private:
  void LoadBlock(int64_t i) {
    block_it_.reset();
    block_index_ = i;
    if (!status_.ok() || i < 0 || i >= table_->num_blocks()) return;
    std::shared_ptr<const Block> block;
    status_ = table_->ReadDataBlock(static_cast<uint32_t>(i), fill_cache_, &block);
    if (status_.ok()) block_it_ = std::make_unique<BlockIterator>(std::move(block), reverse_);
  }

  // Moves to the next block while the current one is used up (and healthy).
  void SkipExhaustedBlocks() {
    while (block_it_ != nullptr && !block_it_->Valid() && block_it_->status().ok()) {
      LoadBlock(reverse_ ? block_index_ - 1 : block_index_ + 1);
      if (block_it_ != nullptr) block_it_->Rewind();
    }
  }

  const std::shared_ptr<const Table> table_;
  const bool reverse_;
  const bool fill_cache_;
  int64_t block_index_ = -1;
  std::unique_ptr<BlockIterator> block_it_;
  Status status_;
};

// Reads a table through a memory map of the whole file: a read is a view into the mapping, with
// no system call and no copy. A table never changes once written, so the mapping never grows,
// and it needs no open file descriptor.
class MappedTableFile : public RandomAccessFile {
 public:
  MappedTableFile(std::string path, std::unique_ptr<MappedFile> map)
      : path_(std::move(path)), map_(std::move(map)) {}

  Status Read(uint64_t offset, size_t n, char*, std::string_view* result) const override {
    // As a pread would: fewer bytes at the end of the file, none past it.
    uint64_t length = map_->length();
    if (offset >= length) {
      *result = std::string_view();
    } else {
      *result = std::string_view(map_->data() + offset, std::min<uint64_t>(n, length - offset));
    }
    return Status::OK();
  }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const std::unique_ptr<MappedFile> map_;
};

}  // namespace

Status Table::Open(Env* env, const std::string& path, uint64_t id, BlockCache* cache, bool map,
                   std::shared_ptr<Table>* table) {
  uint64_t size;
  Status s = env->GetFileSize(path, &size);
  if (!s.ok()) return s;
  if (size < kFooterSize) {
    return Status::Corruption(path + ": " + std::to_string(size) +
                              " bytes is too short for a table");
  }
  std::unique_ptr<RandomAccessFile> file;
  s = env->NewRandomAccessFile(path, &file);
  if (!s.ok()) return s;
  std::unique_ptr<MappedFile> mapping;
  // Without a mapping (an Env that cannot map, or no address space left) reads are preads.
  if (map && env->MapFile(path, size, &mapping).ok()) {
    file = std::make_unique<MappedTableFile>(file->path(), std::move(mapping));
  }
  char footer_buf[kFooterSize];
  std::string_view footer_data;
  s = file->Read(size - kFooterSize, kFooterSize, footer_buf, &footer_data);
  if (!s.ok()) return s;
  Footer footer;
  s = DecodeFooter(footer_data, path, size, &footer);
  if (!s.ok()) return s;

  std::shared_ptr<Table> t(new Table(env, std::move(file), id, size, cache));
  std::string index;
  s = ReadBlock(*t->file_, footer.index, &index);
  if (s.ok()) s = ReadBlock(*t->file_, footer.bloom, &t->bloom_);
  if (s.ok()) s = t->ParseIndex(std::move(index));
  if (!s.ok()) return s;
  *table = std::move(t);
  return Status::OK();
}

Status Table::ParseIndex(std::string contents) {
  index_contents_ = std::move(contents);
  std::string_view in = index_contents_;
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption(path() + ": index block: " + what);
  };
  uint32_t n;
  if (!GetVarint32(&in, &n) || n > in.size()) return corrupt("bad block count");
  block_keys_.reserve(n);
  block_handles_.reserve(n);
  uint64_t data_end = file_size_ - kFooterSize;
  for (uint32_t i = 0; i < n; i++) {
    std::string_view key;
    BlockHandle h;
    if (!GetLengthPrefixed(&in, &key) || !GetVarint64(&in, &h.offset) ||
        !GetVarint64(&in, &h.size) || !IsValidInternalKey(key)) {
      return corrupt("damaged entry " + std::to_string(i));
    }
    if (h.offset > data_end || h.size + kBlockTrailerSize > data_end - h.offset ||
        (i > 0 && (h.offset <= block_handles_.back().offset ||
                   CompareInternalKeys(key, block_keys_.back()) <= 0))) {
      return corrupt("entry " + std::to_string(i) + " is out of order or outside the file");
    }
    block_keys_.push_back(key);
    block_handles_.push_back(h);
  }
  std::string_view smallest, largest;
  if (!GetLengthPrefixed(&in, &smallest) || !GetLengthPrefixed(&in, &largest) ||
      !GetVarint64(&in, &props_.num_entries) || !GetVarint64(&in, &props_.num_deletes) ||
      !GetVarint64(&in, &props_.num_older_versions) || !GetVarint64(&in, &props_.min_version) ||
      !GetVarint64(&in, &props_.max_version)) {
    return corrupt("damaged properties");
  }
  if (n == 0 || !IsValidInternalKey(smallest) || !IsValidInternalKey(largest) ||
      CompareInternalKeys(smallest, largest) > 0 || smallest != block_keys_[0]) {
    return corrupt("bad key range");
  }
  props_.smallest.assign(smallest.data(), smallest.size());
  props_.largest.assign(largest.data(), largest.size());
  return Status::OK();
}

Table::~Table() {
  // A file that stays is no longer in the MANIFEST: the next open removes it.
  if (obsolete_.load(std::memory_order_acquire)) env_->RemoveFile(path()).IgnoreError();
}

int64_t Table::FindBlock(std::string_view target) const {
  auto it = std::upper_bound(
      block_keys_.begin(), block_keys_.end(), target,
      [](std::string_view t, std::string_view key) { return CompareInternalKeys(t, key) < 0; });
  return static_cast<int64_t>(it - block_keys_.begin()) - 1;
}

Status Table::ReadDataBlock(uint32_t i, bool fill_cache,
                            std::shared_ptr<const Block>* block) const {
  const BlockHandle& h = block_handles_[i];
  if (cache_ != nullptr) {
    *block = cache_->Lookup(cache_id_, h.offset);
    if (*block != nullptr) return Status::OK();
  }
  std::string contents;
  Status s = ReadBlock(*file_, h, &contents);
  if (!s.ok()) return s;
  s = Block::Parse(std::move(contents), file_name_, h.offset, block);
  if (!s.ok()) return s;
  if (cache_ != nullptr && fill_cache) cache_->Insert(cache_id_, h.offset, *block);
  return Status::OK();
}

Status Table::Seek(std::string_view target, bool fill_cache, bool* found, std::string* key,
                   std::string* value) const {
  *found = false;
  int64_t i = std::max<int64_t>(FindBlock(target), 0);
  for (; i < num_blocks(); i++) {
    std::shared_ptr<const Block> block;
    Status s = ReadDataBlock(static_cast<uint32_t>(i), fill_cache, &block);
    if (!s.ok()) return s;
    BlockIterator it(std::move(block), /*reverse=*/false);
    it.Seek(target);
    if (!it.status().ok()) return it.status();
    if (it.Valid()) {
      *found = true;
      key->assign(it.key().data(), it.key().size());
      value->assign(it.value().data(), it.value().size());
      return Status::OK();
    }
  }
  return Status::OK();
}

std::unique_ptr<InternalIterator> Table::NewIterator(bool reverse, bool fill_cache) const {
  return std::make_unique<TableIterator>(shared_from_this(), reverse, fill_cache);
}

Status Table::Verify() const {
  std::string previous;
  uint64_t entries = 0;
  for (uint32_t i = 0; i < num_blocks(); i++) {
    std::shared_ptr<const Block> block;
    Status s = ReadDataBlock(i, /*fill_cache=*/false, &block);
    if (!s.ok()) return s;
    std::string key;
    std::string_view value;
    for (uint32_t e = 0; e < block->num_entries(); e++) {
      ValueStruct vs;
      if (!block->DecodeEntry(e, &key, &value) || !DecodeValueStruct(value, &vs)) {
        return Status::Corruption(block->where() + ": damaged entry " + std::to_string(e));
      }
      if ((e == 0 && key != block_keys_[i]) ||
          (entries > 0 && CompareInternalKeys(previous, key) >= 0)) {
        return Status::Corruption(block->where() + ": entry " + std::to_string(e) +
                                  " is out of order");
      }
      previous = key;
      entries++;
    }
  }
  if (entries != props_.num_entries || previous != props_.largest) {
    return Status::Corruption(path() + ": properties do not match the data (" +
                              std::to_string(entries) + " entries found, " +
                              std::to_string(props_.num_entries) + " recorded)");
  }
  return Status::OK();
}

}  // namespace sett
